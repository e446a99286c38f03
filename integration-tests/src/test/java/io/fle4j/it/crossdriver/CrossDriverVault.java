package io.fle4j.it.crossdriver;

import static org.assertj.core.api.Assertions.assertThat;

import com.mongodb.ClientEncryptionSettings;
import com.mongodb.ConnectionString;
import com.mongodb.MongoClientSettings;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.vault.EncryptOptions;
import com.mongodb.client.vault.ClientEncryption;
import io.fle4j.KeyVaultIndexes;
import io.fle4j.testkit.MongoTestTarget;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.bson.BsonBinary;
import org.bson.BsonDocument;
import org.bson.BsonValue;
import org.bson.UuidRepresentation;

/**
 * One key vault collection ({@code keyvault_<random>.datakeys}) shared by fle4j and the official
 * driver (libmongocrypt through {@code mongodb-crypt}), with the same local master keys on both
 * sides: {@code local}, {@code local:a} and {@code local:b}, three different 96-byte keys.
 * Closing it closes every ClientEncryption it opened and drops the database.
 */
final class CrossDriverVault implements AutoCloseable {
  static final String LOCAL = "local";
  static final String LOCAL_A = "local:a";
  static final String LOCAL_B = "local:b";

  static final String DETERMINISTIC = "AEAD_AES_256_CBC_HMAC_SHA_512-Deterministic";
  static final String RANDOM_ALGORITHM = "AEAD_AES_256_CBC_HMAC_SHA_512-Random";

  private static final SecureRandom RANDOM = new SecureRandom();

  final String database =
      "keyvault_" + UUID.randomUUID().toString().replace("-", "").substring(0, 16);
  final String namespace = database + ".datakeys";
  final MongoClientSettings clientSettings = MongoClientSettings.builder()
      .applyConnectionString(new ConnectionString(MongoTestTarget.connectionString()))
      .uuidRepresentation(UuidRepresentation.STANDARD)
      .build();
  final MongoClient client = MongoClients.create(clientSettings);
  /** The raw key vault collection, read without either ClientEncryption. */
  final MongoCollection<BsonDocument> keys =
      client.getDatabase(database).getCollection("datakeys", BsonDocument.class);

  private final Map<String, byte[]> masterKeys = new LinkedHashMap<>();
  private final List<AutoCloseable> opened = new ArrayList<>();

  CrossDriverVault() {
    masterKeys.put(LOCAL, randomBytes(96));
    masterKeys.put(LOCAL_A, randomBytes(96));
    masterKeys.put(LOCAL_B, randomBytes(96));
    KeyVaultIndexes.ensureKeyAltNamesIndex(keys);
  }

  static byte[] randomBytes(int length) {
    byte[] bytes = new byte[length];
    RANDOM.nextBytes(bytes);
    return bytes;
  }

  /** The master key configured for a provider name. */
  byte[] masterKey(String provider) {
    return masterKeys.get(provider).clone();
  }

  /** {@code kmsProviders} holding every provider of this vault. */
  Map<String, Map<String, Object>> allProviders() {
    return providers(masterKeys.keySet().toArray(String[]::new));
  }

  /** {@code kmsProviders} holding only the given providers, with this vault's master keys. */
  Map<String, Map<String, Object>> providers(String... names) {
    Map<String, Map<String, Object>> map = new LinkedHashMap<>();
    for (String name : names) {
      map.put(name, Map.of("key", masterKey(name)));
    }
    return map;
  }

  ClientEncryptionSettings settings(Map<String, Map<String, Object>> kmsProviders) {
    return ClientEncryptionSettings.builder()
        .keyVaultMongoClientSettings(clientSettings)
        .keyVaultNamespace(namespace)
        .kmsProviders(kmsProviders)
        .build();
  }

  /** fle4j's ClientEncryption with every provider. */
  ClientEncryption fle4j() {
    return fle4j(allProviders());
  }

  ClientEncryption fle4j(Map<String, Map<String, Object>> kmsProviders) {
    return track(io.fle4j.ClientEncryptions.create(settings(kmsProviders)));
  }

  /** The official driver's ClientEncryption (libmongocrypt) with every provider. */
  ClientEncryption official() {
    return official(allProviders());
  }

  ClientEncryption official(Map<String, Map<String, Object>> kmsProviders) {
    ClientEncryption official =
        track(com.mongodb.client.vault.ClientEncryptions.create(settings(kmsProviders)));
    // Guard the oracle: it must be the driver's libmongocrypt-backed class, never fle4j's.
    assertThat(official.getClass().getName()).startsWith("com.mongodb.");
    return official;
  }

  static EncryptOptions byId(String algorithm, BsonBinary keyId) {
    return new EncryptOptions(algorithm).keyId(keyId);
  }

  static EncryptOptions byAltName(String algorithm, String keyAltName) {
    return new EncryptOptions(algorithm).keyAltName(keyAltName);
  }

  /**
   * Checks the FLE1 blob header (formats.md section 1): BSON binary subtype 6, blob subtype 1
   * (deterministic) or 2 (random), the 16-byte key id, then the original BSON type.
   */
  static void assertCiphertextHeader(
      BsonBinary ciphertext, String algorithm, BsonBinary keyId, BsonValue plaintext) {
    byte[] data = ciphertext.getData();
    assertThat(ciphertext.getType()).as("binary subtype").isEqualTo((byte) 6);
    assertThat(data.length).as("ciphertext length").isGreaterThan(18);
    assertThat(data[0]).as("blob subtype")
        .isEqualTo(algorithm.equals(DETERMINISTIC) ? (byte) 1 : (byte) 2);
    assertThat(Arrays.copyOfRange(data, 1, 17)).as("key id").isEqualTo(keyId.getData());
    assertThat(data[17]).as("original BSON type")
        .isEqualTo((byte) plaintext.getBsonType().getValue());
  }

  /** The stored key document, read directly from the collection. */
  BsonDocument rawKey(BsonBinary id) {
    return keys.find(new BsonDocument("_id", id)).first();
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
