package io.fle4j.internal.kms;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fle4j.kms.KmsProvider;
import io.fle4j.kms.KmsProviderConfig;
import io.fle4j.kms.KmsProviderException;
import io.fle4j.kms.KmsProviderFactory;
import io.fle4j.kms.KmsProviderName;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.bson.BsonDocument;
import org.junit.jupiter.api.Test;

/**
 * Credentials that rotate while many threads call the KMS: no call may fail because the provider
 * it runs in was closed under it (issue 13, item 5).
 */
class SuppliedKmsProviderTest {
  private static final KmsProviderName NAME = KmsProviderName.of("fake");

  /** A provider that fails, as a real SDK client would, when used after close. */
  private static final class ClosingProvider implements KmsProvider {
    private final AtomicBoolean closed = new AtomicBoolean();

    @Override
    public KmsProviderName name() {
      return NAME;
    }

    @Override
    public BsonDocument masterKey(BsonDocument options) {
      return new BsonDocument();
    }

    @Override
    public byte[] encryptDataKey(BsonDocument masterKey, byte[] dataKey) {
      work();
      return dataKey.clone();
    }

    @Override
    public byte[] decryptDataKey(BsonDocument masterKey, byte[] keyMaterial) {
      work();
      return keyMaterial.clone();
    }

    private void work() {
      if (closed.get()) {
        throw new IllegalStateException("connection pool shut down");
      }
      Thread.onSpinWait();
      if (closed.get()) {
        throw new IllegalStateException("connection pool shut down");
      }
    }

    @Override
    public void close() {
      closed.set(true);
    }
  }

  private final AtomicInteger created = new AtomicInteger();
  private final KmsProviderFactory factory = new KmsProviderFactory() {
    @Override
    public String type() {
      return "fake";
    }

    @Override
    public KmsProvider create(KmsProviderConfig config) {
      created.incrementAndGet();
      return new ClosingProvider();
    }
  };

  @Test
  void rotatingCredentials_underManyThreads_neverFailACall() throws Exception {
    AtomicLong version = new AtomicLong();
    SuppliedKmsProvider provider = new SuppliedKmsProvider(NAME, factory,
        () -> Map.of("token", "t" + version.get()), null);
    int threads = 8;
    ExecutorService pool = Executors.newFixedThreadPool(threads + 1);
    ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
    AtomicBoolean running = new AtomicBoolean(true);
    List<Future<?>> workers = new ArrayList<>();
    try {
      for (int t = 0; t < threads; t++) {
        workers.add(pool.submit(() -> {
          byte[] key = new byte[96];
          while (running.get()) {
            try {
              provider.decryptDataKey(new BsonDocument(), provider.encryptDataKey(new BsonDocument(), key));
            } catch (RuntimeException e) {
              failures.add(e);
            }
          }
        }));
      }
      pool.submit(() -> {
        while (running.get()) {
          version.incrementAndGet();
          try {
            Thread.sleep(1);
          } catch (InterruptedException e) {
            return;
          }
        }
      });
      Thread.sleep(1_000);
    } finally {
      running.set(false);
      pool.shutdown();
      pool.awaitTermination(10, TimeUnit.SECONDS);
    }
    assertThat(created.get()).as("providers built while rotating").isGreaterThan(10);
    assertThat(failures).as("calls that failed").isEmpty();
  }

  @Test
  void byteArrayProperties_equalByContent_doNotRebuildTheProvider() {
    SuppliedKmsProvider provider = new SuppliedKmsProvider(NAME, factory,
        () -> Map.of("key", new byte[96]), null);
    for (int i = 0; i < 5; i++) {
      provider.encryptDataKey(new BsonDocument(), new byte[96]);
    }
    assertThat(created.get()).isEqualTo(1);
  }

  @Test
  void useAfterClose_isAKmsProviderException() {
    SuppliedKmsProvider provider = new SuppliedKmsProvider(NAME, factory, () -> Map.of(), null);
    provider.encryptDataKey(new BsonDocument(), new byte[96]);
    provider.close();
    assertThatThrownBy(() -> provider.encryptDataKey(new BsonDocument(), new byte[96]))
        .isInstanceOf(KmsProviderException.class).hasMessageContaining("closed");
  }
}
