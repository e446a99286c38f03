package io.fle4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoCollection;
import io.fle4j.testkit.mongo.EmbeddedMongo;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.bson.BsonArray;
import org.bson.BsonDocument;
import org.bson.BsonString;
import org.bson.BsonValue;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What operators of keyrings expect: read-only mode, a current provider that new keys go under
 * and old ones move to, and a key vault that verifies itself.
 */
class OperationsCommandsTest {
  private static EmbeddedMongo mongo;
  private static MongoClient plain;
  @TempDir Path dir;
  private String keyVault;
  private MongoCollection<BsonDocument> keys;

  @BeforeAll
  static void start() {
    mongo = EmbeddedMongo.startInMemory();
    plain = MongoClients.create(mongo.connectionString());
  }

  @AfterAll
  static void stop() {
    plain.close();
    mongo.close();
  }

  @BeforeEach
  void vault() {
    keyVault = "ops" + System.nanoTime();
    keys = plain.getDatabase(keyVault).getCollection("keys", BsonDocument.class);
  }

  @AfterEach
  void drop() {
    plain.getDatabase(keyVault).drop();
    plain.getDatabase("clinic").drop();
  }

  private Cli cli(String extraConfig) throws Exception {
    return Cli.withLocalKeys(mongo.connectionString(), dir,
        ", \"keyVault\": {\"namespace\": \"" + keyVault + ".keys\"}" + extraConfig);
  }

  /** The same configuration directory (same master key files) with other settings. */
  private Cli reconfigured(String extraConfig) throws Exception {
    java.nio.file.Files.writeString(dir.resolve("fle4j.json"), """
        {"kmsProviders": {"local": {"keyFile": "key-a.txt"}, "local:b": {"keyFile": "key-b.txt"}},
         "keyVault": {"namespace": "%s.keys"}%s}
        """.formatted(keyVault, extraConfig));
    return new Cli(mongo.connectionString(), dir.resolve("fle4j.json"), java.util.Map.of());
  }

  private static BsonDocument json(Cli.Run run) {
    assertThat(run.exitCode()).as(run.toString()).isZero();
    return BsonDocument.parse(run.out());
  }

  private List<BsonDocument> rawKeys() {
    return keys.find().sort(new BsonDocument("_id", new org.bson.BsonInt32(1)))
        .into(new ArrayList<>());
  }

  @Test
  void readOnly_refusesEveryKeyWrite_andChangesNothing() throws Exception {
    Cli writer = cli("");
    writer.run("keyvault", "init");
    String id = json(writer.run("keys", "create", "--provider", "local", "--alt-name", "ssn",
        "--output", "json")).getString("_id").getValue();
    keys.dropIndexes(); // so that an index build, a write too, would show
    List<BsonDocument> before = rawKeys();

    Cli readOnly = reconfigured(", \"readOnly\": true");
    for (String[] write : List.of(
        new String[] {"keyvault", "init"},
        new String[] {"keys", "create", "--provider", "local"},
        new String[] {"keys", "add-alt-name", id, "other"},
        new String[] {"keys", "remove-alt-name", id, "ssn"},
        new String[] {"keys", "delete", id, "--yes"},
        new String[] {"keys", "rewrap", "--to-provider", "local:b"})) {
      Cli.Run run = readOnly.run(write);
      assertThat(run.exitCode()).as(run.toString()).isEqualTo(Fle4jCommand.FAILED);
      assertThat(run.err()).as(String.join(" ", write)).contains("read-only mode is on");
    }
    assertThat(rawKeys()).isEqualTo(before);
    assertThat(keys.listIndexes().into(new ArrayList<>()))
        .noneMatch(index -> index.get("key", org.bson.Document.class).containsKey("keyAltNames"));

    // Reading and using keys still work.
    assertThat(readOnly.run("keys", "list").out()).contains(id);
    String ciphertext = readOnly.run("encrypt", "--key-alt-name", "ssn", "--algorithm",
        "deterministic", "123-45-6789").out().strip();
    assertThat(readOnly.run("decrypt", ciphertext).out()).contains("123-45-6789");
  }

