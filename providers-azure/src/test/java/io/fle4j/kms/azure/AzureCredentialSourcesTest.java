package io.fle4j.kms.azure;

import io.fle4j.testkit.MutableClock;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.azure.core.credential.AccessToken;
import com.azure.core.credential.TokenCredential;
import com.azure.core.util.Configuration;
import com.azure.core.util.ConfigurationBuilder;
import com.azure.identity.ClientSecretCredentialBuilder;
import io.fle4j.kms.KmsProvider;
import io.fle4j.kms.KmsProviderException;
import io.fle4j.testkit.kms.azure.AzureKeyVaultEmulator;
import java.io.IOException;
import java.net.ServerSocket;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.bson.BsonDocument;
import org.bson.BsonString;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;

/**
 * Every way the Azure provider gets a token, each driven end to end against the emulator:
 * client secret (MSAL), a fixed access token, any TokenCredential, and DefaultAzureCredential's
 * environment and managed identity sources (fed through an azure-core Configuration, and for
 * managed identity the emulator's IMDS endpoint on a fixed loopback port). Also token caching,
 * expiry and refresh, and bad credentials.
 *
 * <p>Not driven in-JVM: workload identity. azure-identity 1.15's client-assertion path (inside
 * DefaultAzureCredential or as WorkloadIdentityCredential) does not use the HTTP client it is
 * given and so trusts only the JDK's default CAs, never the emulator's; the emulator's side of
 * that flow (a federated {@code client_assertion}) is covered by AzureKeyVaultEmulatorTest.
 */
class AzureCredentialSourcesTest {
  private static final String KEY = "cred-kek";
  /** Must match AZURE_POD_IDENTITY_AUTHORITY_HOST in this module's surefire configuration. */
  private static final int IMDS_PORT = 47913;
  private static final SecureRandom RANDOM = new SecureRandom();

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
  void reset() {
    vault.faults().clear();
    vault.resetCounters();
    vault.tokenLifetime(Duration.ofSeconds(3599));
  }

  private static BsonDocument masterKey() {
    return new BsonDocument("keyVaultEndpoint", new BsonString(vault.endpoint()))
        .append("keyName", new BsonString(KEY));
  }

  private static byte[] dataKey() {
    byte[] key = new byte[96];
    RANDOM.nextBytes(key);
    return key;
  }

  private static void roundTrip(KmsProvider provider) {
    BsonDocument masterKey = provider.masterKey(masterKey());
    byte[] dataKey = dataKey();
    assertThat(provider.decryptDataKey(masterKey, provider.encryptDataKey(masterKey, dataKey)))
        .isEqualTo(dataKey);
  }

  private static AzureKmsProviderBuilder clientSecret(AzureKeyVaultEmulator.App who) {
    return AzureKmsProvider.builder()
        .clientSecret(who.tenantId(), who.clientId(), who.clientSecret())
        .identityPlatformEndpoint(vault.endpoint())
        .sslContext(vault.clientSslContext())
        .retryBackoff(Duration.ofMillis(10), Duration.ofMillis(50));
  }

  @Test
  void clientSecret_tokenIsAskedOnceForTheVaultsScope() {
    try (KmsProvider provider = clientSecret(app).build()) {
      roundTrip(provider);
      roundTrip(provider);
    }
    assertThat(vault.requestCount("token")).isEqualTo(1);
    assertThat(vault.requestCount("wrapkey")).isEqualTo(2);
  }

  @Test
  void accessToken_isSentAsIs_andNeverFetched() {
    try (KmsProvider provider = AzureKmsProvider.builder().accessToken(vault.issueAccessToken(app))
        .sslContext(vault.clientSslContext()).build()) {
      roundTrip(provider);
    }
    assertThat(vault.requestCount("token")).isZero();
  }

  @Test
  void accessToken_expired_failsWith401OnceAndSaysWhatToCheck() {
    String expired = vault.issueAccessToken(app, vault.audience(), Duration.ofMinutes(-1));
    try (KmsProvider provider = AzureKmsProvider.builder().accessToken(expired)
        .sslContext(vault.clientSslContext()).build()) {
      assertThatThrownBy(() -> provider.encryptDataKey(provider.masterKey(masterKey()), dataKey()))
          .isInstanceOf(KmsProviderException.class)
          .hasMessageContaining("HTTP 401 Unauthorized")
          .hasMessageContaining("expired")
          .hasMessageContaining("scope https://0.0.1/.default")
          .hasMessageNotContaining(expired)
          .satisfies(e -> assertThat(((KmsProviderException) e).isRetryable()).isFalse());
    }
    assertThat(vault.requestCount("wrapkey")).isEqualTo(1);
  }

