package io.fle4j.testkit;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

/**
 * A clock that follows the system clock plus an offset a test moves forward: to expire tokens,
 * credentials or cache entries without waiting. Thread-safe.
 */
public final class MutableClock extends Clock {
  private volatile Duration offset = Duration.ZERO;

  /** Moves this clock forward by {@code by} (backward for a negative duration). */
  public void advance(Duration by) {
    offset = offset.plus(by);
  }

  @Override
  public ZoneId getZone() {
    return ZoneOffset.UTC;
  }

  @Override
  public Clock withZone(ZoneId zone) {
    return this;
  }

  @Override
  public Instant instant() {
    return Instant.now().plus(offset);
  }
}
