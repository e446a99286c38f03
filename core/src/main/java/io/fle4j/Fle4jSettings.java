package io.fle4j;

import com.mongodb.client.MongoClient;
import io.fle4j.kms.KmsProvider;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.bson.BsonDocument;

/**
 * What fle4j takes beyond the driver's {@code ClientEncryptionSettings}: KMS providers given as
 * objects (the typed path, for example {@code LocalKmsProvider.builder()...build()}), and an
 * existing {@link MongoClient} for the key vault. Immutable; build with {@link #builder()}.
 */
public final class Fle4jSettings {
  private static final Fle4jSettings DEFAULTS = builder().build();

  /** At most this many helper threads unless set explicitly: beyond it the gain is small. */
  private static final int DEFAULT_DECRYPTION_THREADS_CAP = 4;

  private final List<KmsProvider> kmsProviders;
  private final MongoClient keyVaultClient;
  private final int decryptionThreads;
  private final boolean rewrapOnlyUnchangedKeys;
  private final EncryptionEventListener eventListener;
  private final boolean readOnly;
  private final Map<String, BsonDocument> defaultMasterKeys;

  private Fle4jSettings(Builder builder) {
    this.kmsProviders = List.copyOf(builder.kmsProviders);
    this.keyVaultClient = builder.keyVaultClient;
    this.decryptionThreads = builder.decryptionThreads >= 0 ? builder.decryptionThreads
        : Math.min(DEFAULT_DECRYPTION_THREADS_CAP, Runtime.getRuntime().availableProcessors() - 1);
    this.rewrapOnlyUnchangedKeys = builder.rewrapOnlyUnchangedKeys;
    this.eventListener = builder.eventListener;
    this.readOnly = builder.readOnly;
    Map<String, BsonDocument> masterKeys = new LinkedHashMap<>();
    builder.defaultMasterKeys.forEach((name, key) -> masterKeys.put(name, key.clone()));
    this.defaultMasterKeys = Collections.unmodifiableMap(masterKeys);
  }