  @Test
  void currentProvider_newKeysGoUnderIt_rewrapAndRotateMoveEverythingToIt() throws Exception {
    Cli before = cli("");
    before.run("keyvault", "init");
    String oldKey = json(before.run("keys", "create", "--provider", "local", "--alt-name", "old",
        "--output", "json")).getString("_id").getValue();
    json(before.run("keys", "create", "--provider", "local", "--alt-name", "spare", "--output",
        "json"));
    plain.getDatabase("clinic").getCollection("patients", BsonDocument.class).insertMany(List.of(
        BsonDocument.parse("{_id: 1, ssn: '111-11-1111'}"),
        BsonDocument.parse("{_id: 2, ssn: '222-22-2222'}")));
    assertThat(before.run("collection", "encrypt", "--namespace", "clinic.patients",
        "--field", "ssn=deterministic", "--key-alt-name", "old").exitCode()).isZero();

    Cli current = reconfigured(", \"currentProvider\": \"local:b\"");
    // keys list marks what is not yet under the current provider.
    Cli.Run list = current.run("keys", "list");
    assertThat(list.out()).contains("current").contains("2 key(s) not yet under the current"
        + " provider (local:b)");
    assertThat(json(current.run("keys", "create", "--alt-name", "new", "--output", "json"))
        .getDocument("masterKey").getString("provider").getValue()).isEqualTo("local:b");
    BsonArray listed = BsonDocument.parse("{a: " + current.run("keys", "list", "--output", "json")
        .out() + "}").getArray("a");
    assertThat(listed.stream().map(k -> k.asDocument().getString("_id").getValue() + "="
        + k.asDocument().getBoolean("underCurrentProvider").getValue()))
        .contains(oldKey + "=false").hasSize(3).filteredOn(s -> s.endsWith("=true")).hasSize(1);

    // "spare" moves first: the rewrap makes it the most recently *updated* current key, yet
    // the data goes to the most recently *created* one, "new".
    assertThat(json(current.run("keys", "rewrap", "--to-current", "--filter",
        "{\"keyAltNames\": \"spare\"}", "--output", "json")).getInt32("rewrapped").getValue())
        .isEqualTo(1);

    // The data: values under keys of other providers move to the newest current key.
    Cli.Run rotate = current.run("collection", "rotate", "--namespace", "clinic.patients",
        "--to-current", "--output", "json");
    assertThat(json(rotate).getNumber("changed").longValue()).isEqualTo(2);
    String newKey = current.run("keys", "show", "new", "--output", "json").out();
    String newKeyId = BsonDocument.parse(newKey).getString("_id").getValue();
    for (BsonDocument patient : plain.getDatabase("clinic")
        .getCollection("patients", BsonDocument.class).find()) {
      assertThat(CollectionCommand.Ciphertexts.keyId(patient.getBinary("ssn")).toString())
          .isEqualTo(newKeyId);
    }
    // Running it again finds nothing left to do.
    assertThat(json(current.run("collection", "rotate", "--namespace", "clinic.patients",
        "--to-current", "--restart", "--output", "json")).getNumber("changed").longValue()).isZero();

    // The keys: the old one is rewrapped under local:b; a second run has nothing to do.
    BsonDocument dry = json(current.run("keys", "rewrap", "--to-current", "--dry-run",
        "--output", "json"));
    assertThat(dry.getInt32("matched").getValue()).isEqualTo(1);
    BsonDocument rewrap = json(current.run("keys", "rewrap", "--to-current", "--output", "json"));
    assertThat(rewrap.getInt32("rewrapped").getValue()).isEqualTo(1);
    assertThat(json(current.run("keys", "rewrap", "--to-current", "--output", "json"))
        .getInt32("matched").getValue()).isZero();
    assertThat(current.run("keys", "list").out()).contains("All keys are under the current provider");
    assertThat(json(current.run("keyvault", "verify", "--output", "json"))
        .getBoolean("ok").getValue()).isTrue();
  }

  @Test
  void currentProvider_mustNameAConfiguredProvider() throws Exception {
    Cli bad = reconfigured(", \"currentProvider\": {\"name\": \"aws:prod\"}");
    Cli.Run run = bad.run("keys", "list");
    assertThat(run.exitCode()).isEqualTo(Fle4jCommand.INVALID_INPUT);
    assertThat(run.err()).contains("currentProvider.name").contains("aws:prod")
        .contains("not in kmsProviders");
    Cli none = cli("");
    Cli.Run missing = none.run("keys", "create");
    assertThat(missing.exitCode()).isEqualTo(Fle4jCommand.INVALID_INPUT);
    assertThat(missing.err()).contains("--provider").contains("currentProvider");
  }

  @Test
  void keyvaultVerify_reportsUnreadableMalformedAndSharedNames() throws Exception {
    Cli cli = cli("");
    cli.run("keyvault", "init");
    json(cli.run("keys", "create", "--provider", "local", "--alt-name", "a", "--output", "json"));
    String underB = json(cli.run("keys", "create", "--provider", "local:b", "--output", "json"))
        .getString("_id").getValue();
    Cli.Run healthy = cli.run("keyvault", "verify");
    assertThat(healthy.exitCode()).as(healthy.toString()).isZero();
    assertThat(healthy.out()).contains("All keys are readable.");

    // local:b's master key file is replaced: its key can no longer be unwrapped.
    byte[] other = new byte[96];
    new java.security.SecureRandom().nextBytes(other);
    java.nio.file.Files.writeString(dir.resolve("key-b.txt"),
        java.util.Base64.getEncoder().encodeToString(other));
    // A document with a field no driver accepts, sharing the name "a" (index dropped first).
    keys.dropIndexes();
    BsonDocument malformed = keys.find().first().clone();
    malformed.put("_id", new org.bson.BsonBinary(java.util.UUID.randomUUID()));
    malformed.put("keyAltNames", new BsonArray(List.of(new BsonString("a"))));
    malformed.put("color", new BsonString("blue"));
    keys.insertOne(malformed);

    Cli.Run problems = cli.run("keyvault", "verify", "--output", "json", "--parallel", "2");
    assertThat(problems.exitCode()).as(problems.toString()).isEqualTo(Fle4jCommand.KEY_VAULT_PROBLEMS);
    BsonDocument report = BsonDocument.parse(problems.out());
    assertThat(report.getBoolean("ok").getValue()).isFalse();
    assertThat(report.getNumber("readable").longValue()).isEqualTo(1);
    assertThat(report.getNumber("unreadable").longValue()).isEqualTo(1);
    assertThat(report.getNumber("malformed").longValue()).isEqualTo(1);
    assertThat(report.getString("indexProblem").getValue()).contains("no unique index");
    assertThat(report.getDocument("sharedAltNames").keySet()).containsExactly("a");
    BsonValue unreadable = report.getArray("keys").stream()
        .filter(k -> k.asDocument().getString("_id").getValue().equals(underB)).findFirst().orElseThrow();
    assertThat(unreadable.asDocument().getString("status").getValue()).isEqualTo("unreadable");
    assertThat(problems.out()).doesNotContain(java.util.Base64.getEncoder().encodeToString(other));

    Cli.Run table = cli.run("keyvault", "verify");
    assertThat(table.exitCode()).isEqualTo(Fle4jCommand.KEY_VAULT_PROBLEMS);
    assertThat(table.out()).contains("malformed").contains("unreadable").contains("Problems found.");
  }
}
