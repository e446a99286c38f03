package io.fle4j.testkit.mongo;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.mongodb.ConnectionString;
import com.mongodb.MongoClientSettings;
import com.mongodb.MongoWriteException;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoDatabase;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.FindOneAndUpdateOptions;
import com.mongodb.client.model.IndexOptions;
import com.mongodb.client.model.Indexes;
import com.mongodb.client.model.ReturnDocument;
import com.mongodb.client.model.Sorts;
import com.mongodb.client.model.Updates;
import com.mongodb.event.CommandListener;
import com.mongodb.event.CommandStartedEvent;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.Socket;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.bson.BsonArray;
import org.bson.BsonBinary;
import org.bson.BsonBinarySubType;
import org.bson.BsonDocument;
import org.bson.BsonInt32;
import org.bson.BsonInt64;
import org.bson.BsonString;
import org.bson.BsonValue;
import org.bson.RawBsonDocument;
import org.bson.UuidRepresentation;
import org.bson.codecs.BsonDocumentCodec;
import org.bson.conversions.Bson;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EmbeddedMongoTest {

  private static final AtomicInteger COLLECTION_IDS = new AtomicInteger();

  private static EmbeddedMongo mongo;
  private static MongoClient client;
  private static MongoDatabase db;

  @BeforeAll
  static void start() {
    mongo = EmbeddedMongo.startInMemory();
    client = mongo.newClient();
    db = client.getDatabase("testkit");
  }

  @AfterAll
  static void stop() {
    if (client != null) {
      client.close();
    }
    if (mongo != null) {
      mongo.close();
    }
  }

  @Test
  void onClientMessage_seesTheRequestBytesBeforeTheReply_andStopsWhenClosed() throws Exception {
    List<byte[]> seen = new CopyOnWriteArrayList<>();
    String marker = "relay-listener-marker-" + COLLECTION_IDS.incrementAndGet();
    MongoCollection<BsonDocument> coll =
        db.getCollection("listener" + COLLECTION_IDS.incrementAndGet(), BsonDocument.class);
    try (AutoCloseable handle = mongo.onClientMessage(seen::add)) {
      coll.insertOne(new BsonDocument("m", new BsonString(marker)));
      // Observed before forwarding, so the insert's reply implies the listener already ran.
      assertThat(seen).anySatisfy(m -> assertThat(contains(m, marker.getBytes(UTF_8))).isTrue());
    }
    int before = seen.size();
    coll.insertOne(new BsonDocument("m", new BsonString(marker)));
    assertThat(seen).hasSize(before);
  }

  private static boolean contains(byte[] haystack, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= haystack.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (haystack[i + j] != needle[j]) {
          continue outer;
        }
      }
      return true;
    }
    return false;
  }

  @Test
  void connectionString_running_pointsAtLoopbackRelay() {
    assertThat(mongo.connectionString()).matches("mongodb://127\\.0\\.0\\.1:\\d+");
    assertThat(mongo.toString()).contains("memory").contains(mongo.connectionString());
  }

  @Test
  void insertAndFind_unstorableSubtypesAnywhere_comeBackByteForByte() {
    MongoCollection<BsonDocument> docs = collection();
    BsonDocument original =
        new BsonDocument("_id", new BsonInt32(1))
            .append("encrypted", binary(6, 1, 2, 3, 4, 5))
            .append("md5", binary(5, 9, 8, 7))
            .append("compressed", binary(7, 1))
            .append("user", binary(0x80, 0x42, 0x43))
            .append("function", binary(1, 6))
            .append("oldBinary", binary(2, 1, 2))
            .append("sensitive", binary(8, 3))
            .append("vector", binary(9, 0x03, 0x00, 1, 0))
            .append("shortUuid", binary(4, 1, 2, 3))
            .append("uuid", new BsonBinary(BsonBinarySubType.UUID_STANDARD, bytes(16, 0x11)))
            .append("legacyUuid", new BsonBinary(BsonBinarySubType.UUID_LEGACY, bytes(16, 0x22)))
            .append("plain", binary(0, 0, 1))
            .append("empty6", binary(6))
            .append("looksTunnelled", plainBinaryStartingWithMarker())
            .append(
                "nested",
                new BsonDocument("deeper", new BsonDocument("encrypted", binary(6, 7, 7)))
                    .append("list", new BsonArray(List.of(binary(6, 1), binary(0x81, 2)))))
            .append(
                "list",
                new BsonArray(
                    List.of(
                        binary(6, 5),
                        new BsonDocument("inArray", binary(6, 6)),
                        new BsonArray(List.of(binary(7, 7))),
                        new BsonString("text"),
                        new BsonInt64(42))));

    docs.insertOne(original);

    RawBsonDocument stored =
        db.getCollection(docs.getNamespace().getCollectionName(), RawBsonDocument.class)
            .find()
            .first();
    assertThat(stored).isNotNull();
    assertThat(bytesOf(stored)).isEqualTo(bytesOf(original));
    assertThat(stored).isEqualTo(original);
  }

  @Test
  void find_equalityOnSubtype6_matchesOnlySubtype6WithSameBytes() {
    MongoCollection<BsonDocument> docs = collection();
    docs.insertOne(new BsonDocument("_id", new BsonString("six")).append("v", binary(6, 1, 2, 3)));
    docs.insertOne(new BsonDocument("_id", new BsonString("zero")).append("v", binary(0, 1, 2, 3)));
    docs.insertOne(new BsonDocument("_id", new BsonString("other")).append("v", binary(6, 9, 9)));
    docs.insertOne(
        new BsonDocument("_id", new BsonString("inArray"))
            .append("v", new BsonArray(List.of(binary(6, 1, 2, 3)))));

    assertThat(ids(docs, Filters.eq("v", binary(6, 1, 2, 3)))).containsExactly("inArray", "six");
    assertThat(ids(docs, Filters.eq("v", binary(0, 1, 2, 3)))).containsExactly("zero");
    assertThat(ids(docs, Filters.eq("v", binary(6, 1, 2)))).isEmpty();
    assertThat(ids(docs, Filters.in("v", binary(6, 9, 9), binary(6, 1, 2, 3), binary(6, 4))))
        .containsExactly("inArray", "other", "six");
    assertThat(ids(docs, Filters.in("v", binary(0, 9, 9), binary(5, 1, 2, 3)))).isEmpty();
  }

  @Test
  void insertMany_subtype6InDocumentSequence_roundTrips() {
    MongoCollection<BsonDocument> docs = collection();
    List<BsonDocument> originals = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      originals.add(
          new BsonDocument("_id", new BsonInt32(i))
              .append("v", binary(6, i, i + 1))
              .append("nested", new BsonDocument("w", binary(6, i))));
    }
    List<CommandStartedEvent> started = new CopyOnWriteArrayList<>();

    try (MongoClient listening = clientWith(started::add)) {
      listening
          .getDatabase("testkit")
          .getCollection(docs.getNamespace().getCollectionName(), BsonDocument.class)
          .insertMany(originals);
    }

    assertThat(started).anyMatch(e -> e.getCommandName().equals("insert"));
    assertThat(docs.find().sort(Sorts.ascending("_id")).into(new ArrayList<>()))
        .containsExactlyElementsOf(originals);
  }

  @Test
  void findOneAndUpdate_setSubtype6_returnsAndStoresSubtype6() {
    MongoCollection<BsonDocument> docs = collection();
    docs.insertOne(new BsonDocument("_id", new BsonInt32(1)).append("v", new BsonString("clear")));

    BsonDocument after =
        docs.findOneAndUpdate(
            Filters.eq("_id", 1),
            Updates.set("v", binary(6, 0xAA, 0xBB)),
            new FindOneAndUpdateOptions().returnDocument(ReturnDocument.AFTER));

    assertThat(after).isNotNull();
    assertThat(after.get("v")).isEqualTo(binary(6, 0xAA, 0xBB));
    assertThat(docs.find(Filters.eq("v", binary(6, 0xAA, 0xBB))).first()).isEqualTo(after);
  }

  @Test
  void find_smallBatchesWithGetMore_restoreSubtypesInEveryBatch() {
    MongoCollection<BsonDocument> docs = collection();
    List<BsonDocument> originals = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      originals.add(new BsonDocument("_id", new BsonInt32(i)).append("v", binary(6, i)));
    }
    docs.insertMany(originals);
    List<CommandStartedEvent> started = new CopyOnWriteArrayList<>();

    List<BsonDocument> found;
    try (MongoClient listening = clientWith(started::add)) {
      found =
          listening
              .getDatabase("testkit")
              .getCollection(docs.getNamespace().getCollectionName(), BsonDocument.class)
              .find()
              .sort(Sorts.ascending("_id"))
              .batchSize(2)
              .into(new ArrayList<>());
    }

    assertThat(found).containsExactlyElementsOf(originals);
    assertThat(started.stream().filter(e -> e.getCommandName().equals("getMore")).count())
        .isGreaterThanOrEqualTo(4);
  }

  @Test
  void createIndex_keyVaultPartialUniqueIndex_allowsManyWithoutAltNamesAndRejectsDuplicates() {
    MongoCollection<BsonDocument> keyVault = collection();
    keyVault.createIndex(
        Indexes.ascending("keyAltNames"),
        new IndexOptions()
            .unique(true)
            .partialFilterExpression(Filters.exists("keyAltNames")));

    for (int i = 0; i < 3; i++) {
      keyVault.insertOne(new BsonDocument("_id", new BsonInt32(i)));
    }
    keyVault.insertOne(
        new BsonDocument("_id", new BsonInt32(10))
            .append("keyAltNames", new BsonArray(List.of(new BsonString("alpha")))));

    assertThatThrownBy(
            () ->
                keyVault.insertOne(
                    new BsonDocument("_id", new BsonInt32(11))
                        .append(
                            "keyAltNames",
                            new BsonArray(
                                List.of(new BsonString("beta"), new BsonString("alpha"))))))
        .isInstanceOfSatisfying(
            MongoWriteException.class, e -> assertThat(e.getCode()).isEqualTo(11000));
    assertThat(keyVault.countDocuments()).isEqualTo(4);
    BsonDocument index = indexNamed(keyVault, "keyAltNames_1");
    assertThat(index.getDocument("partialFilterExpression"))
        .isEqualTo(BsonDocument.parse("{keyAltNames: {$exists: true}}"));
  }

  @Test
  void createIndex_otherPartialFilter_isLeftUntouched() {
    MongoCollection<BsonDocument> docs = collection();
    docs.createIndex(
        Indexes.ascending("a"),
        new IndexOptions().unique(true).partialFilterExpression(Filters.gt("a", 5)));
    docs.createIndex(
        Indexes.ascending("b", "c"),
        new IndexOptions().unique(true).partialFilterExpression(Filters.exists("b")));

    assertThat(indexNamed(docs, "a_1").containsKey("sparse")).isFalse();
    assertThat(indexNamed(docs, "b_1_c_1").containsKey("sparse")).isFalse();
  }

  @Test
  void startWithFile_fileAlreadyOpen_saysItIsInUse(@TempDir Path dir) {
    Path file = dir.resolve("store.mv.db");
    try (EmbeddedMongo first = EmbeddedMongo.startWithFile(file)) {
      assertThatThrownBy(() -> EmbeddedMongo.startWithFile(file))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("is in use by another process");
    }
  }

  @Test
  void startWithFile_restartOnSameFile_keepsSubtype6(@TempDir Path dir) {
    Path file = dir.resolve("nested/folder/mongo.mv.db");
    BsonDocument original =
        new BsonDocument("_id", new BsonInt32(1))
            .append("v", binary(6, 1, 2, 3))
            .append("list", new BsonArray(List.of(binary(6, 4))));

    try (EmbeddedMongo first = EmbeddedMongo.startWithFile(file);
        MongoClient firstClient = first.newClient()) {
      assertThat(first.toString()).contains("h2").contains(file.getFileName().toString());
      firstClient.getDatabase("persist").getCollection("c", BsonDocument.class).insertOne(original);
    }

    try (EmbeddedMongo second = EmbeddedMongo.startWithFile(file);
        MongoClient secondClient = second.newClient()) {
      MongoCollection<BsonDocument> c =
          secondClient.getDatabase("persist").getCollection("c", BsonDocument.class);
      assertThat(c.find(Filters.eq("v", binary(6, 1, 2, 3))).into(new ArrayList<>()))
          .containsExactly(original);
    }
  }

  @Test
  void close_calledTwice_isIdempotentAndFreesThePort() throws Exception {
    EmbeddedMongo instance = EmbeddedMongo.startInMemory();
    int port = relayPort(instance);
    try (MongoClient c = instance.newClient()) {
      c.getDatabase("x").getCollection("y", BsonDocument.class).insertOne(new BsonDocument());
    }

    instance.close();
    instance.close();

    assertThat(instance.toString()).contains("closed");
    assertThatThrownBy(() -> new Socket("127.0.0.1", port).close())
        .isInstanceOf(ConnectException.class);
  }

  @Test
  void relay_malformedMessage_closesThatConnectionOnly() throws Exception {
    try (Socket raw = new Socket("127.0.0.1", relayPort(mongo))) {
      raw.setSoTimeout(5_000);
      OutputStream out = raw.getOutputStream();
      // An OP_MSG whose body claims 1000 bytes but holds 5.
      byte[] garbage = {
        30, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, (byte) 0xdd, 0x07, 0, 0, 0, 0, 0, 0, 0, (byte) 0xe8,
        0x03, 0, 0, 0, 0, 0, 0, 0
      };
      out.write(garbage);
      out.flush();
      InputStream in = raw.getInputStream();
      assertThat(in.read()).isEqualTo(-1);
    }

    assertThat(collection().countDocuments()).isZero(); // the relay still serves others
  }

  @Test
  void insertFind_undefinedDbPointerSymbolAndCodeWithScope_comeBackAsTheSameTypes() {
    MongoCollection<BsonDocument> docs = collection();
    org.bson.types.ObjectId pointed = new org.bson.types.ObjectId();
    BsonDocument original = new BsonDocument("_id", new org.bson.BsonInt32(1))
        .append("u", new org.bson.BsonUndefined())
        .append("p", new org.bson.BsonDbPointer("db.coll", pointed))
        .append("s", new org.bson.BsonSymbol("sym"))
        .append("js", new org.bson.BsonJavaScriptWithScope("f(x)", new BsonDocument("x",
            new org.bson.BsonBinary(org.bson.BsonBinarySubType.ENCRYPTED, new byte[] {2, 3}))))
        .append("nested", new BsonDocument("list", new org.bson.BsonArray(java.util.List.of(
            new org.bson.BsonSymbol("a"), new org.bson.BsonUndefined()))))
        .append("plainLookalike", new org.bson.BsonBinary(
            concat(BinarySubtypeTunnel.TYPE_MARKER, new byte[] {0x0E, 1, 0, 0, 0, 0})));
    docs.insertOne(original);

    assertThat(docs.find().first()).isEqualTo(original);
    assertThat(docs.find(com.mongodb.client.model.Filters.eq("s", new org.bson.BsonSymbol("sym")))
        .first()).isEqualTo(original);
    assertThat(docs.countDocuments(com.mongodb.client.model.Filters.eq("s", "sym")))
        .as("a symbol does not equal the string with the same text").isZero();
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] both = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, both, a.length, b.length);
    return both;
  }

  @Test
  void listCollections_reportsValidatorsGivenAtCreateAndCollMod_untilDropped() {
    MongoDatabase validated = client.getDatabase("validators");
    BsonDocument schema = BsonDocument.parse("{$jsonSchema: {bsonType: 'object'}}");
    validated.createCollection("a", new com.mongodb.client.model.CreateCollectionOptions()
        .validationOptions(new com.mongodb.client.model.ValidationOptions().validator(schema)));
    validated.createCollection("b");
    validated.runCommand(new org.bson.Document("collMod", "b").append("validator", schema));

    for (String name : java.util.List.of("a", "b")) {
      BsonDocument info = validated.listCollections(BsonDocument.class)
          .filter(com.mongodb.client.model.Filters.eq("name", name)).first();
      assertThat(info.getDocument("options").getDocument("validator")).as(name).isEqualTo(schema);
    }
    validated.getCollection("a").drop();
    validated.createCollection("a");
    assertThat(validated.listCollections(BsonDocument.class)
        .filter(com.mongodb.client.model.Filters.eq("name", "a")).first()
        .getDocument("options").containsKey("validator")).isFalse();
  }

  // ---------------------------------------------------------------------------------------------

  private static int relayPort(EmbeddedMongo instance) {
    String host = new ConnectionString(instance.connectionString()).getHosts().get(0);
    return Integer.parseInt(host.substring(host.lastIndexOf(':') + 1));
  }

  private static MongoCollection<BsonDocument> collection() {
    return db.getCollection("c" + COLLECTION_IDS.incrementAndGet(), BsonDocument.class);
  }

  /** A client that reports every command it starts to {@code started}. */
  private static MongoClient clientWith(Consumer<CommandStartedEvent> started) {
    CommandListener listener =
        new CommandListener() {
          @Override
          public void commandStarted(CommandStartedEvent event) {
            started.accept(event);
          }
        };
    return MongoClients.create(
        MongoClientSettings.builder()
            .applyConnectionString(new ConnectionString(mongo.connectionString()))
            .uuidRepresentation(UuidRepresentation.STANDARD)
            .addCommandListener(listener)
            .build());
  }

  private static BsonBinary binary(int subtype, int... data) {
    byte[] bytes = new byte[data.length];
    for (int i = 0; i < data.length; i++) {
      bytes[i] = (byte) data[i];
    }
    return new BsonBinary((byte) subtype, bytes);
  }

  private static byte[] bytes(int length, int value) {
    byte[] bytes = new byte[length];
    Arrays.fill(bytes, (byte) value);
    return bytes;
  }

  private static BsonBinary plainBinaryStartingWithMarker() {
    byte[] data = Arrays.copyOf(BinarySubtypeTunnel.MARKER, BinarySubtypeTunnel.MARKER.length + 3);
    data[BinarySubtypeTunnel.MARKER.length] = 6;
    return new BsonBinary(data);
  }

  private static byte[] bytesOf(BsonDocument document) {
    RawBsonDocument raw =
        document instanceof RawBsonDocument
            ? (RawBsonDocument) document
            : new RawBsonDocument(document, new BsonDocumentCodec());
    var buffer = raw.getByteBuffer();
    byte[] bytes = new byte[buffer.remaining()];
    buffer.get(bytes);
    return bytes;
  }

  private static List<String> ids(MongoCollection<BsonDocument> docs, Bson filter) {
    List<String> ids = new ArrayList<>();
    for (BsonDocument d : docs.find(filter).sort(Sorts.ascending("_id"))) {
      ids.add(d.getString("_id").getValue());
    }
    return ids;
  }

  private static BsonDocument indexNamed(MongoCollection<BsonDocument> docs, String name) {
    for (BsonDocument index : docs.listIndexes(BsonDocument.class)) {
      BsonValue indexName = index.get("name");
      if (indexName != null && indexName.asString().getValue().equals(name)) {
        return index;
      }
    }
    throw new AssertionError("no index " + name + " in " + docs.getNamespace());
  }
}
