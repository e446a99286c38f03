package io.fle4j.internal;

import com.mongodb.MongoClientSettings;
import com.mongodb.MongoConfigurationException;
import com.mongodb.MongoUpdatedEncryptedFieldsException;
import com.mongodb.bulk.BulkWriteResult;
import com.mongodb.client.FindIterable;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoDatabase;
import com.mongodb.client.model.CreateCollectionOptions;
import com.mongodb.client.model.CreateEncryptedCollectionParams;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.UpdateOneModel;
import com.mongodb.client.model.Updates;
import com.mongodb.client.model.vault.DataKeyOptions;
import com.mongodb.client.model.vault.EncryptOptions;
import com.mongodb.client.model.vault.RewrapManyDataKeyOptions;
import com.mongodb.client.model.vault.RewrapManyDataKeyResult;
import com.mongodb.client.result.DeleteResult;
import com.mongodb.client.vault.ClientEncryption;
import io.fle4j.Algorithm;
import io.fle4j.ConfigurationException;
import io.fle4j.EncryptionEvent.KeyAction;
import io.fle4j.Fle4jSettings;
import io.fle4j.KeyChangedDuringRewrapException;
import io.fle4j.internal.crypto.ValueCipher;
import io.fle4j.internal.events.Events;
import io.fle4j.internal.kms.KmsProviderRegistry;
import io.fle4j.internal.qe.QeDecryption;
import io.fle4j.internal.qe.QeExplicit;
import io.fle4j.internal.vault.DataKeys;
import io.fle4j.internal.vault.DataKeys.DataKey;
import io.fle4j.internal.vault.KeyDocument;
import io.fle4j.internal.vault.KeyVault;
import io.fle4j.kms.KmsProvider;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Date;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.bson.BsonBinary;
import org.bson.BsonBinarySubType;
import org.bson.BsonBoolean;
import org.bson.BsonDocument;
import org.bson.BsonValue;
import org.bson.conversions.Bson;

/**
 * fle4j's implementation of the driver's {@link ClientEncryption}: explicit encryption and key
 * management in pure Java, producing exactly what libmongocrypt produces.
 */
public final class Fle4jClientEncryption implements ClientEncryption {
  private static final int DATA_KEY_LENGTH = 96;

  private final KeyVault keyVault;
  private final KmsProviderRegistry kms;
  private final DataKeys dataKeys;
  private final MongoClient ownedClient;
  /** Default master keys and the rewrap rule (read-only mode is in the key vault). */
  private final Fle4jSettings settings;
  private final Events events;
  private final SecureRandom random = new SecureRandom();
  private final QeExplicit queryable = new QeExplicit();
  /** Data keys as Queryable Encryption splits them (one lookup for encrypt, query, decrypt). */
  private final QeDecryption.KeyLookup queryableKeys;

  /**
   * @param extras read-only mode, default master keys, and whether rewraps write only unchanged
   *     keys (see {@link io.fle4j.Fle4jSettings.Builder#rewrapOnlyUnchangedKeys})
   * @param events told of key changes and decryption failures
   */
  public Fle4jClientEncryption(KeyVault keyVault, KmsProviderRegistry kms, DataKeys dataKeys,
      MongoClient ownedClient, Fle4jSettings extras, Events events) {
    this.events = events;
    this.queryableKeys = id -> dataKeys.byId(id).queryable();
    this.keyVault = keyVault;
    this.kms = kms;
    this.dataKeys = dataKeys;
    this.ownedClient = ownedClient;
    this.settings = extras;
  }

  @Override
  public BsonBinary createDataKey(String kmsProvider) {
    return createDataKey(kmsProvider, new DataKeyOptions());
  }

