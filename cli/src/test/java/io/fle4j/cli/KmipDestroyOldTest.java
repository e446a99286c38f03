package io.fle4j.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoCollection;
import io.fle4j.kms.KmsProviderException;
import io.fle4j.kms.kmip.KmipKmsProvider;
import io.fle4j.testkit.mongo.EmbeddedMongo;
import io.fle4j.testkit.kms.kmip.PyKmipServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.bson.BsonArray;
import org.bson.BsonDocument;
import org.bson.BsonString;
import org.bson.BsonValue;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code keys rewrap --destroy-old} against PyKMIP: after keys move away from their KMIP objects,
 * an object no key uses is revoked and destroyed, one still in use is kept, and a dry run
 * destroys nothing. Skips with a message when PyKMIP is not installed.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class KmipDestroyOldTest {
  private EmbeddedMongo mongo;
  private Optional<PyKmipServer> started;

  @BeforeAll
  void start() throws Exception {
    mongo = EmbeddedMongo.startInMemory();
    started = PyKmipServer.startIfInstalled(Files.createTempDirectory("fle4j-kmip-destroy"));
  }

  @AfterAll
  void stop() {
    started.ifPresent(PyKmipServer::close);
    mongo.close();
  }

  private static BsonDocument json(Cli.Run run) {
    assertThat(run.exitCode()).as(run.toString()).isZero();
    return BsonDocument.parse(run.out());
  }

  @Test
  void destroyOld_retiresObjectsNoKeyUses_andKeepsTheOthers(@TempDir Path dir) throws Exception {
    PyKmipServer kmip = PyKmipServer.orAbort(started);
    Path clientPem = Files.createFile(dir.resolve("client.pem"),
        java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
            java.nio.file.attribute.PosixFilePermissions.fromString("rw-------")));
    Files.writeString(clientPem, Files.readString(kmip.clientCertificatePem()) + "\n"
        + Files.readString(kmip.clientKeyPem()));
    Files.copy(kmip.caPem(), dir.resolve("ca.pem"));
    String keyVault = "kmipdestroy" + System.nanoTime();
    Cli cli = Cli.withLocalKeys(mongo.connectionString(), dir, """
        , "keyVault": {"namespace": "%s.keys"},
        "tls": {"kmip": {"caFile": "ca.pem", "certificateKeyFile": "client.pem"}}
        """.formatted(keyVault));
    // kmip and kmip:b are the same server under two names.
    Files.writeString(cli.config, Files.readString(cli.config).replace("\"kmsProviders\": {",
        "\"kmsProviders\": {\"kmip\": {\"endpoint\": \"" + kmip.endpoint() + "\"}, \"kmip:b\":"
            + " {\"endpoint\": \"" + kmip.endpoint() + "\"}, ")
        .replace("\"tls\": {\"kmip\": {\"caFile\": \"ca.pem\", \"certificateKeyFile\": \"client.pem\"}}",
            "\"tls\": {\"kmip\": {\"caFile\": \"ca.pem\", \"certificateKeyFile\": \"client.pem\"},"
                + " \"kmip:b\": {\"caFile\": \"ca.pem\", \"certificateKeyFile\": \"client.pem\"}}"));

    BsonDocument a = json(cli.run("keys", "create", "--provider", "kmip", "--alt-name", "a",
        "--output", "json"));
    BsonDocument b = json(cli.run("keys", "create", "--provider", "kmip", "--alt-name", "b",
        "--output", "json"));
    String objectA = a.getDocument("masterKey").getString("keyId").getValue();
    String objectB = b.getDocument("masterKey").getString("keyId").getValue();
    // c shares a's KMIP object and is not moved: that object must survive.
    json(cli.run("keys", "create", "--provider", "kmip", "--alt-name", "c", "--master-key",
        "{\"keyId\": \"" + objectA + "\"}", "--output", "json"));
    // e's object is also named by f under the other provider name: it must survive too.
    BsonDocument e = json(cli.run("keys", "create", "--provider", "kmip", "--alt-name", "e",
        "--output", "json"));
    String objectE = e.getDocument("masterKey").getString("keyId").getValue();
    json(cli.run("keys", "create", "--provider", "kmip:b", "--alt-name", "f", "--master-key",
        "{\"keyId\": \"" + objectE + "\"}", "--output", "json"));
    String movedFilter = "{\"keyAltNames\": {\"$in\": [\"a\", \"b\", \"e\"]}}";

    Cli.Run noTarget = cli.run("keys", "rewrap", "--filter", movedFilter, "--destroy-old");
    assertThat(noTarget.exitCode()).isEqualTo(Fle4jCommand.INVALID_INPUT);
    assertThat(noTarget.err()).contains("--destroy-old").contains("--to-provider");

    BsonDocument dry = json(cli.run("keys", "rewrap", "--filter", movedFilter, "--to-provider",
        "local", "--destroy-old", "--dry-run", "--output", "json"));
    assertThat(results(dry)).containsExactlyInAnyOrderEntriesOf(Map.of(
        objectA, "kept: still wraps 1 key(s)", objectB, "would be revoked and destroyed",
        objectE, "kept: still wraps 1 key(s)"));

    try (MongoClient plain = MongoClients.create(mongo.connectionString())) {
      MongoCollection<BsonDocument> keys =
          plain.getDatabase(keyVault).getCollection("keys", BsonDocument.class);
      BsonDocument oldB = keys.find(new BsonDocument("keyAltNames", new BsonString("b"))).first();
      BsonDocument done = json(cli.run("keys", "rewrap", "--filter", movedFilter,
          "--to-provider", "local", "--destroy-old", "--output", "json"));
      assertThat(done.getInt32("rewrapped").getValue()).isEqualTo(3);
      assertThat(results(done)).containsExactlyInAnyOrderEntriesOf(Map.of(
          objectA, "kept: still wraps 1 key(s)", objectB, "revoked and destroyed",
          objectE, "kept: still wraps 1 key(s)"));

      // Every key in the vault is still readable; the old copy of b, wrapped by the destroyed
      // object, no longer is.
      assertThat(json(cli.run("keyvault", "verify", "--output", "json")).getBoolean("ok")
          .getValue()).isTrue();

      // A KMIP master key without keyId is malformed, and verifying it creates no KMIP object
      // (asking the provider to "complete" it would register one).
      BsonDocument incomplete = oldB.clone();
      incomplete.put("_id", new org.bson.BsonBinary(java.util.UUID.randomUUID()));
      incomplete.remove("keyAltNames");
      incomplete.getDocument("masterKey").remove("keyId");
      keys.insertOne(incomplete);
      Cli.Run verify = cli.run("keyvault", "verify", "--output", "json");
      assertThat(verify.exitCode()).isEqualTo(Fle4jCommand.KEY_VAULT_PROBLEMS);
      assertThat(BsonDocument.parse(verify.out()).getNumber("malformed").intValue()).isEqualTo(1);
      assertThat(verify.out()).contains("keyId");
      try (KmipKmsProvider provider = KmipKmsProvider.builder().endpoint(kmip.endpoint())
          .sslContext(kmip.clientSslContext()).build()) {
        assertThatThrownBy(() -> provider.decryptDataKey(oldB.getDocument("masterKey"),
            oldB.getBinary("keyMaterial").getData())).isInstanceOf(KmsProviderException.class);
      }
    }
  }

  private static Map<String, String> results(BsonDocument rewrap) {
    Map<String, String> out = new java.util.HashMap<>();
    BsonArray objects = rewrap.getArray("kmipObjects");
    for (BsonValue object : objects) {
      out.put(object.asDocument().getString("keyId").getValue(),
          object.asDocument().getString("result").getValue());
    }
    return out;
  }
}
