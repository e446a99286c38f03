package io.fle4j.bench;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.vault.EncryptOptions;
import io.fle4j.Algorithm;
import io.fle4j.Fle4jMongoClients;
import io.fle4j.internal.crypto.AeadKey;
import io.fle4j.internal.crypto.ValueCipher;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.bson.BsonBinary;
import org.bson.BsonDocument;
import org.bson.BsonInt32;
import org.bson.BsonString;
import org.bson.Document;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Cases (c) and (d) on the embedded MongoDB: {@code find()} of 1,000 documents with 10 encrypted
 * fields each, through fle4j's auto-decrypting client, the official driver's (libmongocrypt,
 * bypassAutoEncryption: decryption needs no mongocryptd) and a plain client that returns the
 * ciphertext; and {@code insertMany} of 1,000 such documents with fle4j's automatic encryption
 * (the official driver cannot do that without mongocryptd or crypt_shared, which need MongoDB
 * Enterprise or Atlas).
 */
public class AutoEncryption {
  static final int DOCUMENTS = 1_000;
  static final int ENCRYPTED_FIELDS = 10;

  @State(Scope.Benchmark)
  public static class Find {
    @Param({"fle4j", "official", "plain"})
    public String impl;

    private Fixture fixture;
    private MongoClient client;
    private MongoCollection<Document> people;

    @Setup
    public void setUp() {
      fixture = new Fixture();
      EncryptOptions options = new EncryptOptions(Algorithm.DETERMINISTIC.specName()).keyId(fixture.keyId);
      List<BsonDocument> documents = new ArrayList<>();
      for (int i = 0; i < DOCUMENTS; i++) {
        BsonDocument document = new BsonDocument("_id", new BsonInt32(i)).append("name", new BsonString("p" + i));
        for (int f = 0; f < ENCRYPTED_FIELDS; f++) {
          document.append("secret" + f, fixture.fle4j.encrypt(new BsonString("value " + i + "/" + f), options));
        }
        documents.add(document);
      }
      fixture.client.getDatabase("bench").getCollection("people", BsonDocument.class).insertMany(documents);
      client = switch (impl) {
        case "fle4j" -> Fle4jMongoClients.create(fixture.autoSettings(Map.of(), false));
        case "official" -> MongoClients.create(fixture.autoSettings(Map.of(), true));
        default -> MongoClients.create(fixture.settings);
      };
      people = client.getDatabase("bench").getCollection("people");
      find();
    }

    @Benchmark
    @BenchmarkMode(Mode.Throughput)
    @OutputTimeUnit(TimeUnit.SECONDS)
    public List<Document> find() {
      return people.find().batchSize(DOCUMENTS).into(new ArrayList<>(DOCUMENTS));
    }

    @TearDown
    public void tearDown() {
      client.close();
      fixture.close();
    }
  }

  /**
   * Per thread: each thread inserts into its own server, because the embedded server is not safe
   * for one thread dropping a collection while another inserts into it. Every insert goes into an
   * empty collection, dropped after each insert: the embedded server checks a unique index by
   * scanning it, so its cost per insert grows with the collection, and a collection left to grow
   * measured where in its growth an iteration fell (7 to 100 ms for the same plain insert) rather
   * than the client.
   */
  @State(Scope.Thread)
  public static class Insert {
    /** {@code fle4j}: auto-encrypting; {@code plain}: the same documents, unencrypted. */
    @Param({"fle4j", "plain"})
    public String impl;

    private Fixture fixture;
    private MongoClient client;
    private MongoCollection<Document> inserts;

    @Setup
    public void setUp() {
      fixture = new Fixture();
      BsonDocument properties = new BsonDocument();
      for (int f = 0; f < ENCRYPTED_FIELDS; f++) {
        properties.append("secret" + f, BsonDocument.parse("{encrypt: {bsonType: 'string', algorithm: '"
            + Algorithm.DETERMINISTIC.specName() + "', keyId: [{$binary: {base64: '"
            + java.util.Base64.getEncoder().encodeToString(fixture.keyId.getData()) + "', subType: '04'}}]}}"));
      }
      client = impl.equals("plain") ? MongoClients.create(fixture.settings)
          : Fle4jMongoClients.create(fixture.autoSettings(
              Map.of("bench.inserts", new BsonDocument("bsonType", new org.bson.BsonString("object"))
                  .append("properties", properties)), false));
      inserts = client.getDatabase("bench").getCollection("inserts");
    }

    @Benchmark
    @BenchmarkMode(Mode.Throughput)
    @OutputTimeUnit(TimeUnit.SECONDS)
    public int insertMany() {
      List<Document> documents = new ArrayList<>(DOCUMENTS);
      for (int i = 0; i < DOCUMENTS; i++) {
        Document document = new Document("name", "p" + i);
        for (int f = 0; f < ENCRYPTED_FIELDS; f++) {
          document.append("secret" + f, "value " + i + "/" + f);
        }
        documents.add(document);
      }
      inserts.insertMany(documents);
      return documents.size();
    }

    /** Outside the measured time: each insert goes into an empty collection. */
    @TearDown(Level.Invocation)
    public void emptyCollection() {
      fixture.client.getDatabase("bench").getCollection("inserts").drop();
    }

    @TearDown
    public void tearDown() {
      client.close();
      fixture.close();
    }
  }

  /**
   * What the cryptography of {@link Insert} and {@link Find} costs alone, on one thread: the
   * 10,000 deterministic encryptions of an insert's values, and the 10,000 decryptions of a
   * find's, with the data key ready (fle4j's cipher, no documents, no driver, no server). The
   * report sets it beside the plain client's time: (plain + this) / plain is the lowest ratio an
   * auto-encrypting client can reach when the work stays on the calling thread.
   */
  @State(Scope.Thread)
  public static class Cryptography {
    private final AeadKey key = AeadKey.of(Fixture.random(96));
    private final UUID keyId = UUID.randomUUID();
    private final List<BsonString> values = new ArrayList<>();
    private final List<BsonBinary> ciphertexts = new ArrayList<>();

    @Setup
    public void setUp() {
      for (int i = 0; i < DOCUMENTS; i++) {
        for (int f = 0; f < ENCRYPTED_FIELDS; f++) {
          BsonString value = new BsonString("value " + i + "/" + f);
          values.add(value);
          ciphertexts.add(ValueCipher.encrypt(value, Algorithm.DETERMINISTIC, keyId, key));
        }
      }
    }

    @Benchmark
    @BenchmarkMode(Mode.Throughput)
    @OutputTimeUnit(TimeUnit.SECONDS)
    public int encryptInsertValues() {
      int length = 0;
      for (BsonString value : values) {
        length += ValueCipher.encrypt(value, Algorithm.DETERMINISTIC, keyId, key).getData().length;
      }
      return length;
    }

    @Benchmark
    @BenchmarkMode(Mode.Throughput)
    @OutputTimeUnit(TimeUnit.SECONDS)
    public int decryptFindValues() {
      int hash = 0;
      for (BsonBinary ciphertext : ciphertexts) {
        hash += ValueCipher.decrypt(ciphertext, ValueCipher.parseHeader(ciphertext), key).hashCode();
      }
      return hash;
    }
  }
}
