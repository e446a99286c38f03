package io.fle4j.internal.vault;

import com.github.benmanes.caffeine.cache.Cache;
import com.mongodb.MongoInterruptedException;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Ticker;
import io.fle4j.DataKeyNotFoundException;
import io.fle4j.EncryptionEvent.CacheActivity;
import io.fle4j.internal.crypto.AeadKey;
import io.fle4j.internal.events.Events;
import io.fle4j.internal.qe.QeKey;
import io.fle4j.internal.kms.KmsProviderRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.ExecutionException;
import java.util.function.Supplier;
import org.bson.BsonDocument;

/**
 * Finds and unwraps data keys, through a cache of unwrapped keys (Caffeine). As in libmongocrypt,
 * an entry expires a fixed time after it was added (reads do not extend it), and 0 means never.
 *
 * <p>One load per key at a time, failures included: the first thread to miss a key reads the key
 * vault and calls the KMS on its own stack, outside any lock of the cache; every other thread
 * asking for that key meanwhile waits for that one result, success or failure. A failed load is
 * remembered for {@link #FAILURE_MEMORY}, so a KMS that is down is asked once per key and second,
 * not once per waiting thread.
 *
 * <p>A key that leaves the cache (expired, invalidated) is retired: its keyed workers are wiped
 * at once, threads still using it finish, and the rest of it goes with the last reference.
 */
public final class DataKeys {
  /** The CSFLE default key expiration. */
  public static final Duration DEFAULT_EXPIRATION = Duration.ofSeconds(60);
  /** How long a failed load answers for its key before the next attempt. */
  static final Duration FAILURE_MEMORY = Duration.ofSeconds(1);

  private final KeyDocumentSource keyVault;
  private final KmsProviderRegistry kms;
  private final Events events;
  private final Cache<UUID, DataKey> byId;
  private final Cache<String, DataKey> byAltName;
  // Loads under way, apart from the caches: a failed load here is a plain CompletableFuture
  // that only its waiters see (Caffeine's AsyncCache would log each failure as a warning with
  // its stack trace, a flood while a KMS is down).
  private final ConcurrentMap<UUID, CompletableFuture<DataKey>> loadingById =
      new ConcurrentHashMap<>();
  private final ConcurrentMap<String, CompletableFuture<DataKey>> loadingByAltName =
      new ConcurrentHashMap<>();
  private final Cache<Object, RuntimeException> failures;
  // Bumped by every invalidation. A load stores its key (or its failure) only if no
  // invalidation ran since it started, so a key deleted or renamed while it was being loaded is
  // not cached afterwards; check-and-store and invalidate hold this object's lock (both short).
  private long generation;

  public DataKeys(KeyDocumentSource keyVault, KmsProviderRegistry kms, Duration expiration) {
    this(keyVault, kms, expiration, Events.NONE);
  }

  /** @param events told of hits, misses, loads and evictions */
  public DataKeys(KeyDocumentSource keyVault, KmsProviderRegistry kms, Duration expiration,
      Events events) {
    this(keyVault, kms, expiration, Ticker.systemTicker(), events);
  }

  DataKeys(KeyDocumentSource keyVault, KmsProviderRegistry kms, Duration expiration, Ticker ticker) {
    this(keyVault, kms, expiration, ticker, Events.NONE);
  }

  DataKeys(KeyDocumentSource keyVault, KmsProviderRegistry kms, Duration expiration, Ticker ticker,
      Events events) {
    this.keyVault = keyVault;
    this.kms = kms;
    this.events = events;
    this.byId = builder(expiration, ticker)
        .executor(Runnable::run) // retire on the thread that evicts, not later on another
        .<UUID, DataKey>removalListener((id, key, cause) -> leftCache(id, key))
        .build();
    this.byAltName = builder(expiration, ticker).build();
    this.failures = Caffeine.newBuilder().ticker(ticker).expireAfterWrite(FAILURE_MEMORY).build();
  }

  /** A key left the id cache: its workers go, and the listener hears of it. */
  private void leftCache(UUID id, DataKey key) {
    if (key != null) {
      key.retire();
      if (events.enabled()) {
        events.cache(CacheActivity.EVICTION, id, null, byId.estimatedSize());
      }
    }
  }

  private static Caffeine<Object, Object> builder(Duration expiration, Ticker ticker) {
    Caffeine<Object, Object> builder = Caffeine.newBuilder().ticker(ticker);
    return expiration.isZero() ? builder : builder.expireAfterWrite(expiration);
  }

  /**
   * The data key with this id.
   *
   * @throws DataKeyNotFoundException when the key vault has no such key
   */
  public DataKey byId(UUID id) {
    return single(byId, loadingById, id, () -> load(id));
  }

  /**
   * The data key with this alternate name.
   *
   * @throws DataKeyNotFoundException when the key vault has no such key
   */
  public DataKey byAltName(String altName) {
    DataKey found = loadByAltName(altName);
    if (!found.key().retired()) {
      return found;
    }
    // The id cache let go of this key while the name still pointed at it: load it afresh.
    byAltName.asMap().remove(altName, found);
    return loadByAltName(altName);
  }

