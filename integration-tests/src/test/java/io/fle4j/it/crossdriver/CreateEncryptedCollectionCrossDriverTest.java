package io.fle4j.it.crossdriver;

import static io.fle4j.it.crossdriver.CrossDriverVault.LOCAL;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.assertj.core.api.Assumptions.assumeThat;

import com.mongodb.MongoConfigurationException;
import com.mongodb.MongoUpdatedEncryptedFieldsException;
import com.mongodb.client.MongoDatabase;
import com.mongodb.client.model.CreateCollectionOptions;
import com.mongodb.client.model.CreateEncryptedCollectionParams;
import com.mongodb.client.vault.ClientEncryption;
import io.fle4j.testkit.mongo.MongoTestTarget;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.bson.BsonArray;
import org.bson.BsonBinary;
import org.bson.BsonDocument;
import org.bson.BsonNull;
import org.bson.BsonString;
import org.bson.BsonValue;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * {@code createEncryptedCollection} on both sides: the same refusals, the same data keys made for
 * null {@code keyId}s, and the same report of what was created when the collection cannot be. The
 * embedded stand-in speaks a wire version below Queryable Encryption's, so there the driver's
 * create helper refuses after the keys exist; against a MongoDB 7.0+ in {@code
 * FLE4J_MONGODB_URI} the collection and its state collections are really made.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CreateEncryptedCollectionCrossDriverTest {
  private CrossDriverVault vault;
  private ClientEncryption fle4j;
  private ClientEncryption official;
  private MongoDatabase database;

  @BeforeAll
  void open() {
    vault = new CrossDriverVault();
    fle4j = vault.fle4j();
    official = vault.official();
    database = vault.client.getDatabase(vault.database);
  }

  @AfterAll
  void close() throws Exception {
    vault.close();
  }

  @Test
  void withoutEncryptedFields_bothRefuseWithTheDriversText() {
    for (ClientEncryption side : List.of(fle4j, official)) {
      Throwable thrown = catchThrowable(() -> side.createEncryptedCollection(database, "plain",
          new CreateCollectionOptions(), new CreateEncryptedCollectionParams(LOCAL)));
      assertThat(thrown).isInstanceOf(MongoConfigurationException.class)
          .hasMessageContaining("`encryptedFields` is not configured for the collection");
    }
  }

  @Test
  void unknownKmsProvider_noKeyIsCreated_andTheFieldsComeBackUnchanged() {
    long before = vault.keys.countDocuments();
    Throwable thrown = catchThrowable(() -> fle4j.createEncryptedCollection(database, "nokms",
        options(fields()), new CreateEncryptedCollectionParams("aws:nowhere")));
    assertThat(thrown).isInstanceOf(MongoUpdatedEncryptedFieldsException.class)
        .hasMessageContaining("data keys created before the failure: none");
    assertThat(((MongoUpdatedEncryptedFieldsException) thrown).getEncryptedFields())
        .isEqualTo(fields());
    assertThat(vault.keys.countDocuments()).isEqualTo(before);
  }

  @Test
  void nullKeyIds_getNewKeys_onBothSides() {
    List<BsonDocument> results = new ArrayList<>();
    int i = 0;
    for (ClientEncryption side : List.of(fle4j, official)) {
      String name = "coll" + i++;
      long before = vault.keys.countDocuments();
      BsonDocument created = createOrReport(() -> side.createEncryptedCollection(database, name,
          options(fields()), new CreateEncryptedCollectionParams(LOCAL)));
      assertThat(vault.keys.countDocuments()).as(name).isEqualTo(before + 2);
      BsonArray fields = created.getArray("fields");
      assertThat(fields.get(0).asDocument().get("keyId")).isInstanceOf(BsonBinary.class);
      assertThat(fields.get(1).asDocument().getBinary("keyId").getType()).isEqualTo((byte) 4);
      assertThat(fields.get(2).asDocument().get("keyId"))
          .isEqualTo(fields().getArray("fields").get(2).asDocument().get("keyId"));
      for (BsonValue field : fields.subList(0, 2)) {
        assertThat(vault.rawKey(field.asDocument().getBinary("keyId"))).isNotNull();
      }
      results.add(created);
    }
    // Same shape on both sides; only the new key ids differ.
    assertThat(stripKeyIds(results.get(0))).isEqualTo(stripKeyIds(results.get(1)));
  }

  @Test
  void onARealServer_theStateCollectionsAndIndexExist() {
    assumeThat(MongoTestTarget.isEmbedded()).as("needs FLE4J_MONGODB_URI: a MongoDB 7.0+ replica"
        + " set or sharded cluster").isFalse();
    fle4j.createEncryptedCollection(database, "real", options(fields()),
        new CreateEncryptedCollectionParams(LOCAL));
    List<String> names = database.listCollectionNames().into(new ArrayList<>());
    assertThat(names).contains("real", "enxcol_.real.esc", "enxcol_.real.ecoc");
    assertThat(database.getCollection("real").listIndexes().into(new ArrayList<>()))
        .anySatisfy(index -> assertThat(index.getString("name")).isEqualTo("__safeContent___1"));
  }

  /**
   * The result, or, on the embedded stand-in, the encryptedFields its refusal reports: the keys
   * exist either way.
   */
  private static BsonDocument createOrReport(Supplier<BsonDocument> create) {
    try {
      BsonDocument created = create.get();
      assertThat(MongoTestTarget.isEmbedded()).as("the stand-in cannot create QE collections")
          .isFalse();
      return created;
    } catch (MongoUpdatedEncryptedFieldsException e) {
      assertThat(MongoTestTarget.isEmbedded()).as("failed on a real server: " + e).isTrue();
      assertThat(e.getCause()).as("cause").isNotNull()
          .hasMessageContaining("Queryable Encryption is incompatible with server");
      return e.getEncryptedFields();
    }
  }

  private static BsonDocument stripKeyIds(BsonDocument encryptedFields) {
    BsonDocument copy = encryptedFields.clone();
    copy.getArray("fields").forEach(f -> f.asDocument().remove("keyId"));
    return copy;
  }

  private static CreateCollectionOptions options(BsonDocument encryptedFields) {
    return new CreateCollectionOptions().encryptedFields(encryptedFields);
  }

  private static BsonDocument fields() {
    return new BsonDocument("fields", new BsonArray(List.of(
        new BsonDocument("path", new BsonString("ssn")).append("bsonType", new BsonString("string"))
            .append("keyId", BsonNull.VALUE)
            .append("queries", new BsonDocument("queryType", new BsonString("equality"))
                .append("contention", new org.bson.BsonInt64(0))),
        new BsonDocument("path", new BsonString("notes")).append("bsonType",
            new BsonString("string")).append("keyId", BsonNull.VALUE),
        new BsonDocument("path", new BsonString("other")).append("bsonType",
            new BsonString("int")).append("keyId", new BsonBinary(
                java.util.UUID.fromString("11111111-2222-4333-8444-555555555555"),
                org.bson.UuidRepresentation.STANDARD)))));
  }
}
