package io.fle4j;

import io.fle4j.internal.auto.AutoEncryptionEngine;
import io.fle4j.internal.auto.driver.EncryptingMongoClient;

import com.mongodb.AutoEncryptionSettings;
import com.mongodb.MongoClientSettings;
import com.mongodb.MongoNamespace;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import io.fle4j.internal.events.Events;
import io.fle4j.internal.kms.KmsProviderRegistry;
import io.fle4j.internal.vault.DataKeys;
import io.fle4j.internal.vault.KeyVault;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Creates {@link MongoClient}s with automatic client-side field-level encryption, on any MongoDB
 * edition: no mongocryptd, no crypt_shared, no native library. Replace {@code
 * com.mongodb.client.MongoClients.create(settings)} with {@code
 * Fle4jMongoClients.create(settings)}; the settings' {@link AutoEncryptionSettings} are honoured:
 *
 * <ul>
 *   <li>fields marked by the collection's schema ({@code schemaMap}, or else the collection's
 *       {@code $jsonSchema} validator) are encrypted in inserts, replacements, updates and
 *       bulk writes, and in equality queries on deterministic fields;
 *   <li>every value the server returns that is a CSFLE ciphertext is decrypted, for any document
 *       class;
 *   <li>what cannot be done safely on an encrypted field (a range or regex query, a sort, any
 *       query on a randomly encrypted field, {@code $inc}, ...) throws {@link
 *       EncryptedFieldOperationException} before anything is sent;
 *   <li>{@code bypassAutoEncryption} leaves writes and queries alone and keeps decryption on.
 * </ul>
 *
 * <p>The driver itself never sees the auto-encryption settings, so it never looks for mongocryptd.
 * {@code extraOptions} (mongocryptd and crypt_shared options) are ignored with one warning; {@code
 * encryptedFieldsMap} (Queryable Encryption) is refused.
 */
public final class Fle4jMongoClients {
  private static final System.Logger LOG = System.getLogger(Fle4jMongoClients.class.getName());
  private static final AtomicBoolean WARNED_EXTRA_OPTIONS = new AtomicBoolean();

  private Fle4jMongoClients() {}

  /**
   * A client with automatic encryption as {@code settings.getAutoEncryptionSettings()} asks, or
   * the driver's plain client when the settings have none.
   *
   * @throws ConfigurationException when the auto-encryption settings are invalid
   */
  public static MongoClient create(MongoClientSettings settings) {
    return create(settings, Fle4jSettings.defaults());
  }

  /** As {@link #create(MongoClientSettings)}, with fle4j's extras (typed KMS providers). */
  public static MongoClient create(MongoClientSettings settings, Fle4jSettings extras) {
    Objects.requireNonNull(settings, "settings");
    Objects.requireNonNull(extras, "extras");
    AutoEncryptionSettings auto = settings.getAutoEncryptionSettings();
    if (auto == null) {
      return MongoClients.create(settings);
    }
    if (auto.getEncryptedFieldsMap() != null && !auto.getEncryptedFieldsMap().isEmpty()) {
      throw new ConfigurationException("AutoEncryptionSettings.encryptedFieldsMap",
          "is Queryable Encryption, which fle4j does not support yet; use schemaMap (CSFLE)");
    }
    if (auto.getExtraOptions() != null && !auto.getExtraOptions().isEmpty()
        && WARNED_EXTRA_OPTIONS.compareAndSet(false, true)) {
      LOG.log(System.Logger.Level.WARNING, "AutoEncryptionSettings.extraOptions "
          + auto.getExtraOptions().keySet() + " configure mongocryptd or crypt_shared, which fle4j"
          + " does not use; they are ignored");
    }
    MongoNamespace keyVaultNamespace =
        ClientEncryptions.keyVaultNamespace(auto.getKeyVaultNamespace(), "AutoEncryptionSettings");
    Duration expiration = ClientEncryptions.keyExpiration(
        auto.getKeyExpiration(TimeUnit.MILLISECONDS), "AutoEncryptionSettings");
    Events events = Events.of(extras.eventListener().orElse(null));
    KmsProviderRegistry kms = KmsProviderRegistry.create(
        orEmpty(auto.getKmsProviders()), orEmpty(auto.getKmsProviderPropertySuppliers()),
        orEmpty(auto.getKmsProviderSslContextMap()), extras.kmsProviders(),
        KmsProviderRegistry.defaultClassLoader()).observed(events);
    MongoClient client = null;
    MongoClient keyVaultClient = null;
    try {
      // The driver must never see the auto-encryption settings, or it would look for mongocryptd.
      client = MongoClients.create(MongoClientSettings.builder(settings).autoEncryptionSettings(null).build());
      if (extras.keyVaultClient().isPresent()) {
        keyVaultClient = null;
      } else if (auto.getKeyVaultMongoClientSettings() != null) {
        keyVaultClient = MongoClients.create(auto.getKeyVaultMongoClientSettings());
      }
      MongoClient vaultClient = extras.keyVaultClient()
          .orElse(keyVaultClient != null ? keyVaultClient : client);
      KeyVault keyVault = new KeyVault(vaultClient, keyVaultNamespace, extras.readOnly());
      MongoClient ownedKeyVaultClient = keyVaultClient;
      AutoCloseable resources = () -> {
        try {
          kms.close();
        } finally {
          if (ownedKeyVaultClient != null) {
            ownedKeyVaultClient.close();
          }
        }
      };
      AutoEncryptionEngine engine = new AutoEncryptionEngine(orEmpty(auto.getSchemaMap()),
          auto.isBypassAutoEncryption() || auto.isBypassQueryAnalysis(), client,
          new DataKeys(keyVault, kms, expiration, events), extras.decryptionThreads(), resources,
          events);
      return new EncryptingMongoClient(client, engine);
    } catch (RuntimeException e) {
      if (client != null) {
        client.close();
      }
      if (keyVaultClient != null) {
        keyVaultClient.close();
      }
      kms.close();
      throw e;
    }
  }

  private static <K, V> Map<K, V> orEmpty(Map<K, V> map) {
    return map == null ? Map.of() : map;
  }
}