  /**
   * Creates a data key: wraps 96 random bytes (or the given key material) with the provider and
   * inserts the key document. When the KMS fails, nothing is written.
   */
  @Override
  public BsonBinary createDataKey(String kmsProvider, DataKeyOptions options) {
    keyVault.writable("createDataKey");
    DataKeyOptions opts = options == null ? new DataKeyOptions() : options;
    KmsProvider provider = kms.get(requireNonNull(kmsProvider, "kmsProvider"), "kmsProvider");
    List<String> altNames = validAltNames(opts.getKeyAltNames());
    byte[] dataKey = dataKeyMaterial(opts.getKeyMaterial());
    try {
      BsonDocument masterKey = provider.masterKey(masterKeyOrDefault(kmsProvider, opts.getMasterKey()));
      byte[] keyMaterial = provider.encryptDataKey(masterKey, dataKey);
      UUID id = UUID.randomUUID(); // version 4 from SecureRandom, as libmongocrypt makes them
      keyVault.insert(KeyDocument.create(id, altNames, keyMaterial, masterKey, new Date()));
      // A lookup that failed a moment ago by one of these names must not answer for them now.
      altNames.forEach(dataKeys::invalidateAltName);
      events.keyLifecycle(KeyAction.CREATED, id, null, provider.name().toString(), null);
      return KeyDocument.uuidBinary(id);
    } finally {
      Arrays.fill(dataKey, (byte) 0);
    }
  }

  @Override
  public BsonBinary encrypt(BsonValue value, EncryptOptions options) {
    requireNonNull(value, "value");
    requireNonNull(options, "options");
    if (QeExplicit.selects(options)) {
      return queryable.encrypt(value, options, queryableKeys);
    }
    Algorithm algorithm = algorithm(options);
    ValueCipher.checkEncryptable(value, algorithm); // before any key lookup or KMS call
    DataKey key = keyFor(options);
    return ValueCipher.encrypt(value, algorithm, key.id(), key.key());
  }

  @Override
  public BsonValue decrypt(BsonBinary value) {
    requireNonNull(value, "value");
    byte[] data = value.getData();
    UUID keyId = null;
    try {
      if (value.getType() == BsonBinarySubType.ENCRYPTED.getValue() && data.length > 0
          && QeDecryption.isQueryableEncryption(data[0])) {
        return QeDecryption.decrypt(value, queryableKeys);
      }
      ValueCipher.Header header = ValueCipher.parseHeader(value);
      keyId = header.keyId();
      return ValueCipher.decrypt(value, header, dataKeys.byId(header.keyId()).key());
    } catch (RuntimeException e) {
      throw events.decryptionFailed(keyId, e);
    }
  }

  /**
   * Encrypts a range query for a Range-indexed field: {@code {$and: [{f: {$gte: a}}, {f: {$lt:
   * b}}]}} (or the aggregate form) comes back with each bound replaced by its find payload.
   */
  @Override
  public BsonDocument encryptExpression(Bson expression, EncryptOptions options) {
    requireNonNull(expression, "expression");
    requireNonNull(options, "options");
    if (!QeExplicit.selects(options)) {
      throw new ConfigurationException("EncryptOptions.algorithm", "EncryptExpression may only be"
          + " used for range queries. (algorithm is '" + options.getAlgorithm() + "'; use Range)");
    }
    return queryable.encryptExpression(
        expression.toBsonDocument(BsonDocument.class, MongoClientSettings.getDefaultCodecRegistry()),
        options, queryableKeys);
  }

  /**
   * Creates a Queryable Encryption collection (the specification's "Create Encrypted Collection
   * Helper"): a data key for every field of {@code encryptedFields} whose {@code keyId} is null,
   * then the collection through the driver's own create helper, which makes the {@code
   * enxcol_.<name>.esc} and {@code .ecoc} collections and the {@code __safeContent__} index.
   *
   * @return the encryptedFields as created, with every keyId filled in
   * @throws MongoUpdatedEncryptedFieldsException when a key or the collection could not be
   *     created; it carries the encryptedFields with the keys created so far
   */
  @Override
  public BsonDocument createEncryptedCollection(MongoDatabase database, String collectionName,
      CreateCollectionOptions createCollectionOptions, CreateEncryptedCollectionParams params) {
    requireNonNull(database, "database");
    requireNonNull(collectionName, "collectionName");
    requireNonNull(createCollectionOptions, "createCollectionOptions");
    requireNonNull(params, "createEncryptedCollectionParams");
    keyVault.writable("createEncryptedCollection");
    String namespace = database.getName() + "." + collectionName;
    Bson given = createCollectionOptions.getEncryptedFields();
    if (given == null) {
      throw new MongoConfigurationException("`encryptedFields` is not configured for the collection "
          + namespace + " (CreateCollectionOptions.encryptedFields is required)");
    }
    BsonDocument encryptedFields = given.toBsonDocument(BsonDocument.class,
        database.getCodecRegistry()).clone();
    List<BsonBinary> created = new ArrayList<>();
    try {
      BsonValue fields = encryptedFields.get("fields");
      if (fields != null && fields.isArray()) {
        for (BsonValue field : fields.asArray()) {
          if (field.isDocument() && field.asDocument().isNull("keyId")) {
            BsonBinary keyId = createDataKey(params.getKmsProvider(),
                new DataKeyOptions().masterKey(params.getMasterKey()));
            field.asDocument().put("keyId", keyId);
            created.add(keyId);
          }
        }
      }
      database.createCollection(collectionName,
          new CreateCollectionOptions(createCollectionOptions).encryptedFields(encryptedFields));
      return encryptedFields;
    } catch (RuntimeException e) {
      throw new MongoUpdatedEncryptedFieldsException(encryptedFields, "Failed to create "
          + namespace + ": " + e.getMessage() + "; data keys created before the failure: "
          + (created.isEmpty() ? "none" : created.stream()
              .map(id -> KeyDocument.uuid(id, "keyId").toString()).toList()), e);
    }
  }

