package io.fle4j.it.auto;

import static com.mongodb.client.model.Filters.eq;
import static com.mongodb.client.model.Filters.gte;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.mongodb.AutoEncryptionSettings;
import com.mongodb.ClientEncryptionSettings;
import com.mongodb.ConnectionString;
import com.mongodb.MongoClientSettings;
import com.mongodb.MongoCommandException;
import com.mongodb.client.ClientSession;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoCursor;
import com.mongodb.client.model.Aggregates;
import com.mongodb.client.model.Sorts;
import com.mongodb.client.model.vault.DataKeyOptions;
import com.mongodb.client.vault.ClientEncryption;
import io.fle4j.Algorithm;
import io.fle4j.CiphertextException;
import io.fle4j.ClientEncryptions;
import io.fle4j.ConfigurationException;
import io.fle4j.Fle4jMongoClients;
import io.fle4j.Fle4jSettings;
import io.fle4j.testkit.mongo.MongoTestTarget;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.StreamSupport;
import org.bson.BsonBinary;
import org.bson.BsonDocument;
import org.bson.Document;
import org.bson.UuidRepresentation;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Find and aggregate results are decrypted a batch at a time, with helper threads: the results
 * must be exactly those of decrypting one document after another, in order, whatever the number
 * of helpers and batch sizes, and a bad document must fail when it is reached.
 */
class BatchDecryptionEndToEndTest {
  private static final int DOCUMENTS = 700;

  private final String db = "batch_" + UUID.randomUUID().toString().replace("-", "").substring(0, 10);
  private final MongoClientSettings plainSettings = MongoClientSettings.builder()
      .applyConnectionString(new ConnectionString(MongoTestTarget.connectionString()))
      .uuidRepresentation(UuidRepresentation.STANDARD).build();
  private final byte[] masterKey = new byte[96];
  private MongoClient plain;
  private BsonBinary keyId;
  private final List<Document> expected = new ArrayList<>();

  @BeforeEach
  void setUp() {
    new SecureRandom().nextBytes(masterKey);
    plain = MongoClients.create(plainSettings);
    try (ClientEncryption ce = ClientEncryptions.create(ClientEncryptionSettings.builder()
        .keyVaultMongoClientSettings(plainSettings).keyVaultNamespace(db + ".keys")
        .kmsProviders(kms()).build())) {
      keyId = ce.createDataKey("local", new DataKeyOptions());
    }
    for (int i = 0; i < DOCUMENTS; i++) {
      expected.add(new Document("_id", i).append("a", "a-" + i).append("b", "b".repeat(i % 50))
          .append("c", new Document("n", i).append("tags", List.of("x", "y" + i)))
          .append("plain", i * 2));
    }
    try (MongoClient writer = client(0)) {
      writer.getDatabase(db).getCollection("items").insertMany(expected);
    }
  }

  @AfterEach
  void tearDown() {
    plain.getDatabase(db).drop();
    plain.close();
  }

  private Map<String, Map<String, Object>> kms() {
    return Map.of("local", Map.of("key", masterKey));
  }

  private MongoClient client(int decryptionThreads) {
    BsonDocument schema = BsonDocument.parse("""
        {bsonType: "object", encryptMetadata: {keyId: [UUID("%s")]},
         properties: {
           a: {encrypt: {bsonType: "string", algorithm: "%s"}},
           b: {encrypt: {algorithm: "%s"}},
           c: {encrypt: {algorithm: "%s"}}}}
        """.formatted(keyId.asUuid(), Algorithm.DETERMINISTIC.specName(),
        Algorithm.RANDOM.specName(), Algorithm.RANDOM.specName()));
    MongoClientSettings settings = MongoClientSettings.builder(plainSettings)
        .autoEncryptionSettings(AutoEncryptionSettings.builder()
            .keyVaultNamespace(db + ".keys").kmsProviders(kms())
            .schemaMap(Map.of(db + ".items", schema)).build())
        .build();
    return Fle4jMongoClients.create(settings,
        Fle4jSettings.builder().decryptionThreads(decryptionThreads).build());
  }

  @Test
  void findAndAggregate_anyHelperCountAndBatchSize_returnExactlyTheDocumentsInOrder() {
    for (int threads : new int[] {0, 1, 3}) {
      java.util.Set<String> threadsBefore = Thread.getAllStackTraces().keySet().stream()
          .map(Thread::getName).collect(java.util.stream.Collectors.toSet());
      try (MongoClient client = client(threads)) {
        MongoCollection<Document> items = client.getDatabase(db).getCollection("items");
        for (int batchSize : new int[] {0, 7, DOCUMENTS}) {
          List<Document> found = items.find().sort(Sorts.ascending("_id")).batchSize(batchSize)
              .into(new ArrayList<>());
          assertThat(found).as("%d helpers, batch size %d", threads, batchSize).isEqualTo(expected);
        }
        List<Document> aggregated = items.aggregate(List.of(Aggregates.match(gte("_id", 100)),
            Aggregates.sort(Sorts.ascending("_id")))).batchSize(DOCUMENTS).into(new ArrayList<>());
        assertThat(aggregated).isEqualTo(expected.subList(100, DOCUMENTS));
        if (threads > 0) {
          // the pool starts its threads when a batch asks for help and keeps them while idle
          // (that they do decrypt slices is BatchDecryptionTest's)
          assertThat(Thread.getAllStackTraces().keySet())
              .as("this client's helper threads were started")
              .anyMatch(thread -> thread.getName().startsWith("fle4j-decrypt-")
                  && !threadsBefore.contains(thread.getName()));
        }
      }
    }
  }

