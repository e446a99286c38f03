package io.fle4j.it.auto;

import static com.mongodb.client.model.Filters.and;
import static com.mongodb.client.model.Filters.eq;
import static com.mongodb.client.model.Filters.gt;
import static com.mongodb.client.model.Filters.in;
import static com.mongodb.client.model.Filters.ne;
import static com.mongodb.client.model.Filters.or;
import static com.mongodb.client.model.Filters.regex;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.mongodb.AutoEncryptionSettings;
import com.mongodb.ClientEncryptionSettings;
import com.mongodb.ConnectionString;
import com.mongodb.MongoClientSettings;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.Aggregates;
import com.mongodb.client.model.CreateCollectionOptions;
import com.mongodb.client.model.DeleteOneModel;
import com.mongodb.client.model.FindOneAndUpdateOptions;
import com.mongodb.client.model.InsertOneModel;
import com.mongodb.client.model.ReturnDocument;
import com.mongodb.client.model.Sorts;
import com.mongodb.client.model.UpdateOneModel;
import com.mongodb.client.model.Updates;
import com.mongodb.client.model.ValidationOptions;
import com.mongodb.client.model.vault.DataKeyOptions;
import com.mongodb.client.vault.ClientEncryption;
import io.fle4j.Algorithm;
import io.fle4j.ClientEncryptions;
import io.fle4j.ConfigurationException;
import io.fle4j.EncryptedFieldOperationException;
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
import org.bson.BsonValue;
import org.bson.Document;
import org.bson.UuidRepresentation;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

class AutoEncryptionEndToEndTest {
  private static final String DET = Algorithm.DETERMINISTIC.specName();
  private static final String RND = Algorithm.RANDOM.specName();

  private final String db = "auto_" + UUID.randomUUID().toString().replace("-", "").substring(0, 10);
  private final String keyVault = db + ".keys";
  private final MongoClientSettings plainSettings = MongoClientSettings.builder()
      .applyConnectionString(new ConnectionString(MongoTestTarget.connectionString()))
      .uuidRepresentation(UuidRepresentation.STANDARD).build();
  private final byte[] masterKey = new byte[96];
  private MongoClient plain;
  private BsonBinary keyId;
  private MongoClient fle4j;
  private MongoCollection<Document> patients;
  private MongoCollection<BsonDocument> raw;

  public record Patient(String name, String ssn, String notes, String plan) {}

  public record Card(@io.fle4j.Encrypted(algorithm = Algorithm.DETERMINISTIC, keyAltName = "notes-key")
      String number, String brand) {}

  public record AnnotatedPatient(@org.bson.codecs.pojo.annotations.BsonId Integer id, String name,
      @io.fle4j.Encrypted(algorithm = Algorithm.DETERMINISTIC, keyAltName = "notes-key") String ssn,
      @io.fle4j.Encrypted(algorithm = Algorithm.RANDOM, keyAltName = "notes-key") List<Integer> visits,
      Card card) {}

  @BeforeEach
  void setUp() {
    new SecureRandom().nextBytes(masterKey);
    plain = MongoClients.create(plainSettings);
    KeyVaultIndexes.ensureKeyAltNamesIndex(plain.getDatabase(db).getCollection("keys"));
    try (ClientEncryption ce = ClientEncryptions.create(ClientEncryptionSettings.builder()
        .keyVaultMongoClientSettings(plainSettings).keyVaultNamespace(keyVault)
        .kmsProviders(kms()).build())) {
      keyId = ce.createDataKey("local", new DataKeyOptions().keyAltNames(List.of("notes-key")));
    }
    fle4j = Fle4jMongoClients.create(autoSettings(Map.of(db + ".patients", schema()), false));
    patients = fle4j.getDatabase(db).getCollection("patients");
    raw = plain.getDatabase(db).getCollection("patients", BsonDocument.class);
  }

  @AfterEach
  void tearDown() {
    fle4j.close();
    plain.getDatabase(db).drop();
    plain.close();
  }

