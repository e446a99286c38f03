package io.fle4j.kms.aws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fle4j.ConfigurationException;
import io.fle4j.kms.KmsProvider;
import io.fle4j.kms.KmsProviderContractTest;
import io.fle4j.kms.KmsProviderException;
import io.fle4j.testkit.kms.aws.AwsKmsEmulator;
import io.fle4j.testkit.kms.http.RecordedHttpRequest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.bson.BsonDocument;
import org.bson.BsonInt32;
import org.bson.BsonString;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;

/**
 * {@link AwsKmsProvider} through the AWS SDK against the testkit's {@link AwsKmsEmulator}: the
 * SPI contract, the master key rules, the KeyId check on decrypt, and every retry and no-retry
 * case, with the requests the emulator received counted.
 */
class AwsKmsProviderTest extends KmsProviderContractTest {
  static final String REGION = "us-east-1";
  static AwsKmsEmulator kms;
  static String keyArn;

  @BeforeAll
  static void startEmulator() {
    kms = AwsKmsEmulator.start();
    keyArn = kms.createKey(REGION);
  }

  @AfterAll
  static void stopEmulator() {
    kms.close();
  }

  @BeforeEach
  void resetEmulator() {
    kms.faults().clear();
    kms.resetCounters();
  }

  /** A builder wired to the emulator with fast retries; tests add what they need. */
  static AwsKmsProviderBuilder emulated() {
    return AwsKmsProvider.builder()
        .credentials(kms.credentials().accessKeyId(), kms.credentials().secretAccessKey())
        .sslContext(kms.clientSslContext())
        .retryBackoff(Duration.ofMillis(5), Duration.ofMillis(40));
  }

  static BsonDocument masterKeyFor(String key) {
    return new BsonDocument("key", new BsonString(key))
        .append("endpoint", new BsonString(kms.endpoint()));
  }

  @Override
  protected KmsProvider createProvider() {
    return emulated().build();
  }

  @Override
  protected BsonDocument validMasterKeyOptions() {
    return masterKeyFor(keyArn);
  }

  @Override
  protected Iterable<String> secrets() {
    return List.of(kms.credentials().secretAccessKey(), kms.credentials().accessKeyId());
  }

  // ------------------------------------------------------------------ master key rules

  @Test
  void masterKey_keyArnWithoutRegion_storesLibmongocryptFieldsInOrderWithRegionFromArn() {
    BsonDocument stored = provider.masterKey(validMasterKeyOptions());

    assertThat(stored.keySet()).containsExactly("provider", "region", "key", "endpoint");
    assertThat(stored).isEqualTo(new BsonDocument("provider", new BsonString("aws"))
        .append("region", new BsonString(REGION))
        .append("key", new BsonString(keyArn))
        .append("endpoint", new BsonString(kms.endpoint())));
  }

  @Test
  void masterKey_noEndpoint_hasNoEndpointField() {
    BsonDocument stored = provider.masterKey(new BsonDocument("key", new BsonString(keyArn)));
    assertThat(stored.keySet()).containsExactly("provider", "region", "key");
  }

  @Test
  void masterKey_regionDifferentFromArn_isRefusedNamingBoth() {
    BsonDocument options = validMasterKeyOptions().append("region", new BsonString("eu-west-1"));
    assertThatThrownBy(() -> provider.masterKey(options))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("masterKey.region").hasMessageContaining("eu-west-1")
        .hasMessageContaining(REGION);
  }

  @Test
  void masterKey_aliasOrKeyIdWithoutRegion_isRefusedNamingRegion() {
    for (String key : List.of("alias/app", "1234abcd-12ab-34cd-56ef-1234567890ab")) {
      assertThatThrownBy(() -> provider.masterKey(new BsonDocument("key", new BsonString(key))))
          .as(key).isInstanceOf(ConfigurationException.class)
          .hasMessageContaining("masterKey.region").hasMessageContaining("required");
    }
  }

