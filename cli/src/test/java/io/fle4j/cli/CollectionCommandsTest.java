package io.fle4j.cli;

import static com.mongodb.client.model.Filters.eq;
import static org.assertj.core.api.Assertions.assertThat;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.Updates;
import com.mongodb.client.model.vault.EncryptOptions;
import com.mongodb.client.vault.ClientEncryption;
import io.fle4j.Algorithm;
import io.fle4j.testkit.mongo.EmbeddedMongo;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.bson.BsonDocument;
import org.bson.BsonInt32;
import org.bson.BsonString;
import org.bson.BsonValue;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CollectionCommandsTest {
  private static final String DET = Algorithm.DETERMINISTIC.specName();
  private static final String RND = Algorithm.RANDOM.specName();
  private static EmbeddedMongo mongo;
  private static MongoClient client;
  @TempDir Path dir;
  private Cli cli;
  private final String db = "coll" + System.nanoTime();
  private MongoCollection<BsonDocument> people;

  @BeforeAll
  static void start() {
    mongo = EmbeddedMongo.startInMemory();
    client = mongo.newClient();
  }

  @AfterAll
  static void stop() {
    client.close();
    mongo.close();
  }

  @BeforeEach
  void setUp() throws Exception {
    cli = Cli.withLocalKeys(mongo.connectionString(), dir, ", \"keyVault\": {\"namespace\": \"" + db
        + ".keys\"}, \"schemas\": {\"" + db + ".people\": {\"bsonType\": \"object\", \"properties\": {"
        + "\"ssn\": {\"encrypt\": {\"bsonType\": \"string\", \"algorithm\": \"" + DET + "\", \"keyId\": \"KEYA\"}},"
        + "\"medical\": {\"bsonType\": \"object\", \"properties\": {\"notes\": {\"encrypt\": {\"algorithm\": \"" + RND + "\", \"keyId\": \"KEYA\"}}}}}}}}");
    people = client.getDatabase(db).getCollection("people", BsonDocument.class);
  }

  private String createKey(String altName) {
    Cli.Run run = cli.run("keys", "create", "--provider", "local", "--alt-name", altName, "--output", "json");
    assertThat(run.exitCode()).as(run.toString()).isZero();
    return BsonDocument.parse(run.out()).getString("_id").getValue();
  }

  /** Points the schema's keyId placeholders at a real key. */
  private void useKeyInSchema(String keyId) throws Exception {
    String text = java.nio.file.Files.readString(cli.config)
        .replace("\"KEYA\"", "[{\"$binary\": {\"base64\": \"" + base64(keyId) + "\", \"subType\": \"04\"}}]");
    java.nio.file.Files.writeString(cli.config, text);
  }

  private static String base64(String uuid) {
    UUID id = UUID.fromString(uuid);
    return java.util.Base64.getEncoder().encodeToString(ByteBuffer.allocate(16)
        .putLong(id.getMostSignificantBits()).putLong(id.getLeastSignificantBits()).array());
  }

  private static BsonDocument plainPerson(int i) {
    return new BsonDocument("_id", new BsonInt32(i)).append("name", new BsonString("p" + i))
        .append("ssn", new BsonString("ssn-" + i))
        .append("medical", new BsonDocument("notes", new BsonString("note " + i)).append("ward", new BsonInt32(i % 3)));
  }

  private static UUID keyOf(BsonValue ciphertext) {
    ByteBuffer bytes = ByteBuffer.wrap(ciphertext.asBinary().getData(), 1, 16);
    return new UUID(bytes.getLong(), bytes.getLong());
  }

  private ClientEncryption encryption() throws Exception {
    return CliContext.open(options()).encryption;
  }

  private ConnectionOptions options() {
    ConnectionOptions options = new ConnectionOptions();
    options.uri = mongo.connectionString();
    options.config = cli.config;
    return options;
  }

  @Test
  void aCollectionThatDoesNotExist_isAnError_notAnEmptySuccess() {
    // Issue 13, item 13: a mistyped namespace scanned 0 documents and exited 0.
    createKey("a");
    Cli.Run run = cli.run("collection", "encrypt", "--namespace", db + ".peopel",
        "--field", "ssn=deterministic", "--key-alt-name", "a");
    assertThat(run.exitCode()).as(run.toString()).isEqualTo(Fle4jCommand.INVALID_INPUT);
    assertThat(run.err()).contains(db + ".peopel").contains("does not exist");
  }

  @Test
  void anUnfinishedJob_isNeverResumedByACommandWithOtherParameters() throws Exception {
    // Issue 13, item 12: `encrypt --field ssn` killed mid-run, then `encrypt --field card=random`
    // resumed the first job's checkpoint, reported success and left every card in plaintext.
    createKey("a");
    List<BsonDocument> originals = new ArrayList<>();
    for (int i = 0; i < 30; i++) {
      originals.add(plainPerson(i).append("card", new BsonString("card-" + i)));
    }
    people.insertMany(originals);
    String ns = db + ".people";
    Cli.Run first = cli.run("collection", "encrypt", "--namespace", ns, "--field", "ssn=deterministic",
        "--key-alt-name", "a", "--job-id", "nightly");
    assertThat(first.exitCode()).as(first.toString()).isZero();
    // As if it had been killed before its last checkpoint.
    client.getDatabase(db).getCollection("fle4j_jobs", BsonDocument.class).updateOne(
        com.mongodb.client.model.Filters.eq("_id", "nightly"),
        com.mongodb.client.model.Updates.set("done", false));

    Cli.Run other = cli.run("collection", "encrypt", "--namespace", ns, "--field", "card=random",
        "--key-alt-name", "a", "--job-id", "nightly");
    assertThat(other.exitCode()).as(other.toString()).isEqualTo(Fle4jCommand.INVALID_INPUT);
    assertThat(other.err()).contains("nightly").contains("other parameters").contains("--field");

    // Without --job-id, each job has its own checkpoint: the card job runs in full.
    Cli.Run cards = cli.run("collection", "encrypt", "--namespace", ns, "--field", "card=random",
        "--key-alt-name", "a");
    assertThat(cards.exitCode()).as(cards.toString()).isZero();
    for (BsonDocument stored : people.find()) {
      assertThat(stored.get("card").isBinary()).as("card of %s", stored.get("_id")).isTrue();
    }
  }

  @Test
  void encryptRotateDecrypt_collectionInPlace_withVerifiedResults() throws Exception {
    String keyA = createKey("a");
    String keyB = createKey("b");
    useKeyInSchema(keyA);
    List<BsonDocument> originals = new ArrayList<>();
    for (int i = 0; i < 25; i++) {
      originals.add(plainPerson(i));
    }
    people.insertMany(originals);

    Cli.Run dry = cli.run("collection", "encrypt", "--namespace", db + ".people", "--dry-run");
    assertThat(dry.out()).as(dry.toString()).containsPattern("would change +25");
    assertThat(people.find().into(new ArrayList<>())).isEqualTo(originals);

    Cli.Run encrypt = cli.run("collection", "encrypt", "--namespace", db + ".people", "--batch-size", "7");
    assertThat(encrypt.exitCode()).as(encrypt.toString()).isZero();
    assertThat(encrypt.out()).containsPattern("changed +25");
    try (CliContext context = CliContext.open(options())) {
      for (BsonDocument stored : people.find()) {
        assertThat(stored.getBinary("ssn").getType()).isEqualTo((byte) 6);
        assertThat(keyOf(stored.get("ssn"))).hasToString(keyA);
        assertThat(stored.getDocument("medical").getInt32("ward")).isNotNull();
        assertThat(context.encryption.decrypt(stored.getDocument("medical").getBinary("notes")))
            .isEqualTo(new BsonString("note " + stored.getInt32("_id").getValue()));
      }
    }
    assertThat(cli.run("collection", "encrypt", "--namespace", db + ".people").out())
        .as("a second pass finds nothing to do").containsPattern("changed +0").containsPattern("skipped +25");

    Cli.Run rotate = cli.run("collection", "rotate", "--namespace", db + ".people", "--to-key-alt-name", "b",
        "--output", "json");
    assertThat(BsonDocument.parse(rotate.out()).getNumber("changed").longValue()).isEqualTo(25);
    for (BsonDocument stored : people.find()) {
      assertThat(keyOf(stored.get("ssn"))).hasToString(keyB);
      assertThat(keyOf(stored.getDocument("medical").get("notes"))).hasToString(keyB);
    }

    Cli.Run decrypt = cli.run("collection", "decrypt", "--namespace", db + ".people");
    assertThat(decrypt.exitCode()).as(decrypt.toString()).isZero();
    assertThat(people.find().into(new ArrayList<>())).isEqualTo(originals);
  }

  @Test
  void rotate_50000Documents_killedMidRunAndRestarted_endsFullyRotatedAndVerified() throws Exception {
    createKey("a");
    String keyB = createKey("b");
    int n = 50_000;
    String ns = db + ".people";
    try (CliContext context = CliContext.open(options())) {
      ClientEncryption ce = context.encryption;
      List<BsonDocument> batch = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        batch.add(new BsonDocument("_id", new BsonInt32(i))
            .append("ssn", ce.encrypt(new BsonString("ssn-" + i), new EncryptOptions(DET).keyAltName("a")))
            .append("notes", ce.encrypt(new BsonString("note " + i), new EncryptOptions(RND).keyAltName("a")))
            .append("n", new BsonInt32(i)));
        if (batch.size() == 5_000) {
          people.insertMany(batch);
          batch.clear();
        }
      }
    }

    // Run the real command in its own JVM and kill it (SIGKILL) once it is well under way.
    Path log = dir.resolve("killed-run.log");
    Process process = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path"), Fle4jCommand.class.getName(),
        "collection", "rotate", "--namespace", ns, "--to-key-alt-name", "b", "--batch-size", "250",
        "--uri", mongo.connectionString(), "--config", cli.config.toString())
        .redirectErrorStream(true).redirectOutput(log.toFile()).start();
    MongoCollection<BsonDocument> jobs = client.getDatabase(db).getCollection("fle4j_jobs", BsonDocument.class);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
    BsonDocument checkpoint = null;
    while (System.nanoTime() < deadline && process.isAlive()) {
      checkpoint = jobs.find().first();
      if (checkpoint != null && checkpoint.getNumber("scanned").longValue() >= 5_000) {
        break;
      }
      Thread.sleep(20);
    }
    assertThat(process.isAlive()).as("the first run must still be running when it is killed:\n%s",
        java.nio.file.Files.readString(log)).isTrue();
    process.destroyForcibly().waitFor();
    checkpoint = jobs.find().first();
    long scannedBeforeKill = checkpoint.getNumber("scanned").longValue();
    assertThat(checkpoint.getBoolean("done").getValue()).isFalse();
    assertThat(scannedBeforeKill).isBetween(5_000L, (long) n - 1);

    Cli.Run resumed = cli.run("collection", "rotate", "--namespace", ns, "--to-key-alt-name", "b",
        "--batch-size", "1000", "--output", "json");
    assertThat(resumed.exitCode()).as(resumed.toString()).isZero();
    BsonDocument summary = BsonDocument.parse(resumed.out());
    assertThat(summary.getBoolean("resumed").getValue()).isTrue();
    assertThat(summary.getNumber("scanned").longValue()).isEqualTo(n);
    assertThat(summary.getNumber("failed").longValue()).isZero();

    try (CliContext context = CliContext.open(options())) {
      int checked = 0;
      for (BsonDocument stored : people.find()) {
        int i = stored.getInt32("_id").getValue();
        assertThat(keyOf(stored.get("ssn"))).as("ssn of %d", i).hasToString(keyB);
        assertThat(keyOf(stored.get("notes"))).as("notes of %d", i).hasToString(keyB);
        assertThat(context.encryption.decrypt(stored.getBinary("ssn"))).isEqualTo(new BsonString("ssn-" + i));
        assertThat(context.encryption.decrypt(stored.getBinary("notes"))).isEqualTo(new BsonString("note " + i));
        assertThat(stored.getInt32("n").getValue()).isEqualTo(i);
        checked++;
      }
      assertThat(checked).isEqualTo(n);
    }
  }

  @Test
  void rotate_concurrentWriter_losesNothing() throws Exception {
    createKey("a");
    String keyB = createKey("b");
    int n = 3000;
    Map<Integer, String> latest = new ConcurrentHashMap<>();
    try (CliContext context = CliContext.open(options())) {
      ClientEncryption ce = context.encryption;
      List<BsonDocument> docs = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        latest.put(i, "ssn-" + i);
        docs.add(new BsonDocument("_id", new BsonInt32(i)).append("ssn",
            ce.encrypt(new BsonString("ssn-" + i), new EncryptOptions(DET).keyAltName("a"))));
      }
      people.insertMany(docs);

      AtomicBoolean stop = new AtomicBoolean();
      Thread writer = new Thread(() -> {
        int version = 0;
        while (!stop.get()) {
          int id = ThreadLocalRandom.current().nextInt(n);
          String value = "w" + version++ + "-" + id;
          // The application writes with the old key, as it would until it is redeployed.
          people.updateOne(eq("_id", id), Updates.set("ssn",
              ce.encrypt(new BsonString(value), new EncryptOptions(DET).keyAltName("a"))));
          latest.put(id, value);
        }
      });
      writer.start();
      Cli.Run rotate = cli.run("collection", "rotate", "--namespace", db + ".people",
          "--to-key-alt-name", "b", "--batch-size", "50");
      stop.set(true);
      writer.join(TimeUnit.SECONDS.toMillis(10));
      assertThat(rotate.exitCode()).as(rotate.toString()).isZero();

      int rotated = 0;
      for (BsonDocument stored : people.find()) {
        int id = stored.getInt32("_id").getValue();
        assertThat(ce.decrypt(stored.getBinary("ssn"))).as("document %d", id)
            .isEqualTo(new BsonString(latest.get(id)));
        if (keyOf(stored.get("ssn")).toString().equals(keyB)) {
          rotated++;
        }
      }
      // Writes that landed after the job passed a document keep the old key; nothing is lost.
      assertThat(rotated).isGreaterThan(n / 2);
    }
  }
}
