package io.fle4j.kms;

import io.fle4j.ConfigurationException;
import java.time.Duration;
import java.util.Objects;

/**
 * The settings every provider of a remote KMS shares, and their rules: timeouts, attempts and
 * backoff. The AWS, Azure and GCP builders extend it, so that {@code maxAttempts(0)} is refused
 * with the same words everywhere and the defaults agree.
 *
 * <p>Not thread-safe, like any builder.
 *
 * @param <B> the concrete builder, returned by every setter
 */
public abstract class RemoteKmsProviderBuilder<B extends RemoteKmsProviderBuilder<B>> {
  /** Attempts per call unless configured: the first try and two retries, as libmongocrypt. */
  public static final int DEFAULT_MAX_ATTEMPTS = 3;
  /** Base of the exponential backoff unless configured (libmongocrypt's 0.2 s). */
  public static final Duration DEFAULT_RETRY_BASE_DELAY = Duration.ofMillis(200);
  /** Longest wait between attempts unless configured, also the cap on {@code Retry-After}. */
  public static final Duration DEFAULT_RETRY_MAX_DELAY = Duration.ofSeconds(20);
  /** TCP connect timeout unless configured. */
  public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(10);
  /** Limit on one attempt unless configured. */
  public static final Duration DEFAULT_ATTEMPT_TIMEOUT = Duration.ofSeconds(30);
  /** Limit on one call, all attempts and waits included, unless configured. */
  public static final Duration DEFAULT_CALL_TIMEOUT = Duration.ofMinutes(2);

  private final String type;
  private KmsProviderName name;
  private Duration connectTimeout = DEFAULT_CONNECT_TIMEOUT;
  private Duration attemptTimeout = DEFAULT_ATTEMPT_TIMEOUT;
  private Duration callTimeout = DEFAULT_CALL_TIMEOUT;
  private int maxAttempts = DEFAULT_MAX_ATTEMPTS;
  private Duration retryBaseDelay = DEFAULT_RETRY_BASE_DELAY;
  private Duration retryMaxDelay = DEFAULT_RETRY_MAX_DELAY;
  private boolean connectTimeoutSet;
  private boolean attemptTimeoutSet;

  /**
   * For subclasses.
   *
   * @param type the provider type, such as {@code aws}; also the default name
   */
  protected RemoteKmsProviderBuilder(String type) {
    this.type = type;
    this.name = KmsProviderName.of(type);
  }

  /** This builder, typed as the subclass. */
  protected abstract B self();

  /**
   * The provider's full name: its type (the default), or a named provider such as {@code
   * aws:prod}.
   *
   * @param name the provider's full name
   * @return this builder
   */
  public B name(String name) {
    KmsProviderName parsed;
    try {
      parsed = KmsProviderName.parse(Objects.requireNonNull(name, "name"));
    } catch (IllegalArgumentException e) {
      throw new ConfigurationException("name", e.getMessage());
    }
    if (!parsed.type().equals(type)) {
      throw new ConfigurationException("name", "this provider's name is '" + type + "' or '"
          + type + ":<name>', got '" + name + "'");
    }
    this.name = parsed;
    return self();
  }

  /**
   * TCP connect timeout (10 s by default).
   *
   * @param timeout positive
   * @return this builder
   */
  public B connectTimeout(Duration timeout) {
    this.connectTimeout = positive(timeout, "connectTimeout");
    this.connectTimeoutSet = true;
    return self();
  }

  /**
   * Limit on one attempt; an attempt that takes longer is abandoned and retried (30 s by
   * default).
   *
   * @param timeout positive
   * @return this builder
   */
  public B attemptTimeout(Duration timeout) {
    this.attemptTimeout = positive(timeout, "attemptTimeout");
    this.attemptTimeoutSet = true;
    return self();
  }

  /**
   * Limit on one call, retries and waits included (2 min by default).
   *
   * @param timeout positive
   * @return this builder
   */
  public B callTimeout(Duration timeout) {
    this.callTimeout = positive(timeout, "callTimeout");
    return self();
  }

  /**
   * Attempts per call, the first included: 1 disables retries (3 by default, at most 10).
   *
   * @param attempts 1 to 10
   * @return this builder
   */
  public B maxAttempts(int attempts) {
    if (attempts < 1 || attempts > 10) {
      throw new ConfigurationException("maxAttempts", "must be 1 to 10, got " + attempts);
    }
    this.maxAttempts = attempts;
    return self();
  }

  /**
   * Exponential backoff with full jitter: before retry {@code n} the provider waits a random
   * time up to {@code min(maxDelay, baseDelay * 2^(n-1))}, or what {@code Retry-After} asks if
   * longer, never more than {@code maxDelay} (0.2 s and 20 s by default). See {@link
   * RetryBackoff}.
   *
   * @param baseDelay positive
   * @param maxDelay at least {@code baseDelay}
   * @return this builder
   */
  public B retryBackoff(Duration baseDelay, Duration maxDelay) {
    positive(baseDelay, "retryBackoff.baseDelay");
    positive(maxDelay, "retryBackoff.maxDelay");
    if (maxDelay.compareTo(baseDelay) < 0) {
      throw new ConfigurationException("retryBackoff.maxDelay",
          "must not be shorter than baseDelay (" + baseDelay + "), got " + maxDelay);
    }
    this.retryBaseDelay = baseDelay;
    this.retryMaxDelay = maxDelay;
    return self();
  }

  /** The provider's full name. */
  public KmsProviderName name() {
    return name;
  }

  /** The TCP connect timeout. */
  public Duration connectTimeout() {
    return connectTimeout;
  }

  /** The limit on one attempt. */
  public Duration attemptTimeout() {
    return attemptTimeout;
  }

  /** The limit on one call. */
  public Duration callTimeout() {
    return callTimeout;
  }

  /** Attempts per call, the first included. */
  public int maxAttempts() {
    return maxAttempts;
  }

  /** The waits between attempts. */
  public RetryBackoff retryBackoff() {
    return RetryBackoff.of(retryBaseDelay, retryMaxDelay);
  }

  /** Whether {@link #connectTimeout(Duration)} was called. */
  protected boolean connectTimeoutSet() {
    return connectTimeoutSet;
  }

  /** Whether {@link #attemptTimeout(Duration)} was called. */
  protected boolean attemptTimeoutSet() {
    return attemptTimeoutSet;
  }

  /**
   * Gives {@code copy} these settings; for a subclass's copy.
   *
   * @param copy a fresh builder of the same kind
   * @return {@code copy}
   */
  protected B copyTo(B copy) {
    RemoteKmsProviderBuilder<B> into = copy;
    into.name = name;
    into.connectTimeout = connectTimeout;
    into.attemptTimeout = attemptTimeout;
    into.callTimeout = callTimeout;
    into.maxAttempts = maxAttempts;
    into.retryBaseDelay = retryBaseDelay;
    into.retryMaxDelay = retryMaxDelay;
    into.connectTimeoutSet = connectTimeoutSet;
    into.attemptTimeoutSet = attemptTimeoutSet;
    return copy;
  }

  /**
   * Refuses a null, zero or negative duration, naming {@code field}.
   *
   * @param value the duration
   * @param field the setting's name
   * @return {@code value}
   */
  protected static Duration positive(Duration value, String field) {
    if (value == null || value.isNegative() || value.isZero()) {
      throw new ConfigurationException(field, "must be a positive duration, got " + value);
    }
    return value;
  }
}
