package io.fle4j.kms.azure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fle4j.ConfigurationException;
import io.fle4j.kms.KmsProvider;
import io.fle4j.kms.KmsProviderContractTest;
import io.fle4j.kms.KmsProviderException;
import io.fle4j.testkit.kms.http.RecordedHttpRequest;
import io.fle4j.testkit.kms.azure.AzureKeyVaultEmulator;
import java.time.Duration;
import java.util.List;
import org.bson.BsonDocument;
import org.bson.BsonInt32;
import org.bson.BsonString;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The Azure provider against the testkit's Key Vault emulator, credentials through azure-identity
 * (client secret, MSAL): the SPI contract, libmongocrypt's request shapes and stored masterKey,
 * key versions, the error messages, and retries with their request counts.
 */
class AzureKmsProviderTest extends KmsProviderContractTest {
  private static final String KEY = "fle4j-kek";
  private static AzureKeyVaultEmulator vault;
  private static AzureKeyVaultEmulator.App app;

  @BeforeAll
  static void startVault() {
    vault = AzureKeyVaultEmulator.start();
    vault.createKey(KEY);
    app = vault.registerApplication();
  }

  @AfterAll
  static void stopVault() {
    vault.close();
  }

  @BeforeEach
  void resetVault() {
    vault.faults().clear();
    vault.resetCounters();
    vault.restorePermissions(app);
  }

  @Override
  protected KmsProvider createProvider() {
    return builder().build();
  }

  private static AzureKmsProviderBuilder builder() {
    return AzureKmsProvider.builder()
        .clientSecret(app.tenantId(), app.clientId(), app.clientSecret())
        .identityPlatformEndpoint(vault.endpoint())
        .sslContext(vault.clientSslContext())
        .retryBackoff(Duration.ofMillis(10), Duration.ofMillis(50));
  }

  @Override
  protected BsonDocument validMasterKeyOptions() {
    return masterKey(KEY);
  }

  private static BsonDocument masterKey(String name) {
    return new BsonDocument("keyVaultEndpoint", new BsonString(vault.endpoint()))
        .append("keyName", new BsonString(name));
  }

  @Override
  protected Iterable<String> secrets() {
    return List.of(app.clientSecret());
  }

  @Test
  void masterKey_httpsUrlWithPath_storedAsHostAndPortInLibmongocryptOrder() {
    BsonDocument stored = provider.masterKey(new BsonDocument()
        .append("keyVersion", new BsonString("0123abcd"))
        .append("keyName", new BsonString("k1"))
        .append("keyVaultEndpoint", new BsonString("https://my-vault.vault.azure.net/keys/")));
    assertThat(stored.keySet()).containsExactly("provider", "keyVaultEndpoint", "keyName",
        "keyVersion");
    assertThat(stored.getString("keyVaultEndpoint").getValue()).isEqualTo("my-vault.vault.azure.net");
    assertThat(provider.masterKey(masterKey(KEY)).keySet())
        .containsExactly("provider", "keyVaultEndpoint", "keyName");
  }

  @Test
  void masterKey_badFields_areRefusedNamingTheField() {
    assertThatThrownBy(() -> provider.masterKey(new BsonDocument("keyName", new BsonString("k"))))
        .isInstanceOf(ConfigurationException.class).hasMessageContaining("masterKey.keyVaultEndpoint")
        .hasMessageContaining("required");
    assertThatThrownBy(() -> provider.masterKey(masterKey("k").append("keyVaultEndpoint",
        new BsonString("localhost:8443"))))
        .isInstanceOf(ConfigurationException.class).hasMessageContaining("with a dot");
    assertThatThrownBy(() -> provider.masterKey(masterKey("../../secrets")))
        .isInstanceOf(ConfigurationException.class).hasMessageContaining("masterKey.keyName");
    assertThatThrownBy(() -> provider.masterKey(masterKey("k").append("keyVersion",
        new BsonInt32(1))))
        .isInstanceOf(ConfigurationException.class).hasMessageContaining("masterKey.keyVersion");
    assertThatThrownBy(() -> provider.masterKey(masterKey("k").append("provider",
        new BsonString("azure:other"))))
        .isInstanceOf(ConfigurationException.class).hasMessageContaining("masterKey.provider");
  }

