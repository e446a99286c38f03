package io.fle4j.internal.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.ref.WeakReference;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Issue 13, item 8, and issue 16, item 1: keyed workers belong to the key, not to threads. */
class AeadKeyTest {
  private static final byte[] AAD = {1, 2, 3};
  private ExecutorService threads;

  @AfterEach
  void stop() {
    if (threads != null) {
      threads.shutdownNow();
    }
  }

  private static AeadKey newKey(int seed) {
    byte[] material = new byte[AeadKey.LENGTH];
    Arrays.fill(material, (byte) seed);
    return AeadKey.of(material);
  }

  @Test
  void retire_dropsTheWorkersOfAThreadThatStaysAlive() throws Exception {
    // With one worker per thread in a ThreadLocal, a thread that used a key kept that key's
    // ciphers and HMAC states for as long as it lived, whatever happened to the key.
    threads = Executors.newSingleThreadExecutor();
    AeadKey key = newKey(7);
    AtomicReference<WeakReference<AeadKey.Worker>> used = new AtomicReference<>();
    threads.submit(() -> {
      Aead.encryptRandom(key, AAD, new byte[32]);
      AeadKey.Worker worker = key.borrow(); // the worker that call gave back
      used.set(new WeakReference<>(worker));
      key.release(worker);
    }).get();
    assertThat(key.idleWorkers()).isEqualTo(1);

    key.retire();

    assertThat(key.idleWorkers()).isZero();
    assertThat(used.get().get()).isNotNull().matches(AeadKey.Worker::wiped, "wiped");
    for (int i = 0; i < 50 && used.get().get() != null; i++) {
      System.gc();
      Thread.sleep(20);
    }
    assertThat(used.get().get()).as("worker still reachable while its thread lives").isNull();
    threads.submit(() -> { }).get(); // the thread was alive all along
  }

  @Test
  void retiredKey_stillEncryptsAndDecrypts_butKeepsNothing() throws Exception {
    AeadKey key = newKey(3);
    byte[] sealed = Aead.encryptDeterministic(key, AAD, "before".getBytes());
    key.retire();

    byte[] after = Aead.encryptDeterministic(key, AAD, "before".getBytes());

    assertThat(after).isEqualTo(sealed);
    assertThat(Aead.decrypt(key, AAD, sealed)).isEqualTo("before".getBytes());
    assertThat(key.idleWorkers()).isZero();
    assertThat(key.retired()).isTrue();
  }

  @Test
  void destroyedKey_refusesLaterCalls() {
    AeadKey key = newKey(4);
    Aead.encryptRandom(key, AAD, new byte[5]);
    key.destroy();

    assertThatThrownBy(() -> Aead.encryptRandom(key, AAD, new byte[5]))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("destroyed");
    assertThat(key.idleWorkers()).isZero();
    assertThat(key).hasToString("AeadKey[redacted]");
  }

  @Test
  void workerBorrowedDuringRetire_isWipedWhenReturned() {
    AeadKey key = newKey(5);
    AeadKey.Worker worker = key.borrow();
    key.retire();
    assertThat(worker.wiped()).isFalse(); // in use: left alone

    key.release(worker);

    assertThat(worker.wiped()).isTrue();
    assertThat(key.idleWorkers()).isZero();
  }

  @Test
  void manyThreadsOnOneKey_neverShareAWorker_whileTheKeyIsRetiredMidway() throws Exception {
    int threadCount = 8;
    threads = Executors.newFixedThreadPool(threadCount);
    AeadKey key = newKey(9);
    CountDownLatch start = new CountDownLatch(1);
    List<Future<Integer>> results = new ArrayList<>();
    for (int t = 0; t < threadCount; t++) {
      int thread = t;
      results.add(threads.submit(() -> {
        start.await();
        int checked = 0;
        for (int i = 0; i < 3_000; i++) {
          byte[] plaintext = ("thread " + thread + " value " + i).getBytes();
          byte[] sealed = (i % 2 == 0)
              ? Aead.encryptRandom(key, AAD, plaintext)
              : Aead.encryptDeterministic(key, AAD, plaintext);
          if (!Arrays.equals(Aead.decrypt(key, AAD, sealed), plaintext)) {
            throw new AssertionError("wrong plaintext in thread " + thread + " at " + i);
          }
          checked++;
        }
        return checked;
      }));
    }
    start.countDown();
    Thread.sleep(5);
    key.retire();
    for (Future<Integer> result : results) {
      assertThat(result.get(60, TimeUnit.SECONDS)).isEqualTo(3_000);
    }
    assertThat(key.idleWorkers()).isZero();
  }

  @Test
  void pool_keepsNoMoreThanItsSize() throws Exception {
    AeadKey key = newKey(6);
    List<AeadKey.Worker> borrowed = new ArrayList<>();
    for (int i = 0; i < ReadyPool.DEFAULT_SIZE + 5; i++) {
      borrowed.add(key.borrow());
    }
    borrowed.forEach(key::release);

    assertThat(key.idleWorkers()).isEqualTo(ReadyPool.DEFAULT_SIZE);
    assertThat(borrowed.stream().filter(AeadKey.Worker::wiped).count()).isEqualTo(5);
  }
}
