package io.fle4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.fle4j.testkit.mongo.EmbeddedMongo;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import org.bson.BsonArray;
import org.bson.BsonDocument;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KeyCommandsTest {
  private static EmbeddedMongo mongo;
  @TempDir Path dir;
  private Cli cli;

  @BeforeAll
  static void start() {
    mongo = EmbeddedMongo.startInMemory();
  }

  @AfterAll
  static void stop() {
    mongo.close();
  }

  @BeforeEach
  void setUp() throws Exception {
    cli = Cli.withLocalKeys(mongo.connectionString(), dir,
        ", \"keyVault\": {\"namespace\": \"kv" + System.nanoTime() + ".keys\"}");
  }

  private static BsonDocument json(Cli.Run run) {
    assertThat(run.exitCode()).as(run.toString()).isZero();
    return BsonDocument.parse(run.out());
  }

  @Test
  void keyvaultInit_isIdempotent() {
    Cli.Run first = cli.run("keyvault", "init");
    Cli.Run second = cli.run("keyvault", "init", "--output", "json");
    assertThat(first.exitCode()).as(first.toString()).isZero();
    assertThat(first.out()).contains("keyAltNames_1");
    assertThat(json(second).getString("index").getValue()).isEqualTo("keyAltNames_1");
  }

  @Test
  void keys_createListShowAltNamesDelete_endToEnd() {
    cli.run("keyvault", "init");
    BsonDocument created = json(cli.run("keys", "create", "--provider", "local", "--alt-name", "ssn",
        "--alt-name", "ssn-v1", "--output", "json"));
    String id = created.getString("_id").getValue();
    assertThat(created.getInt32("keyMaterialBytes").getValue()).isEqualTo(160);
    assertThat(created.toJson()).doesNotContain("keyMaterial\"").as("never prints key material");
    cli.run("keys", "create", "--provider", "local:b");

    Cli.Run list = cli.run("keys", "list");
    assertThat(list.out()).contains(id).contains("ssn,ssn-v1").contains("local:b");
    assertThat(BsonDocument.parse("{a: " + cli.run("keys", "list", "--output", "json",
        "--filter", "{\"masterKey.provider\": \"local:b\"}").out() + "}").getArray("a")).hasSize(1);
    assertThat(cli.run("keys", "show", "ssn").out()).contains(id);

    assertThat(cli.run("keys", "add-alt-name", id, "tax").out()).contains("tax");
    Cli.Run duplicate = cli.run("keys", "add-alt-name", id, "tax");
    assertThat(duplicate.exitCode()).isZero(); // adding a name the key already has is no error
    assertThat(cli.run("keys", "remove-alt-name", "tax", "ssn-v1").out()).doesNotContain("ssn-v1");

    Cli.Run refused = cli.run("keys", "delete", id);
    assertThat(refused.exitCode()).isEqualTo(Fle4jCommand.CANCELLED);
    assertThat(refused.err()).contains("crypto-shredding").contains("--yes");
    assertThat(cli.run("keys", "show", id).exitCode()).isZero();

    assertThat(cli.run("keys", "delete", id, "--yes").out()).contains("Deleted data key " + id);
    Cli.Run gone = cli.run("keys", "show", id);
    assertThat(gone.exitCode()).isEqualTo(Fle4jCommand.INVALID_INPUT);
    assertThat(gone.err()).contains(id);
  }

  @Test
  void keysRewrap_dryRunChangesNothing_thenMovesKeysToTheNewProvider() {
    String id = json(cli.run("keys", "create", "--provider", "local", "--output", "json")).getString("_id").getValue();
    String ciphertext = cli.run("encrypt", "--key-id", id, "secret").out().strip();

    Cli.Run dry = cli.run("keys", "rewrap", "--to-provider", "local:b", "--dry-run");
    assertThat(dry.out()).contains("Would rewrap 1 of 1");
    assertThat(cli.run("keys", "show", id).out()).doesNotContain("local:b");

    BsonDocument result = json(cli.run("keys", "rewrap", "--filter", "{\"masterKey.provider\": \"local\"}",
        "--to-provider", "local:b", "--output", "json"));
    assertThat(result.getInt32("rewrapped").getValue()).isEqualTo(1);
    assertThat(cli.run("keys", "show", id).out()).contains("local:b");
    assertThat(cli.run("decrypt", ciphertext).out().strip()).isEqualTo("secret");

    Cli.Run masterKeyAlone = cli.run("keys", "rewrap", "--master-key", "{}");
    assertThat(masterKeyAlone.exitCode()).isEqualTo(Fle4jCommand.INVALID_INPUT);
    assertThat(masterKeyAlone.err()).contains("--master-key").contains("--to-provider");
  }

  @Test
  void encryptDecrypt_roundTripStringsAndJsonValues() {
    cli.run("keys", "create", "--provider", "local", "--alt-name", "k");
    Cli.Run det1 = cli.run("encrypt", "--key-alt-name", "k", "--algorithm", "deterministic", "123-45-6789");
    Cli.Run det2 = cli.run("encrypt", "--key-alt-name", "k", "--algorithm", "deterministic", "123-45-6789");
    assertThat(det1.out()).isEqualTo(det2.out());
    assertThat(cli.run("decrypt", det1.out().strip()).out().strip()).isEqualTo("123-45-6789");

    Cli.Run json = cli.run("encrypt", "--key-alt-name", "k", "--json", "{\"a\": [1, 2]}", "--output", "json");
    assertThat(json.out()).contains("$binary");
    assertThat(BsonDocument.parse(cli.run("decrypt", json.out(), "--output", "json").out()))
        .isEqualTo(BsonDocument.parse("{\"a\": [1, 2]}"));

    Cli.Run refused = cli.run("encrypt", "--key-alt-name", "k", "--algorithm", "deterministic", "--json", "1.5");
    assertThat(refused.exitCode()).isEqualTo(Fle4jCommand.FAILED);
    assertThat(refused.err()).contains("deterministically");
    Cli.Run bad = cli.run("decrypt", "not base64 !");
    assertThat(bad.exitCode()).isEqualTo(Fle4jCommand.INVALID_INPUT);
    Cli.Run both = cli.run("encrypt", "--key-alt-name", "k", "--key-id", "x", "v");
    assertThat(both.exitCode()).isEqualTo(Fle4jCommand.INVALID_INPUT);
  }

  @Test
  void config_secretReadableByOthers_isRefusedWithTheFix() throws Exception {
    Path config = dir.resolve("open.json");
    Files.writeString(config, "{\"kmsProviders\": {\"local\": {\"key\": \"TOPSECRETKEYMATERIAL\"}}}");
    Files.setPosixFilePermissions(config, PosixFilePermissions.fromString("rw-r--r--"));
    Cli open = new Cli(mongo.connectionString(), config, Map.of());

    Cli.Run run = open.run("keys", "list");

    assertThat(run.exitCode()).isEqualTo(Fle4jCommand.INVALID_INPUT);
    assertThat(run.err()).contains("kmsProviders.local.key").contains("chmod 600 " + config)
        .contains("${NAME}").doesNotContain("TOPSECRETKEYMATERIAL");
  }

  @Test
  void config_withASyntaxError_namesLineAndColumn_neverTheSecret() throws Exception {
    // Issue 13, item 4: the JSON parser's message quoted the unquoted secret whole.
    Path config = dir.resolve("broken.json");
    Files.writeString(config, "{\"kmsProviders\": {\"local\": {\"key\":\n  TOPSECRETKEYMATERIAL}}}");
    Files.setPosixFilePermissions(config, PosixFilePermissions.fromString("rw-------"));

    Cli.Run run = new Cli(mongo.connectionString(), config, Map.of()).run("keys", "list");

    assertThat(run.exitCode()).isEqualTo(Fle4jCommand.INVALID_INPUT);
    assertThat(run.err()).contains(config.toString()).contains("line 2, column 3")
        .doesNotContain("TOPSECRET");
  }

  @Test
  void config_unknownOrMistypedSettings_areRefusedNamingTheirPath() throws Exception {
    // Issue 13, item 14: keyVault.namespac was ignored (keys went to the default vault), and a
    // keyFile of the wrong type failed without naming it.
    for (String[] bad : new String[][] {
        {"{\"keyVault\": {\"namespac\": \"x.y\"}}", "keyVault.namespac"},
        {"{\"tls\": {\"kmip\": {\"cafile\": \"ca.pem\"}}}", "tls.kmip.cafile"},
        {"{\"tls\": {\"kmip\": {\"caFile\": 5}}}", "tls.kmip.caFile"},
        {"{\"kmsProviders\": {\"local\": {\"keyFile\": 5}}}", "kmsProviders.local.keyFile"}}) {
      Path config = dir.resolve("strict.json");
      Files.writeString(config, bad[0]);
      Files.setPosixFilePermissions(config, PosixFilePermissions.fromString("rw-------"));
      Cli.Run run = new Cli(mongo.connectionString(), config, Map.of()).run("keys", "create",
          "--provider", "local");
      assertThat(run.exitCode()).as(run.toString()).isEqualTo(Fle4jCommand.INVALID_INPUT);
      assertThat(run.err()).as(bad[0]).contains(bad[1]);
    }
  }

  @Test
  void aVaultWithSharedAltNames_isNamed_byKeysCreateAndKeyvaultInit() throws Exception {
    // Issue 13, item 16: before keyvault init, duplicate names were accepted silently, and init
    // then failed with the server's raw duplicate-key error.
    String first = BsonDocument.parse(cli.run("keys", "create", "--provider", "local", "--output",
        "json").out()).getString("_id").getValue();
    try (com.mongodb.client.MongoClient raw = com.mongodb.client.MongoClients.create(
        mongo.connectionString())) {
      String[] ns = BsonDocument.parse(Files.readString(cli.config)).getDocument("keyVault")
          .getString("namespace").getValue().split("\\.", 2);
      var vault = raw.getDatabase(ns[0]).getCollection(ns[1], BsonDocument.class);
      vault.dropIndex(io.fle4j.KeyVaultIndexes.KEY_ALT_NAMES_INDEX);
      for (BsonDocument key : vault.find()) {
        BsonDocument copy = key.clone();
        copy.put("_id", new org.bson.BsonBinary(java.util.UUID.randomUUID()));
        copy.put("keyAltNames", new org.bson.BsonArray(java.util.List.of(new org.bson.BsonString("twice"))));
        vault.insertOne(copy);
        vault.updateOne(com.mongodb.client.model.Filters.eq("_id", key.get("_id")),
            com.mongodb.client.model.Updates.set("keyAltNames", java.util.List.of("twice")));
      }
    }
    for (String[] command : new String[][] {{"keys", "create", "--provider", "local"},
        {"keyvault", "init"}}) {
      Cli.Run run = cli.run(command);
      assertThat(run.exitCode()).as(run.toString()).isEqualTo(Fle4jCommand.INVALID_INPUT);
      assertThat(run.err()).contains("'twice'").contains(first).doesNotContain("E11000");
    }
  }

  @Test
  void uriWithABadPassword_isRefused_withoutQuotingThePassword() {
    Cli.Run run = new Cli("mongodb://user:pa%ZZsecretword@localhost:1/", cli.config, Map.of())
        .run("keys", "list");
    assertThat(run.exitCode()).isEqualTo(Fle4jCommand.INVALID_INPUT);
    assertThat(run.err()).contains("--uri").doesNotContain("secretword").doesNotContain("ZZ");
  }

  @Test
  void encrypt_aMalformedJsonValue_isRefused_withoutQuotingIt() {
    Cli.Run run = cli.run("encrypt", "--key-alt-name", "k", "--json", "{\"ssn\": 123-45-SECRET}");
    assertThat(run.exitCode()).isEqualTo(Fle4jCommand.INVALID_INPUT);
    assertThat(run.err()).doesNotContain("SECRET");
  }

  @Test
  void config_uriWithAPasswordReadableByOthers_isRefused() throws Exception {
    // Issue 13, item 15: a password in uri was accepted in a file anyone could read.
    Path config = dir.resolve("uri.json");
    Files.writeString(config, "{\"uri\": \"mongodb://app:TOPSECRETPASSWORD@localhost:1/\"}");
    Files.setPosixFilePermissions(config, PosixFilePermissions.fromString("rw-r--r--"));
    Cli.Run run = new Cli(mongo.connectionString(), config, Map.of()).raw("keys", "list",
        "--config", config.toString());
    assertThat(run.exitCode()).as(run.toString()).isEqualTo(Fle4jCommand.INVALID_INPUT);
    assertThat(run.err()).contains("uri (its password)").contains("chmod 600")
        .doesNotContain("TOPSECRETPASSWORD");
  }

  @Test
  void config_environmentVariables_areSubstituted_andMissingOnesNamed() throws Exception {
    Path config = dir.resolve("env.json");
    Files.writeString(config, "{\"kmsProviders\": {\"local\": {\"key\": \"${LOCAL_KEY}\"}}}");
    Files.setPosixFilePermissions(config, PosixFilePermissions.fromString("rw-r--r--"));
    String key = java.util.Base64.getEncoder().encodeToString(new byte[96]);
    Cli withEnv = new Cli(mongo.connectionString(), config, Map.of("LOCAL_KEY", key));
    assertThat(withEnv.run("keys", "create", "--provider", "local").exitCode()).isZero();

    Cli.Run missing = new Cli(mongo.connectionString(), config, Map.of()).run("keys", "list");
    assertThat(missing.exitCode()).isEqualTo(Fle4jCommand.INVALID_INPUT);
    assertThat(missing.err()).contains("LOCAL_KEY").contains("not set");
  }

  @Test
  void help_everyCommandHasIt() {
    for (String[] command : new String[][] {{"keyvault", "init"}, {"keys", "create"}, {"keys", "list"},
        {"keys", "show"}, {"keys", "add-alt-name"}, {"keys", "remove-alt-name"}, {"keys", "delete"},
        {"keys", "rewrap"}, {"encrypt"}, {"decrypt"}, {"collection", "encrypt"},
        {"collection", "rotate"}, {"collection", "decrypt"}, {"quickstart"}}) {
      String[] args = java.util.Arrays.copyOf(command, command.length + 1);
      args[command.length] = "--help";
      Cli.Run run = cli.raw(args);
      assertThat(run.exitCode()).as(String.join(" ", command)).isZero();
      assertThat(run.out()).contains("Usage: fle4j " + String.join(" ", command));
    }
  }
}