  private Map<String, Map<String, Object>> kms() {
    return Map.of("local", Map.of("key", masterKey));
  }

  private MongoClientSettings autoSettings(Map<String, BsonDocument> schemaMap, boolean bypass) {
    return MongoClientSettings.builder(plainSettings)
        .autoEncryptionSettings(AutoEncryptionSettings.builder()
            .keyVaultNamespace(keyVault).kmsProviders(kms()).schemaMap(schemaMap)
            .bypassAutoEncryption(bypass).build())
        .build();
  }

  private BsonDocument schema() {
    String id = keyId.asUuid().toString();
    return BsonDocument.parse("""
        {bsonType: "object",
         encryptMetadata: {keyId: [UUID("%s")]},
         properties: {
           ssn: {encrypt: {bsonType: "string", algorithm: "%s"}},
           notes: {encrypt: {algorithm: "%s", keyId: "/noteKey"}},
           address: {bsonType: "object", properties: {
             zip: {encrypt: {bsonType: "string", algorithm: "%s"}}}},
           visits: {encrypt: {bsonType: "array", algorithm: "%s"}}}}
        """.formatted(id, DET, RND, DET, RND));
  }

  private static Document patient(int id, String ssn) {
    return new Document("_id", id).append("name", "p" + id).append("ssn", ssn)
        .append("noteKey", "notes-key").append("notes", "note " + id)
        .append("address", new Document("city", "Oslo").append("zip", "0" + id))
        .append("visits", List.of(1, 2)).append("plan", id % 2 == 0 ? "gold" : "basic");
  }

  private void insertPatients(int n) {
    List<Document> docs = new ArrayList<>();
    for (int i = 1; i <= n; i++) {
      docs.add(patient(i, "ssn-" + i));
    }
    patients.insertMany(docs);
  }

  private static boolean encrypted(BsonValue value) {
    return value != null && value.isBinary() && value.asBinary().getType() == 6;
  }

  @Test
  void insert_encryptsExactlyTheMarkedFields_andFindDecryptsThem() {
    Document original = patient(1, "123-45-6789");
    patients.insertOne(original);

    BsonDocument stored = raw.find().first();
    assertThat(encrypted(stored.get("ssn"))).isTrue();
    assertThat(encrypted(stored.get("notes"))).isTrue();
    assertThat(encrypted(stored.getDocument("address").get("zip"))).isTrue();
    assertThat(encrypted(stored.get("visits"))).isTrue();
    assertThat(stored.getString("name").getValue()).isEqualTo("p1");
    assertThat(stored.getDocument("address").getString("city").getValue()).isEqualTo("Oslo");
    assertThat(stored.get("ssn").asBinary().getData()[0]).isEqualTo((byte) 1);
    assertThat(stored.get("notes").asBinary().getData()[0]).isEqualTo((byte) 2);

    assertThat(patients.find().first()).isEqualTo(original);
  }

  /**
   * The ids an insert reports must be those stored, whether the application's codec generated
   * them (Document), the driver did (a RawBsonDocument without _id), or the application gave
   * them. (Inserting the encrypted documents as raw bytes would lose them: the driver learns an
   * id while it encodes, and copies raw bytes past that step.)
   */
  @Test
  void insertResults_reportTheStoredIds_whoeverGeneratedThem() {
    Document generated = new Document("name", "g").append("ssn", "1");
    var many = patients.insertMany(List.of(generated, patient(7, "7")));
    assertThat(many.getInsertedIds()).hasSize(2);
    assertThat(many.getInsertedIds().get(0)).isEqualTo(new org.bson.BsonObjectId(generated.getObjectId("_id")));
    assertThat(many.getInsertedIds().get(1)).isEqualTo(new org.bson.BsonInt32(7));

    MongoCollection<org.bson.RawBsonDocument> rawDocuments = fle4j.getDatabase(db)
        .getCollection("patients", org.bson.RawBsonDocument.class);
    var one = rawDocuments.insertOne(org.bson.RawBsonDocument.parse("{name: 'r', ssn: '2'}"));
    BsonValue driverId = one.getInsertedId();
    assertThat(driverId).isNotNull();
    BsonDocument stored = raw.find(new BsonDocument("_id", driverId)).first();
    assertThat(stored).as("stored under the id the driver reported").isNotNull();
    assertThat(encrypted(stored.get("ssn"))).isTrue();
    assertThat(patients.find(eq("ssn", "2")).first().getString("name")).isEqualTo("r");
    assertThat(raw.find(eq("name", "g")).first().get("_id"))
        .isEqualTo(new org.bson.BsonObjectId(generated.getObjectId("_id")));
  }

