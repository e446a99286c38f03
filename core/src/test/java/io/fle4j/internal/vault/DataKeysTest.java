package io.fle4j.internal.vault;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.benmanes.caffeine.cache.Ticker;
import io.fle4j.DataKeyNotFoundException;
import io.fle4j.internal.kms.FakeKmsProviderFactory.FakeKmsProvider;
import io.fle4j.internal.kms.KmsProviderRegistry;
import io.fle4j.kms.Fle1KeyWrap;
import io.fle4j.kms.KmsProviderName;
import io.fle4j.kms.SecretBytes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import org.bson.BsonDocument;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class DataKeysTest {
  private final SecretBytes kek = SecretBytes.copyOf(new byte[96]);
  private final FakeKmsProvider provider =
      new FakeKmsProvider(KmsProviderName.of("fake"), kek, 50);
  private final KmsProviderRegistry registry =
      KmsProviderRegistry.create(Map.of(), Map.of(), Map.of(), List.of(provider),
          getClass().getClassLoader());
  private final UUID keyId = UUID.randomUUID();
  private final BsonDocument keyDocument = KeyDocument.create(keyId, List.of("ssn-key"),
      Fle1KeyWrap.wrap(kek, new byte[96]), provider.masterKey(new BsonDocument()), new Date());
  private final AtomicLong nanos = new AtomicLong();
  private final Ticker ticker = nanos::get;

  private final KeyDocumentSource source = new KeyDocumentSource() {
    @Override
    public Optional<BsonDocument> findById(UUID id) {
      return id.equals(keyId) ? Optional.of(keyDocument) : Optional.empty();
    }

    @Override
    public Optional<BsonDocument> findByAltName(String altName) {
      return altName.equals("ssn-key") ? Optional.of(keyDocument) : Optional.empty();
    }

    @Override
    public String namespace() {
      return "keyvault.datakeys";
    }
  };

  private ExecutorService pool;

  @AfterEach
  void stop() {
    if (pool != null) {
      pool.shutdownNow();
    }
  }

  @Test
  void byId_concurrentMissesWhileTheKmsIsDown_shareOneFailedCall() throws Exception {
    // Issue 13, item 6: 16 threads asking for one key while the KMS was down made 16 KMS calls,
    // one after another inside the cache's compute lock.
    DataKeys keys = new DataKeys(source, registry, Duration.ofSeconds(60), ticker);
    provider.failing = true;
    int threads = 16;
    pool = Executors.newFixedThreadPool(threads);
    CountDownLatch start = new CountDownLatch(1);
    List<Future<?>> results = new ArrayList<>();
    for (int i = 0; i < threads; i++) {
      results.add(pool.submit(() -> {
        start.await();
        return keys.byId(keyId);
      }));
    }
    long began = System.nanoTime();
    start.countDown();
    for (Future<?> result : results) {
      assertThatThrownBy(result::get).hasCauseInstanceOf(io.fle4j.kms.KmsProviderException.class);
    }
    assertThat(provider.decrypts.get()).as("KMS calls").isEqualTo(1);
    assertThat(Duration.ofNanos(System.nanoTime() - began)).isLessThan(Duration.ofSeconds(1));

    // Remembered briefly, then tried again.
    assertThatThrownBy(() -> keys.byId(keyId)).isInstanceOf(io.fle4j.kms.KmsProviderException.class);
    assertThat(provider.decrypts.get()).isEqualTo(1);
    provider.failing = false;
    nanos.addAndGet(DataKeys.FAILURE_MEMORY.toNanos() + 1);
    assertThat(keys.byId(keyId).id()).isEqualTo(keyId);
    assertThat(provider.decrypts.get()).isEqualTo(2);
  }

  @Test
  void byId_concurrentMisses_unwrapOnce() throws Exception {
    DataKeys keys = new DataKeys(source, registry, Duration.ofSeconds(60), ticker);
    int threads = 16;
    pool = Executors.newFixedThreadPool(threads);
    CountDownLatch start = new CountDownLatch(1);
    List<Future<DataKeys.DataKey>> results = new ArrayList<>();
    for (int i = 0; i < threads; i++) {
      boolean byName = i % 2 == 0;
      results.add(pool.submit(() -> {
        start.await();
        return byName ? keys.byAltName("ssn-key") : keys.byId(keyId);
      }));
    }
    start.countDown();
    for (Future<DataKeys.DataKey> result : results) {
      assertThat(result.get().id()).isEqualTo(keyId);
    }
    assertThat(provider.decrypts).hasValue(1);
  }

  @Test
  void byId_afterExpiration_unwrapsAgain() {
    DataKeys keys = new DataKeys(source, registry, Duration.ofSeconds(60), ticker);
    keys.byId(keyId);
    nanos.addAndGet(Duration.ofSeconds(59).toNanos());
    keys.byId(keyId);
    assertThat(provider.decrypts).hasValue(1);
    nanos.addAndGet(Duration.ofSeconds(2).toNanos());
    keys.byId(keyId);
    assertThat(provider.decrypts).hasValue(2);
  }

  @Test
  void byId_zeroExpiration_neverExpires() {
    DataKeys keys = new DataKeys(source, registry, Duration.ZERO, ticker);
    keys.byId(keyId);
    nanos.addAndGet(Duration.ofDays(30).toNanos());
    keys.byId(keyId);
    assertThat(provider.decrypts).hasValue(1);
  }

  @Test
  void byId_unknownKey_throwsNamingTheIdAndVault() {
    DataKeys keys = new DataKeys(source, registry, Duration.ofSeconds(60), ticker);
    UUID unknown = UUID.randomUUID();
    assertThatThrownBy(() -> keys.byId(unknown))
        .isInstanceOf(DataKeyNotFoundException.class)
        .hasMessageContaining(unknown.toString())
        .hasMessageContaining("keyvault.datakeys");
    assertThatThrownBy(() -> keys.byAltName("nope"))
        .isInstanceOf(DataKeyNotFoundException.class)
        .hasMessageContaining("'nope'");
  }

  @Test
  void invalidate_forgetsTheKeyForBothLookups() {
    DataKeys keys = new DataKeys(source, registry, Duration.ofSeconds(60), ticker);
    keys.byAltName("ssn-key");
    keys.invalidate(keyId);
    keys.byAltName("ssn-key");
    assertThat(provider.decrypts).hasValue(2);
  }

  @Test
  void invalidate_retiresTheKeySoNoWorkerOfItStays() {
    // Issue 13, item 8: a key that leaves the cache takes its keyed workers with it.
    DataKeys keys = new DataKeys(source, registry, Duration.ofSeconds(60), ticker);
    DataKeys.DataKey key = keys.byId(keyId);
    assertThat(key.key().retired()).isFalse();

    keys.invalidate(keyId);

    assertThat(key.key().retired()).isTrue();
  }

  @Test
  void expiration_retiresTheOldKey_andTheNewOneIsLive() {
    DataKeys keys = new DataKeys(source, registry, Duration.ofSeconds(60), ticker);
    DataKeys.DataKey old = keys.byId(keyId);
    nanos.addAndGet(Duration.ofSeconds(61).toNanos());

    DataKeys.DataKey fresh = keys.byId(keyId);

    assertThat(fresh).isNotSameAs(old);
    assertThat(old.key().retired()).isTrue();
    assertThat(fresh.key().retired()).isFalse();
  }

  @Test
  void byAltName_neverHandsOutAKeyTheIdCacheRetired() {
    DataKeys keys = new DataKeys(source, registry, Duration.ofSeconds(60), ticker);
    DataKeys.DataKey first = keys.byId(keyId);
    nanos.addAndGet(Duration.ofSeconds(30).toNanos());
    assertThat(keys.byAltName("ssn-key")).isSameAs(first); // the name now points at it too
    nanos.addAndGet(Duration.ofSeconds(31).toNanos());
    DataKeys.DataKey second = keys.byId(keyId); // the id entry expired: first is retired
    assertThat(first.key().retired()).isTrue();

    assertThat(keys.cachedByAltName("ssn-key")).isNull();
    assertThat(keys.byAltName("ssn-key")).isSameAs(second);
  }

  @Test
  void failedLoads_logNothing() {
    // A KMS outage made every failed load a WARNING with a stack trace from the cache library:
    // a flood in the application's log, which it did not ask for. The caller gets the error.
    java.util.logging.Logger root = java.util.logging.Logger.getLogger("");
    List<java.util.logging.LogRecord> logged = new java.util.concurrent.CopyOnWriteArrayList<>();
    java.util.logging.Handler capture = new java.util.logging.Handler() {
      @Override
      public void publish(java.util.logging.LogRecord record) {
        logged.add(record);
      }

      @Override
      public void flush() {}

      @Override
      public void close() {}
    };
    root.addHandler(capture);
    try {
      DataKeys keys = new DataKeys(source, registry, Duration.ofSeconds(60), ticker);
      provider.failing = true;
      assertThatThrownBy(() -> keys.byId(keyId))
          .isInstanceOf(io.fle4j.kms.KmsProviderException.class);
      assertThatThrownBy(() -> keys.byAltName("ssn-key"))
          .isInstanceOf(io.fle4j.kms.KmsProviderException.class);
    } finally {
      root.removeHandler(capture);
    }
    assertThat(logged).extracting(java.util.logging.LogRecord::getMessage).isEmpty();
  }

  @Test
  void invalidateDuringALoad_theLoadedKeyIsNotCached() throws Exception {
    // A key deleted (or rewrapped) while a load of it was under way must not be cached by that
    // load: the next asker reads the key vault again.
    DataKeys keys = new DataKeys(source, registry, Duration.ofSeconds(60), ticker);
    pool = Executors.newSingleThreadExecutor();
    Future<DataKeys.DataKey> loading = pool.submit(() -> keys.byId(keyId)); // 50 ms in the KMS
    Thread.sleep(20);
    keys.invalidate(keyId);
    assertThat(loading.get().id()).isEqualTo(keyId); // its own caller still gets it

    assertThat(keys.cachedById(keyId)).isNull();
    keys.byId(keyId);
    assertThat(provider.decrypts).hasValue(2);
  }
}