  @Test
  void masterKey_malformedValues_areRefusedNamingTheField() {
    assertRefused(new BsonDocument(), "masterKey.key", "required");
    assertRefused(new BsonDocument("key", new BsonString("arn:aws:kms:us-east-1:12:key/x")),
        "masterKey.key", "not an AWS KMS ARN");
    assertRefused(new BsonDocument("key", new BsonString("arn:aws:s3:us-east-1:111122223333:key/x")),
        "masterKey.key", "not an AWS KMS ARN");
    assertRefused(new BsonDocument("key", new BsonInt32(1)), "masterKey.key", "must be a string");
    assertRefused(masterKeyFor(keyArn).append("region", new BsonString("Mars 1")),
        "masterKey.region", "not an AWS region");
    assertRefused(new BsonDocument("key", new BsonString(keyArn))
        .append("endpoint", new BsonString("http://kms.example.com")), "masterKey.endpoint", "https");
    assertRefused(new BsonDocument("key", new BsonString(keyArn))
        .append("endpoint", new BsonString("localhost:8443")), "masterKey.endpoint", "dot");
    assertRefused(new BsonDocument("key", new BsonString(keyArn))
        .append("endpoint", new BsonString("kms.example.com:70000")), "masterKey.endpoint", "port");
    assertRefused(masterKeyFor(keyArn).append("provider", new BsonString("aws:other")),
        "masterKey.provider", "aws:other");
  }

  @Test
  void masterKey_endpointWithSchemeAndPath_keepsOnlyHostAndPort() {
    BsonDocument stored = provider.masterKey(new BsonDocument("key", new BsonString(keyArn))
        .append("endpoint", new BsonString("https://kms-fips.us-east-1.amazonaws.com:443/x?y")));
    assertThat(stored.getString("endpoint").getValue())
        .isEqualTo("kms-fips.us-east-1.amazonaws.com:443");
  }

  @Test
  void aliasNameAndAliasArn_encryptAndDecrypt() {
    String key = kms.createKey(REGION);
    String aliasArn = kms.createAlias(REGION, "alias/contract-" + System.nanoTime(), key);
    String aliasName = aliasArn.substring(aliasArn.indexOf(":alias/") + 1);
    BsonDocument byName = provider.masterKey(masterKeyFor(aliasName)
        .append("region", new BsonString(REGION)));
    BsonDocument byArn = provider.masterKey(masterKeyFor(aliasArn));
    assertThat(byArn.getString("region").getValue()).isEqualTo(REGION);

    byte[] dataKey = randomDataKey();
    byte[] viaName = provider.encryptDataKey(byName, dataKey);
    byte[] viaArn = provider.encryptDataKey(byArn, dataKey);

    assertThat(provider.decryptDataKey(byName, viaArn)).isEqualTo(dataKey);
    assertThat(provider.decryptDataKey(byArn, viaName)).isEqualTo(dataKey);
    // Both name the same key: the key ARN reads them too.
    assertThat(provider.decryptDataKey(provider.masterKey(masterKeyFor(key)), viaName))
        .isEqualTo(dataKey);
  }

  @Test
  void keyIdWithRegion_encryptsAndDecrypts() {
    String id = keyArn.substring(keyArn.lastIndexOf('/') + 1);
    BsonDocument masterKey = provider.masterKey(masterKeyFor(id).append("region",
        new BsonString(REGION)));
    byte[] dataKey = randomDataKey();
    assertThat(provider.decryptDataKey(masterKey, provider.encryptDataKey(masterKey, dataKey)))
        .isEqualTo(dataKey);
  }

  @Test
  void keyArnInAnotherRegion_goesToThatRegion() {
    String westKey = kms.createKey("us-west-2");
    BsonDocument masterKey = provider.masterKey(masterKeyFor(westKey));
    byte[] dataKey = randomDataKey();
    byte[] material = provider.encryptDataKey(masterKey, dataKey);
    assertThat(provider.decryptDataKey(masterKey, material)).isEqualTo(dataKey);
    assertThat(kms.requests()).allSatisfy(r -> assertThat(r.status()).isEqualTo(200));
  }

  // ------------------------------------------------------------------ the KeyId check

