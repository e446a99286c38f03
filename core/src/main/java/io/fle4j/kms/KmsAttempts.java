package io.fle4j.kms;

import java.util.function.IntConsumer;
import java.util.function.Supplier;

/**
 * How many requests a KMS call sent, first try and retries: providers report each request with
 * {@link #sent()}, and fle4j reads the count for its KMS events ({@code
 * EncryptionEvent.KmsRequest#attempts}). Providers send on the calling thread (their retries
 * too), so the count lives in a thread-local and costs one lookup per request, or nothing when
 * nobody counts.
 */
public final class KmsAttempts {
  private static final ThreadLocal<int[]> COUNT = new ThreadLocal<>();

  private KmsAttempts() {}

  /** Call once for every request sent to the KMS, including each retry. */
  public static void sent() {
    int[] count = COUNT.get();
    if (count != null) {
      count[0]++;
    }
  }

  /**
   * Runs {@code call}, then tells {@code attempts} how many requests it sent on this thread
   * (also when it throws). Nested counting is kept apart.
   */
  public static <T> T counting(Supplier<T> call, IntConsumer attempts) {
    int[] outer = COUNT.get();
    int[] mine = {0};
    COUNT.set(mine);
    try {
      return call.get();
    } finally {
      if (outer == null) {
        COUNT.remove();
      } else {
        COUNT.set(outer);
      }
      attempts.accept(mine[0]);
    }
  }
}
