package io.fle4j.it.auto;

import static com.mongodb.client.model.Filters.eq;
import static org.assertj.core.api.Assertions.assertThat;

import com.mongodb.AutoEncryptionSettings;
import com.mongodb.ClientEncryptionSettings;
import com.mongodb.ConnectionString;
import com.mongodb.MongoClientSettings;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.vault.DataKeyOptions;
import com.mongodb.client.model.vault.EncryptOptions;
import com.mongodb.client.vault.ClientEncryption;
import io.fle4j.Algorithm;
import io.fle4j.Fle4jMongoClients;
import io.fle4j.KeyVaultIndexes;
import io.fle4j.testkit.mongo.MongoTestTarget;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.bson.BsonBinary;
import org.bson.BsonDocument;
import org.bson.BsonInt32;
import org.bson.BsonString;
import org.bson.Document;
import org.bson.UuidRepresentation;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * fle4j's automatic encryption against the official engine (libmongocrypt through
 * mongodb-crypt): the official driver's automatic decryption ({@code bypassAutoEncryption}, which
 * needs no mongocryptd) reads what fle4j wrote, and fle4j's reads decrypt what the official
 * driver encrypted explicitly, including equality queries on its deterministic ciphertexts.
 */
class AutoEncryptionCrossDriverTest {
  private static final String DET = Algorithm.DETERMINISTIC.specName();
  private static final String RND = Algorithm.RANDOM.specName();

  private final String db = "xauto_" + UUID.randomUUID().toString().replace("-", "").substring(0, 10);
  private final String keyVault = db + ".keys";
  private final MongoClientSettings plainSettings = MongoClientSettings.builder()
      .applyConnectionString(new ConnectionString(MongoTestTarget.connectionString()))
      .uuidRepresentation(UuidRepresentation.STANDARD).build();
  private final Map<String, Map<String, Object>> kms = Map.of("local", Map.of("key", masterKey()));
  private MongoClient plain;
  private ClientEncryption official;
  private BsonBinary keyId;

  private static byte[] masterKey() {
    byte[] key = new byte[96];
    new SecureRandom().nextBytes(key);
    return key;
  }

  @BeforeEach
  void setUp() {
    plain = MongoClients.create(plainSettings);
    KeyVaultIndexes.ensureKeyAltNamesIndex(plain.getDatabase(db).getCollection("keys"));
    official = com.mongodb.client.vault.ClientEncryptions.create(ClientEncryptionSettings.builder()
        .keyVaultMongoClientSettings(plainSettings).keyVaultNamespace(keyVault).kmsProviders(kms).build());
    keyId = official.createDataKey("local", new DataKeyOptions().keyAltNames(List.of("k")));
  }

  @AfterEach
  void tearDown() {
    official.close();
    plain.getDatabase(db).drop();
    plain.close();
  }

  private MongoClientSettings autoSettings(boolean bypass) {
    BsonDocument schema = BsonDocument.parse("""
        {bsonType: "object", properties: {
           ssn: {encrypt: {bsonType: 'string', algorithm: '%s', keyId: [UUID('%s')]}},
           card: {encrypt: {bsonType: 'object', algorithm: '%s', keyId: [UUID('%s')]}}}}
        """.formatted(DET, keyId.asUuid(), RND, keyId.asUuid()));
    return MongoClientSettings.builder(plainSettings)
        .autoEncryptionSettings(AutoEncryptionSettings.builder().keyVaultNamespace(keyVault)
            .kmsProviders(kms).schemaMap(Map.of(db + ".people", schema)).bypassAutoEncryption(bypass).build())
        .build();
  }

  @Test
  void officialAutomaticDecryption_readsWhatFle4jAutomaticEncryptionWrote() {
    Document original = new Document("_id", 1).append("ssn", "123-45-6789")
        .append("card", new Document("number", "4111").append("cvv", 123)).append("plan", "gold");
    try (MongoClient fle4j = Fle4jMongoClients.create(autoSettings(false))) {
      fle4j.getDatabase(db).getCollection("people").insertOne(original);
    }
    assertThat(plain.getDatabase(db).getCollection("people", BsonDocument.class).find().first()
        .getBinary("ssn").getType()).isEqualTo((byte) 6);

    try (MongoClient officialAuto = MongoClients.create(autoSettings(true))) {
      Document read = officialAuto.getDatabase(db).getCollection("people").find().first();
      assertThat(read).isEqualTo(original);
    }
  }

  @Test
  void fle4jReads_decryptWhatTheOfficialDriverEncryptedExplicitly_andQueryIt() {
    MongoCollection<BsonDocument> raw = plain.getDatabase(db).getCollection("people", BsonDocument.class);
    for (int i = 0; i < 3; i++) {
      raw.insertOne(new BsonDocument("_id", new BsonInt32(i))
          .append("ssn", official.encrypt(new BsonString("ssn-" + i), new EncryptOptions(DET).keyId(keyId)))
          .append("card", official.encrypt(new BsonDocument("number", new BsonString("n" + i)),
              new EncryptOptions(RND).keyAltName("k"))));
    }
    try (MongoClient fle4j = Fle4jMongoClients.create(autoSettings(false))) {
      MongoCollection<Document> people = fle4j.getDatabase(db).getCollection("people");
      List<Document> all = people.find().into(new ArrayList<>());
      assertThat(all).extracting(d -> d.getString("ssn")).containsExactly("ssn-0", "ssn-1", "ssn-2");
      assertThat(all.get(2).get("card", Document.class).getString("number")).isEqualTo("n2");
      // fle4j's deterministic ciphertext of the query value equals the official driver's stored one.
      assertThat(people.find(eq("ssn", "ssn-1")).first().getInteger("_id")).isEqualTo(1);
    }
  }
}