  /** Deletes the key and forgets it here. Data encrypted with it becomes unreadable for good. */
  @Override
  public DeleteResult deleteKey(BsonBinary id) {
    keyVault.writable("deleteKey");
    UUID keyId = keyId(id, "id");
    DeleteResult result = keyVault.delete(keyId);
    dataKeys.invalidate(keyId);
    if (result.getDeletedCount() > 0) {
      events.keyLifecycle(KeyAction.DELETED, keyId, null, null, null);
    }
    return result;
  }

  @Override
  public BsonDocument getKey(BsonBinary id) {
    return keyVault.findById(keyId(id, "id")).orElse(null);
  }

  @Override
  public FindIterable<BsonDocument> getKeys() {
    return keyVault.find(new BsonDocument());
  }

  @Override
  public BsonDocument addKeyAltName(BsonBinary id, String keyAltName) {
    keyVault.writable("addKeyAltName");
    String name = validAltName(keyAltName, "keyAltName");
    UUID keyId = keyId(id, "id");
    BsonDocument before = keyVault.addAltName(keyId, name);
    dataKeys.invalidateAltName(name);
    if (before != null) {
      events.keyLifecycle(KeyAction.ALT_NAME_ADDED, keyId, null, null, name);
    }
    return before;
  }

  @Override
  public BsonDocument removeKeyAltName(BsonBinary id, String keyAltName) {
    keyVault.writable("removeKeyAltName");
    String name = validAltName(keyAltName, "keyAltName");
    UUID keyId = keyId(id, "id");
    BsonDocument before = keyVault.removeAltName(keyId, name);
    // The name no longer leads to that key: this client must not keep using it by that name.
    dataKeys.invalidateAltName(name);
    if (before != null) {
      events.keyLifecycle(KeyAction.ALT_NAME_REMOVED, keyId, null, null, name);
    }
    return before;
  }

  @Override
  public BsonDocument getKeyByAltName(String keyAltName) {
    return keyVault.findByAltName(validAltName(keyAltName, "keyAltName")).orElse(null);
  }

  @Override
  public RewrapManyDataKeyResult rewrapManyDataKey(Bson filter) {
    return rewrapManyDataKey(filter, new RewrapManyDataKeyOptions());
  }

