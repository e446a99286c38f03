package io.fle4j.kms.aws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import io.fle4j.kms.KmsProvider;
import io.fle4j.kms.KmsProviderConfig;
import io.fle4j.kms.KmsProviderException;
import io.fle4j.kms.KmsProviderName;
import io.fle4j.testkit.kms.aws.AwsKmsEmulator;
import io.fle4j.testkit.kms.http.RecordedHttpRequest;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.bson.BsonDocument;
import org.bson.BsonString;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every credential source, each against the emulator: explicit keys (see {@link
 * AwsKmsProviderTest}), temporary credentials with a session token and their expiry, the SDK's
 * default chain reading system properties, environment variables (in a child JVM, since a JVM
 * cannot change its own environment), a shared credentials file with profiles, and a local
 * container-credentials endpoint handing out temporary credentials that the SDK refreshes before
 * they expire.
 *
 * <p>The SDK reads its settings from system properties first ({@code aws.accessKeyId}, {@code
 * aws.sharedCredentialsFile}, {@code aws.containerCredentialsFullUri}...), then from the
 * environment; each test sets the properties it needs and clears them after. The surefire
 * configuration sets {@code aws.disableEc2Metadata=true} so no test ever reaches for an instance
 * metadata service.
 */
class AwsCredentialSourcesTest {
  private static final String REGION = "eu-west-1";
  private static final List<String> PROPERTIES = List.of("aws.accessKeyId", "aws.secretAccessKey",
      "aws.sessionToken", "aws.sharedCredentialsFile", "aws.configFile", "aws.profile",
      "aws.containerCredentialsFullUri", "aws.containerAuthorizationToken");
  private static AwsKmsEmulator kms;
  private static String keyArn;

  @TempDir Path dir;

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
  void isolateFromThisMachine() throws IOException {
    kms.resetCounters();
    // Nothing of the machine's own AWS setup may leak in: empty credential and config files.
    System.setProperty("aws.sharedCredentialsFile", Files.createFile(dir.resolve("none")).toString());
    System.setProperty("aws.configFile", dir.resolve("none").toString());
    System.setProperty("aws.disableEc2Metadata", "true");
  }

  @AfterEach
  void clearProperties() {
    PROPERTIES.forEach(System::clearProperty);
  }

  private static BsonDocument masterKey() {
    return new BsonDocument("key", new BsonString(keyArn))
        .append("endpoint", new BsonString(kms.endpoint()));
  }

  private static void assertRoundTrip(KmsProvider provider) {
    byte[] dataKey = new byte[96];
    new SecureRandom().nextBytes(dataKey);
    BsonDocument stored = provider.masterKey(masterKey());
    assertThat(provider.decryptDataKey(stored, provider.encryptDataKey(stored, dataKey)))
        .isEqualTo(dataKey);
  }

  private static AwsKmsProvider defaultChain() {
    return AwsKmsProvider.builder().sslContext(kms.clientSslContext()).build();
  }

  private static void assumeNoAwsEnvironment() {
    Assumptions.assumeTrue(System.getenv("AWS_ACCESS_KEY_ID") == null
            && System.getenv("AWS_CONTAINER_CREDENTIALS_FULL_URI") == null
            && System.getenv("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI") == null
            && System.getenv("AWS_WEB_IDENTITY_TOKEN_FILE") == null,
        "this machine has AWS credentials in its environment, which the default chain would"
            + " prefer over the source under test");
  }

  // ---------------------------------------------------------------- session tokens

  @Test
  void sessionToken_validUntilExpiry_thenExpiredTokenNotRetried() {
    AwsKmsEmulator.Credentials temporary = kms.issueTemporaryCredentials(Duration.ofMinutes(5));
    String token = temporary.sessionToken().orElseThrow();
    try (AwsKmsProvider aws = AwsKmsProvider.builder()
        .credentials(temporary.accessKeyId(), temporary.secretAccessKey(), token)
        .sslContext(kms.clientSslContext()).build()) {
      assertRoundTrip(aws);

      kms.revoke(temporary); // the emulator's clock passes the expiry
      kms.resetCounters();

      assertThatThrownBy(() -> assertRoundTrip(aws))
          .isInstanceOf(KmsProviderException.class)
          .hasMessageContaining("ExpiredTokenException")
          .hasMessageNotContaining(token).hasMessageNotContaining(temporary.secretAccessKey())
          .satisfies(e -> assertThat(((KmsProviderException) e).isRetryable()).isFalse());
      assertThat(kms.requestCount()).isEqualTo(1);
    }
  }

