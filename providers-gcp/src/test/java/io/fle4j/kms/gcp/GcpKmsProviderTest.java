package io.fle4j.kms.gcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fle4j.ConfigurationException;
import io.fle4j.kms.KmsProvider;
import io.fle4j.kms.KmsProviderContractTest;
import io.fle4j.kms.KmsProviderException;
import io.fle4j.testkit.kms.http.RecordedHttpRequest;
import io.fle4j.testkit.kms.gcp.GcpKmsEmulator;
import java.time.Duration;
import java.util.List;
import org.bson.BsonDocument;
import org.bson.BsonString;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The GCP provider against the testkit's Cloud KMS emulator, credentials through
 * google-auth-library (service account, JWT-bearer): the SPI contract, libmongocrypt's request
 * paths and stored masterKey, versions, CRC32C integrity, error messages and retries.
 */
class GcpKmsProviderTest extends KmsProviderContractTest {
  private static GcpKmsEmulator kms;
  private static GcpKmsEmulator.CryptoKey key;

  @BeforeAll
  static void startKms() {
    kms = GcpKmsEmulator.start();
    key = kms.createKey("global", "fle4j-ring", "fle4j-kek");
  }

  @AfterAll
  static void stopKms() {
    kms.close();
  }

  @BeforeEach
  void resetKms() {
    kms.faults().clear();
    kms.resetCounters();
    kms.restoreAccess(kms.serviceAccount());
  }

  @Override
  protected KmsProvider createProvider() {
    return builder().build();
  }

  private static GcpKmsProviderBuilder builder() {
    return GcpKmsProvider.builder()
        .serviceAccount(kms.serviceAccount().email(), kms.serviceAccount().privateKeyBase64())
        .tokenEndpoint(kms.endpoint())
        .sslContext(kms.clientSslContext())
        .retryBackoff(Duration.ofMillis(10), Duration.ofMillis(50));
  }

  @Override
  protected BsonDocument validMasterKeyOptions() {
    return key.masterKey();
  }

  @Override
  protected Iterable<String> secrets() {
    String der = kms.serviceAccount().privateKeyBase64();
    return List.of(der.substring(100, 140));
  }

  @Test
  void masterKey_storedInLibmongocryptOrder_endpointReducedToHostAndPort() {
    BsonDocument options = new BsonDocument("endpoint", new BsonString("https://kms.example.com:443/v1"))
        .append("keyVersion", new BsonString("3"))
        .append("keyName", new BsonString("k"))
        .append("keyRing", new BsonString("r"))
        .append("location", new BsonString("us-east1"))
        .append("projectId", new BsonString("p"));
    BsonDocument stored = provider.masterKey(options);
    assertThat(stored.keySet()).containsExactly("provider", "projectId", "location", "keyRing",
        "keyName", "keyVersion", "endpoint");
    assertThat(stored.getString("endpoint").getValue()).isEqualTo("kms.example.com:443");
  }

  @Test
  void masterKey_badFields_areRefusedNamingTheField() {
    BsonDocument noRing = key.masterKey();
    noRing.remove("keyRing");
    assertThatThrownBy(() -> provider.masterKey(noRing))
        .isInstanceOf(ConfigurationException.class).hasMessageContaining("masterKey.keyRing");
    BsonDocument slash = key.masterKey().append("keyName", new BsonString("k/../../x"));
    assertThatThrownBy(() -> provider.masterKey(slash))
        .isInstanceOf(ConfigurationException.class).hasMessageContaining("masterKey.keyName");
    BsonDocument noDot = key.masterKey().append("endpoint", new BsonString("localhost:443"));
    assertThatThrownBy(() -> provider.masterKey(noDot))
        .isInstanceOf(ConfigurationException.class).hasMessageContaining("masterKey.endpoint");
  }

  @Test
  void requests_followLibmongocrypt_versionOnEncryptOnly_andOneTokenServesAll() {
    String v2 = kms.createKeyVersion(key);
    BsonDocument versioned = provider.masterKey(key.masterKey(v2));
    byte[] dataKey = randomDataKey();
    byte[] material = provider.encryptDataKey(versioned, dataKey);
    assertThat(provider.decryptDataKey(versioned, material)).isEqualTo(dataKey);

    List<RecordedHttpRequest> requests = kms.requests();
    assertThat(requests).extracting(RecordedHttpRequest::operation)
        .containsExactly("token", "encrypt", "decrypt");
    assertThat(requests.get(1).path()).isEqualTo("/v1/" + key.resourceName()
        + "/cryptoKeyVersions/" + v2 + ":encrypt");
    assertThat(requests.get(2).path()).isEqualTo("/v1/" + key.resourceName() + ":decrypt");
  }

