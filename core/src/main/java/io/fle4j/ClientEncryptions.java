package io.fle4j;

import com.mongodb.ClientEncryptionSettings;
import com.mongodb.MongoNamespace;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.vault.ClientEncryption;
import io.fle4j.internal.Fle4jClientEncryption;
import io.fle4j.internal.events.Events;
import io.fle4j.internal.kms.KmsProviderRegistry;
import io.fle4j.internal.vault.DataKeys;
import io.fle4j.internal.vault.KeyVault;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * Creates fle4j's pure-Java implementation of the official driver's {@link ClientEncryption}. To
 * switch from the driver, replace {@code com.mongodb.client.vault.ClientEncryptions} with this
 * class in one import; settings and results are the driver's own types.
 *
 * <pre>{@code
 * ClientEncryption ce = io.fle4j.ClientEncryptions.create(ClientEncryptionSettings.builder()
 *     .keyVaultMongoClientSettings(MongoClientSettings.builder()
 *         .applyConnectionString(new ConnectionString(uri)).build())
 *     .keyVaultNamespace("encryption.__keyVault")
 *     .kmsProviders(Map.of("local", Map.of("key", localMasterKey)))
 *     .build());
 * }</pre>
 *
 * <p>Each {@code kmsProviders} entry needs its provider module on the classpath ({@code
 * fle4j-kms-local}, {@code fle4j-kms-aws}, ...).
 */
public final class ClientEncryptions {
  private ClientEncryptions() {}

  /**
   * Creates a {@link ClientEncryption} from the driver's settings.
   *
   * @throws ConfigurationException when the settings or a {@code kmsProviders} entry are invalid
   */
  public static ClientEncryption create(ClientEncryptionSettings settings) {
    return create(settings, Fle4jSettings.defaults());
  }

  /**
   * Creates a {@link ClientEncryption} from the driver's settings plus fle4j's extras.
   *
   * @throws ConfigurationException when the settings or a {@code kmsProviders} entry are invalid
   */
  public static ClientEncryption create(ClientEncryptionSettings settings, Fle4jSettings extras) {
    Objects.requireNonNull(settings, "settings");
    Objects.requireNonNull(extras, "extras");
    MongoNamespace namespace =
        keyVaultNamespace(settings.getKeyVaultNamespace(), "ClientEncryptionSettings");
    Duration expiration =
        keyExpiration(settings.getKeyExpiration(TimeUnit.MILLISECONDS), "ClientEncryptionSettings");
    Events events = Events.of(extras.eventListener().orElse(null));
    KmsProviderRegistry kms = KmsProviderRegistry.create(
        orEmpty(settings.getKmsProviders()),
        orEmpty(settings.getKmsProviderPropertySuppliers()),
        orEmpty(settings.getKmsProviderSslContextMap()),
        extras.kmsProviders(),
        KmsProviderRegistry.defaultClassLoader()).observed(events);
    try {
      // A default for a provider that is not configured would silently never apply.
      extras.defaultMasterKeys().keySet()
          .forEach(name -> kms.get(name, "Fle4jSettings.defaultMasterKey"));
    } catch (ConfigurationException e) {
      kms.close();
      throw e;
    }
    MongoClient ownedClient = null;
    MongoClient client;
    if (extras.keyVaultClient().isPresent()) {
      client = extras.keyVaultClient().get();
    } else if (settings.getKeyVaultMongoClientSettings() != null) {
      ownedClient = MongoClients.create(settings.getKeyVaultMongoClientSettings());
      client = ownedClient;
    } else {
      kms.close();
      throw new ConfigurationException(
          "ClientEncryptionSettings.keyVaultMongoClientSettings",
          "is required unless Fle4jSettings.keyVaultClient is given");
    }
    KeyVault keyVault = new KeyVault(client, namespace, extras.readOnly());
    return new Fle4jClientEncryption(keyVault, kms,
        new DataKeys(keyVault, kms, expiration, events), ownedClient, extras, events);
  }

  static MongoNamespace keyVaultNamespace(String text, String settingsName) {
    int dot = text == null ? -1 : text.indexOf('.');
    if (dot <= 0 || dot == text.length() - 1) {
      throw new ConfigurationException(
          settingsName + ".keyVaultNamespace",
          "must be 'database.collection', got " + (text == null ? "null" : "'" + text + "'"));
    }
    try {
      return new MongoNamespace(text);
    } catch (IllegalArgumentException e) {
      throw new ConfigurationException(
          settingsName + ".keyVaultNamespace", e.getMessage() + " (got '" + text + "')");
    }
  }

  static Duration keyExpiration(Long millis, String settingsName) {
    if (millis == null) {
      return DataKeys.DEFAULT_EXPIRATION;
    }
    if (millis < 0) {
      throw new ConfigurationException(
          settingsName + ".keyExpiration", "must be 0 (never) or positive, got " + millis + " ms");
    }
    return Duration.ofMillis(millis);
  }

  private static <K, V> Map<K, V> orEmpty(Map<K, V> map) {
    return map == null ? Map.of() : map;
  }
}