  @Test
  void tamperedDocumentInTheMiddle_failsWhenReached_afterEveryDocumentBeforeIt() {
    MongoCollection<BsonDocument> raw = plain.getDatabase(db).getCollection("items", BsonDocument.class);
    BsonDocument victim = raw.find(eq("_id", 350)).first();
    byte[] ciphertext = victim.getBinary("c").getData();
    ciphertext[ciphertext.length - 1] ^= 1; // the last byte of the tag
    raw.replaceOne(eq("_id", 350), victim.append("c", new BsonBinary((byte) 6, ciphertext)));

    try (MongoClient client = client(2);
        MongoCursor<Document> cursor = client.getDatabase(db).getCollection("items").find()
            .sort(Sorts.ascending("_id")).batchSize(DOCUMENTS).cursor()) {
      List<Document> before = new ArrayList<>();
      Throwable failure = catchThrowable(() -> {
        while (cursor.hasNext()) {
          before.add(cursor.next());
        }
      });
      assertThat(failure).isInstanceOf(CiphertextException.class);
      assertThat(((CiphertextException) failure).reason())
          .isEqualTo(CiphertextException.Reason.AUTHENTICATION_FAILED);
      assertThat(before).isEqualTo(expected.subList(0, 350));
      assertThat(cursor.next()).as("the documents after it are still served")
          .isEqualTo(expected.get(351));
    }
  }

  @Test
  void cursorAndIterableApi_mapFirstForEachSpliteratorAvailable_allDecrypt() {
    try (MongoClient client = client(1)) {
      MongoCollection<Document> items = client.getDatabase(db).getCollection("items");
      assertThat(items.find().sort(Sorts.ascending("_id")).batchSize(50)
          .map(d -> d.getString("a")).map(a -> a + "!").into(new ArrayList<>()))
          .hasSize(DOCUMENTS).startsWith("a-0!", "a-1!").endsWith("a-699!");
      assertThat(items.find(eq("a", "a-5")).first()).isEqualTo(expected.get(5));
      assertThat(items.find().filter(eq("a", "a-6")).first()).as("a later filter is encrypted too")
          .isEqualTo(expected.get(6));
      assertThat(items.find(eq("a", "nobody")).first()).isNull();
      assertThat(items.find(eq("a", "a-7")).map(d -> d.getString("b")).first()).isEqualTo("bbbbbbb");

      List<Object> seen = new ArrayList<>();
      items.find().forEach(d -> seen.add(d.get("c")));
      assertThat(seen).hasSize(DOCUMENTS).allSatisfy(c -> assertThat(c).isInstanceOf(Document.class));
      assertThat(StreamSupport.stream(items.find().spliterator(), false).count()).isEqualTo(DOCUMENTS);

      try (ClientSession session = client.startSession()) {
        if (MongoTestTarget.isEmbedded()) {
          // mongo-java-server has no sessions: the driver's refusal shows the session got through
          assertThatThrownBy(() -> items.find(session).into(new ArrayList<>()))
              .isInstanceOf(com.mongodb.MongoClientException.class).hasMessageContaining("session");
        } else {
          assertThat(items.find(session).sort(Sorts.ascending("_id")).batchSize(DOCUMENTS)
              .into(new ArrayList<>())).isEqualTo(expected);
        }
      }
      // As libmongocrypt does: a pipeline over an encrypted collection may not name another one.
      assertThatThrownBy(() -> items.aggregate(List.of(Aggregates.match(gte("_id", 600)),
          Aggregates.out("copy"))).toCollection())
          .isInstanceOf(io.fle4j.EncryptedFieldOperationException.class)
          .hasMessageContaining("Pipeline over an encrypted collection cannot reference additional"
              + " collections.");
      assertThat(plain.getDatabase(db).listCollectionNames().into(new ArrayList<>()))
          .doesNotContain("copy");

      MongoCursor<Document> cursor = items.find().sort(Sorts.ascending("_id")).batchSize(50).iterator();
      assertThat(cursor.next()).isEqualTo(expected.get(0));
      assertThat(cursor.available()).isEqualTo(49);
      assertThat(cursor.tryNext()).isEqualTo(expected.get(1));
      assertThat(cursor.getServerAddress()).isNotNull();
      cursor.close();
      assertThatThrownBy(cursor::hasNext).as("a closed cursor, even with documents in hand")
          .isInstanceOf(IllegalStateException.class);
    }
  }

  @Test
  void explain_reachesTheServerThroughTheRawIterable_andItsPlanIsDecrypted() {
    try (MongoClient client = client(1)) {
      MongoCollection<Document> items = client.getDatabase(db).getCollection("items");
      if (MongoTestTarget.isEmbedded()) {
        // mongo-java-server has no explain: the server's refusal shows the call got through
        assertThatThrownBy(() -> items.find(eq("a", "a-3")).explain())
            .isInstanceOf(MongoCommandException.class).hasMessageContaining("explain");
      } else {
        assertThat(items.find(eq("a", "a-3")).explain().toJson()).contains("a-3");
      }
    }
  }

  @Test
  void negativeDecryptionThreads_isRefusedNamingTheSettingAndValue() {
    assertThatThrownBy(() -> Fle4jSettings.builder().decryptionThreads(-2))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("decryptionThreads").hasMessageContaining("-2");
  }
}
