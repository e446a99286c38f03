package io.fle4j.internal.vault;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Ticker;
import io.fle4j.DataKeyNotFoundException;
import io.fle4j.internal.crypto.AeadKey;
import io.fle4j.internal.kms.KmsProviderRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.bson.BsonDocument;

/**
 * Finds and unwraps data keys, through a cache of unwrapped keys (Caffeine). As in libmongocrypt,
 * an entry expires a fixed time after it was added (reads do not extend it), and 0 means never.
 * Concurrent misses on one key wait for a single key-vault read and a single KMS call.
 */
public final class DataKeys {
  /** The CSFLE default key expiration. */
  public static final Duration DEFAULT_EXPIRATION = Duration.ofSeconds(60);

  private final KeyDocumentSource keyVault;
  private final KmsProviderRegistry kms;
  private final Cache<UUID, DataKey> byId;
  private final Cache<String, DataKey> byAltName;

  public DataKeys(KeyDocumentSource keyVault, KmsProviderRegistry kms, Duration expiration) {
    this(keyVault, kms, expiration, Ticker.systemTicker());
  }

  DataKeys(KeyDocumentSource keyVault, KmsProviderRegistry kms, Duration expiration, Ticker ticker) {
    this.keyVault = keyVault;
    this.kms = kms;
    this.byId = builder(expiration, ticker).build();
    this.byAltName = builder(expiration, ticker).build();
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
    return byId.get(id, this::load);
  }

  /**
   * The data key with this alternate name.
   *
   * @throws DataKeyNotFoundException when the key vault has no such key
   */
  public DataKey byAltName(String altName) {
    return byAltName.get(altName, name -> {
      List<BsonDocument> docs = keyVault.findKeys(List.of(), List.of(name));
      if (docs.isEmpty()) {
        throw DataKeyNotFoundException.forBatch(List.of(), List.of(name), keyVault.namespace());
      }
      KeyDocument key = KeyDocument.parse(docs.get(0));
      // Share the unwrapped key with id lookups, so the KMS is asked once per key.
      return byId.get(key.id(), id -> unwrap(key));
    });
  }

  /**
   * The data key with this id if it is cached now, else null; never reads the key vault or calls
   * a KMS. (Null rather than Optional: this runs once per encrypted value.)
   */
  public DataKey cachedById(UUID id) {
    return byId.getIfPresent(id);
  }

  /** The data key with this alternate name if it is cached now, else null; never calls out. */
  public DataKey cachedByAltName(String altName) {
    return byAltName.getIfPresent(altName);
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
      if (byId.getIfPresent(id) == null && !missingIds.contains(id)) {
        missingIds.add(0, id);
      }
    }
    List<String> missingNames = new ArrayList<>();
    for (String name : altNames) {
      if (byAltName.getIfPresent(name) == null && !missingNames.contains(name)) {
        missingNames.add(0, name);
      }
    }
    if (missingIds.isEmpty() && missingNames.isEmpty()) {
      return;
    }
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
      DataKey dataKey = byId.get(key.id(), id -> unwrap(key));
      for (String name : key.keyAltNames()) {
        if (missingNames.contains(name)) {
          byAltName.put(name, dataKey);
        }
      }
    }
  }

  /** Forgets a key, for example after it was deleted. */
  /** Forgets an alternate name, for example after it was removed from its key. */
  public void invalidateAltName(String altName) {
    byAltName.invalidate(altName);
  }

  public void invalidate(UUID id) {
    byId.invalidate(id);
    byAltName.asMap().values().removeIf(k -> k.id().equals(id));
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
      return new DataKey(key.id(), AeadKey.of(material));
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

    DataKey(UUID id, AeadKey key) {
      this.id = id;
      this.key = key;
    }

    public UUID id() {
      return id;
    }

    public AeadKey key() {
      return key;
    }

    @Override
    public String toString() {
      return "DataKey{id=" + id + ", material=redacted}";
    }
  }
}