  /**
   * Re-wraps every key matching {@code filter}, under a new provider and master key or under its
   * own. Every key is unwrapped and re-wrapped before anything is written, so a KMS failure writes
   * nothing; the writes are then one update per key, each atomic on its own, so every key stays
   * readable whatever happens.
   */
  @Override
  public RewrapManyDataKeyResult rewrapManyDataKey(Bson filter, RewrapManyDataKeyOptions options) {
    keyVault.writable("rewrapManyDataKey");
    RewrapManyDataKeyOptions opts = options == null ? new RewrapManyDataKeyOptions() : options;
    if (opts.getMasterKey() != null && opts.getProvider() == null) {
      throw new ConfigurationException(
          "RewrapManyDataKeyOptions.masterKey", "requires RewrapManyDataKeyOptions.provider");
    }
    KmsProvider target = opts.getProvider() == null
        ? null : kms.get(opts.getProvider(), "RewrapManyDataKeyOptions.provider");
    BsonDocument targetMasterKey = target == null ? null
        : target.masterKey(masterKeyOrDefault(opts.getProvider(), opts.getMasterKey()));

    List<KeyDocument> keys = new ArrayList<>();
    for (BsonDocument doc : keyVault.find(filter == null ? new BsonDocument() : filter)) {
      keys.add(KeyDocument.parse(doc));
    }
    List<UpdateOneModel<BsonDocument>> updates =
        KmsCalls.inParallel(keys, key -> rewrap(key, target, targetMasterKey));
    if (updates.isEmpty()) {
      return new RewrapManyDataKeyResult();
    }
    BulkWriteResult result = keyVault.bulkUpdate(updates);
    for (KeyDocument key : keys) {
      dataKeys.invalidate(key.id()); // cached copies are fine, but a fresh read shows the new wrap
    }
    if (settings.rewrapOnlyUnchangedKeys() && result.getMatchedCount() < updates.size()) {
      KeyChangedDuringRewrapException changed =
          changedMeanwhile(keys, updates, result.getMatchedCount());
      if (!changed.changedKeyIds().isEmpty()) {
        reportRewrapped(keys, target, changed.changedKeyIds());
        throw changed;
      }
    }
    reportRewrapped(keys, target, List.of());
    return new RewrapManyDataKeyResult(result);
  }

  /** One REWRAPPED event per key written (not those another change got to first). */
  private void reportRewrapped(List<KeyDocument> keys, KmsProvider target, List<UUID> notWritten) {
    if (!events.enabled()) {
      return;
    }
    for (KeyDocument key : keys) {
      if (!notWritten.contains(key.id())) {
        String before = key.provider().toString();
        events.keyLifecycle(KeyAction.REWRAPPED, key.id(), before,
            target == null ? before : target.name().toString(), null);
      }
    }
  }

  /** The keys whose guarded update matched nothing: what they hold now is not what was written. */
  private KeyChangedDuringRewrapException changedMeanwhile(List<KeyDocument> keys,
      List<UpdateOneModel<BsonDocument>> updates, int matched) {
    // What each update set; keys come back in the order they were read.
    Map<UUID, BsonBinary> written = new LinkedHashMap<>();
    for (int i = 0; i < keys.size(); i++) {
      BsonDocument update = (BsonDocument) updates.get(i).getUpdate(); // built by rewrap()
      written.put(keys.get(i).id(), update.getDocument("$set").getBinary("keyMaterial"));
    }
    // Every key counts as changed (or deleted) until the vault shows it holds what was written.
    List<UUID> changed = new ArrayList<>(written.keySet());
    for (BsonDocument now : keyVault.findKeys(new ArrayList<>(written.keySet()), List.of())) {
      KeyDocument key = KeyDocument.parse(now);
      if (new BsonBinary(key.keyMaterial()).equals(written.get(key.id()))) {
        changed.remove(key.id());
      }
    }
    return new KeyChangedDuringRewrapException(changed, matched);
  }

  /** Unwraps one key with its own provider and wraps it with the target (or its own again). */
  private UpdateOneModel<BsonDocument> rewrap(KeyDocument key, KmsProvider target,
      BsonDocument targetMasterKey) {
    KmsProvider current = kms.get(key.provider().toString(), "key " + key.id() + " masterKey.provider");
    byte[] dataKey = DataKeys.checkedLength(key,
        current.decryptDataKey(key.masterKey(), key.keyMaterial()));
    try {
      KmsProvider next = target == null ? current : target;
      BsonDocument masterKey = target == null ? key.masterKey() : targetMasterKey;
      byte[] keyMaterial = next.encryptDataKey(masterKey, dataKey);
      // Filtered on _id only by default, as the specification's rewrapManyDataKey sends it (its
      // command expectations check the filter). On request, also on the key material read, so
      // that a stale concurrent rewrap cannot move a key back under an old master key.
      BsonDocument filter = new BsonDocument("_id", KeyDocument.uuidBinary(key.id()));
      if (settings.rewrapOnlyUnchangedKeys()) {
        filter.append("keyMaterial", new BsonBinary(key.keyMaterial()));
      }
      // Written as a document (not Updates.combine) so that the key material it sets can be
      // compared afterwards when the guard finds a key changed.
      BsonDocument update = new BsonDocument("$set", new BsonDocument("masterKey", masterKey)
          .append("keyMaterial", new BsonBinary(keyMaterial)))
          .append("$currentDate", new BsonDocument("updateDate", BsonBoolean.TRUE));
      return new UpdateOneModel<>(filter, update);
    } finally {
      Arrays.fill(dataKey, (byte) 0);
    }
  }