  @Test
  void accessToken_publicCloudAudience_isAcceptedToo() {
    String token = vault.issueAccessToken(app, AzureKeyVaultEmulator.PUBLIC_CLOUD_AUDIENCE,
        Duration.ofMinutes(5));
    try (KmsProvider provider = AzureKmsProvider.builder().accessToken(token)
        .sslContext(vault.clientSslContext()).build()) {
      roundTrip(provider);
    }
  }

  @Test
  void tokenCredential_anyAzureCredential_isAskedForTheVaultScope() {
    AtomicInteger asked = new AtomicInteger();
    TokenCredential credential = request -> {
      asked.incrementAndGet();
      assertThat(request.getScopes()).containsExactly("https://0.0.1/.default");
      return Mono.just(new AccessToken(vault.issueAccessToken(app),
          OffsetDateTime.now().plusHours(1)));
    };
    try (KmsProvider provider = AzureKmsProvider.builder().tokenCredential(credential)
        .sslContext(vault.clientSslContext()).build()) {
      roundTrip(provider);
      roundTrip(provider);
    }
    assertThat(asked).hasValue(1);
  }

  @Test
  void cachedToken_isRenewedOnceItExpires() throws InterruptedException {
    // azure-core's token cache renews a token before use once it has expired (and earlier, from
    // five minutes before expiry, at most every 30 s): a token that lives one second is asked
    // for again on the next call after that second.
    AtomicInteger asked = new AtomicInteger();
    TokenCredential shortLived = request -> {
      asked.incrementAndGet();
      return Mono.just(new AccessToken(vault.issueAccessToken(app),
          OffsetDateTime.now().plusSeconds(1)));
    };
    try (KmsProvider provider = AzureKmsProvider.builder().tokenCredential(shortLived)
        .sslContext(vault.clientSslContext()).build()) {
      BsonDocument masterKey = provider.masterKey(masterKey());
      byte[] material = provider.encryptDataKey(masterKey, dataKey());
      assertThat(asked).hasValue(1);
      Thread.sleep(1_100);
      provider.decryptDataKey(masterKey, material);
      assertThat(asked).hasValue(2);
    }
  }

  @Test
  void tokenTheVaultCallsExpired_isReplacedOnce_andTheCallSucceeds() {
    MutableClock vaultClock = new MutableClock();
    try (AzureKeyVaultEmulator skewed = AzureKeyVaultEmulator.builder().clock(vaultClock).start()) {
      skewed.createKey(KEY);
      skewed.tokenLifetime(Duration.ofMinutes(4));
      AzureKeyVaultEmulator.App who = skewed.registerApplication();
      try (KmsProvider provider = AzureKmsProvider.builder()
          .clientSecret(who.tenantId(), who.clientId(), who.clientSecret())
          .identityPlatformEndpoint(skewed.endpoint())
          .sslContext(skewed.clientSslContext()).build()) {
        BsonDocument masterKey = new BsonDocument("keyVaultEndpoint",
            new BsonString(skewed.endpoint())).append("keyName", new BsonString(KEY));
        byte[] dataKey = dataKey();
        byte[] material = provider.encryptDataKey(masterKey, dataKey);
        vaultClock.advance(Duration.ofMinutes(5)); // the vault now sees our cached token expired
        assertThat(provider.decryptDataKey(masterKey, material)).isEqualTo(dataKey);
      }
      assertThat(skewed.requests()).extracting(r -> r.operation() + " " + r.status())
          .containsExactly("token 200", "wrapkey 200", "unwrapkey 401", "token 200",
              "unwrapkey 200");
    }
  }

  @Test
  void wrongTenant_unknownTenant_failsAtTheTokenEndpointWithoutTheSecret() {
    AzureKeyVaultEmulator.App lost = vault.registerApplication();
    try (KmsProvider provider = AzureKmsProvider.builder()
        .clientSecret("00000000-0000-0000-0000-000000000000", lost.clientId(), lost.clientSecret())
        .identityPlatformEndpoint(vault.endpoint())
        .sslContext(vault.clientSslContext()).build()) {
      assertThatThrownBy(() -> provider.encryptDataKey(provider.masterKey(masterKey()), dataKey()))
          .isInstanceOf(KmsProviderException.class)
          .hasMessageContaining("could not get an access token")
          .hasMessageContaining("AADSTS90002")
          .hasMessageNotContaining(lost.clientSecret())
          .satisfies(e -> assertThat(((KmsProviderException) e).isRetryable()).isFalse());
    }
    assertThat(vault.requestCount("wrapkey")).isZero();
  }

  @Test
  void wrongTenant_appOfAnotherTenant_isRefusedByTheVaultNamingTheIssuer() {
    AzureKeyVaultEmulator.App foreign = vault.registerApplication("other-tenant");
    try (KmsProvider provider = clientSecret(foreign).build()) {
      assertThatThrownBy(() -> provider.encryptDataKey(provider.masterKey(masterKey()), dataKey()))
          .isInstanceOf(KmsProviderException.class)
          .hasMessageContaining("HTTP 401")
          .hasMessageContaining("AKV10032: Invalid issuer")
          .hasMessageContaining("tenant");
    }
    // One refusal, one fresh token, one more refusal: then it gives up.
    assertThat(vault.requestCount("wrapkey")).isEqualTo(2);
    assertThat(vault.requestCount("token")).isEqualTo(2);
  }