  @Test
  void encryptDataKey_sendsLibmongocryptsRequestShape_andOneTokenServesManyCalls() {
    BsonDocument masterKey = provider.masterKey(masterKey(KEY));
    byte[] material = provider.encryptDataKey(masterKey, randomDataKey());
    provider.decryptDataKey(masterKey, material);
    provider.encryptDataKey(masterKey, randomDataKey());

    assertThat(material).hasSize(256); // RSA-2048, as corpus-key-azure.json
    List<RecordedHttpRequest> requests = vault.requests();
    assertThat(requests).extracting(RecordedHttpRequest::operation)
        .containsExactly("token", "wrapkey", "unwrapkey", "wrapkey");
    assertThat(requests.get(0).path()).isEqualTo("/" + app.tenantId() + "/oauth2/v2.0/token");
    assertThat(requests.get(1).path()).isEqualTo("/keys/" + KEY + "//wrapkey");
    assertThat(requests.get(1).query()).isEqualTo("api-version=7.1");
    assertThat(requests.get(2).path()).isEqualTo("/keys/" + KEY + "//unwrapkey");
  }

  @Test
  void keyVersion_afterRotation_versionedKeysStillUnwrap_unversionedOnesFailLikeAzure() {
    String name = "rotating-kek";
    String v1 = vault.createKey(name);
    BsonDocument pinned = provider.masterKey(masterKey(name).append("keyVersion", new BsonString(v1)));
    BsonDocument current = provider.masterKey(masterKey(name));
    byte[] dataKey = randomDataKey();
    byte[] pinnedMaterial = provider.encryptDataKey(pinned, dataKey);
    byte[] currentMaterial = provider.encryptDataKey(current, dataKey);

    vault.createKey(name); // a new version becomes current

    assertThat(provider.decryptDataKey(pinned, pinnedMaterial)).isEqualTo(dataKey);
    assertThat(vault.requests().get(vault.requests().size() - 1).path())
        .isEqualTo("/keys/" + name + "/" + v1 + "/unwrapkey");
    assertThatThrownBy(() -> provider.decryptDataKey(current, currentMaterial))
        .isInstanceOf(KmsProviderException.class)
        .hasMessageContaining("HTTP 400 BadParameter")
        .hasMessageContaining("key '" + name + "'");
  }

  @Test
  void unknownKeyOrVersion_failsWith404NamingVaultAndKey_withoutRetry() {
    BsonDocument missing = provider.masterKey(masterKey("no-such-key"));
    assertThatThrownBy(() -> provider.encryptDataKey(missing, randomDataKey()))
        .isInstanceOf(KmsProviderException.class)
        .hasMessageContaining("HTTP 404 KeyNotFound")
        .hasMessageContaining("key 'no-such-key'")
        .hasMessageContaining("vault '" + vault.endpoint() + "'")
        .satisfies(e -> assertThat(((KmsProviderException) e).isRetryable()).isFalse());
    BsonDocument wrongVersion = provider.masterKey(masterKey(KEY)
        .append("keyVersion", new BsonString("00000000000000000000000000000000")));
    assertThatThrownBy(() -> provider.encryptDataKey(wrongVersion, randomDataKey()))
        .hasMessageContaining("404").hasMessageContaining("version '0000");
    assertThat(vault.requestCount("wrapkey")).isEqualTo(2);
  }

  @Test
  void disabledKey_failsWith403KeyDisabled() {
    String name = "disabled-kek";
    vault.createKey(name);
    vault.setKeyEnabled(name, null, false);
    assertThatThrownBy(() -> provider.encryptDataKey(provider.masterKey(masterKey(name)),
        randomDataKey()))
        .isInstanceOf(KmsProviderException.class)
        .hasMessageContaining("HTTP 403 Forbidden/KeyDisabled")
        .hasMessageContaining("disabled");
    assertThat(vault.requestCount("wrapkey")).isEqualTo(1);
  }