  @Test
  void primaryVersionRotation_oldCiphertextsStillDecrypt() {
    GcpKmsEmulator.CryptoKey rotating = kms.createKey("global", "fle4j-ring", "rotating");
    BsonDocument masterKey = provider.masterKey(rotating.masterKey());
    byte[] dataKey = randomDataKey();
    byte[] underV1 = provider.encryptDataKey(masterKey, dataKey);
    kms.setPrimaryVersion(rotating, kms.createKeyVersion(rotating));
    byte[] underV2 = provider.encryptDataKey(masterKey, dataKey);
    assertThat(provider.decryptDataKey(masterKey, underV1)).isEqualTo(dataKey);
    assertThat(provider.decryptDataKey(masterKey, underV2)).isEqualTo(dataKey);
  }

  @Test
  void disabledVersion_failsWithFailedPrecondition_withoutRetry() {
    GcpKmsEmulator.CryptoKey disabled = kms.createKey("global", "fle4j-ring", "disabled");
    BsonDocument masterKey = provider.masterKey(disabled.masterKey());
    byte[] material = provider.encryptDataKey(masterKey, randomDataKey());
    kms.setVersionEnabled(disabled, "1", false);
    assertThatThrownBy(() -> provider.decryptDataKey(masterKey, material))
        .isInstanceOf(KmsProviderException.class)
        .hasMessageContaining("HTTP 400 FAILED_PRECONDITION")
        .hasMessageContaining("not enabled");
    assertThat(kms.requestCount("decrypt")).isEqualTo(1);
  }

  @Test
  void unknownKeyOrVersion_failsWith404NamingTheKey() {
    BsonDocument missing = provider.masterKey(key.masterKey().append("keyName",
        new BsonString("nope")));
    assertThatThrownBy(() -> provider.encryptDataKey(missing, randomDataKey()))
        .isInstanceOf(KmsProviderException.class)
        .hasMessageContaining("HTTP 404 NOT_FOUND")
        .hasMessageContaining("cryptoKeys/nope")
        .hasMessageContaining("check projectId")
        .satisfies(e -> assertThat(((KmsProviderException) e).isRetryable()).isFalse());
    BsonDocument badVersion = provider.masterKey(key.masterKey("99"));
    assertThatThrownBy(() -> provider.encryptDataKey(badVersion, randomDataKey()))
        .hasMessageContaining("404").hasMessageContaining("keyVersion");
    assertThat(kms.requestCount("encrypt")).isEqualTo(2);
  }

  @Test
  void permissionDenied_failsWith403NamingThePermission() {
    kms.denyAccess(kms.serviceAccount());
    assertThatThrownBy(() -> provider.encryptDataKey(provider.masterKey(key.masterKey()),
        randomDataKey()))
        .isInstanceOf(KmsProviderException.class)
        .hasMessageContaining("HTTP 403 PERMISSION_DENIED")
        .hasMessageContaining("cloudkms.cryptoKeyVersions.useToEncrypt");
  }

  @Test
  void corruptedCiphertext_isDetectedByCrc32c_andRetried() {
    kms.corruptNextResponses(1, GcpKmsEmulator.Corruption.PAYLOAD_BIT_FLIP);
    BsonDocument masterKey = provider.masterKey(key.masterKey());
    byte[] dataKey = randomDataKey();
    byte[] material = provider.encryptDataKey(masterKey, dataKey);
    assertThat(kms.requestCount("encrypt")).isEqualTo(2);
    kms.corruptNextResponses(1, GcpKmsEmulator.Corruption.PAYLOAD_BIT_FLIP);
    assertThat(provider.decryptDataKey(masterKey, material)).isEqualTo(dataKey);
    assertThat(kms.requestCount("decrypt")).isEqualTo(2);
  }

  @Test
  void corruptionEveryTime_failsRetryableNamingTheChecksum() {
    kms.corruptNextResponses(3, GcpKmsEmulator.Corruption.UNVERIFIED_PLAINTEXT_CHECKSUM);
    assertThatThrownBy(() -> provider.encryptDataKey(provider.masterKey(key.masterKey()),
        randomDataKey()))
        .isInstanceOf(KmsProviderException.class)
        .hasMessageContaining("after 3 attempts")
        .hasMessageContaining("verifiedPlaintextCrc32c")
        .satisfies(e -> assertThat(((KmsProviderException) e).isRetryable()).isTrue());
  }

  @Test
  void replyForAnotherKey_isRefusedWithoutRetry() {
    kms.corruptNextResponses(1, GcpKmsEmulator.Corruption.WRONG_KEY_NAME);
    assertThatThrownBy(() -> provider.encryptDataKey(provider.masterKey(key.masterKey()),
        randomDataKey()))
        .isInstanceOf(KmsProviderException.class)
        .hasMessageContaining("refusing the reply")
        .satisfies(e -> assertThat(((KmsProviderException) e).isRetryable()).isFalse());
    assertThat(kms.requestCount("encrypt")).isEqualTo(1);
  }