  @Test
  void sessionToken_missingForTemporaryKey_unrecognizedClient() {
    AwsKmsEmulator.Credentials temporary = kms.issueTemporaryCredentials(Duration.ofMinutes(5));
    try (AwsKmsProvider aws = AwsKmsProvider.builder()
        .credentials(temporary.accessKeyId(), temporary.secretAccessKey())
        .sslContext(kms.clientSslContext()).build()) {
      assertThatThrownBy(() -> assertRoundTrip(aws))
          .hasMessageContaining("UnrecognizedClientException");
    }
  }

  // ---------------------------------------------------------------- default chain

  @Test
  void defaultChain_systemProperties_areUsed() {
    assumeNoAwsEnvironment();
    AwsKmsEmulator.Credentials temporary = kms.issueTemporaryCredentials(Duration.ofMinutes(5));
    System.setProperty("aws.accessKeyId", temporary.accessKeyId());
    System.setProperty("aws.secretAccessKey", temporary.secretAccessKey());
    System.setProperty("aws.sessionToken", temporary.sessionToken().orElseThrow());
    try (AwsKmsProvider aws = defaultChain()) {
      assertRoundTrip(aws);
    }
    assertThat(kms.requests()).allSatisfy(r ->
        assertThat(r.principal()).isEqualTo(temporary.accessKeyId()));
  }

  @Test
  void emptyMapEntry_namedProviderToo_usesTheDefaultChain() {
    assumeNoAwsEnvironment();
    System.setProperty("aws.accessKeyId", kms.credentials().accessKeyId());
    System.setProperty("aws.secretAccessKey", kms.credentials().secretAccessKey());
    for (String name : List.of("aws", "aws:onDemand")) {
      try (KmsProvider aws = new AwsKmsProviderFactory().create(new KmsProviderConfig(
          KmsProviderName.parse(name), Map.of(), kms.clientSslContext()))) {
        assertRoundTrip(aws);
        assertThat(aws.masterKey(masterKey()).getString("provider").getValue()).isEqualTo(name);
      }
    }
  }

  @Test
  void defaultChain_nothingFound_failsNamingTheChainWithoutRetry() {
    assumeNoAwsEnvironment();
    try (AwsKmsProvider aws = defaultChain()) {
      assertThatThrownBy(() -> assertRoundTrip(aws))
          .isInstanceOf(KmsProviderException.class)
          .hasMessageContaining("Unable to load credentials")
          .satisfies(e -> assertThat(((KmsProviderException) e).isRetryable()).isFalse());
    }
    assertThat(kms.requestCount()).isZero();
  }

  @Test
  void defaultChain_sharedCredentialsFile_defaultAndNamedProfiles() throws IOException {
    assumeNoAwsEnvironment();
    AwsKmsEmulator.Credentials byDefault = kms.createAccessKey(kms.accountId());
    AwsKmsEmulator.Credentials byProfile = kms.createAccessKey(kms.accountId());
    Path file = dir.resolve("credentials");
    Files.writeString(file, "[default]\n"
        + "aws_access_key_id = " + byDefault.accessKeyId() + "\n"
        + "aws_secret_access_key = " + byDefault.secretAccessKey() + "\n\n"
        + "[fle4j-test]\n"
        + "aws_access_key_id = " + byProfile.accessKeyId() + "\n"
        + "aws_secret_access_key = " + byProfile.secretAccessKey() + "\n", StandardCharsets.UTF_8);
    System.setProperty("aws.sharedCredentialsFile", file.toString());

    try (AwsKmsProvider aws = defaultChain()) {
      assertRoundTrip(aws);
    }
    System.setProperty("aws.profile", "fle4j-test");
    try (AwsKmsProvider aws = defaultChain()) {
      assertRoundTrip(aws);
    }

    assertThat(kms.requests()).extracting(RecordedHttpRequest::principal)
        .containsExactly(byDefault.accessKeyId(), byDefault.accessKeyId(),
            byProfile.accessKeyId(), byProfile.accessKeyId());
  }