  @Test
  void missingPermission_failsWith403NamingThePermission_andNoSecret() {
    BsonDocument masterKey = provider.masterKey(masterKey(KEY));
    byte[] material = provider.encryptDataKey(masterKey, randomDataKey());
    vault.denyPermissions(app, "unwrapKey");
    assertThatThrownBy(() -> provider.decryptDataKey(masterKey, material))
        .isInstanceOf(KmsProviderException.class)
        .hasMessageContaining("HTTP 403 Forbidden/AccessDenied")
        .hasMessageContaining("'unwrapKey'")
        .satisfies(e -> assertNoSecretIn(e.getMessage()));
  }

  @Test
  void serverErrors_areRetried_untilSuccess() {
    vault.faults().failNext("wrapkey", 2, 503, "ServiceUnavailable");
    byte[] material = provider.encryptDataKey(provider.masterKey(masterKey(KEY)), randomDataKey());
    assertThat(material).hasSize(256);
    assertThat(vault.requestCount("wrapkey")).isEqualTo(3);
  }

  @Test
  void serverErrors_pastMaxAttempts_failRetryableAfterThreeAttempts() {
    vault.faults().failNext("unwrapkey", 5, 500, "InternalServerError");
    BsonDocument masterKey = provider.masterKey(masterKey(KEY));
    byte[] material = provider.encryptDataKey(masterKey, randomDataKey());
    assertThatThrownBy(() -> provider.decryptDataKey(masterKey, material))
        .isInstanceOf(KmsProviderException.class)
        .hasMessageContaining("after 3 attempts")
        .hasMessageContaining("HTTP 500 InternalServerError")
        .satisfies(e -> assertThat(((KmsProviderException) e).isRetryable()).isTrue());
    assertThat(vault.requestCount("unwrapkey")).isEqualTo(3);
  }

  @Test
  void throttling_honoursRetryAfter() {
    try (KmsProvider patient = builder().retryBackoff(Duration.ofMillis(10), Duration.ofSeconds(5))
        .build()) {
      BsonDocument masterKey = patient.masterKey(masterKey(KEY));
      patient.encryptDataKey(masterKey, randomDataKey()); // token fetched outside the timing
      vault.resetCounters();
      vault.faults().throttleNext(1, Duration.ofSeconds(1));
      long start = System.nanoTime();
      patient.encryptDataKey(masterKey, randomDataKey());
      long elapsedMillis = (System.nanoTime() - start) / 1_000_000;
      assertThat(elapsedMillis).isGreaterThanOrEqualTo(950);
      assertThat(vault.requests()).extracting(RecordedHttpRequest::status)
          .containsExactly(429, 200);
    }
  }

  @Test
  void retryAfter_isCappedByTheMaximumBackoff() {
    vault.faults().throttleNext(1, Duration.ofSeconds(30));
    long start = System.nanoTime();
    provider.encryptDataKey(provider.masterKey(masterKey(KEY)), randomDataKey());
    assertThat((System.nanoTime() - start) / 1_000_000).isLessThan(5_000);
  }

  @Test
  void droppedConnection_isRetried() {
    provider.encryptDataKey(provider.masterKey(masterKey(KEY)), randomDataKey());
    vault.resetCounters();
    vault.faults().dropNextConnections("wrapkey", 1);
    int[] attempts = {0};
    byte[] wrapped = io.fle4j.kms.KmsAttempts.counting(
        () -> provider.encryptDataKey(provider.masterKey(masterKey(KEY)), randomDataKey()),
        sent -> attempts[0] = sent);
    assertThat(wrapped).hasSize(256);
    assertThat(vault.requestCount("wrapkey")).isEqualTo(2);
    assertThat(attempts[0]).as("requests reported to KmsAttempts").isEqualTo(2);
  }

