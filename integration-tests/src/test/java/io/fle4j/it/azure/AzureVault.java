package io.fle4j.it.azure;

import static org.assertj.core.api.Assertions.assertThat;

import com.mongodb.ClientEncryptionSettings;
import com.mongodb.ConnectionString;
import com.mongodb.MongoClientSettings;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.vault.ClientEncryption;
import io.fle4j.KeyVaultIndexes;
import io.fle4j.testkit.AzureKeyVaultEmulator;
import io.fle4j.testkit.MongoTestTarget;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import javax.net.ssl.SSLContext;
import org.bson.BsonBinary;
import org.bson.BsonDocument;
import org.bson.BsonString;
import org.bson.UuidRepresentation;

/**
 * A key vault on the test MongoDB shared by fle4j and the official driver, with the testkit's
 * Azure Key Vault emulator as {@code azure} (one application) and {@code azure:other} (a second
 * application of the same tenant), plus {@code local}. Closing it closes what it opened and drops
 * the database; the emulator is the caller's.
 */
final class AzureVault implements AutoCloseable {
  static final String DETERMINISTIC = "AEAD_AES_256_CBC_HMAC_SHA_512-Deterministic";
  static final String RANDOM = "AEAD_AES_256_CBC_HMAC_SHA_512-Random";

  final AzureKeyVaultEmulator azure;
  final AzureKeyVaultEmulator.App app;
  final AzureKeyVaultEmulator.App otherApp;
  final byte[] localMasterKey = new byte[96];
  final String database = "azure_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
  final String namespace = database + ".datakeys";
  final MongoClientSettings clientSettings = MongoClientSettings.builder()
      .applyConnectionString(new ConnectionString(MongoTestTarget.connectionString()))
      .uuidRepresentation(UuidRepresentation.STANDARD)
      .build();
  final MongoClient client = MongoClients.create(clientSettings);
  final MongoCollection<BsonDocument> keys =
      client.getDatabase(database).getCollection("datakeys", BsonDocument.class);
  private final List<AutoCloseable> opened = new ArrayList<>();

  AzureVault(AzureKeyVaultEmulator azure) {
    this.azure = azure;
    this.app = azure.registerApplication();
    this.otherApp = azure.registerApplication();
    new SecureRandom().nextBytes(localMasterKey);
    KeyVaultIndexes.ensureKeyAltNamesIndex(keys);
  }

  /** {@code {keyVaultEndpoint: <emulator>, keyName}}, plus {@code keyVersion} when given. */
  BsonDocument masterKey(String keyName, String keyVersion) {
    BsonDocument masterKey = new BsonDocument("keyVaultEndpoint", new BsonString(azure.endpoint()))
        .append("keyName", new BsonString(keyName));
    if (keyVersion != null) {
      masterKey.append("keyVersion", new BsonString(keyVersion));
    }
    return masterKey;
  }

  /** {@code azure}, {@code azure:other} and {@code local}. */
  Map<String, Map<String, Object>> kmsProviders() {
    Map<String, Map<String, Object>> providers = new LinkedHashMap<>();
    providers.put("azure", app.asKmsProviderProperties());
    providers.put("azure:other", otherApp.asKmsProviderProperties());
    providers.put("local", Map.of("key", localMasterKey.clone()));
    return providers;
  }

  /** TLS for each azure provider in the map: trust the emulator's CA. */
  Map<String, SSLContext> tls(Map<String, Map<String, Object>> providers) {
    Map<String, SSLContext> tls = new LinkedHashMap<>();
    for (String name : providers.keySet()) {
      if (name.startsWith("azure")) {
        tls.put(name, azure.clientSslContext());
      }
    }
    return tls;
  }

  ClientEncryptionSettings settings(Map<String, Map<String, Object>> providers) {
    return ClientEncryptionSettings.builder()
        .keyVaultMongoClientSettings(clientSettings)
        .keyVaultNamespace(namespace)
        .kmsProviders(providers)
        .kmsProviderSslContextMap(tls(providers))
        .build();
  }

  ClientEncryption fle4j() {
    return fle4j(kmsProviders());
  }

  ClientEncryption fle4j(Map<String, Map<String, Object>> providers) {
    return track(io.fle4j.ClientEncryptions.create(settings(providers)));
  }

  /** The official driver's ClientEncryption (libmongocrypt through mongodb-crypt). */
  ClientEncryption official() {
    return official(kmsProviders());
  }

  ClientEncryption official(Map<String, Map<String, Object>> providers) {
    ClientEncryption official = track(
        com.mongodb.client.vault.ClientEncryptions.create(settings(providers)));
    assertThat(official.getClass().getName()).startsWith("com.mongodb.");
    return official;
  }

  BsonDocument rawKey(BsonBinary id) {
    return keys.find(new BsonDocument("_id", id)).first();
  }

  long keyCount() {
    return keys.countDocuments();
  }

  private <T extends AutoCloseable> T track(T closeable) {
    opened.add(closeable);
    return closeable;
  }

  @Override
  public void close() throws Exception {
    try {
      for (AutoCloseable closeable : opened) {
        closeable.close();
      }
    } finally {
      client.getDatabase(database).drop();
      client.close();
    }
  }
}