  @Test
  void equalityQueries_onDeterministicFields_findExactlyTheRightDocuments() {
    insertPatients(6);
    assertThat(ids(patients.find(eq("ssn", "ssn-3")))).containsExactly(3);
    assertThat(ids(patients.find(new Document("ssn", "ssn-4")))).containsExactly(4);
    assertThat(ids(patients.find(in("ssn", "ssn-1", "ssn-5")))).containsExactlyInAnyOrder(1, 5);
    assertThat(ids(patients.find(and(ne("ssn", "ssn-1"), eq("plan", "gold"))))).containsExactlyInAnyOrder(2, 4, 6);
    assertThat(ids(patients.find(or(eq("ssn", "ssn-2"), eq("address.zip", "06"))))).containsExactlyInAnyOrder(2, 6);
    assertThat(ids(patients.find(Document.parse("{ssn: {$nin: ['ssn-1', 'ssn-2']}, plan: 'basic'}")))).containsExactlyInAnyOrder(3, 5);
    assertThat(ids(patients.find().filter(eq("ssn", "ssn-6")))).as("filter set on the iterable").containsExactly(6);
    assertThat(patients.countDocuments(eq("ssn", "ssn-2"))).isEqualTo(1);
    assertThat(patients.distinct("ssn", eq("plan", "gold"), String.class).into(new ArrayList<>()))
        .containsExactlyInAnyOrder("ssn-2", "ssn-4", "ssn-6");
    assertThat(ids(patients.aggregate(List.of(Aggregates.match(eq("ssn", "ssn-5")), Aggregates.limit(5)))))
        .containsExactly(5);
  }

  @Test
  void updatesAndDeletes_encryptWhatTheyWrite_andMatchByEncryptedFilters() {
    insertPatients(4);
    patients.updateOne(eq("ssn", "ssn-1"), Updates.set("ssn", "new-1"));
    patients.updateMany(eq("plan", "gold"), Updates.combine(Updates.set("address", new Document("zip", "9999")),
        Updates.setOnInsert("ssn", "unused")));
    Document before = patients.findOneAndUpdate(eq("ssn", "ssn-3"), Updates.set("name", "renamed"));
    Document after = patients.findOneAndUpdate(eq("ssn", "ssn-3"), Updates.unset("notes"),
        new FindOneAndUpdateOptions().returnDocument(ReturnDocument.AFTER));
    patients.replaceOne(eq("ssn", "ssn-4"), patient(4, "replaced-4"));
    patients.deleteOne(eq("ssn", "ssn-2"));

    assertThat(before.getString("ssn")).isEqualTo("ssn-3");
    assertThat(after.getString("name")).isEqualTo("renamed");
    assertThat(after.containsKey("notes")).isFalse();
    assertThat(patients.find(eq("ssn", "new-1")).first().getString("name")).isEqualTo("p1");
    assertThat(patients.find(eq("ssn", "replaced-4")).first().get("address", Document.class).getString("zip"))
        .isEqualTo("04");
    assertThat(patients.countDocuments()).isEqualTo(3);
    for (BsonDocument stored : raw.find()) {
      assertThat(encrypted(stored.get("ssn"))).as(stored.toJson()).isTrue();
      assertThat(encrypted(stored.getDocument("address").get("zip"))).as(stored.toJson()).isTrue();
    }
  }