  @Test
  void serverErrors_areRetried_untilSuccess_orThreeAttempts() {
    kms.faults().failNext("encrypt", 2, 503, "UNAVAILABLE");
    BsonDocument masterKey = provider.masterKey(key.masterKey());
    byte[] material = provider.encryptDataKey(masterKey, randomDataKey());
    assertThat(kms.requestCount("encrypt")).isEqualTo(3);
    kms.faults().failNext("decrypt", 5, 500, "INTERNAL");
    assertThatThrownBy(() -> provider.decryptDataKey(masterKey, material))
        .isInstanceOf(KmsProviderException.class)
        .hasMessageContaining("after 3 attempts").hasMessageContaining("HTTP 500 INTERNAL")
        .satisfies(e -> assertThat(((KmsProviderException) e).isRetryable()).isTrue());
    assertThat(kms.requestCount("decrypt")).isEqualTo(3);
  }

  @Test
  void throttling_honoursRetryAfter() {
    try (KmsProvider patient = builder().retryBackoff(Duration.ofMillis(10), Duration.ofSeconds(5))
        .build()) {
      BsonDocument masterKey = patient.masterKey(key.masterKey());
      patient.encryptDataKey(masterKey, randomDataKey());
      kms.resetCounters();
      kms.faults().throttleNext(1, Duration.ofSeconds(1));
      long start = System.nanoTime();
      patient.encryptDataKey(masterKey, randomDataKey());
      assertThat((System.nanoTime() - start) / 1_000_000).isGreaterThanOrEqualTo(950);
      assertThat(kms.requests()).extracting(RecordedHttpRequest::status)
          .containsExactly(429, 200);
    }
  }

  @Test
  void droppedConnection_isRetried_butNotWithMaxAttemptsOne() {
    BsonDocument masterKey = provider.masterKey(key.masterKey());
    provider.encryptDataKey(masterKey, randomDataKey());
    kms.resetCounters();
    kms.faults().dropNextConnections("encrypt", 1);
    int[] attempts = {0};
    io.fle4j.kms.KmsAttempts.counting(() -> provider.encryptDataKey(masterKey, randomDataKey()),
        sent -> attempts[0] = sent);
    assertThat(kms.requestCount("encrypt")).isEqualTo(2);
    assertThat(attempts[0]).as("requests reported to KmsAttempts").isEqualTo(2);

    try (KmsProvider once = builder().maxAttempts(1).build()) {
      kms.resetCounters();
      kms.faults().failNext("encrypt", 1, 503, "UNAVAILABLE");
      assertThatThrownBy(() -> once.encryptDataKey(masterKey, randomDataKey()))
          .isInstanceOf(KmsProviderException.class).hasMessageContaining("HTTP 503");
      assertThat(kms.requestCount("encrypt")).isEqualTo(1);
    }
  }

  @Test
  void slowKms_attemptTimeout_isRetriedThenFails() {
    try (KmsProvider impatient = GcpKmsProvider.builder()
        .accessToken(kms.issueAccessToken(kms.serviceAccount(), Duration.ofMinutes(5)))
        .sslContext(kms.clientSslContext())
        .attemptTimeout(Duration.ofMillis(300))
        .retryBackoff(Duration.ofMillis(10), Duration.ofMillis(20))
        .maxAttempts(2).build()) {
      kms.faults().latency(Duration.ofMillis(1500));
      long start = System.nanoTime();
      assertThatThrownBy(() -> impatient.encryptDataKey(impatient.masterKey(key.masterKey()),
          randomDataKey()))
          .isInstanceOf(KmsProviderException.class)
          .hasMessageContaining("after 2 attempts")
          .hasMessageContaining("attempt timeout");
      assertThat((System.nanoTime() - start) / 1_000_000).isLessThan(1400);
    }
  }

  @Test
  void untrustedCertificate_failsWithoutRetry() {
    try (KmsProvider untrusting = GcpKmsProvider.builder()
        .accessToken(kms.issueAccessToken(kms.serviceAccount(), Duration.ofMinutes(5))).build()) {
      assertThatThrownBy(() -> untrusting.encryptDataKey(untrusting.masterKey(key.masterKey()),
          randomDataKey()))
          .isInstanceOf(KmsProviderException.class)
          .hasMessageContaining("kmsProviderSslContextMap")
          .satisfies(e -> assertThat(((KmsProviderException) e).isRetryable()).isFalse());
    }
  }

  @Test
  void builderFromExisting_keepsSettings() {
    GcpKmsProvider original = builder().name("gcp:copy").build();
    GcpKmsProvider copy = GcpKmsProvider.builder(original).build();
    BsonDocument masterKey = copy.masterKey(key.masterKey());
    assertThat(masterKey.getString("provider").getValue()).isEqualTo("gcp:copy");
    byte[] dataKey = randomDataKey();
    assertThat(copy.decryptDataKey(masterKey, original.encryptDataKey(masterKey, dataKey)))
        .isEqualTo(dataKey);
    assertThatThrownBy(() -> GcpKmsProvider.builder().name("azure"))
        .isInstanceOf(ConfigurationException.class);
  }
}