  @Test
  void decryptDataKey_masterKeyNamesAnotherKeyArn_isRefusedAfterOneRequest() {
    String otherKey = kms.createKey(REGION);
    byte[] material = provider.encryptDataKey(provider.masterKey(masterKeyFor(keyArn)), randomDataKey());
    BsonDocument swapped = provider.masterKey(masterKeyFor(otherKey));
    kms.resetCounters();

    assertThatThrownBy(() -> provider.decryptDataKey(swapped, material))
        .isInstanceOf(KmsProviderException.class)
        .hasMessageContaining(keyArn).hasMessageContaining(otherKey)
        .hasMessageContaining("does not belong")
        .satisfies(e -> assertThat(((KmsProviderException) e).isRetryable()).isFalse());
    assertThat(kms.requestCount("Decrypt")).isEqualTo(1);
  }

  @Test
  void decryptDataKey_masterKeyNamesAnotherKeyId_isRefused() {
    String otherKey = kms.createKey(REGION);
    byte[] material = provider.encryptDataKey(provider.masterKey(masterKeyFor(keyArn)), randomDataKey());
    BsonDocument swapped = provider.masterKey(masterKeyFor(otherKey.substring(otherKey.lastIndexOf('/') + 1))
        .append("region", new BsonString(REGION)));

    assertThatThrownBy(() -> provider.decryptDataKey(swapped, material))
        .isInstanceOf(KmsProviderException.class).hasMessageContaining("does not belong");
  }

  // ------------------------------------------------------------------ retries, with counts

  @ParameterizedTest(name = "{0} {1}")
  @CsvSource({
      "400, ThrottlingException",
      "400, Throttling",
      "429, TooManyRequestsException",
      "408, RequestTimeout",
      "500, KMSInternalException",
      "502, BadGateway",
      "503, DependencyTimeoutException",
      "504, GatewayTimeout",
      "509, BandwidthLimitExceeded",
      "500, KeyUnavailableException"})
  void encryptDataKey_transientErrorTwice_succeedsOnThirdAttempt(int status, String type) {
    kms.faults().failNext("Encrypt", 2, status, type);
    BsonDocument masterKey = provider.masterKey(validMasterKeyOptions());

    byte[] material = provider.encryptDataKey(masterKey, randomDataKey());

    assertThat(material).isNotEmpty();
    assertThat(kms.requestCount("Encrypt")).as(kms.requests().toString()).isEqualTo(3);
  }

  @Test
  void decryptDataKey_throttledOnce_succeedsOnSecondAttempt() {
    BsonDocument masterKey = provider.masterKey(validMasterKeyOptions());
    byte[] dataKey = randomDataKey();
    byte[] material = provider.encryptDataKey(masterKey, dataKey);
    kms.faults().throttleNext(1);

    assertThat(provider.decryptDataKey(masterKey, material)).isEqualTo(dataKey);
    assertThat(kms.requestCount("Decrypt")).isEqualTo(2);
  }

  @Test
  void encryptDataKey_throttledEveryTime_givesUpAfterMaxAttemptsAsRetryable() {
    kms.faults().throttleNext(10);
    BsonDocument masterKey = provider.masterKey(validMasterKeyOptions());

    assertThatThrownBy(() -> provider.encryptDataKey(masterKey, randomDataKey()))
        .isInstanceOf(KmsProviderException.class)
        .hasMessageContaining("ThrottlingException").hasMessageContaining("after 3 attempts")
        .hasMessageContaining(keyArn)
        .satisfies(e -> assertThat(((KmsProviderException) e).isRetryable()).isTrue())
        .satisfies(e -> assertNoSecretInChain(e));
    assertThat(kms.requestCount("Encrypt")).isEqualTo(3);
  }

  @Test
  void maxAttempts_five_makesFiveAttempts_andOneMakesOne() {
    BsonDocument masterKey = provider.masterKey(validMasterKeyOptions());
    try (AwsKmsProvider five = emulated().maxAttempts(5).build();
        AwsKmsProvider one = emulated().maxAttempts(1).build()) {
      kms.faults().failNext(10, 503, "DependencyTimeoutException");
      assertThatThrownBy(() -> five.encryptDataKey(masterKey, randomDataKey()))
          .hasMessageContaining("after 5 attempts");
      assertThat(kms.requestCount("Encrypt")).isEqualTo(5);

      kms.resetCounters();
      assertThatThrownBy(() -> one.encryptDataKey(masterKey, randomDataKey()))
          .hasMessageContaining("DependencyTimeoutException (HTTP 503)");
      assertThat(kms.requestCount("Encrypt")).isEqualTo(1);
    }
  }

