package io.fle4j.testkit.kms.http;

import java.time.Duration;
import java.util.Objects;
import java.util.function.UnaryOperator;

/**
 * The faults an emulator injects, with the same knobs on every emulator and each service's own
 * wording: {@code emulator.faults().throttleNext(1)} answers as AWS KMS, Key Vault or Cloud KMS
 * answer above their quotas. Planned faults are picked when a request arrives, before it is
 * authenticated; latency applies after that. Thread-safe; methods return this for chaining.
 */
public final class Faults {
  /**
   * How a service words throttling and injected failures.
   *
   * @param throttleStatus the status of a throttled request, such as 429 (or 400 for AWS KMS)
   * @param throttleCode the error code, such as {@code ThrottlingException}
   * @param throttleMessage the error message
   * @param messageForCode the message of an injected failure with a given code
   */
  public record Wording(int throttleStatus, String throttleCode, String throttleMessage,
      UnaryOperator<String> messageForCode) {
    public Wording {
      Objects.requireNonNull(throttleCode, "throttleCode");
      Objects.requireNonNull(throttleMessage, "throttleMessage");
      Objects.requireNonNull(messageForCode, "messageForCode");
    }
  }

  private final EmulatorHttpsServer server;
  private final Wording wording;
  private final Runnable alsoOnClear;

  /**
   * @param alsoOnClear clears the emulator's own faults too (those the shared server does not
   *     know, such as corrupted replies)
   */
  public Faults(EmulatorHttpsServer server, Wording wording, Runnable alsoOnClear) {
    this.server = Objects.requireNonNull(server, "server");
    this.wording = Objects.requireNonNull(wording, "wording");
    this.alsoOnClear = Objects.requireNonNull(alsoOnClear, "alsoOnClear");
  }

  /** Every request waits {@code delay} before it is served (zero or more). */
  public Faults latency(Duration delay) {
    server.latency(delay);
    return this;
  }

  /** The next {@code count} requests, of any operation, fail with this status and code. */
  public Faults failNext(int count, int status, String code) {
    return failNext(null, count, status, code);
  }

  /**
   * The next {@code count} requests of {@code operation} ({@code null}: any) fail with this
   * status and code, such as 503 {@code ServiceUnavailable}.
   */
  public Faults failNext(String operation, int count, int status, String code) {
    server.failNext(operation, count, status, code, wording.messageForCode().apply(code), null);
    return this;
  }

  /** The next {@code count} requests are throttled as the service throttles, with no Retry-After. */
  public Faults throttleNext(int count) {
    return throttleNext(count, null);
  }

  /**
   * The next {@code count} requests are throttled as the service throttles, with a {@code
   * Retry-After} of {@code retryAfter} (whole seconds) when it is not {@code null}.
   */
  public Faults throttleNext(int count, Duration retryAfter) {
    server.failNext(null, count, wording.throttleStatus(), wording.throttleCode(),
        wording.throttleMessage(), retryAfter);
    return this;
  }

  /** The next {@code count} requests are read, then the connection is closed with no reply. */
  public Faults dropNextConnections(int count) {
    return dropNextConnections(null, count);
  }

  /** The next {@code count} requests of {@code operation} ({@code null}: any) are dropped. */
  public Faults dropNextConnections(String operation, int count) {
    server.dropNext(operation, count);
    return this;
  }

  /**
   * Each request (after planned faults) fails with probability {@code rate}, 0 to 1, from a
   * random sequence seeded by the emulator's builder.
   */
  public Faults failureRate(double rate, int status, String code) {
    server.failureRate(rate, status, code, wording.messageForCode().apply(code));
    return this;
  }

  /**
   * At most {@code requestsPerSecond} requests per second of the emulator's clock; the rest are
   * throttled as the service throttles (429 services add {@code Retry-After: 1}). 0: no limit.
   */
  public Faults rateLimit(int requestsPerSecond) {
    server.rateLimit(requestsPerSecond, wording.throttleStatus(), wording.throttleCode(),
        wording.throttleMessage(), wording.throttleStatus() == 429 ? Duration.ofSeconds(1) : null);
    return this;
  }

  /** Removes every planned fault, the failure rate, the rate limit and the latency. */
  public void clear() {
    server.clearFaults();
    alsoOnClear.run();
  }
}