  @Test
  void bulkWrite_andFindOneAndReplace_encrypt() {
    patients.bulkWrite(List.of(
        new InsertOneModel<>(patient(1, "b-1")), new InsertOneModel<>(patient(2, "b-2")),
        new UpdateOneModel<>(eq("ssn", "b-1"), Updates.set("ssn", "b-1x")),
        new DeleteOneModel<>(eq("ssn", "b-2"))));
    Document old = patients.findOneAndReplace(eq("ssn", "b-1x"), patient(1, "r-1"));

    assertThat(old.getString("ssn")).isEqualTo("b-1x");
    assertThat(patients.find().into(new ArrayList<>())).containsExactly(patient(1, "r-1"));
    assertThat(encrypted(raw.find().first().get("ssn"))).isTrue();
  }

  @Test
  void reads_decryptAcrossGetMoreBatches_andIntoRecords() {
    insertPatients(10);
    List<Document> all = patients.find().batchSize(2).into(new ArrayList<>());
    assertThat(all).hasSize(10).allSatisfy(d -> assertThat(d.getString("ssn")).startsWith("ssn-"));

    MongoCollection<Patient> records = fle4j.getDatabase(db).getCollection("patients", Patient.class);
    Patient p = records.find(eq("ssn", "ssn-7")).first();
    assertThat(p).isEqualTo(new Patient("p7", "ssn-7", "note 7", "basic"));
    records.insertOne(new Patient("rec", "ssn-rec", null, "gold"));
    BsonDocument stored = raw.find(eq("name", "rec")).first();
    assertThat(encrypted(stored.get("ssn"))).isTrue();
    assertThat(records.find(eq("ssn", "ssn-rec")).first().name()).isEqualTo("rec");
  }

  @Test
  void unsafeOperations_areRefusedBeforeAnythingIsSent() {
    insertPatients(2);
    List<BsonDocument> before = raw.find().into(new ArrayList<>());

    assertRefused(() -> patients.find(gt("ssn", "a")).first(), "ssn",
        "Invalid match expression operator on encrypted field 'ssn'");
    assertRefused(() -> patients.find(regex("ssn", "^ssn")).first(), "ssn", "regular expression");
    assertRefused(() -> patients.find(eq("notes", "note 1")).first(), "notes",
        "Cannot query on fields encrypted with the randomized encryption algorithm");
    assertRefused(() -> patients.find().sort(Sorts.ascending("ssn")).first(), "ssn",
        "Sorting on key 'ssn' is not allowed due to encryption.");
    assertRefused(() -> patients.find(eq("address", List.of("01"))).first(), "address",
        "$eq to array predicate is illegal for prefix of encrypted path");
    assertRefused(() -> patients.updateOne(eq("_id", 1), Updates.inc("ssn", 1)), "ssn",
        "$inc and $mul not allowed on encrypted values");
    assertRefused(() -> patients.updateOne(eq("_id", 1), Updates.push("visits", 3)), "visits",
        "$push not allowed on encrypted values");
    assertRefused(() -> patients.updateOne(eq("_id", 1), Updates.rename("ssn", "taxId")), "ssn",
        "$rename between two encrypted fields must have the same metadata or both be unencrypted");
    assertRefused(() -> patients.updateOne(eq("_id", 1),
        List.of(Document.parse("{$set: {ssn: {$concat: ['$ssn', 'x']}}}"))), "ssn",
        "Encrypted field 'ssn' is not allowed to be evaluated by string concatination ($concat)");
    assertRefused(() -> patients.updateOne(eq("_id", 1), Updates.set("ssn", 42)), "ssn",
        "Cannot encrypt element of type int because schema requires that type is one of: [ string ]");
    assertRefused(() -> patients.updateOne(eq("_id", 1), Updates.set("notes", "x")), "notes",
        "A non-static (JSONPointer) keyId is not supported.");
    assertRefused(() -> patients.insertOne(patient(9, "x").append("ssn", 5)), "ssn",
        "schema requires that type is one of: [ string ]");
    assertRefused(() -> patients.aggregate(List.of(Aggregates.group("$notes"))).first(), "notes",
        "Cannot group on field 'notes'");
    assertRefused(() -> patients.distinct("notes", String.class).first(), "notes",
        "The distinct key is not allowed to be marked for encryption with a non-UUID keyId");
    assertRefused(() -> patients.deleteMany(gt("address.zip", "0")), "address.zip",
        "Invalid match expression operator on encrypted field 'address.zip'");

    assertThat(raw.find().into(new ArrayList<>())).isEqualTo(before);
  }

