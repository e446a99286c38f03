package io.fle4j.kms.azure;

import com.azure.core.credential.AccessToken;
import com.azure.core.credential.TokenCredential;
import com.azure.core.credential.TokenRequestContext;
import com.azure.core.http.HttpClient;
import com.azure.core.http.HttpHeaderName;
import com.azure.core.http.HttpHeaders;
import com.azure.core.http.HttpPipeline;
import com.azure.core.http.HttpPipelineBuilder;
import com.azure.core.http.HttpPipelineCallContext;
import com.azure.core.http.HttpRequest;
import com.azure.core.http.HttpResponse;
import com.azure.core.http.policy.BearerTokenAuthenticationPolicy;
import com.azure.core.http.policy.HttpPipelineSyncPolicy;
import com.azure.core.http.policy.RetryPolicy;
import com.azure.core.http.policy.RetryStrategy;
import com.azure.core.util.BinaryData;
import com.azure.core.util.Context;
import io.fle4j.kms.KmsAttempts;
import io.fle4j.kms.KmsFailures;
import io.fle4j.kms.RetryBackoff;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.Charset;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeoutException;
import javax.net.ssl.SSLHandshakeException;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The azure-core pipelines Key Vault calls go through, one per token scope (one per vault
 * domain): azure-core's {@link RetryPolicy} around its {@link BearerTokenAuthenticationPolicy}
 * (which caches the scope's token and refreshes it before it expires) around a small {@link
 * Attempts} policy next to the wire.
 *
 * <p>{@code Attempts} and the {@link RetryStrategy} are where this provider's own rules meet
 * azure-core's machinery. {@code Attempts} counts each request for {@link KmsAttempts} and, for
 * a response worth retrying, hands {@code RetryPolicy} the wait in a header it is told to read
 * ({@value #RETRY_DELAY_HEADER}, in milliseconds; one the server sent is removed): full jitter,
 * or the server's {@code Retry-After} capped at the backoff's maximum. The strategy does the
 * same for exceptions. Both retry only while attempts are left and the wait ends before the
 * call's deadline, so {@code RetryPolicy} never sleeps past {@code callTimeout}.
 *
 * <p>The call being made lives in a thread-local for its duration: a synchronous pipeline runs
 * its policies, the strategy and the credential on the calling thread, and the strategy has no
 * other way to reach it.
 */
final class AzureKeyVaultPipelines {
  /** The statuses Key Vault documents as transient. */
  static final Set<Integer> RETRIED_STATUS = Set.of(408, 429, 500, 502, 503, 504);
  static final String RETRY_DELAY_HEADER = "x-fle4j-retry-delay-ms";
  private static final HttpHeaderName RETRY_DELAY = HttpHeaderName.fromString(RETRY_DELAY_HEADER);
  private static final ThreadLocal<Call> CURRENT = new ThreadLocal<>();
  /** azure-core's switch for reading the body inside the pipeline, so a body cut short is retried. */
  private static final Context EAGER_BODY = Context.NONE.addData("azure-eagerly-read-response",
      true);

  private final HttpClient httpClient;
  private final TokenCredential credential;
  private final RetryBackoff backoff;
  private final int maxAttempts;
  private final Clock clock = Clock.systemUTC();
  private final Map<String, HttpPipeline> byScope = new ConcurrentHashMap<>();

  AzureKeyVaultPipelines(HttpClient httpClient, TokenCredential credential, RetryBackoff backoff,
      int maxAttempts) {
    this.httpClient = httpClient;
    this.credential = credential;
    this.backoff = backoff;
    this.maxAttempts = maxAttempts;
  }

  /** The pipeline for tokens of {@code scope}, built on first use. */
  HttpPipeline forScope(String scope) {
    return byScope.computeIfAbsent(scope, this::build);
  }

  /**
   * Forgets {@code pipeline}, and with it the token the vault just refused: the next {@link
   * #forScope} builds a new one, whose token cache starts empty.
   */
  void dropTokenOf(String scope, HttpPipeline pipeline) {
    byScope.remove(scope, pipeline);
  }

  /** Sends {@code request}, retries included, counting into {@code call}. */
  HttpResponse send(HttpPipeline pipeline, HttpRequest request, Call call) {
    CURRENT.set(call);
    try {
      return pipeline.sendSync(request, EAGER_BODY);
    } finally {
      CURRENT.remove();
    }
  }

  private HttpPipeline build(String scope) {
    return new HttpPipelineBuilder()
        .httpClient(httpClient)
        .policies(
            new RetryPolicy(new Strategy(), RETRY_DELAY_HEADER, ChronoUnit.MILLIS),
            new BearerTokenAuthenticationPolicy(credential, scope),
            new Attempts())
        .build();
  }

  /** Whether a failed attempt's exception is worth another: network trouble, not TLS trust. */
  static boolean retryable(Throwable e) {
    if (e instanceof TokenFailure token) {
      return token.retryable;
    }
    if (e instanceof NoAttemptLeft || KmsFailures.wasInterrupted(e)
        || KmsFailures.hasCause(e, SSLHandshakeException.class)) {
      return false;
    }
    return KmsFailures.hasCause(e, IOException.class)
        || KmsFailures.hasCause(e, TimeoutException.class);
  }

  /** One call's state, shared by its attempts, the 401 renewal's included. */
  static final class Call {
    final Instant deadline;
    /** Requests sent. */
    int sent;
    /** Rounds that ended at the token endpoint, before anything was sent. */
    int tokenFailures;
    private Duration nextWait = Duration.ZERO;
    private TokenFailure lastCounted;

    Call(Instant deadline) {
      this.deadline = deadline;
    }

    int attempts() {
      return sent + tokenFailures;
    }

    /**
     * Counts a round lost at the token endpoint, once per failure: counted where the failure
     * surfaces (the retry decision, or the call's end), not in the credential, since azure-core's
     * token cache may fall back to a still-valid token after a failed early refresh.
     */
    void tokenFailed(TokenFailure failure) {
      if (lastCounted != failure) {
        lastCounted = failure;
        tokenFailures++;
      }
    }
  }

  /** Thrown instead of a request once a call's attempts are used up (after a 401 renewal). */
  static final class NoAttemptLeft extends RuntimeException {
    private static final long serialVersionUID = 1L;

    NoAttemptLeft() {
      super("no attempt left", null, true, false);
    }
  }

  /**
   * A credential failed to give a token; {@code message} is ready for the user (no secret) and
   * {@code retryable} says whether the identity endpoint's answer was transient.
   */
  static final class TokenFailure extends RuntimeException {
    private static final long serialVersionUID = 1L;
    final boolean retryable;
    /**
     * What the credential threw. Not the cause: {@code RetryPolicy} asks the strategy about
     * every I/O cause too, and would retry a failure judged final for a transient-looking cause.
     */
    final transient Throwable source;

    TokenFailure(String message, boolean retryable, Throwable source) {
      super(message, null, true, false);
      this.retryable = retryable;
      this.source = source;
    }
  }

  /** A fixed token: its expiry is the user's business; a 401 tells them. */
  static TokenCredential fixed(String token) {
    AccessToken access = new AccessToken(token, java.time.OffsetDateTime.now().plusYears(100));
    return new TokenCredential() {
      @Override
      public Mono<AccessToken> getToken(TokenRequestContext request) {
        return Mono.just(access);
      }

      @Override
      public AccessToken getTokenSync(TokenRequestContext request) {
        return access;
      }

      @Override
      public String toString() {
        return "fixed access token (redacted)";
      }
    };
  }

  private final class Strategy implements RetryStrategy {
    @Override
    public int getMaxRetries() {
      return maxAttempts - 1;
    }

    /** For exceptions, the wait {@link #shouldRetryException} chose; responses carry theirs. */
    @Override
    public Duration calculateRetryDelay(int retryAttempt) {
      Call call = CURRENT.get();
      return call == null ? Duration.ZERO : call.nextWait;
    }

    @Override
    public boolean shouldRetry(HttpResponse response) {
      return RETRIED_STATUS.contains(response.getStatusCode())
          && response.getHeaderValue(RETRY_DELAY) != null;
    }

    @Override
    public boolean shouldRetryException(Throwable throwable) {
      Call call = CURRENT.get();
      if (call == null) {
        return false;
      }
      if (throwable instanceof TokenFailure token) {
        call.tokenFailed(token);
      }
      if (!retryable(throwable)) {
        return false;
      }
      Duration wait = waitBeforeRetry(call, null);
      call.nextWait = wait == null ? Duration.ZERO : wait;
      return wait != null;
    }
  }

  /** The wait before another attempt, or null when none is left or it would pass the deadline. */
  private Duration waitBeforeRetry(Call call, Duration retryAfter) {
    if (call.attempts() >= maxAttempts) {
      return null;
    }
    Duration wait = backoff.delayBefore(call.attempts(), retryAfter);
    return clock.instant().plus(wait).isAfter(call.deadline) ? null : wait;
  }

  /** Counts requests and decides which responses are retried, and after how long. */
  private final class Attempts extends HttpPipelineSyncPolicy {
    @Override
    protected void beforeSendingRequest(HttpPipelineCallContext context) {
      Call call = CURRENT.get();
      if (call.attempts() >= maxAttempts) {
        throw new NoAttemptLeft(); // the 401 renewal's pipeline starts its own count
      }
      call.sent++;
      KmsAttempts.sent();
    }

    @Override
    protected HttpResponse afterReceivedResponse(HttpPipelineCallContext context,
        HttpResponse response) {
      Duration wait = null;
      if (RETRIED_STATUS.contains(response.getStatusCode())) {
        wait = waitBeforeRetry(CURRENT.get(), RetryBackoff.parseRetryAfter(
            response.getHeaderValue(HttpHeaderName.RETRY_AFTER), clock));
      }
      return wait != null || response.getHeaderValue(RETRY_DELAY) != null
          ? new WithRetryDelay(response, wait) : response;
    }
  }

  /**
   * {@code response} with the wait before its retry in {@link #RETRY_DELAY}, or without that
   * header when it is not to be retried (a server may not choose the wait): a decorator rather
   * than a change to the response's own headers, which an HTTP client may keep read-only.
   */
  private static final class WithRetryDelay extends HttpResponse {
    private final HttpResponse response;
    private final HttpHeaders headers;

    WithRetryDelay(HttpResponse response, Duration wait) {
      super(response.getRequest());
      this.response = response;
      this.headers = new HttpHeaders(response.getHeaders());
      if (wait == null) {
        headers.remove(RETRY_DELAY);
      } else {
        headers.set(RETRY_DELAY, Long.toString(wait.toMillis()));
      }
    }

    @Override
    public int getStatusCode() {
      return response.getStatusCode();
    }

    @Override
    @Deprecated
    public String getHeaderValue(String name) {
      return headers.getValue(name);
    }

    @Override
    public String getHeaderValue(HttpHeaderName name) {
      return headers.getValue(name);
    }

    @Override
    public HttpHeaders getHeaders() {
      return headers;
    }

    @Override
    public Flux<ByteBuffer> getBody() {
      return response.getBody();
    }

    @Override
    public BinaryData getBodyAsBinaryData() {
      return response.getBodyAsBinaryData();
    }

    @Override
    public Mono<byte[]> getBodyAsByteArray() {
      return response.getBodyAsByteArray();
    }

    @Override
    public Mono<String> getBodyAsString() {
      return response.getBodyAsString();
    }

    @Override
    public Mono<String> getBodyAsString(Charset charset) {
      return response.getBodyAsString(charset);
    }

    @Override
    public void close() {
      response.close();
    }
  }
}
