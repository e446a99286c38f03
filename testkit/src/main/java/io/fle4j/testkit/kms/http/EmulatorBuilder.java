package io.fle4j.testkit.kms.http;

import java.time.Clock;
import java.util.Objects;

/**
 * The knobs every KMS emulator's builder has, named and shaped the same way: the clock its
 * tokens, signatures and key dates follow, and the seed of {@link Faults#failureRate}.
 *
 * @param <B> the concrete builder, returned by every setter
 */
public abstract class EmulatorBuilder<B extends EmulatorBuilder<B>> {
  private Clock clock = Clock.systemUTC();
  private long seed = 42;

  /** For the emulators' builders. */
  protected EmulatorBuilder() {}

  /** This builder, typed as the subclass. */
  protected abstract B self();

  /**
   * The clock for token expiry, request signatures and key dates (the system clock by default).
   *
   * @param clock the clock
   * @return this builder
   */
  public B clock(Clock clock) {
    this.clock = Objects.requireNonNull(clock, "clock");
    return self();
  }

  /**
   * Seed of the random sequence behind {@link Faults#failureRate} (42 by default).
   *
   * @param seed any number
   * @return this builder
   */
  public B seed(long seed) {
    this.seed = seed;
    return self();
  }

  /** The clock set, or the system clock. */
  public Clock clock() {
    return clock;
  }

  /** The seed set, or 42. */
  public long seed() {
    return seed;
  }
}