  @Test
  void nonSimpleCollation_refusesEncryptedStringComparisons_whereverItIsSet() {
    insertPatients(2);
    com.mongodb.client.model.Collation french =
        com.mongodb.client.model.Collation.builder().locale("fr").collationStrength(
            com.mongodb.client.model.CollationStrength.PRIMARY).build();
    String text = "cannot apply non-simple collation when comparing to element";
    // The server would compare ciphertext bytes and ignore the collation: silently wrong.
    assertRefused(() -> patients.find(eq("ssn", "ssn-1")).collation(french).first(), "ssn", text);
    assertRefused(() -> patients.find().collation(french).filter(eq("ssn", "ssn-1")).first(), "ssn",
        text);
    assertRefused(() -> patients.countDocuments(eq("ssn", "ssn-1"),
        new com.mongodb.client.model.CountOptions().collation(french)), "ssn", text);
    assertRefused(() -> patients.deleteOne(eq("ssn", "ssn-1"),
        new com.mongodb.client.model.DeleteOptions().collation(french)), "ssn", text);
    assertRefused(() -> patients.aggregate(List.of(Aggregates.match(eq("ssn", "ssn-1"))))
        .collation(french).first(), "ssn", text);
    assertRefused(() -> patients.distinct("ssn", String.class).collation(french).first(), "ssn",
        "Distinct key cannot be an encrypted string field if the collation is non-simple");
    // Comparisons of unencrypted fields keep working under any collation.
    assertThat(patients.find(eq("plan", "gold")).collation(french).first()).isNotNull();
    assertThat(patients.countDocuments(eq("ssn", "ssn-1"))).isEqualTo(1);
  }

  private static void assertRefused(Executable operation, String field, String reason) {
    Throwable thrown = org.junit.jupiter.api.Assertions.assertThrows(EncryptedFieldOperationException.class, operation);
    assertThat(((EncryptedFieldOperationException) thrown).field()).isEqualTo(field);
    assertThat(thrown.getMessage()).contains(reason);
  }

  @Test
  void bypassAutoEncryption_leavesWritesAlone_butStillDecrypts() {
    patients.insertOne(patient(1, "secret"));
    try (MongoClient bypass = Fle4jMongoClients.create(autoSettings(Map.of(db + ".patients", schema()), true))) {
      MongoCollection<Document> coll = bypass.getDatabase(db).getCollection("patients");
      coll.insertOne(patient(2, "plain-ssn"));

      assertThat(raw.find(eq("_id", 2)).first().getString("ssn").getValue()).isEqualTo("plain-ssn");
      assertThat(coll.find(eq("_id", 1)).first().getString("ssn")).isEqualTo("secret");
    }
  }

  @Test
  void schemaFromTheServerValidator_isUsedWhenSchemaMapHasNone() {
    plain.getDatabase(db).createCollection("validated", new CreateCollectionOptions()
        .validationOptions(new ValidationOptions().validator(new BsonDocument("$jsonSchema", schema()))));
    try (MongoClient remote = Fle4jMongoClients.create(autoSettings(Map.of(), false))) {
      MongoCollection<Document> coll = remote.getDatabase(db).getCollection("validated");
      coll.insertOne(patient(1, "remote-ssn"));

      BsonDocument stored = plain.getDatabase(db).getCollection("validated", BsonDocument.class).find().first();
      assertThat(encrypted(stored.get("ssn"))).isTrue();
      assertThat(coll.find(eq("ssn", "remote-ssn")).first().getString("name")).isEqualTo("p1");
    }
  }