  @Test
  void defaultChain_sharedCredentialsFileRewritten_isReadAgainWithoutARestart() throws Exception {
    // Issue 13, item 11: an edited shared credentials file was ignored until the process restarted.
    assumeNoAwsEnvironment();
    AwsKmsEmulator.Credentials first = kms.createAccessKey(kms.accountId());
    AwsKmsEmulator.Credentials second = kms.createAccessKey(kms.accountId());
    Path file = dir.resolve("rotating-credentials");
    Files.writeString(file, "[default]\naws_access_key_id = " + first.accessKeyId()
        + "\naws_secret_access_key = " + first.secretAccessKey() + "\n", StandardCharsets.UTF_8);
    System.setProperty("aws.sharedCredentialsFile", file.toString());
    try (AwsKmsProvider aws = defaultChain()) {
      assertRoundTrip(aws);
      kms.revoke(first);
      Files.writeString(file, "[default]\naws_access_key_id = " + second.accessKeyId()
          + "\naws_secret_access_key = " + second.secretAccessKey() + "\n", StandardCharsets.UTF_8);
      Files.setLastModifiedTime(file, java.nio.file.attribute.FileTime.fromMillis(
          System.currentTimeMillis() + 5_000));
      Thread.sleep(1_500); // the SDK looks at the files' modification time about once a second
      assertRoundTrip(aws);
    }
    assertThat(kms.requests()).extracting(RecordedHttpRequest::principal)
        .endsWith(second.accessKeyId(), second.accessKeyId());
  }

