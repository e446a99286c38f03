package io.fle4j.kms.gcp;

import io.fle4j.testkit.MutableClock;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.api.client.http.javanet.NetHttpTransport;
import com.google.auth.oauth2.GoogleCredentials;
import io.fle4j.ConfigurationException;
import io.fle4j.kms.KmsProvider;
import io.fle4j.kms.KmsProviderException;
import io.fle4j.testkit.kms.http.RecordedHttpRequest;
import io.fle4j.testkit.kms.gcp.GcpKmsEmulator;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import org.bson.BsonDocument;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Every way the GCP provider gets a token, end to end against the emulator: a service account
 * (base64 DER and PEM keys), a fixed access token, any GoogleCredentials (a key file), and
 * Application Default Credentials from the metadata server (the emulator's, on the loopback
 * port GCE_METADATA_HOST names in this module's surefire configuration). Also token caching,
 * expiry and refresh, and bad keys.
 *
 * <p>Not driven here: ADC from GOOGLE_APPLICATION_CREDENTIALS or the gcloud well-known file.
 * google-auth-library reads the variable from the process environment and caches the first ADC
 * result for the life of the JVM, so only one ADC source can be exercised per test JVM; the
 * metadata server was chosen, and the key-file format is covered through {@code credentials()}.
 */
class GcpCredentialSourcesTest {
  /** Must match GCE_METADATA_HOST in this module's surefire configuration. */
  private static final int METADATA_PORT = 47914;
  private static final SecureRandom RANDOM = new SecureRandom();
  private static GcpKmsEmulator kms;
  private static GcpKmsEmulator.CryptoKey key;

  @BeforeAll
  static void start() {
    kms = GcpKmsEmulator.start();
    key = kms.createKey("us-east1", "ring", "cred-kek");
  }

  @AfterAll
  static void stop() {
    kms.close();
  }

  @BeforeEach
  void reset() {
    kms.faults().clear();
    kms.resetCounters();
    kms.tokenLifetime(Duration.ofSeconds(3599));
  }

  private static byte[] dataKey() {
    byte[] bytes = new byte[96];
    RANDOM.nextBytes(bytes);
    return bytes;
  }

  private static void roundTrip(KmsProvider provider) {
    BsonDocument masterKey = provider.masterKey(key.masterKey());
    byte[] dataKey = dataKey();
    assertThat(provider.decryptDataKey(masterKey, provider.encryptDataKey(masterKey, dataKey)))
        .isEqualTo(dataKey);
  }

  private static GcpKmsProviderBuilder serviceAccount(String privateKey) {
    return GcpKmsProvider.builder()
        .serviceAccount(kms.serviceAccount().email(), privateKey)
        .tokenEndpoint(kms.endpoint())
        .sslContext(kms.clientSslContext())
        .retryBackoff(Duration.ofMillis(10), Duration.ofMillis(50));
  }

  @Test
  void serviceAccount_base64DerAndPem_bothExchangeAJwtOncePerScope() {
    try (KmsProvider der = serviceAccount(kms.serviceAccount().privateKeyBase64()).build();
        KmsProvider pem = serviceAccount(kms.serviceAccount().privateKeyPem()).build()) {
      roundTrip(der);
      roundTrip(der);
      roundTrip(pem);
    }
    assertThat(kms.requestCount("token")).isEqualTo(2);
    assertThat(kms.requests()).allSatisfy(r -> assertThat(r.status()).isEqualTo(200));
  }

  @Test
  void accessToken_isUsedAsIs() {
    try (KmsProvider provider = GcpKmsProvider.builder()
        .accessToken(kms.issueAccessToken(kms.serviceAccount(), Duration.ofMinutes(10)))
        .sslContext(kms.clientSslContext()).build()) {
      roundTrip(provider);
    }
    assertThat(kms.requestCount("token")).isZero();
  }

  @Test
  void accessToken_expired_failsWith401Once_withoutTheToken() {
    String expired = kms.issueAccessToken(kms.serviceAccount(), Duration.ofSeconds(-5));
    try (KmsProvider provider = GcpKmsProvider.builder().accessToken(expired)
        .sslContext(kms.clientSslContext()).build()) {
      assertThatThrownBy(() -> provider.encryptDataKey(provider.masterKey(key.masterKey()),
          dataKey()))
          .isInstanceOf(KmsProviderException.class)
          .hasMessageContaining("HTTP 401 UNAUTHENTICATED")
          .hasMessageContaining("not expired")
          .hasMessageNotContaining(expired)
          .satisfies(e -> assertThat(((KmsProviderException) e).isRetryable()).isFalse());
    }
    assertThat(kms.requestCount("encrypt")).isEqualTo(1);
  }

  @Test
  void googleCredentials_fromAKeyFile_areScopedAndUsed() throws IOException {
    NetHttpTransport transport = new NetHttpTransport.Builder()
        .setSslSocketFactory(kms.clientSslContext().getSocketFactory()).build();
    GoogleCredentials fromFile = GoogleCredentials.fromStream(new ByteArrayInputStream(
        kms.serviceAccount().keyFileJson().getBytes(StandardCharsets.UTF_8)), () -> transport);
    try (KmsProvider provider = GcpKmsProvider.builder().credentials(fromFile)
        .sslContext(kms.clientSslContext()).build()) {
      roundTrip(provider);
    }
    assertThat(kms.requestCount("token")).isEqualTo(1);
  }

  @Test
  void tokenNearItsExpiry_isRenewedBeforeUse() {
    // google-auth-library renews a token that has less than 3 minutes left before using it: a
    // token that lives 2 minutes is fetched afresh for each call, a 1-hour one once.
    kms.tokenLifetime(Duration.ofSeconds(120));
    try (KmsProvider provider = serviceAccount(kms.serviceAccount().privateKeyBase64()).build()) {
      roundTrip(provider);
      assertThat(kms.requestCount("token")).isEqualTo(2);
    }
    kms.tokenLifetime(Duration.ofHours(1));
    try (KmsProvider provider = serviceAccount(kms.serviceAccount().privateKeyBase64()).build()) {
      roundTrip(provider);
      roundTrip(provider);
      assertThat(kms.requestCount("token")).isEqualTo(3);
    }
  }

  @Test
  void tokenExpiredAtTheServer_isReplacedOnce() {
    MutableClock kmsClock = new MutableClock();
    try (GcpKmsEmulator skewed = GcpKmsEmulator.builder().clock(kmsClock).start()) {
      GcpKmsEmulator.CryptoKey k = skewed.createKey("global", "r", "k");
      skewed.tokenLifetime(Duration.ofMinutes(4));
      try (KmsProvider provider = GcpKmsProvider.builder()
          .serviceAccount(skewed.serviceAccount().email(),
              skewed.serviceAccount().privateKeyBase64())
          .tokenEndpoint(skewed.endpoint()).sslContext(skewed.clientSslContext()).build()) {
        BsonDocument masterKey = provider.masterKey(k.masterKey());
        byte[] dataKey = dataKey();
        byte[] material = provider.encryptDataKey(masterKey, dataKey);
        // Past the access token's expiry, still within the 1-hour validity of a new JWT.
        kmsClock.advance(Duration.ofMinutes(5));
        assertThat(provider.decryptDataKey(masterKey, material)).isEqualTo(dataKey);
      }
      assertThat(skewed.requests()).extracting(r -> r.operation() + " " + r.status())
          .containsExactly("token 200", "encrypt 200", "decrypt 401", "token 200", "decrypt 200");
    }
  }

  @Test
  void malformedPrivateKey_isRefusedWithoutEchoingIt() {
    String garbage = Base64.getEncoder().encodeToString("not a key, but secret-ish".getBytes(
        StandardCharsets.US_ASCII));
    assertThatThrownBy(() -> GcpKmsProvider.builder().serviceAccount("a@b.iam", garbage))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("privateKey").hasMessageContaining("PKCS#8")
        .hasMessageNotContaining(garbage);
    assertThatThrownBy(() -> GcpKmsProvider.builder().serviceAccount("a@b.iam", "%%%not base64%%%"))
        .isInstanceOf(ConfigurationException.class).hasMessageNotContaining("not base64%");
    assertThatThrownBy(() -> GcpKmsProvider.builder().serviceAccount("a@b.iam",
        "-----BEGIN RSA PRIVATE KEY-----\nMIIB\n-----END RSA PRIVATE KEY-----"))
        .isInstanceOf(ConfigurationException.class).hasMessageContaining("PKCS#1")
        .hasMessageContaining("openssl pkcs8");
  }

  @Test
  void wrongPrivateKey_failsAtTheTokenEndpoint_notRetried() {
    GcpKmsEmulator.ServiceAccount other = kms.createServiceAccount("other-account");
    try (KmsProvider provider = GcpKmsProvider.builder()
        .serviceAccount(kms.serviceAccount().email(), other.privateKeyBase64())
        .tokenEndpoint(kms.endpoint()).sslContext(kms.clientSslContext()).build()) {
      assertThatThrownBy(() -> provider.encryptDataKey(provider.masterKey(key.masterKey()),
          dataKey()))
          .isInstanceOf(KmsProviderException.class)
          .hasMessageContaining("could not get an access token")
          .hasMessageContaining("Invalid JWT Signature")
          .satisfies(e -> assertThat(((KmsProviderException) e).isRetryable()).isFalse());
    }
    assertThat(kms.requestCount("encrypt")).isZero();
  }

  @Test
  void unknownServiceAccount_failsNamingIt() {
    try (KmsProvider provider = GcpKmsProvider.builder()
        .serviceAccount("ghost@nowhere.iam.gserviceaccount.com",
            kms.serviceAccount().privateKeyBase64())
        .tokenEndpoint(kms.endpoint()).sslContext(kms.clientSslContext()).build()) {
      assertThatThrownBy(() -> provider.encryptDataKey(provider.masterKey(key.masterKey()),
          dataKey()))
          .isInstanceOf(KmsProviderException.class)
          .hasMessageContaining("ghost@nowhere.iam.gserviceaccount.com")
          .hasMessageContaining("account not found");
    }
  }

  @Test
  void applicationDefaultCredentials_fromTheMetadataServer() {
    Assumptions.assumeTrue(portFree(METADATA_PORT), "port " + METADATA_PORT + " is taken");
    kms.startMetadataServer(METADATA_PORT, kms.serviceAccount());
    try (KmsProvider provider = GcpKmsProvider.builder().defaultCredentials()
        .sslContext(kms.clientSslContext()).build()) {
      assertThat(provider.toString()).contains("Application Default Credentials");
      roundTrip(provider);
    }
    assertThat(kms.requestCount("token")).isZero(); // the token came from the metadata server
    assertThat(kms.requests()).extracting(RecordedHttpRequest::operation)
        .containsExactly("encrypt", "decrypt");
  }

  private static boolean portFree(int port) {
    try (ServerSocket socket = new ServerSocket(port, 1, InetAddress.getByName("127.0.0.1"))) {
      return true;
    } catch (IOException e) {
      return false;
    }
  }
}
