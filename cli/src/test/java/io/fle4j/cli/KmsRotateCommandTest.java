package io.fle4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.mongodb.ClientEncryptionSettings;
import com.mongodb.MongoClientSettings;
import com.mongodb.ConnectionString;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.vault.EncryptOptions;
import com.mongodb.client.vault.ClientEncryption;
import io.fle4j.testkit.kms.aws.AwsKmsEmulator;
import io.fle4j.testkit.mongo.EmbeddedMongo;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.bson.BsonBinary;
import org.bson.BsonDocument;
import org.bson.BsonString;
import org.bson.UuidRepresentation;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code fle4j kms rotate} against the AWS KMS emulator (driven by the AWS SDK, with SigV4): a new
 * key behind the alias, or new material in the same key; every data key of the alias or the old
 * key rewrapped and readable by fle4j and by the official driver (libmongocrypt) afterwards;
 * other keys untouched; a dry run changes nothing.
 */
class KmsRotateCommandTest {
  private static final String REGION = "us-east-1";
  private static final String ALIAS = "alias/app";
  private static EmbeddedMongo mongo;
  private static MongoClient plain;

  @TempDir Path dir;
  private AwsKmsEmulator kms;
  private String keyVault;
  private MongoCollection<BsonDocument> keys;
  private String oldKey;
  private Cli cli;

  @BeforeAll
  static void start() {
    mongo = EmbeddedMongo.startInMemory();
    plain = MongoClients.create(MongoClientSettings.builder()
        .applyConnectionString(new ConnectionString(mongo.connectionString()))
        .uuidRepresentation(UuidRepresentation.STANDARD).build());
  }

  @AfterAll
  static void stop() {
    plain.close();
    mongo.close();
  }

  @BeforeEach
  void setUp() throws Exception {
    kms = AwsKmsEmulator.start();
    oldKey = kms.createKey(REGION);
    kms.createAlias(REGION, ALIAS, oldKey);
    kms.writeCaCertificatePem(dir.resolve("aws-ca.pem"));
    keyVault = "rot" + System.nanoTime();
    keys = plain.getDatabase(keyVault).getCollection("keys", BsonDocument.class);
    cli = Cli.withLocalKeys(mongo.connectionString(), dir, """
        , "keyVault": {"namespace": "%s.keys"},
        "tls": {"aws": {"caFile": "aws-ca.pem"}},
        "currentProvider": {"name": "aws", "masterKey": {"region": "%s", "key": "%s", "endpoint": "%s"}}
        """.formatted(keyVault, REGION, ALIAS, kms.endpoint()));
    // Cli.withLocalKeys writes kmsProviders for local keys only: add aws, credentials from the env.
    String config = Files.readString(cli.config).replace("\"kmsProviders\": {",
        "\"kmsProviders\": {\"aws\": {\"accessKeyId\": \"${AWS_ID}\", \"secretAccessKey\": \"${AWS_SECRET}\"}, ");
    Files.writeString(cli.config, config);
    cli = new Cli(mongo.connectionString(), cli.config, Map.of(
        "AWS_ID", kms.credentials().accessKeyId(), "AWS_SECRET", kms.credentials().secretAccessKey()));
  }

  @AfterEach
  void tearDown() {
    plain.getDatabase(keyVault).drop();
    kms.close();
  }

  private static BsonDocument json(Cli.Run run) {
    assertThat(run.exitCode()).as(run.toString()).isZero();
    return BsonDocument.parse(run.out());
  }

  private String createKey(String... args) {
    List<String> all = new ArrayList<>(List.of("keys", "create", "--output", "json"));
    all.addAll(List.of(args));
    return json(cli.run(all.toArray(new String[0]))).getString("_id").getValue();
  }

  private BsonDocument rawKey(String id) {
    return keys.find(new BsonDocument("_id", new BsonBinary(UUID.fromString(id)))).first();
  }

  /** The emulator's blobs carry their key's UUID after the version byte. */
  private static String blobKeyId(BsonDocument key) {
    ByteBuffer bytes = ByteBuffer.wrap(key.getBinary("keyMaterial").getData(), 1, 16);
    return new UUID(bytes.getLong(), bytes.getLong()).toString();
  }

  private ClientEncryption official() {
    return com.mongodb.client.vault.ClientEncryptions.create(ClientEncryptionSettings.builder()
        .keyVaultMongoClientSettings(MongoClientSettings.builder()
            .applyConnectionString(new ConnectionString(mongo.connectionString())).build())
        .keyVaultNamespace(keyVault + ".keys")
        .kmsProviders(Map.of("aws", kms.credentials().asKmsProviderProperties()))
        .kmsProviderSslContextMap(Map.of("aws", kms.clientSslContext()))
        .build());
  }