  @Test
  void maxAttemptsOne_disablesRetries() {
    try (KmsProvider once = builder().maxAttempts(1).build()) {
      vault.faults().failNext("wrapkey", 1, 503, "ServiceUnavailable");
      assertThatThrownBy(() -> once.encryptDataKey(once.masterKey(masterKey(KEY)), randomDataKey()))
          .isInstanceOf(KmsProviderException.class).hasMessageContaining("HTTP 503")
          .satisfies(e -> assertThat(((KmsProviderException) e).isRetryable()).isTrue());
      assertThat(vault.requestCount("wrapkey")).isEqualTo(1);
    }
  }

  @Test
  void slowVault_attemptTimeoutThenRetry_failsWithinTheCallTimeout() {
    try (KmsProvider impatient = AzureKmsProvider.builder()
        .accessToken(vault.issueAccessToken(app))
        .sslContext(vault.clientSslContext())
        .attemptTimeout(Duration.ofMillis(300))
        .retryBackoff(Duration.ofMillis(10), Duration.ofMillis(20))
        .maxAttempts(2)
        .build()) {
      vault.faults().latency(Duration.ofMillis(1500));
      long start = System.nanoTime();
      assertThatThrownBy(() -> impatient.encryptDataKey(impatient.masterKey(masterKey(KEY)),
          randomDataKey()))
          .isInstanceOf(KmsProviderException.class)
          .hasMessageContaining("after 2 attempts")
          .satisfies(e -> assertThat(((KmsProviderException) e).isRetryable()).isTrue());
      assertThat((System.nanoTime() - start) / 1_000_000).isLessThan(1400);
    }
  }

  @Test
  void untrustedCertificate_failsWithoutRetry_pointingAtTheSslContext() {
    try (KmsProvider untrusting = AzureKmsProvider.builder()
        .accessToken(vault.issueAccessToken(app)).build()) {
      assertThatThrownBy(() -> untrusting.encryptDataKey(untrusting.masterKey(masterKey(KEY)),
          randomDataKey()))
          .isInstanceOf(KmsProviderException.class)
          .hasMessageContaining("kmsProviderSslContextMap")
          .satisfies(e -> assertThat(((KmsProviderException) e).isRetryable()).isFalse());
    }
  }

  @Test
  void builder_rejectsBadSettings() {
    assertThatThrownBy(() -> AzureKmsProvider.builder().name("aws:x"))
        .isInstanceOf(ConfigurationException.class);
    assertThatThrownBy(() -> AzureKmsProvider.builder().maxAttempts(0))
        .isInstanceOf(ConfigurationException.class).hasMessageContaining("maxAttempts");
    assertThatThrownBy(() -> AzureKmsProvider.builder().clientSecret("bad tenant/", "c", "s"))
        .isInstanceOf(ConfigurationException.class).hasMessageContaining("tenantId");
    assertThatThrownBy(() -> AzureKmsProvider.builder().identityPlatformEndpoint("nodot"))
        .isInstanceOf(ConfigurationException.class).hasMessageContaining("identityPlatformEndpoint");
    assertThatThrownBy(() -> AzureKmsProvider.builder().retryBackoff(Duration.ofSeconds(2),
        Duration.ofSeconds(1))).isInstanceOf(ConfigurationException.class);
  }

  @Test
  void builderFromExisting_keepsSettings() {
    AzureKmsProvider original = builder().name("azure:copy").build();
    AzureKmsProvider copy = AzureKmsProvider.builder(original).build();
    assertThat(copy.name().toString()).isEqualTo("azure:copy");
    BsonDocument masterKey = copy.masterKey(masterKey(KEY));
    byte[] dataKey = randomDataKey();
    assertThat(copy.decryptDataKey(masterKey, original.encryptDataKey(masterKey, dataKey)))
        .isEqualTo(dataKey);
    assertThat(copy.toString()).contains("azure:copy").doesNotContain(app.clientSecret());
  }
}