  /** Key checks over this client's key vault and providers (see KeyVaultVerifier). */
  public KeyVaultCheck keyVaultCheck() {
    return new KeyVaultCheck(keyVault, kms);
  }

  @Override
  public void close() {
    try {
      kms.close();
    } finally {
      if (ownedClient != null) {
        ownedClient.close();
      }
    }
  }

  /** A copy of the given master key options, else the provider's default, else none. */
  private BsonDocument masterKeyOrDefault(String provider, BsonDocument given) {
    if (given != null) {
      return given.clone();
    }
    return settings.defaultMasterKey(provider).orElseGet(BsonDocument::new);
  }

  private DataKey keyFor(EncryptOptions options) {
    BsonBinary keyId = options.getKeyId();
    String altName = options.getKeyAltName();
    if ((keyId == null) == (altName == null)) {
      throw new ConfigurationException(
          "EncryptOptions", "set exactly one of keyId and keyAltName"
              + (keyId == null ? " (neither is set)" : " (both are set)"));
    }
    return keyId != null
        ? dataKeys.byId(keyId(keyId, "EncryptOptions.keyId"))
        : dataKeys.byAltName(validAltName(altName, "EncryptOptions.keyAltName"));
  }

  private static Algorithm algorithm(EncryptOptions options) {
    String name = options.getAlgorithm();
    // libmongocrypt's texts: these options belong to the Queryable Encryption algorithms only.
    if (options.getContentionFactor() != null) {
      throw new ConfigurationException("EncryptOptions.contentionFactor",
          "cannot set both algorithm and contention factor (algorithm is '" + name + "')");
    }
    if (options.getQueryType() != null) {
      throw new ConfigurationException("EncryptOptions.queryType",
          "cannot set both algorithm and query type (algorithm is '" + name + "')");
    }
    if (options.getRangeOptions() != null) {
      throw new ConfigurationException("EncryptOptions.rangeOptions",
          "cannot set both algorithm and range opts (algorithm is '" + name + "')");
    }
    if (options.getTextOptions() != null) {
      throw new ConfigurationException("EncryptOptions.textOptions",
          "cannot set string opts without string index type (algorithm is '" + name + "')");
    }
    return Algorithm.fromSpecName(name).orElseThrow(() -> new ConfigurationException(
        "EncryptOptions.algorithm",
        "must be " + Algorithm.DETERMINISTIC.specName() + " or " + Algorithm.RANDOM.specName()
            + ", got " + (name == null ? "null" : "'" + name + "'")));
  }

  private byte[] dataKeyMaterial(byte[] given) {
    if (given == null) {
      byte[] dataKey = new byte[DATA_KEY_LENGTH];
      random.nextBytes(dataKey);
      return dataKey;
    }
    if (given.length != DATA_KEY_LENGTH) {
      throw new ConfigurationException("DataKeyOptions.keyMaterial",
          "must be exactly " + DATA_KEY_LENGTH + " bytes, got " + given.length);
    }
    return given.clone();
  }

  private static List<String> validAltNames(List<String> names) {
    if (names == null) {
      return List.of();
    }
    Set<String> seen = new HashSet<>();
    for (String name : names) {
      validAltName(name, "DataKeyOptions.keyAltNames");
      if (!seen.add(name)) {
        throw new ConfigurationException(
            "DataKeyOptions.keyAltNames", "names must be unique; '" + name + "' is given twice");
      }
    }
    return List.copyOf(names);
  }

  private static String validAltName(String name, String field) {
    if (name == null || name.isEmpty()) {
      throw new ConfigurationException(field, "must be a non-empty string, got "
          + (name == null ? "null" : "''"));
    }
    return name;
  }

  private static UUID keyId(BsonBinary id, String field) {
    return KeyDocument.uuid(id, field);
  }

  private static <T> T requireNonNull(T value, String field) {
    if (value == null) {
      throw new ConfigurationException(field, "must not be null");
    }
    return value;
  }
}
