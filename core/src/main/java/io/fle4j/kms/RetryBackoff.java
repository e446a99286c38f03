package io.fle4j.kms;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;

/**
 * How long an HTTP-based provider waits before a retry: exponential backoff with full jitter,
 * and a server's {@code Retry-After} honoured up to the backoff's maximum.
 *
 * <p>Before retry {@code n} (1 for the first retry) the wait is uniform in {@code [0,
 * min(maxDelay, baseDelay * 2^(n-1))]}; when the server asked for longer with {@code
 * Retry-After}, the wait is what it asked, never more than {@code maxDelay}: a hostile or
 * confused server cannot park a caller for an hour. Immutable and thread-safe.
 */
public final class RetryBackoff {
  private final Duration baseDelay;
  private final Duration maxDelay;

  private RetryBackoff(Duration baseDelay, Duration maxDelay) {
    this.baseDelay = baseDelay;
    this.maxDelay = maxDelay;
  }

  /**
   * A backoff from {@code baseDelay} up to {@code maxDelay}; the caller has validated both.
   *
   * @param baseDelay the first retry's cap, positive
   * @param maxDelay the longest wait, at least {@code baseDelay}
   * @return the backoff
   */
  public static RetryBackoff of(Duration baseDelay, Duration maxDelay) {
    return new RetryBackoff(Objects.requireNonNull(baseDelay, "baseDelay"),
        Objects.requireNonNull(maxDelay, "maxDelay"));
  }

  /** The first retry's cap, doubled for each further retry. */
  public Duration baseDelay() {
    return baseDelay;
  }

  /** The longest wait, also the cap on {@code Retry-After}. */
  public Duration maxDelay() {
    return maxDelay;
  }

  /**
   * The wait before retry {@code retry}.
   *
   * @param retry 1 for the first retry
   * @param retryAfter what the server asked for, or null
   * @return the wait, between zero and {@link #maxDelay()}
   */
  public Duration delayBefore(int retry, Duration retryAfter) {
    long cap = Math.min(maxDelay.toMillis(), baseDelay.toMillis() << Math.min(retry - 1, 30));
    long jitter = cap <= 0 ? 0 : ThreadLocalRandom.current().nextLong(cap + 1);
    if (retryAfter != null) {
      long asked = Math.min(retryAfter.toMillis(), maxDelay.toMillis());
      return Duration.ofMillis(Math.max(asked, jitter));
    }
    return Duration.ofMillis(jitter);
  }

  /**
   * Reads a {@code Retry-After} header: delay-seconds or an HTTP-date (RFC 9110 §10.2.3).
   *
   * @param value the header, or null
   * @param clock what "now" is for an HTTP-date
   * @return the delay (zero for a date in the past), or null when absent or unreadable
   */
  public static Duration parseRetryAfter(String value, Clock clock) {
    if (value == null || value.isBlank()) {
      return null;
    }
    String text = value.trim();
    try {
      return Duration.ofSeconds(Math.max(0, Long.parseLong(text)));
    } catch (NumberFormatException e) {
      try {
        Instant at = ZonedDateTime.parse(text, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
        Duration d = Duration.between(clock.instant(), at);
        return d.isNegative() ? Duration.ZERO : d;
      } catch (DateTimeParseException ignored) {
        return null;
      }
    }
  }

  @Override
  public String toString() {
    return "RetryBackoff{base=" + baseDelay + ", max=" + maxDelay + "}";
  }
}
