package io.fle4j.kms;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

class RetryBackoffTest {
  private static final RetryBackoff BACKOFF =
      RetryBackoff.of(Duration.ofMillis(100), Duration.ofSeconds(1));

  @Test
  void delayBefore_isFullJitterUnderTheDoublingCap() {
    for (int i = 0; i < 2_000; i++) {
      assertThat(BACKOFF.delayBefore(1, null)).isBetween(Duration.ZERO, Duration.ofMillis(100));
      assertThat(BACKOFF.delayBefore(3, null)).isBetween(Duration.ZERO, Duration.ofMillis(400));
      assertThat(BACKOFF.delayBefore(40, null)).isBetween(Duration.ZERO, Duration.ofSeconds(1));
    }
    // Full jitter spreads the waits: not all the same.
    assertThat(java.util.stream.IntStream.range(0, 50)
        .mapToObj(i -> BACKOFF.delayBefore(3, null)).distinct().count()).isGreaterThan(1);
  }

  @Test
  void retryAfter_isHonouredButNeverBeyondTheMaximum() {
    for (int i = 0; i < 500; i++) {
      assertThat(BACKOFF.delayBefore(1, Duration.ofMillis(700)))
          .isBetween(Duration.ofMillis(700), Duration.ofSeconds(1));
      assertThat(BACKOFF.delayBefore(1, Duration.ofHours(1))).isEqualTo(Duration.ofSeconds(1));
    }
  }

  @Test
  void parseRetryAfter_readsSecondsAndHttpDates_againstTheGivenClock() {
    Clock clock = Clock.fixed(Instant.parse("2026-12-02T10:00:00Z"), ZoneOffset.UTC);
    assertThat(RetryBackoff.parseRetryAfter(" 7 ", clock)).isEqualTo(Duration.ofSeconds(7));
    assertThat(RetryBackoff.parseRetryAfter("-3", clock)).isEqualTo(Duration.ZERO);
    assertThat(RetryBackoff.parseRetryAfter("Wed, 02 Dec 2026 10:00:30 GMT", clock))
        .isEqualTo(Duration.ofSeconds(30));
    assertThat(RetryBackoff.parseRetryAfter("Wed, 02 Dec 2026 09:00:00 GMT", clock))
        .isEqualTo(Duration.ZERO);
    assertThat(RetryBackoff.parseRetryAfter("soon", clock)).isNull();
    assertThat(RetryBackoff.parseRetryAfter("", clock)).isNull();
    assertThat(RetryBackoff.parseRetryAfter(null, clock)).isNull();
  }
}