  @Test
  void rotate_createsANewKeyBehindTheAlias_andRewrapsEveryKeyOfTheAliasOrTheOldKey() {
    String viaAlias = createKey("--alt-name", "a");
    String viaOldArn = createKey("--provider", "aws", "--master-key", """
        {"region": "%s", "key": "%s", "endpoint": "%s"}""".formatted(REGION, oldKey, kms.endpoint()));
    String otherAwsKey = kms.createKey(REGION);
    String unrelated = createKey("--provider", "aws", "--master-key", """
        {"region": "%s", "key": "%s", "endpoint": "%s"}""".formatted(REGION, otherAwsKey, kms.endpoint()));
    String local = createKey("--provider", "local");
    String ciphertext = cli.run("encrypt", "--key-alt-name", "a", "secret").out().strip();
    BsonDocument unrelatedBefore = rawKey(unrelated);
    BsonDocument localBefore = rawKey(local);

    // A dry run plans and changes nothing.
    List<BsonDocument> vaultBefore = keys.find().into(new ArrayList<>());
    BsonDocument plan = json(cli.run("kms", "rotate", "--provider", "aws", "--alias", ALIAS,
        "--dry-run", "--output", "json"));
    assertThat(plan.getArray("keys")).hasSize(2);
    assertThat(plan.getString("oldKey").getValue()).isEqualTo(oldKey);
    assertThat(kms.aliasTarget(REGION, ALIAS)).isEqualTo(oldKey);
    assertThat(keys.find().into(new ArrayList<>())).isEqualTo(vaultBefore);

    BsonDocument result = json(cli.run("kms", "rotate", "--provider", "aws", "--alias", ALIAS,
        "--output", "json"));
    String newKey = result.getString("newKey").getValue();
    assertThat(newKey).isNotEqualTo(oldKey);
    assertThat(kms.aliasTarget(REGION, ALIAS)).isEqualTo(newKey);
    assertThat(result.getArray("keys")).hasSize(2).allSatisfy(k ->
        assertThat(k.asDocument().getBoolean("readable").getValue()).isTrue());
    for (String id : List.of(viaAlias, viaOldArn)) {
      BsonDocument key = rawKey(id);
      assertThat(key.getDocument("masterKey").getString("key").getValue()).isEqualTo(newKey);
      assertThat(blobKeyId(key)).as("wrapped by the new key").isEqualTo(newKey.substring(newKey.indexOf("key/") + 4));
    }
    assertThat(rawKey(unrelated)).isEqualTo(unrelatedBefore);
    assertThat(rawKey(local)).isEqualTo(localBefore);

    // Data encrypted before still decrypts, with fle4j and with the official driver.
    assertThat(cli.run("decrypt", ciphertext).out()).contains("secret");
    try (ClientEncryption official = official()) {
      for (String id : List.of(viaAlias, viaOldArn)) {
        BsonBinary value = official.encrypt(new BsonString("x"), new EncryptOptions(
            "AEAD_AES_256_CBC_HMAC_SHA_512-Random").keyId(new BsonBinary(UUID.fromString(id))));
        assertThat(official.decrypt(value)).isEqualTo(new BsonString("x"));
      }
      assertThat(official.decrypt(new BsonBinary((byte) 6,
          java.util.Base64.getDecoder().decode(ciphertext)))).isEqualTo(new BsonString("secret"));
    }
    assertThat(cli.run("keyvault", "verify").exitCode()).isZero();

    // The operator disables the new key by mistake: verify names both keys and the reason.
    kms.disableKey(newKey);
    Cli.Run verify = cli.run("keyvault", "verify", "--output", "json");
    assertThat(verify.exitCode()).as(verify.toString()).isEqualTo(Fle4jCommand.KEY_VAULT_PROBLEMS);
    assertThat(BsonDocument.parse(verify.out()).getNumber("unreadable").intValue()).isEqualTo(2);
    assertThat(verify.out()).contains("DisabledException");
  }

  @Test
  void rotateOnDemand_rotatesTheMaterial_andRewrapsUnderIt() {
    String viaAlias = createKey();
    assertThat(AwsKmsEmulator.keyMaterialVersion(rawKey(viaAlias).getBinary("keyMaterial")
        .getData())).isEqualTo(1);

    BsonDocument result = json(cli.run("kms", "rotate", "--provider", "aws", "--alias", ALIAS,
        "--on-demand", "--output", "json"));

    assertThat(result.containsKey("newKey")).isFalse();
    assertThat(kms.aliasTarget(REGION, ALIAS)).isEqualTo(oldKey);
    assertThat(kms.keyMaterialCount(oldKey)).isEqualTo(2);
    BsonDocument key = rawKey(viaAlias);
    assertThat(AwsKmsEmulator.keyMaterialVersion(key.getBinary("keyMaterial").getData()))
        .as("rewrapped under the new material").isEqualTo(2);
    assertThat(key.getDocument("masterKey").getString("key").getValue()).isEqualTo(ALIAS);
    try (ClientEncryption official = official()) {
      BsonBinary value = official.encrypt(new BsonString("x"), new EncryptOptions(
          "AEAD_AES_256_CBC_HMAC_SHA_512-Random").keyId(new BsonBinary(UUID.fromString(viaAlias))));
      assertThat(official.decrypt(value)).isEqualTo(new BsonString("x"));
    }
  }

  @Test
  void rotate_isRefusedInReadOnlyMode_beforeAnyKmsCall() throws Exception {
    createKey();
    Files.writeString(cli.config, Files.readString(cli.config)
        .replace("\"keyVault\":", "\"readOnly\": true, \"keyVault\":"));
    kms.resetCounters();
    Cli.Run run = cli.run("kms", "rotate", "--provider", "aws", "--alias", ALIAS);
    assertThat(run.exitCode()).isEqualTo(Fle4jCommand.FAILED);
    assertThat(run.err()).contains("read-only mode is on");
    assertThat(kms.requestCount()).isZero();
    assertThat(kms.aliasTarget(REGION, ALIAS)).isEqualTo(oldKey);
  }

  @Test
  void rotate_refusesOtherProviderTypesAndNonAliases() {
    Cli.Run local = cli.run("kms", "rotate", "--provider", "local", "--alias", ALIAS);
    assertThat(local.exitCode()).isEqualTo(Fle4jCommand.INVALID_INPUT);
    assertThat(local.err()).contains("--provider").contains("AWS KMS providers");
    Cli.Run notAlias = cli.run("kms", "rotate", "--provider", "aws", "--alias", oldKey);
    assertThat(notAlias.exitCode()).isEqualTo(Fle4jCommand.INVALID_INPUT);
    assertThat(notAlias.err()).contains("--alias");
  }
}