  /** No extras: everything comes from the driver's settings. */
  public static Fle4jSettings defaults() {
    return DEFAULTS;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** A builder holding a copy of {@code existing}. */
  public static Builder builder(Fle4jSettings existing) {
    Builder builder = new Builder();
    builder.kmsProviders.addAll(existing.kmsProviders);
    builder.keyVaultClient = existing.keyVaultClient;
    builder.decryptionThreads = existing.decryptionThreads;
    builder.rewrapOnlyUnchangedKeys = existing.rewrapOnlyUnchangedKeys;
    builder.eventListener = existing.eventListener;
    builder.readOnly = existing.readOnly;
    builder.defaultMasterKeys.putAll(existing.defaultMasterKeys);
    return builder;
  }

  /** Providers given as objects; they join those built from {@code kmsProviders}. */
  public List<KmsProvider> kmsProviders() {
    return kmsProviders;
  }

  /**
   * A client to reach the key vault with, instead of one built from {@code
   * keyVaultMongoClientSettings}. fle4j does not close it.
   */
  public Optional<MongoClient> keyVaultClient() {
    return Optional.ofNullable(keyVaultClient);
  }

  /**
   * How many threads of an automatically encrypting client help its reading thread decrypt the
   * batches of {@code find} and {@code aggregate} results; 0 decrypts on the reading thread
   * only. The threads are started on first need and stop after 30 idle seconds.
   */
  public int decryptionThreads() {
    return decryptionThreads;
  }

  /**
   * Whether {@code rewrapManyDataKey} writes a key only if its key material is still the one it
   * read (see {@link Builder#rewrapOnlyUnchangedKeys}). Off by default.
   */
  public boolean rewrapOnlyUnchangedKeys() {
    return rewrapOnlyUnchangedKeys;
  }

  /** Who is told about KMS calls, cache activity, key changes, refusals and failures. */
  public Optional<EncryptionEventListener> eventListener() {
    return Optional.ofNullable(eventListener);
  }

  /** Whether every key-vault write is refused (see {@link Builder#readOnly}). Off by default. */
  public boolean readOnly() {
    return readOnly;
  }

  /**
   * The master key used for a provider when a call names the provider but no master key (see
   * {@link Builder#defaultMasterKey}), by provider name. Copies; changing them changes nothing.
   */
  public Map<String, BsonDocument> defaultMasterKeys() {
    Map<String, BsonDocument> copy = new LinkedHashMap<>();
    defaultMasterKeys.forEach((name, key) -> copy.put(name, key.clone()));
    return copy;
  }

  /** The default master key of {@code provider}, if one is set; a copy. */
  public Optional<BsonDocument> defaultMasterKey(String provider) {
    BsonDocument key = defaultMasterKeys.get(provider);
    return key == null ? Optional.empty() : Optional.of(key.clone());
  }

  @Override
  public String toString() {
    return "Fle4jSettings{kmsProviders="
        + kmsProviders.stream().map(p -> p.name().toString()).toList()
        + ", keyVaultClient=" + (keyVaultClient != null ? "given" : "from settings")
        + ", decryptionThreads=" + decryptionThreads
        + ", rewrapOnlyUnchangedKeys=" + rewrapOnlyUnchangedKeys
        + ", eventListener=" + (eventListener == null ? "none" : eventListener.getClass().getName())
        + ", readOnly=" + readOnly
        + ", defaultMasterKeys=" + defaultMasterKeys.keySet()
        + "}";
  }

  /** Builder for {@link Fle4jSettings}. */
  public static final class Builder {
    private final List<KmsProvider> kmsProviders = new ArrayList<>();
    private MongoClient keyVaultClient;
    private int decryptionThreads = -1;
    private boolean rewrapOnlyUnchangedKeys;
    private EncryptionEventListener eventListener;
    private boolean readOnly;
    private final Map<String, BsonDocument> defaultMasterKeys = new LinkedHashMap<>();

    private Builder() {}

    /**
     * Read-only mode: every key-vault write ({@code createDataKey}, {@code deleteKey}, {@code
     * addKeyAltName}, {@code removeKeyAltName}, {@code rewrapManyDataKey}, {@code
     * createEncryptedCollection}) throws {@link KeyVaultReadOnlyException} before any KMS call or
     * write. Reading keys, encrypting with existing keys and decrypting work as before. For
     * application servers that only use keys, so that no mistake there can change the vault.
     */
    public Builder readOnly(boolean enabled) {
      this.readOnly = enabled;
      return this;
    }

    /**
     * The master key to use for {@code provider} (a full name such as {@code aws} or {@code
     * aws:prod}) when {@code createDataKey}, {@code rewrapManyDataKey} or {@code
     * createEncryptedCollection} name that provider without a master key: operators fix where
     * new keys go in one place, and application code names only the provider.
     *
     * @param masterKey the master key options, as {@code DataKeyOptions.masterKey} takes them;
     *     copied
     */
    public Builder defaultMasterKey(String provider, BsonDocument masterKey) {
      Objects.requireNonNull(provider, "provider");
      Objects.requireNonNull(masterKey, "masterKey");
      defaultMasterKeys.put(provider, masterKey.clone());
      return this;
    }

    /**
     * Tells {@code listener} what happens: KMS calls, data-key cache hits, misses, loads and
     * evictions, key creation, deletion, renaming and rewrapping, refusals of automatic
     * encryption, and decryption failures (see {@link EncryptionEvent}). One listener; to feed
     * several, give {@link EncryptionEventListener#allOf}. {@code fle4j-micrometer} has one that
     * records meters.
     */
    public Builder eventListener(EncryptionEventListener listener) {
      this.eventListener = Objects.requireNonNull(listener, "listener");
      return this;
    }

    /** Adds a provider; its {@link KmsProvider#name()} must not clash with another's. */
    public Builder kmsProvider(KmsProvider provider) {
      kmsProviders.add(Objects.requireNonNull(provider, "provider"));
      return this;
    }

    /** Uses this client for the key vault; fle4j will not close it. */
    public Builder keyVaultClient(MongoClient client) {
      this.keyVaultClient = Objects.requireNonNull(client, "client");
      return this;
    }

    /**
     * Threads that help decrypt large {@code find} and {@code aggregate} batches (see {@link
     * Fle4jSettings#decryptionThreads()}). Default: one less than the available processors, at
     * most 4; 0 turns the help off.
     *
     * @throws ConfigurationException when {@code threads} is negative
     */
    public Builder decryptionThreads(int threads) {
      if (threads < 0) {
        throw new ConfigurationException("decryptionThreads",
            "must be 0 (decrypt on the reading thread only) or more, got " + threads);
      }
      this.decryptionThreads = threads;
      return this;
    }

    /**
     * Makes {@code rewrapManyDataKey} write each key only if its {@code keyMaterial} is still the
     * one it read: two rewraps running at once (two operators, a retried job) can then no longer
     * move a key back under the master key the other one just left. Keys changed meanwhile are
     * left as the other change made them (still readable), the rest are written, and the call
     * then throws {@link KeyChangedDuringRewrapException} naming them.
     *
     * <p>Off by default because MongoDB's specification fixes the update's filter to {@code
     * {_id}} (its {@code rewrapManyDataKey} tests check the command); with it on, the filter is
     * {@code {_id, keyMaterial}}.
     */
    public Builder rewrapOnlyUnchangedKeys(boolean enabled) {
      this.rewrapOnlyUnchangedKeys = enabled;
      return this;
    }

    public Fle4jSettings build() {
      return new Fle4jSettings(this);
    }
  }
}