  @Test
  void encryptDataKey_connectionDroppedTwice_succeedsOnThirdAttempt() {
    kms.faults().dropNextConnections(2);
    BsonDocument masterKey = provider.masterKey(validMasterKeyOptions());

    assertThat(provider.encryptDataKey(masterKey, randomDataKey())).isNotEmpty();
    assertThat(kms.requestCount("Encrypt")).isEqualTo(3);
  }

  @Test
  void encryptDataKey_connectionAlwaysDropped_failsAsRetryableNetworkError() {
    kms.faults().dropNextConnections(10);
    BsonDocument masterKey = provider.masterKey(validMasterKeyOptions());

    assertThatThrownBy(() -> provider.encryptDataKey(masterKey, randomDataKey()))
        .isInstanceOf(KmsProviderException.class)
        .hasMessageContaining("after 3 attempts")
        .satisfies(e -> assertThat(((KmsProviderException) e).isRetryable()).isTrue());
    assertThat(kms.requestCount("Encrypt")).isEqualTo(3);
  }

  @Test
  void readTimeout_slowKms_eachAttemptTimesOutThenGivesUp() {
    kms.faults().latency(Duration.ofMillis(700));
    BsonDocument masterKey = provider.masterKey(validMasterKeyOptions());
    try (AwsKmsProvider impatient = emulated().readTimeout(Duration.ofMillis(150)).maxAttempts(2)
        .build()) {
      long start = System.nanoTime();
      assertThatThrownBy(() -> impatient.encryptDataKey(masterKey, randomDataKey()))
          .isInstanceOf(KmsProviderException.class)
          .hasMessageContaining("after 2 attempts")
          .satisfies(e -> assertThat(((KmsProviderException) e).isRetryable()).isTrue());
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofMillis(1200));
    }
    assertThat(kms.requestCount("Encrypt")).isEqualTo(2);
  }

  @Test
  void callTimeout_boundsTheWholeCall() throws InterruptedException {
    BsonDocument masterKey = provider.masterKey(validMasterKeyOptions());
    try (AwsKmsProvider bounded = emulated().callTimeout(Duration.ofMillis(150)).build()) {
      // Open the connection first (TLS handshake included), so the slow call below is the only
      // thing the 150 ms are spent on, however loaded the machine is.
      bounded.encryptDataKey(masterKey, randomDataKey());
      kms.resetCounters();
      kms.faults().latency(Duration.ofMillis(400));
      assertThatThrownBy(() -> bounded.encryptDataKey(masterKey, randomDataKey()))
          .isInstanceOf(KmsProviderException.class)
          .hasMessageContaining("call timeout");
    }
    // The request reached the emulator once, and the timed-out call was not retried.
    long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
    while (kms.requestCount("Encrypt") == 0 && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
    Thread.sleep(500);
    assertThat(kms.requestCount("Encrypt")).isEqualTo(1);
  }

  // ------------------------------------------------------------------ never retried

  @ParameterizedTest(name = "{0}")
  @CsvSource({
      "AccessDeniedException", "NotFoundException", "DisabledException",
      "InvalidCiphertextException", "KMSInvalidStateException", "IncorrectKeyException",
      "ValidationException", "UnrecognizedClientException", "InvalidSignatureException",
      "ExpiredTokenException"})
  void encryptDataKey_permanentError_isNotRetried(String type) {
    kms.faults().failNext("Encrypt", 3, 400, type);
    BsonDocument masterKey = provider.masterKey(validMasterKeyOptions());

    assertThatThrownBy(() -> provider.encryptDataKey(masterKey, randomDataKey()))
        .isInstanceOf(KmsProviderException.class)
        .hasMessageContaining(type).hasMessageContaining("HTTP 400").hasMessageContaining(keyArn)
        .satisfies(e -> assertThat(((KmsProviderException) e).isRetryable()).isFalse())
        .satisfies(e -> assertNoSecretInChain(e));
    assertThat(kms.requestCount("Encrypt")).isEqualTo(1);
  }

  @Test
  void accessDeniedEvenWithStatus500_isNotRetried() {
    kms.faults().failNext("Encrypt", 3, 500, "AccessDeniedException");
    BsonDocument masterKey = provider.masterKey(validMasterKeyOptions());
    assertThatThrownBy(() -> provider.encryptDataKey(masterKey, randomDataKey()))
        .hasMessageContaining("AccessDeniedException (HTTP 500)");
    assertThat(kms.requestCount("Encrypt")).isEqualTo(1);
  }

  @Test
  void realKmsRefusals_areNotRetried_andNameKeyAndCode() {
    List<String> seen = new ArrayList<>();
    // NotFoundException: a key that does not exist.
    String missing = "arn:aws:kms:us-east-1:" + kms.accountId()
        + ":key/00000000-0000-4000-8000-000000000000";
    seen.add(refusal(() -> provider.encryptDataKey(provider.masterKey(masterKeyFor(missing)),
        randomDataKey()), "NotFoundException", missing));
    // DisabledException, then KMSInvalidStateException.
    String disabled = kms.createKey(REGION);
    kms.disableKey(disabled);
    seen.add(refusal(() -> provider.encryptDataKey(provider.masterKey(masterKeyFor(disabled)),
        randomDataKey()), "DisabledException", disabled));
    String deleted = kms.createKey(REGION);
    kms.scheduleKeyDeletion(deleted);
    seen.add(refusal(() -> provider.encryptDataKey(provider.masterKey(masterKeyFor(deleted)),
        randomDataKey()), "KMSInvalidStateException", deleted));
    // AccessDeniedException: another account's key.
    String foreign = kms.createKey("444455556666", REGION);
    seen.add(refusal(() -> provider.encryptDataKey(provider.masterKey(masterKeyFor(foreign)),
        randomDataKey()), "AccessDeniedException", foreign));
    // InvalidCiphertextException: altered keyMaterial (also the contract test's case).
    BsonDocument masterKey = provider.masterKey(validMasterKeyOptions());
    byte[] altered = provider.encryptDataKey(masterKey, randomDataKey());
    altered[altered.length - 1] ^= 1;
    kms.resetCounters();
    seen.add(refusal(() -> provider.decryptDataKey(masterKey, altered),
        "InvalidCiphertextException", keyArn));
    assertThat(seen).hasSize(5);
  }

  @Test
  void wrongSecretAndUnknownAccessKey_areNotRetried_andNeverShowTheCredentials() {
    String secret = "wrong/secret/" + "x".repeat(27);
    String unknownId = "AKIAUNKNOWNUNKNOWN00";
    try (AwsKmsProvider wrongSecret = AwsKmsProvider.builder()
        .credentials(kms.credentials().accessKeyId(), secret).sslContext(kms.clientSslContext())
        .build();
        AwsKmsProvider unknown = AwsKmsProvider.builder()
            .credentials(unknownId, secret).sslContext(kms.clientSslContext()).build()) {
      BsonDocument masterKey = provider.masterKey(validMasterKeyOptions());
      assertThatThrownBy(() -> wrongSecret.encryptDataKey(masterKey, randomDataKey()))
          .hasMessageContaining("InvalidSignatureException")
          .hasMessageNotContaining(secret).hasMessageNotContaining(kms.credentials().accessKeyId())
          .satisfies(e -> assertThat(((KmsProviderException) e).isRetryable()).isFalse());
      assertThatThrownBy(() -> unknown.encryptDataKey(masterKey, randomDataKey()))
          .hasMessageContaining("UnrecognizedClientException")
          .hasMessageNotContaining(unknownId).hasMessageNotContaining(secret);
      assertThat(kms.requestCount("Encrypt")).isEqualTo(2);
      assertThat(wrongSecret.toString()).doesNotContain(secret)
          .doesNotContain(kms.credentials().accessKeyId());
    }
  }

  @Test
  void untrustedCertificate_failsWithoutRetryNamingTls() {
    try (AwsKmsProvider noTrust = AwsKmsProvider.builder()
        .credentials(kms.credentials().accessKeyId(), kms.credentials().secretAccessKey())
        .retryBackoff(Duration.ofMillis(5), Duration.ofMillis(10)).build()) {
      BsonDocument masterKey = provider.masterKey(validMasterKeyOptions());
      assertThatThrownBy(() -> noTrust.encryptDataKey(masterKey, randomDataKey()))
          .isInstanceOf(KmsProviderException.class)
          .hasMessageContaining("TLS handshake failed")
          .satisfies(e -> assertThat(((KmsProviderException) e).isRetryable()).isFalse());
    }
    assertThat(kms.requestCount()).isZero(); // the handshake failed before any HTTP request
  }

  // ------------------------------------------------------------------ credentials at runtime

  @Test
  void credentialsProvider_replacedWhileRunning_nextCallUsesNewCredentials() {
    AwsKmsEmulator.Credentials first = kms.createAccessKey(kms.accountId());
    AwsKmsEmulator.Credentials second = kms.createAccessKey(kms.accountId());
    AtomicReference<AwsKmsEmulator.Credentials> current = new AtomicReference<>(first);
    AwsCredentialsProvider rotating = () -> AwsBasicCredentials.create(
        current.get().accessKeyId(), current.get().secretAccessKey());
    try (AwsKmsProvider aws = AwsKmsProvider.builder().credentialsProvider(rotating)
        .sslContext(kms.clientSslContext()).build()) {
      BsonDocument masterKey = aws.masterKey(validMasterKeyOptions());
      byte[] dataKey = randomDataKey();
      byte[] material = aws.encryptDataKey(masterKey, dataKey);

      current.set(second);
      kms.revoke(first);

      assertThat(aws.decryptDataKey(masterKey, material)).isEqualTo(dataKey);
      assertThat(kms.requests()).extracting(RecordedHttpRequest::principal)
          .containsExactly(first.accessKeyId(), second.accessKeyId());
    }
  }

  @Test
  void builder_invalidSettings_areRefusedNamingTheSetting() {
    assertThatThrownBy(() -> AwsKmsProvider.builder().name("local:x"))
        .isInstanceOf(ConfigurationException.class).hasMessageContaining("'aws' or 'aws:<name>'");
    assertThatThrownBy(() -> AwsKmsProvider.builder().maxAttempts(0))
        .hasMessageContaining("maxAttempts");
    assertThatThrownBy(() -> AwsKmsProvider.builder().credentials("", "x"))
        .hasMessageContaining("accessKeyId");
    assertThatThrownBy(() -> AwsKmsProvider.builder()
        .retryBackoff(Duration.ofSeconds(2), Duration.ofSeconds(1)))
        .hasMessageContaining("retryBackoff.maxDelay");
    assertThatThrownBy(() -> AwsKmsProvider.builder()
        .httpClient(software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient.create())
        .sslContext(kms.clientSslContext()).build())
        .hasMessageContaining("httpClient");
  }

  @Test
  void builderOfExisting_copiesSettings_namedProviderWritesItsName() {
    try (AwsKmsProvider named = AwsKmsProvider.builder(emulated().name("aws:prod").build()).build()) {
      BsonDocument masterKey = named.masterKey(validMasterKeyOptions());
      assertThat(masterKey.getString("provider").getValue()).isEqualTo("aws:prod");
      byte[] dataKey = randomDataKey();
      assertThat(named.decryptDataKey(masterKey, named.encryptDataKey(masterKey, dataKey)))
          .isEqualTo(dataKey);
    }
  }

  // ------------------------------------------------------------------ helpers

  private String refusal(Runnable call, String code, String key) {
    kms.resetCounters();
    Throwable thrown = org.assertj.core.api.Assertions.catchThrowable(call::run);
    assertThat(thrown).as(code).isInstanceOf(KmsProviderException.class)
        .hasMessageContaining(code).hasMessageContaining(key);
    assertThat(((KmsProviderException) thrown).isRetryable()).as(code).isFalse();
    assertThat(kms.requestCount()).as(code + " requests").isEqualTo(1);
    assertNoSecretInChain(thrown);
    return code;
  }

  private void assertRefused(BsonDocument options, String field, String rule) {
    assertThatThrownBy(() -> provider.masterKey(options))
        .as(options.toJson()).isInstanceOf(ConfigurationException.class)
        .hasMessageContaining(field).hasMessageContaining(rule);
  }

  private void assertNoSecretInChain(Throwable thrown) {
    for (Throwable t = thrown; t != null; t = t.getCause()) {
      assertNoSecretIn(String.valueOf(t.getMessage()));
      Arrays.stream(t.getSuppressed()).forEach(s -> assertNoSecretIn(String.valueOf(s.getMessage())));
    }
  }
}
