package io.fle4j.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * Runs KMS calls for many keys at once, bounded: a remote KMS answers in milliseconds, so doing
 * a thousand keys one after another is a thousand round trips end to end. Results keep the input
 * order; the first failure cancels what has not started and is thrown as it was.
 */
final class KmsCalls {
  /** At most this many KMS calls in flight (KMS request quotas are per second, in the thousands). */
  static final int MAX_IN_FLIGHT = 16;
  private static final AtomicInteger POOLS = new AtomicInteger();

  private KmsCalls() {}

  static <T, R> List<R> inParallel(List<T> inputs, Function<T, R> call) {
    return inParallel(inputs, call, MAX_IN_FLIGHT);
  }

  /** As {@link #inParallel(List, Function)}, with at most {@code maxInFlight} calls at once. */
  static <T, R> List<R> inParallel(List<T> inputs, Function<T, R> call, int maxInFlight) {
    if (inputs.size() <= 1 || maxInFlight <= 1) {
      return inputs.stream().map(call).toList();
    }
    int pool = POOLS.incrementAndGet();
    AtomicInteger threads = new AtomicInteger();
    ExecutorService executor = Executors.newFixedThreadPool(Math.min(maxInFlight, inputs.size()), r -> {
      Thread thread = new Thread(r, "fle4j-kms-" + pool + "-" + threads.incrementAndGet());
      thread.setDaemon(true);
      return thread;
    });
    try {
      List<Future<R>> futures = new ArrayList<>(inputs.size());
      for (T input : inputs) {
        futures.add(executor.submit(() -> call.apply(input)));
      }
      List<R> results = new ArrayList<>(inputs.size());
      for (Future<R> future : futures) {
        results.add(future.get());
      }
      return results;
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof RuntimeException runtime) {
        throw runtime;
      }
      if (cause instanceof Error error) {
        throw error;
      }
      throw new IllegalStateException(cause);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for KMS calls", e);
    } finally {
      executor.shutdownNow();
    }
  }
}
