package io.fle4j.kms.kmip;

import static org.assertj.core.api.Assertions.assertThat;

import io.fle4j.kms.KmsProvider;
import io.fle4j.kms.KmsProviderConfig;
import io.fle4j.kms.KmsProviderContractTest;
import io.fle4j.kms.KmsProviderName;
import io.fle4j.testkit.kms.kmip.PyKmipServer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.bson.BsonBoolean;
import org.bson.BsonDocument;
import org.bson.BsonString;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The SPI contract and both modes against a real KMIP server: PyKMIP, started with throwaway
 * certificates (skipped with a message when pykmip-server is not installed, failed under CI).
 */
class KmipKmsProviderTest extends KmsProviderContractTest {
  @TempDir static Path dir;
  static Optional<PyKmipServer> started = Optional.empty();
  static PyKmipServer kmip;

  @BeforeAll
  static void startServer() {
    started = PyKmipServer.startIfInstalled(dir);
    kmip = started.orElse(null);
  }

  @BeforeEach
  void requireServer() {
    PyKmipServer.orAbort(started); // each test shows as skipped when it is not installed
  }

  @AfterAll
  static void stopServer() {
    started.ifPresent(PyKmipServer::close);
  }

  @Override
  protected KmsProvider createProvider() {
    if (kmip == null) {
      // Runs before requireServer skips the test; a provider that never connects stands in.
      return KmipKmsProvider.builder().endpoint("127.0.0.1").build();
    }
    return PyKmipFixture.provider(kmip, kmip.clientSslContext());
  }

  @Override
  protected BsonDocument validMasterKeyOptions() {
    return new BsonDocument();
  }

  @Override
  protected Iterable<String> secrets() {
    String key = Base64.getEncoder()
        .encodeToString(kmip.clientIdentity().privateKey().getEncoded());
    return List.of(key, key.substring(key.length() - 24));
  }

  @Test
  void encryptDataKey_defaultMode_gives160BytesAndStoresProviderAndKeyId() {
    BsonDocument masterKey = provider.masterKey(new BsonDocument());
    byte[] dataKey = randomDataKey();

    byte[] material = provider.encryptDataKey(masterKey, dataKey);

    assertThat(material).hasSize(160);
    assertThat(masterKey.keySet()).containsExactly("provider", "keyId");
    assertThat(provider.decryptDataKey(masterKey, material)).isEqualTo(dataKey);
  }

  @Test
  void encryptDataKey_delegated_gives128BytesThatTheServerDecrypts() {
    BsonDocument masterKey = provider.masterKey(new BsonDocument("delegated", BsonBoolean.TRUE));
    byte[] dataKey = randomDataKey();

    byte[] material = provider.encryptDataKey(masterKey, dataKey);

    assertThat(material).hasSize(128);
    assertThat(masterKey.keySet()).containsExactly("provider", "delegated", "keyId");
    assertThat(provider.decryptDataKey(masterKey, material)).isEqualTo(dataKey);
    assertThat(provider.encryptDataKey(masterKey, dataKey)).as("fresh IV each time")
        .isNotEqualTo(material);
  }

  @Test
  void masterKey_existingKeyIdAndEndpoint_areUsedAsGiven() {
    String keyId = provider.masterKey(new BsonDocument()).getString("keyId").getValue();
    BsonDocument masterKey = provider.masterKey(new BsonDocument("keyId", new BsonString(keyId))
        .append("endpoint", new BsonString(kmip.endpoint())));
    byte[] dataKey = randomDataKey();

    byte[] material = provider.encryptDataKey(masterKey, dataKey);

    assertThat(masterKey.toJson()).isEqualTo("{\"provider\": \"kmip\", \"endpoint\": \""
        + kmip.endpoint() + "\", \"keyId\": \"" + keyId + "\"}");
    assertThat(provider.decryptDataKey(masterKey, material)).isEqualTo(dataKey);
  }

  @Test
  void build_fromPemFiles_talksToTheServer() {
    try (KmsProvider fromPem = KmipKmsProvider.builder()
        .endpoint(kmip.endpoint())
        .clientCertificatePem(kmip.clientCertificatePem())
        .clientKeyPem(kmip.clientKeyPem())
        .trustedCaPem(kmip.caPem())
        .build()) {
      BsonDocument masterKey = fromPem.masterKey(new BsonDocument());
      byte[] dataKey = randomDataKey();
      byte[] material = fromPem.encryptDataKey(masterKey, dataKey);
      // The same client certificate owns the object, so the other provider reads it too.
      assertThat(provider.decryptDataKey(masterKey, material)).isEqualTo(dataKey);
      assertThat(fromPem.toString()).contains("tls=pem");
    }
  }

  @Test
  void factory_mapEntryWithSslContext_talksToTheServer() {
    KmsProvider fromMap = new KmipKmsProviderFactory().create(new KmsProviderConfig(
        KmsProviderName.parse("kmip:main"), Map.of("endpoint", kmip.endpoint()),
        kmip.clientSslContext()));
    try (fromMap) {
      BsonDocument masterKey = fromMap.masterKey(new BsonDocument("delegated", BsonBoolean.TRUE));
      byte[] dataKey = randomDataKey();

      byte[] material = fromMap.encryptDataKey(masterKey, dataKey);

      assertThat(masterKey.getString("provider").getValue()).isEqualTo("kmip:main");
      assertThat(fromMap.decryptDataKey(masterKey, material)).isEqualTo(dataKey);
    }
  }

  @Test
  void calls_manyInARow_reuseOneConnection() {
    KmipConnectionPool pool = PyKmipFixture.pool(kmip.clientSslContext());
    try (KmipKmsProvider pooled = KmipKmsProvider.withTransport("kmip", kmip.endpoint(), pool)) {
      BsonDocument masterKey = pooled.masterKey(new BsonDocument());
      byte[] material = pooled.encryptDataKey(masterKey, randomDataKey());
      for (int i = 0; i < 20; i++) {
        pooled.decryptDataKey(masterKey, material);
      }
      assertThat(pool.connectionsOpened()).isEqualTo(1);
    }
  }

  @Test
  void decryptDataKey_eightThreadsAtOnce_allSucceedWithAFewConnections() throws Exception {
    KmipConnectionPool pool = PyKmipFixture.pool(kmip.clientSslContext());
    ExecutorService threads = Executors.newFixedThreadPool(8);
    try (KmipKmsProvider pooled = KmipKmsProvider.withTransport("kmip", kmip.endpoint(), pool)) {
      BsonDocument masterKey = pooled.masterKey(new BsonDocument("delegated", BsonBoolean.TRUE));
      byte[] dataKey = randomDataKey();
      byte[] material = pooled.encryptDataKey(masterKey, dataKey);
      List<Future<byte[]>> results = new ArrayList<>();
      for (int i = 0; i < 40; i++) {
        results.add(threads.submit(() -> pooled.decryptDataKey(masterKey, material)));
      }
      for (Future<byte[]> result : results) {
        assertThat(result.get()).isEqualTo(dataKey);
      }
      assertThat(pool.connectionsOpened()).isBetween(1, 9);
      assertThat(pool.idleConnections(PyKmipFixture.endpoint(kmip))).isBetween(1, 4);
    } finally {
      threads.shutdownNow();
    }
  }
}