  private DataKey loadByAltName(String altName) {
    return single(byAltName, loadingByAltName, altName, () -> {
      List<BsonDocument> docs = keyVault.findKeys(List.of(), List.of(altName));
      if (docs.isEmpty()) {
        throw DataKeyNotFoundException.forBatch(List.of(), List.of(altName), keyVault.namespace());
      }
      KeyDocument key = KeyDocument.parse(docs.get(0));
      // Share the unwrapped key with id lookups, so the KMS is asked once per key.
      return single(byId, loadingById, key.id(), () -> unwrap(key), false);
    });
  }

  /**
   * The value for {@code key}: cached, or being loaded by another thread (then its result), or
   * loaded now by this thread with {@code loader}, which runs outside any lock of the cache.
   */
  private <K> DataKey single(Cache<K, DataKey> cache,
      ConcurrentMap<K, CompletableFuture<DataKey>> loading, K key, Supplier<DataKey> loader) {
    return single(cache, loading, key, loader, true);
  }

  /**
   * As above; {@code report} is false for the id lookup inside an alternate-name load, which the
   * name's own hit, miss and load already report.
   */
  private <K> DataKey single(Cache<K, DataKey> cache,
      ConcurrentMap<K, CompletableFuture<DataKey>> loading, K key, Supplier<DataKey> loader,
      boolean report) {
    boolean observed = report && events.enabled();
    DataKey cached = cache.getIfPresent(key);
    if (cached != null) {
      if (observed) {
        observe(CacheActivity.HIT, key, cached);
      }
      return cached;
    }
    if (observed) {
      observe(CacheActivity.MISS, key, null);
    }
    CompletableFuture<DataKey> mine = new CompletableFuture<>();
    CompletableFuture<DataKey> existing = loading.putIfAbsent(key, mine);
    if (existing == null) {
      long startedAt = generation();
      try {
        // Checked again once this thread owns the load: a load that ended between the miss
        // above and now has stored its key, or recorded its failure, before it let go.
        cached = cache.getIfPresent(key);
        if (cached != null) {
          mine.complete(cached);
          return cached;
        }
        RuntimeException remembered = failures.getIfPresent(key);
        if (remembered != null) {
          mine.completeExceptionally(remembered); // not re-recorded, so the memory still expires
          throw remembered;
        }
        long loadStart = System.nanoTime();
        DataKey loaded;
        try {
          loaded = loader.get();
        } catch (RuntimeException | Error e) {
          if (observed) {
            events.cacheLoad(key instanceof UUID id ? id : null,
                key instanceof String name ? name : null, loadStart, false, byId.estimatedSize());
          }
          throw e;
        }
        store(cache, key, loaded, startedAt);
        if (observed) {
          events.cacheLoad(loaded.id(), key instanceof String name ? name : null, loadStart, true,
              byId.estimatedSize());
        }
        mine.complete(loaded);
        return loaded;
      } catch (RuntimeException | Error e) {
        // An interruption is about this thread, not the key: the next asker tries at once.
        if (e instanceof RuntimeException runtime && !(e instanceof MongoInterruptedException)
            && !mine.isDone()) {
          store(failures, key, runtime, startedAt);
        }
        mine.completeExceptionally(e);
        throw e;
      } finally {
        loading.remove(key, mine);
      }
    }
    try {
      return existing.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new MongoInterruptedException("interrupted while another thread loaded data key " + key,
          e);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException runtime) {
        throw runtime;
      }
      if (e.getCause() instanceof Error error) {
        throw error;
      }
      throw new IllegalStateException(e.getCause());
    }
  }

  /**
   * The data key with this id if it is cached now, else null; never reads the key vault or calls
   * a KMS. (Null rather than Optional: this runs once per encrypted value.) A null is not
   * reported as a miss: the caller then loads the key through {@link #fetch}, which reports it.
   */
  public DataKey cachedById(UUID id) {
    DataKey key = byId.getIfPresent(id);
    if (key != null && events.enabled()) {
      observe(CacheActivity.HIT, id, key);
    }
    return key;
  }

  /** The data key with this alternate name if it is cached now, else null; never calls out. */
  public DataKey cachedByAltName(String altName) {
    DataKey key = byAltName.getIfPresent(altName);
    if (key == null || key.key().retired()) {
      return null;
    }
    if (events.enabled()) {
      observe(CacheActivity.HIT, altName, key);
    }
    return key;
  }

  private void observe(CacheActivity activity, Object key, DataKey found) {
    UUID id = found != null ? found.id() : key instanceof UUID u ? u : null;
    events.cache(activity, id, key instanceof String name ? name : null, byId.estimatedSize());
  }

  /**
   * Loads every listed key that is not cached, with one key-vault read for all of them (as
   * libmongocrypt does per operation), then one KMS call per key.
   *
   * @throws DataKeyNotFoundException when the vault lacks any of them, with libmongocrypt's
   *     "not all keys requested were satisfied" and the missing ids and names
   */
  public void fetch(Collection<UUID> ids, Collection<String> altNames) {
    // libmongocrypt lists requests newest first; keep its order so the read looks the same.
    List<UUID> missingIds = new ArrayList<>();
    for (UUID id : ids) {
      if (cachedById(id) == null && !missingIds.contains(id)) {
        missingIds.add(0, id);
      }
    }
    List<String> missingNames = new ArrayList<>();
    for (String name : altNames) {
      if (cachedByAltName(name) == null && !missingNames.contains(name)) {
        missingNames.add(0, name);
      }
    }
    if (missingIds.isEmpty() && missingNames.isEmpty()) {
      return;
    }
    long startedAt = generation();
    List<KeyDocument> found = new ArrayList<>();
    for (BsonDocument doc : keyVault.findKeys(missingIds, missingNames)) {
      found.add(KeyDocument.parse(doc));
    }
    Set<UUID> unfoundIds = new LinkedHashSet<>(missingIds);
    Set<String> unfoundNames = new LinkedHashSet<>(missingNames);
    for (KeyDocument key : found) {
      unfoundIds.remove(key.id());
      unfoundNames.removeAll(key.keyAltNames());
    }
    if (!unfoundIds.isEmpty() || !unfoundNames.isEmpty()) {
      throw DataKeyNotFoundException.forBatch(unfoundIds, unfoundNames, keyVault.namespace());
    }
    for (KeyDocument key : found) {
      DataKey dataKey = single(byId, loadingById, key.id(), () -> unwrap(key));
      for (String name : key.keyAltNames()) {
        if (missingNames.contains(name)) {
          store(byAltName, name, dataKey, startedAt);
        }
      }
    }
  }

  private synchronized long generation() {
    return generation;
  }

  /** Stores what a load found, unless an invalidation ran since it started. */
  private synchronized <K, V> void store(Cache<K, V> cache, K key, V value, long startedAt) {
    if (generation == startedAt) {
      cache.put(key, value);
    }
  }

  /** Forgets an alternate name, for example after it was removed from its key. */
  public synchronized void invalidateAltName(String altName) {
    generation++;
    byAltName.invalidate(altName);
    failures.invalidate(altName);
    loadingByAltName.remove(altName); // later askers load afresh instead of joining a stale load
  }

  /** Forgets a key, for example after it was deleted or rewrapped. */
  public synchronized void invalidate(UUID id) {
    generation++;
    byId.invalidate(id);
    failures.invalidate(id);
    loadingById.remove(id); // later askers load afresh instead of joining a stale load
    byAltName.asMap().values().removeIf(key -> key.id().equals(id));
  }

  private DataKey load(UUID id) {
    List<BsonDocument> docs = keyVault.findKeys(List.of(id), List.of());
    if (docs.isEmpty()) {
      throw DataKeyNotFoundException.forBatch(List.of(id), List.of(), keyVault.namespace());
    }
    return unwrap(KeyDocument.parse(docs.get(0)));
  }

  /** Asks the key's KMS provider to unwrap it. */
  private DataKey unwrap(KeyDocument key) {
    byte[] material = checkedLength(key, kms.get(key.provider().toString(),
        "key " + key.id() + " masterKey.provider").decryptDataKey(key.masterKey(),
            key.keyMaterial()));
    try {
      return new DataKey(key.id(), AeadKey.of(material), QeKey.of(material));
    } finally {
      Arrays.fill(material, (byte) 0);
    }
  }

  /**
   * What a KMS provider unwrapped, refused unless it is a 96-byte CSFLE data key: a provider (or
   * a KMS) that answers with anything else is named, and the bytes are wiped.
   */
  public static byte[] checkedLength(KeyDocument key, byte[] material) {
    if (material == null || material.length != AeadKey.LENGTH) {
      int length = material == null ? -1 : material.length;
      if (material != null) {
        Arrays.fill(material, (byte) 0);
      }
      throw new io.fle4j.kms.KmsProviderException(key.provider(), false, "unwrapping data key "
          + key.id() + " returned " + (length < 0 ? "nothing" : length + " bytes")
          + "; a CSFLE data key has " + AeadKey.LENGTH);
    }
    return material;
  }

  /** An unwrapped data key. Never prints its content. */
  public static final class DataKey {
    private final UUID id;
    private final AeadKey key;
    private final QeKey queryable;

    DataKey(UUID id, AeadKey key, QeKey queryable) {
      this.id = id;
      this.key = key;
      this.queryable = queryable;
    }

    public UUID id() {
      return id;
    }

    /** The key as CSFLE splits it. */
    public AeadKey key() {
      return key;
    }

    /** The same key as Queryable Encryption splits it. */
    public QeKey queryable() {
      return queryable;
    }

    /** Lets go of both views' pooled workers (the key leaves the cache). */
    void retire() {
      key.retire();
      queryable.retire();
    }

    @Override
    public String toString() {
      return "DataKey{id=" + id + ", material=redacted}";
    }
  }
}