  /**
   * A container-credentials endpoint on loopback (SDK 2.31 accepts a plain-http full URI when
   * the host resolves only to loopback addresses), handing out fresh emulator-issued temporary
   * credentials valid 50 seconds. The SDK never uses credentials within a minute of their expiry
   * (it calls them stale and fetches new ones first; its earlier "prefetch" window is jittered,
   * so it is not what this test relies on): every call gets a new set, and expiring the first
   * set at the emulator does not break the next call.
   */
  @Test
  void defaultChain_containerEndpoint_refreshesTemporaryCredentialsBeforeExpiry() throws IOException {
    assumeNoAwsEnvironment();
    List<AwsKmsEmulator.Credentials> issued = new ArrayList<>();
    AtomicInteger unauthorized = new AtomicInteger();
    String authorization = "Bearer container-token-" + System.nanoTime();
    HttpServer endpoint = HttpServer.create(
        new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0), 0);
    endpoint.createContext("/v2/credentials", exchange -> {
      if (!authorization.equals(exchange.getRequestHeaders().getFirst("Authorization"))) {
        unauthorized.incrementAndGet();
        exchange.sendResponseHeaders(401, -1);
        exchange.close();
        return;
      }
      AwsKmsEmulator.Credentials credentials = kms.issueTemporaryCredentials(Duration.ofSeconds(50));
      synchronized (issued) {
        issued.add(credentials);
      }
      byte[] body = ("{\"AccessKeyId\": \"" + credentials.accessKeyId() + "\", "
          + "\"SecretAccessKey\": \"" + credentials.secretAccessKey() + "\", "
          + "\"Token\": \"" + credentials.sessionToken().orElseThrow() + "\", "
          + "\"Expiration\": \"" + credentials.expiration().orElseThrow()
              .truncatedTo(ChronoUnit.SECONDS) + "\"}").getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().set("Content-Type", "application/json");
      exchange.sendResponseHeaders(200, body.length);
      exchange.getResponseBody().write(body);
      exchange.close();
    });
    endpoint.start();
    try {
      System.setProperty("aws.containerCredentialsFullUri",
          "http://127.0.0.1:" + endpoint.getAddress().getPort() + "/v2/credentials");
      System.setProperty("aws.containerAuthorizationToken", authorization);
      try (AwsKmsProvider aws = defaultChain()) {
        BsonDocument stored = aws.masterKey(masterKey());
        byte[] dataKey = new byte[96];
        byte[] material = aws.encryptDataKey(stored, dataKey);
        kms.revoke(issued.get(0));

        assertThat(aws.decryptDataKey(stored, material)).isEqualTo(dataKey);
      }
    } finally {
      endpoint.stop(0);
    }
    assertThat(unauthorized).hasValue(0);
    assertThat(issued).hasSizeGreaterThanOrEqualTo(2);
    assertThat(kms.requests()).allSatisfy(r -> assertThat(r.status()).isEqualTo(200));
    assertThat(kms.requests()).extracting(RecordedHttpRequest::principal)
        .doesNotHaveDuplicates();
  }

  /**
   * Environment variables: a JVM cannot set its own, so a child JVM is started with {@code
   * AWS_ACCESS_KEY_ID}, {@code AWS_SECRET_ACCESS_KEY} and {@code AWS_SESSION_TOKEN} (and nothing
   * else of this machine's AWS setup), and runs {@link EnvironmentCredentialsProbe} against the
   * emulator through the default chain.
   */
  @Test
  void defaultChain_environmentVariables_inAChildJvm() throws Exception {
    AwsKmsEmulator.Credentials temporary = kms.issueTemporaryCredentials(Duration.ofMinutes(5));
    Path caPem = kms.writeCaCertificatePem(dir.resolve("ca.pem"));
    String java = Paths.get(System.getProperty("java.home"), "bin", "java").toString();
    String classPath = System.getProperty("surefire.test.class.path",
        System.getProperty("java.class.path"));
    ProcessBuilder builder = new ProcessBuilder(java, "-cp", classPath,
        EnvironmentCredentialsProbe.class.getName(), kms.endpoint(), keyArn, caPem.toString())
        .redirectErrorStream(true);
    Map<String, String> env = builder.environment();
    env.keySet().removeIf(name -> name.startsWith("AWS_"));
    env.put("AWS_ACCESS_KEY_ID", temporary.accessKeyId());
    env.put("AWS_SECRET_ACCESS_KEY", temporary.secretAccessKey());
    env.put("AWS_SESSION_TOKEN", temporary.sessionToken().orElseThrow());
    env.put("AWS_EC2_METADATA_DISABLED", "true");
    env.put("AWS_SHARED_CREDENTIALS_FILE", dir.resolve("none").toString());
    env.put("AWS_CONFIG_FILE", dir.resolve("none").toString());
    Process child = builder.start();
    String output;
    try {
      assertThat(child.waitFor(60, TimeUnit.SECONDS)).as("child JVM finished").isTrue();
      output = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    } finally {
      child.destroyForcibly();
    }

    assertThat(output).contains(EnvironmentCredentialsProbe.SUCCESS);
    assertThat(child.exitValue()).isZero();
    assertThat(kms.requests()).hasSize(2).allSatisfy(r -> {
      assertThat(r.principal()).isEqualTo(temporary.accessKeyId());
      assertThat(r.status()).isEqualTo(200);
    });
    assertThat(output).doesNotContain(temporary.secretAccessKey());
  }

  /** Started by the environment test in a child JVM; prints one line. */
  static final class EnvironmentCredentialsProbe {
    static final String SUCCESS = "round trip through the default chain: ok";

    public static void main(String[] args) throws Exception {
      java.security.cert.X509Certificate ca;
      try (var in = Files.newInputStream(Path.of(args[2]))) {
        ca = (java.security.cert.X509Certificate) java.security.cert.CertificateFactory
            .getInstance("X.509").generateCertificate(in);
      }
      java.security.KeyStore trust = java.security.KeyStore.getInstance("PKCS12");
      trust.load(null, null);
      trust.setCertificateEntry("ca", ca);
      javax.net.ssl.TrustManagerFactory tmf = javax.net.ssl.TrustManagerFactory.getInstance(
          javax.net.ssl.TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(trust);
      javax.net.ssl.SSLContext tls = javax.net.ssl.SSLContext.getInstance("TLS");
      tls.init(null, tmf.getTrustManagers(), null);
      try (AwsKmsProvider aws = AwsKmsProvider.builder().sslContext(tls).build()) {
        BsonDocument stored = aws.masterKey(new BsonDocument("key", new BsonString(args[1]))
            .append("endpoint", new BsonString(args[0])));
        byte[] dataKey = new byte[96];
        new SecureRandom().nextBytes(dataKey);
        byte[] back = aws.decryptDataKey(stored, aws.encryptDataKey(stored, dataKey));
        if (!java.util.Arrays.equals(back, dataKey)) {
          throw new IllegalStateException("decrypted a different key");
        }
        System.out.println(SUCCESS);
      } catch (RuntimeException e) {
        System.out.println("failed: " + e.getMessage());
        System.exit(1);
      }
    }
  }
}
