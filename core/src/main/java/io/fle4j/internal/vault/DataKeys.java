package io.fle4j.internal.vault;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Ticker;
import io.fle4j.DataKeyNotFoundException;
import io.fle4j.internal.crypto.AeadKey;
import io.fle4j.internal.kms.KmsProviderRegistry;
import java.time.Duration;
import java.util.Arrays;
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
      BsonDocument doc = keyVault.findByAltName(name)
          .orElseThrow(() -> DataKeyNotFoundException.forAltName(name, keyVault.namespace()));
      KeyDocument key = KeyDocument.parse(doc);
      // Share the unwrapped key with id lookups, so the KMS is asked once per key.
      return byId.get(key.id(), id -> unwrap(key));
    });
  }

  /** Forgets a key, for example after it was deleted. */
  public void invalidate(UUID id) {
    byId.invalidate(id);
    byAltName.asMap().values().removeIf(k -> k.id().equals(id));
  }

  private DataKey load(UUID id) {
    BsonDocument doc = keyVault.findById(id)
        .orElseThrow(() -> DataKeyNotFoundException.forId(id, keyVault.namespace()));
    return unwrap(KeyDocument.parse(doc));
  }

  /** Asks the key's KMS provider to unwrap it. */
  private DataKey unwrap(KeyDocument key) {
    byte[] material = kms.get(key.provider().toString(), "key " + key.id() + " masterKey.provider")
        .decryptDataKey(key.masterKey(), key.keyMaterial());
    try {
      return new DataKey(key.id(), AeadKey.of(material));
    } finally {
      Arrays.fill(material, (byte) 0);
    }
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