  @Test
  void wrongSecret_failsWithAadstsCodeAndNoSecret() {
    try (KmsProvider provider = AzureKmsProvider.builder()
        .clientSecret(app.tenantId(), app.clientId(), "Wrong-Secret-Value-123")
        .identityPlatformEndpoint(vault.endpoint())
        .sslContext(vault.clientSslContext()).build()) {
      assertThatThrownBy(() -> provider.encryptDataKey(provider.masterKey(masterKey()), dataKey()))
          .isInstanceOf(KmsProviderException.class)
          .hasMessageContaining("AADSTS7000215")
          .hasMessageNotContaining("Wrong-Secret-Value-123");
      assertThat(provider.toString()).doesNotContain("Wrong-Secret-Value-123");
    }
  }

  @Test
  void defaultChain_environmentCredential_fromConfiguration() {
    Configuration configuration = configuration(Map.of(
        "AZURE_TENANT_ID", app.tenantId(),
        "AZURE_CLIENT_ID", app.clientId(),
        "AZURE_CLIENT_SECRET", app.clientSecret(),
        "AZURE_AUTHORITY_HOST", vault.authorityHost()));
    try (KmsProvider provider = AzureKmsProvider.builder().defaultCredential(configuration)
        .sslContext(vault.clientSslContext()).build()) {
      roundTrip(provider);
    }
    assertThat(vault.requestCount("token")).isEqualTo(1);
  }

  @Test
  void defaultChain_managedIdentity_throughTheImdsEndpoint() {
    Assumptions.assumeTrue(portFree(IMDS_PORT), "port " + IMDS_PORT + " is taken");
    try (AzureKeyVaultEmulator withImds = AzureKeyVaultEmulator.start()) {
      withImds.createKey(KEY);
      AzureKeyVaultEmulator.App machine = withImds.registerApplication();
      String imds = withImds.startManagedIdentityEndpoint(IMDS_PORT, machine);
      Configuration configuration = configuration(Map.of(
          "AZURE_POD_IDENTITY_AUTHORITY_HOST", imds));
      try (KmsProvider provider = AzureKmsProvider.builder().defaultCredential(configuration)
          .sslContext(withImds.clientSslContext()).build()) {
        BsonDocument masterKey = new BsonDocument("keyVaultEndpoint",
            new BsonString(withImds.endpoint())).append("keyName", new BsonString(KEY));
        byte[] dataKey = dataKey();
        assertThat(provider.decryptDataKey(masterKey, provider.encryptDataKey(masterKey, dataKey)))
            .isEqualTo(dataKey);
      }
      assertThat(withImds.requestCount("token")).isZero();
    }
  }

  @Test
  void defaultChain_nothingAvailable_failsNamingDefaultAzureCredential() {
    try (KmsProvider provider = AzureKmsProvider.builder()
        .defaultCredential(configuration(Map.of()))
        .sslContext(vault.clientSslContext())
        .maxAttempts(1).build()) {
      assertThatThrownBy(() -> provider.encryptDataKey(provider.masterKey(masterKey()), dataKey()))
          .isInstanceOf(KmsProviderException.class)
          .hasMessageContaining("DefaultAzureCredential");
    }
    assertThat(vault.requestCount("wrapkey")).isZero();
  }

  @Test
  void msalCredentialBuiltByHand_worksThroughTokenCredential() {
    TokenCredential credential = new ClientSecretCredentialBuilder()
        .tenantId(app.tenantId()).clientId(app.clientId()).clientSecret(app.clientSecret())
        .authorityHost(vault.authorityHost()).disableInstanceDiscovery()
        .httpClient(new com.azure.core.http.jdk.httpclient.JdkHttpClientBuilder(
            java.net.http.HttpClient.newBuilder().sslContext(vault.clientSslContext())).build())
        .build();
    try (KmsProvider provider = AzureKmsProvider.builder().tokenCredential(credential)
        .sslContext(vault.clientSslContext()).build()) {
      roundTrip(provider);
    }
  }

  private static Configuration configuration(Map<String, String> values) {
    // Only these values: neither the real environment nor system properties leak in.
    return new ConfigurationBuilder(name -> Map.of(), name -> Map.of(), name -> values).build();
  }

  private static boolean portFree(int port) {
    try (ServerSocket socket = new ServerSocket(port, 1,
        java.net.InetAddress.getByName("127.0.0.1"))) {
      return true;
    } catch (IOException e) {
      return false;
    }
  }
}