  @Test
  void encryptedAnnotations_onRecords_makeTheSchema_whenThereIsNoOther() {
    MongoCollection<AnnotatedPatient> annotated =
        fle4j.getDatabase(db).getCollection("annotated", AnnotatedPatient.class);
    AnnotatedPatient ada = new AnnotatedPatient(1, "Ada", "111", List.of(1, 2), new Card("4111", "visa"));
    annotated.insertMany(List.of(ada, new AnnotatedPatient(2, "Bob", "222", List.of(), new Card("5500", "mc"))));

    BsonDocument stored = plain.getDatabase(db).getCollection("annotated", BsonDocument.class)
        .find(eq("_id", 1)).first();
    assertThat(encrypted(stored.get("ssn"))).isTrue();
    assertThat(encrypted(stored.get("visits"))).isTrue();
    assertThat(encrypted(stored.getDocument("card").get("number"))).isTrue();
    assertThat(stored.getDocument("card").getString("brand").getValue()).isEqualTo("visa");

    assertThat(annotated.find(eq("ssn", "111")).first()).isEqualTo(ada);
    assertThat(annotated.find(eq("card.number", "5500")).first().name()).isEqualTo("Bob");
    assertRefused(() -> annotated.find(gt("ssn", "1")).first(), "ssn", "range query");
  }

  @Test
  void read_ciphertextWhoseKeyIsGone_failsNamingTheKey_neverReturnsCiphertext() {
    patients.insertOne(patient(1, "ssn-1"));
    plain.getDatabase(db).getCollection("keys").deleteMany(new Document());
    try (MongoClient fresh = Fle4jMongoClients.create(autoSettings(Map.of(db + ".patients", schema()), false))) {
      MongoCollection<Document> coll = fresh.getDatabase(db).getCollection("patients");
      assertThatThrownBy(() -> coll.find(eq("_id", 1)).first())
          .isInstanceOf(io.fle4j.DataKeyNotFoundException.class)
          .hasMessageContaining(keyId.asUuid().toString());
    }
  }

  @Test
  void invalidSchema_failsAtFirstUse_namingThePathAndRule() {
    BsonDocument bad = BsonDocument.parse("{bsonType: 'object', properties: {ssn: {encrypt: {bsonType: 'double', algorithm: '"
        + DET + "', keyId: [UUID('" + keyId.asUuid() + "')]}}}}");
    try (MongoClient client = Fle4jMongoClients.create(autoSettings(Map.of(db + ".bad", bad), false))) {
      MongoCollection<Document> coll = client.getDatabase(db).getCollection("bad");
      assertThatThrownBy(() -> coll.insertOne(new Document("ssn", 1.5)))
          .isInstanceOf(ConfigurationException.class)
          .hasMessageContaining("schemaMap['" + db + ".bad'].properties.ssn.encrypt.bsonType")
          .hasMessageContaining("Cannot encrypt element of type: double");
    }
  }

  @Test
  void encryptedFieldsMap_isRefused() {
    MongoClientSettings settings = MongoClientSettings.builder(plainSettings)
        .autoEncryptionSettings(AutoEncryptionSettings.builder().keyVaultNamespace(keyVault)
            .kmsProviders(kms()).encryptedFieldsMap(Map.of(db + ".x", new BsonDocument())).build())
        .build();
    assertThatThrownBy(() -> Fle4jMongoClients.create(settings))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("encryptedFieldsMap").hasMessageContaining("Queryable Encryption");
  }

  private static List<Integer> ids(Iterable<Document> docs) {
    List<Integer> ids = new ArrayList<>();
    docs.forEach(d -> ids.add(d.getInteger("_id")));
    return ids;
  }
}
