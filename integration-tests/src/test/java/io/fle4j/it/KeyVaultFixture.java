package io.fle4j.it;

import com.mongodb.ClientEncryptionSettings;
import com.mongodb.ConnectionString;
import com.mongodb.MongoClientSettings;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.vault.ClientEncryption;
import io.fle4j.ClientEncryptions;
import io.fle4j.Fle4jSettings;
import io.fle4j.KeyVaultIndexes;
import io.fle4j.testkit.MongoTestTarget;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.bson.BsonDocument;
import org.bson.UuidRepresentation;

/**
 * A fresh key vault on the test MongoDB (FLE4J_MONGODB_URI, or the embedded stand-in), with its
 * unique alt-name index, and helpers to open ClientEncryptions on it. Close it to drop it.
 */
final class KeyVaultFixture implements AutoCloseable {
  final String database = "it_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
  final String namespace = database + ".datakeys";
  final MongoClientSettings clientSettings = MongoClientSettings.builder()
      .applyConnectionString(new ConnectionString(MongoTestTarget.connectionString()))
      .uuidRepresentation(UuidRepresentation.STANDARD)
      .build();
  final MongoClient client = MongoClients.create(clientSettings);
  final MongoCollection<BsonDocument> keys =
      client.getDatabase(database).getCollection("datakeys", BsonDocument.class);
  private final List<AutoCloseable> opened = new ArrayList<>();

  KeyVaultFixture() {
    KeyVaultIndexes.ensureKeyAltNamesIndex(keys);
  }

  static byte[] randomMasterKey() {
    byte[] key = new byte[96];
    new SecureRandom().nextBytes(key);
    return key;
  }

  ClientEncryptionSettings.Builder settings(Map<String, Map<String, Object>> kmsProviders) {
    return ClientEncryptionSettings.builder()
        .keyVaultMongoClientSettings(clientSettings)
        .keyVaultNamespace(namespace)
        .kmsProviders(kmsProviders);
  }

  ClientEncryption fle4j(Map<String, Map<String, Object>> kmsProviders) {
    return track(ClientEncryptions.create(settings(kmsProviders).build()));
  }

  ClientEncryption fle4j(Map<String, Map<String, Object>> kmsProviders, Fle4jSettings extras) {
    return track(ClientEncryptions.create(settings(kmsProviders).build(), extras));
  }

  <T extends AutoCloseable> T track(T closeable) {
    opened.add(closeable);
    return closeable;
  }

  long keyCount() {
    return keys.countDocuments();
  }

  @Override
  public void close() throws Exception {
    for (AutoCloseable closeable : opened) {
      closeable.close();
    }
    client.getDatabase(database).drop();
    client.close();
  }
}
