package io.fle4j.bench;

import com.mongodb.AutoEncryptionSettings;
import com.mongodb.ClientEncryptionSettings;
import com.mongodb.ConnectionString;
import com.mongodb.MongoClientSettings;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.model.vault.DataKeyOptions;
import com.mongodb.client.vault.ClientEncryption;
import io.fle4j.ClientEncryptions;
import io.fle4j.KeyVaultIndexes;
import io.fle4j.testkit.mongo.EmbeddedMongo;
import java.security.SecureRandom;
import java.util.List;
import java.util.Map;
import org.bson.BsonBinary;
import org.bson.BsonDocument;
import org.bson.UuidRepresentation;

/**
 * What every benchmark starts from: an in-process MongoDB stand-in holding a key vault, one
 * local master key, one data key, and both engines on the same vault: fle4j's ClientEncryption and
 * the official driver's (libmongocrypt through mongodb-crypt).
 */
final class Fixture implements AutoCloseable {
  static final String KEY_VAULT = "bench.keys";

  final EmbeddedMongo mongo = EmbeddedMongo.startInMemory();
  final MongoClientSettings settings = MongoClientSettings.builder()
      .applyConnectionString(new ConnectionString(mongo.connectionString()))
      .uuidRepresentation(UuidRepresentation.STANDARD).build();
  final MongoClient client = MongoClients.create(settings);
  final byte[] masterKey = random(96);
  final byte[] masterKeyB = random(96);
  final Map<String, Map<String, Object>> kmsProviders =
      Map.of("local", Map.of("key", masterKey), "local:b", Map.of("key", masterKeyB));
  final ClientEncryption fle4j;
  final ClientEncryption official;
  final BsonBinary keyId;

  Fixture() {
    KeyVaultIndexes.ensureKeyAltNamesIndex(client.getDatabase("bench").getCollection("keys"));
    ClientEncryptionSettings encryption = ClientEncryptionSettings.builder()
        .keyVaultMongoClientSettings(settings).keyVaultNamespace(KEY_VAULT)
        .kmsProviders(kmsProviders).build();
    fle4j = ClientEncryptions.create(encryption);
    official = com.mongodb.client.vault.ClientEncryptions.create(encryption);
    keyId = fle4j.createDataKey("local", new DataKeyOptions().keyAltNames(List.of("bench")));
  }

  ClientEncryption engine(String impl) {
    return switch (impl) {
      case "fle4j" -> fle4j;
      case "official" -> official;
      default -> throw new IllegalArgumentException(impl);
    };
  }

  BsonDocument keyDocument() {
    return client.getDatabase("bench").getCollection("keys", BsonDocument.class)
        .find(new BsonDocument("_id", keyId)).first();
  }

  /** Settings for a client that decrypts automatically (and, with a schema map, encrypts). */
  MongoClientSettings autoSettings(Map<String, BsonDocument> schemaMap, boolean bypass) {
    return MongoClientSettings.builder(settings).autoEncryptionSettings(AutoEncryptionSettings
        .builder().keyVaultNamespace(KEY_VAULT).kmsProviders(kmsProviders).schemaMap(schemaMap)
        .bypassAutoEncryption(bypass).build()).build();
  }

  static byte[] random(int n) {
    byte[] bytes = new byte[n];
    new SecureRandom().nextBytes(bytes);
    return bytes;
  }

  @Override
  public void close() {
    fle4j.close();
    official.close();
    client.close();
    mongo.close();
  }
}
