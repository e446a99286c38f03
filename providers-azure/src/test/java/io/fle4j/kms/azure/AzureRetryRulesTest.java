package io.fle4j.kms.azure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.azure.core.credential.AccessToken;
import com.azure.core.credential.TokenCredential;
import com.azure.core.http.HttpClient;
import com.azure.core.http.HttpHeaders;
import io.fle4j.kms.KmsProvider;
import io.fle4j.kms.KmsProviderException;
import io.fle4j.testkit.kms.azure.AzureKeyVaultEmulator;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.bson.BsonDocument;
import org.bson.BsonString;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;

/** How the retry rules hold where azure-core's machinery could bend them. */
class AzureRetryRulesTest {
  private static final byte[] ERROR = "{\"error\":{\"code\":\"Forbidden\",\"message\":\"no\"}}"
      .getBytes(StandardCharsets.UTF_8);
  private static AzureKeyVaultEmulator vault;
  private static AzureKeyVaultEmulator.App app;

  @BeforeAll
  static void startVault() {
    vault = AzureKeyVaultEmulator.start();
    vault.createKey("kek");
    app = vault.registerApplication();
  }

  @AfterAll
  static void stopVault() {
    vault.close();
  }

  private static BsonDocument masterKey(String endpoint) {
    return new BsonDocument("keyVaultEndpoint", new BsonString(endpoint))
        .append("keyName", new BsonString("kek"));
  }

  @Test
  void aServerCannotChooseTheRetryWait_byAnsweringWithTheInternalHeader() {
    AtomicInteger sent = new AtomicInteger();
    HttpClient hostile = request -> {
      sent.incrementAndGet();
      return Mono.just(new CannedResponse(request, 403, new HttpHeaders()
          .set(AzureKeyVaultPipelines.RETRY_DELAY_HEADER, "2000000000"), ERROR));
    };
    try (KmsProvider provider = AzureKmsProvider.builder().accessToken("token-for-the-test")
        .httpClient(hostile).build()) {
      long start = System.nanoTime();
      assertThatThrownBy(() -> provider.encryptDataKey(provider.masterKey(
          masterKey("v.vault.azure.net")), new byte[96]))
          .isInstanceOf(KmsProviderException.class)
          .hasMessageContaining("HTTP 403")
          .satisfies(e -> assertThat(((KmsProviderException) e).isRetryable()).isFalse());
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
    }
    assertThat(sent).hasValue(1);
  }

  @Test
  void aRetryableAnswer_withTheInternalHeader_waitsOnlyTheCappedBackoff() {
    AtomicInteger sent = new AtomicInteger();
    HttpClient hostile = request -> Mono.just(new CannedResponse(request,
        sent.incrementAndGet() == 1 ? 503 : 404, new HttpHeaders()
            .set(AzureKeyVaultPipelines.RETRY_DELAY_HEADER, "2000000000"), ERROR));
    try (KmsProvider provider = AzureKmsProvider.builder().accessToken("token-for-the-test")
        .httpClient(hostile).retryBackoff(Duration.ofMillis(10), Duration.ofMillis(50))
        .build()) {
      long start = System.nanoTime();
      assertThatThrownBy(() -> provider.encryptDataKey(provider.masterKey(
          masterKey("v.vault.azure.net")), new byte[96]))
          .hasMessageContaining("after 2 attempts").hasMessageContaining("HTTP 404");
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
    }
    assertThat(sent).hasValue(2);
  }

  @Test
  void interruptWhileWaitingAfterANetworkError_restoresTheFlag_andIsNotRetryable()
      throws Exception {
    int closedPort;
    try (ServerSocket socket = new ServerSocket(0)) {
      closedPort = socket.getLocalPort();
    }
    ScheduledExecutorService interrupter = Executors.newSingleThreadScheduledExecutor();
    try (KmsProvider provider = AzureKmsProvider.builder()
        .accessToken(vault.issueAccessToken(app)).sslContext(vault.clientSslContext())
        .maxAttempts(10).retryBackoff(Duration.ofSeconds(5), Duration.ofSeconds(5)).build()) {
      BsonDocument key = provider.masterKey(masterKey("127.0.0.1:" + closedPort));
      Thread caller = Thread.currentThread();
      interrupter.schedule(caller::interrupt, 300, TimeUnit.MILLISECONDS);
      assertThatThrownBy(() -> provider.encryptDataKey(key, new byte[96]))
          .isInstanceOf(KmsProviderException.class)
          .hasMessageContaining("interrupted")
          .satisfies(e -> assertThat(((KmsProviderException) e).isRetryable()).isFalse());
      assertThat(Thread.interrupted()).as("the interrupt flag is set again").isTrue();
    } finally {
      interrupter.shutdownNow();
      Thread.interrupted();
    }
  }

  @Test
  void transientTokenFailures_countAsAttempts() {
    AtomicInteger asked = new AtomicInteger();
    TokenCredential flaky = request -> asked.incrementAndGet() <= 2
        ? Mono.error(new UncheckedIOException(new IOException("connection reset")))
        : Mono.just(new AccessToken(vault.issueAccessToken(app),
            OffsetDateTime.now().plusHours(1)));
    // Three attempts: two lost at the token endpoint, then the wrap.
    try (KmsProvider provider = AzureKmsProvider.builder().tokenCredential(flaky)
        .sslContext(vault.clientSslContext()).maxAttempts(3)
        .retryBackoff(Duration.ofMillis(10), Duration.ofMillis(50)).build()) {
      provider.encryptDataKey(provider.masterKey(masterKey(vault.endpoint())), new byte[96]);
    }
    assertThat(asked).hasValue(3);
    // Two attempts, both lost there: the call ends, retryable, saying so.
    asked.set(0);
    try (KmsProvider provider = AzureKmsProvider.builder().tokenCredential(flaky)
        .sslContext(vault.clientSslContext()).maxAttempts(2)
        .retryBackoff(Duration.ofMillis(10), Duration.ofMillis(50)).build()) {
      assertThatThrownBy(() -> provider.encryptDataKey(provider.masterKey(
          masterKey(vault.endpoint())), new byte[96]))
          .isInstanceOf(KmsProviderException.class)
          .hasMessageContaining("after 2 attempts")
          .hasMessageContaining("could not get an access token")
          .satisfies(e -> assertThat(((KmsProviderException) e).isRetryable()).isTrue());
    }
    assertThat(asked).hasValue(2);
  }

  @Test
  void aCredentialGivingNoExpiry_isAskedAgainLater_andEveryCallWorks() {
    AtomicInteger asked = new AtomicInteger();
    TokenCredential noExpiry = request -> {
      asked.incrementAndGet();
      return Mono.just(new AccessToken(vault.issueAccessToken(app), null));
    };
    try (KmsProvider provider = AzureKmsProvider.builder().tokenCredential(noExpiry)
        .sslContext(vault.clientSslContext()).build()) {
      BsonDocument key = provider.masterKey(masterKey(vault.endpoint()));
      byte[] dataKey = new byte[96];
      dataKey[0] = 7;
      for (int i = 0; i < 3; i++) {
        assertThat(provider.decryptDataKey(key, provider.encryptDataKey(key, dataKey)))
            .isEqualTo(dataKey);
      }
    }
    assertThat(asked).hasValue(1);
  }
}
