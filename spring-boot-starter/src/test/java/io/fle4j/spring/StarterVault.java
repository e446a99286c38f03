package io.fle4j.spring;

import com.mongodb.ClientEncryptionSettings;
import com.mongodb.ConnectionString;
import com.mongodb.MongoClientSettings;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.model.vault.DataKeyOptions;
import com.mongodb.client.vault.ClientEncryption;
import io.fle4j.ClientEncryptions;
import io.fle4j.testkit.mongo.MongoTestTarget;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.bson.BsonBinary;
import org.bson.UuidRepresentation;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.data.mongodb.autoconfigure.DataMongoAutoConfiguration;
import org.springframework.boot.mongodb.autoconfigure.MongoAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/**
 * A fresh database on the test MongoDB with a key vault and a local master key, a plain client to
 * look at what is stored, and an application context runner whose properties point fle4j at
 * them. Closing it drops the database.
 */
final class StarterVault implements AutoCloseable {
  static final String DET = "AEAD_AES_256_CBC_HMAC_SHA_512-Deterministic";

  final String db = "boot_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
  final byte[] masterKey = new byte[96];
  final MongoClientSettings plainSettings = MongoClientSettings.builder()
      .applyConnectionString(new ConnectionString(MongoTestTarget.connectionString()))
      .uuidRepresentation(UuidRepresentation.STANDARD).build();
  final MongoClient plain = MongoClients.create(plainSettings);

  StarterVault() {
    new SecureRandom().nextBytes(masterKey);
  }

  /** A data key in the vault, made with a plain fle4j ClientEncryption. */
  BsonBinary createKey(String... altNames) {
    try (ClientEncryption setup = ClientEncryptions.create(ClientEncryptionSettings.builder()
        .keyVaultMongoClientSettings(plainSettings).keyVaultNamespace(db + ".keys")
        .kmsProviders(Map.of("local", Map.of("key", masterKey))).build())) {
      return setup.createDataKey("local", new DataKeyOptions().keyAltNames(List.of(altNames)));
    }
  }

  /** A CSFLE schema encrypting {@code ssn} deterministically with {@code keyId}. */
  static String ssnSchema(BsonBinary keyId) {
    return "{bsonType: 'object', properties: {ssn: {encrypt: {bsonType: 'string',"
        + " algorithm: '" + DET + "', keyId: [{$binary: {base64: '"
        + Base64.getEncoder().encodeToString(keyId.getData()) + "', subType: '04'}}]}}}}";
  }

  /** Boot's Mongo and Spring Data auto-configuration, the starter, and this vault's properties. */
  ApplicationContextRunner runner(Class<?>... moreAutoConfigurations) {
    Class<?>[] all = new Class<?>[moreAutoConfigurations.length + 3];
    all[0] = MongoAutoConfiguration.class;
    all[1] = DataMongoAutoConfiguration.class;
    all[2] = Fle4jAutoConfiguration.class;
    System.arraycopy(moreAutoConfigurations, 0, all, 3, moreAutoConfigurations.length);
    return new ApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(all))
        .withPropertyValues(
            "spring.mongodb.uri=" + MongoTestTarget.connectionString() + "/" + db,
            "spring.mongodb.representation.uuid=standard",
            "fle4j.key-vault-namespace=" + db + ".keys",
            "fle4j.kms-providers.local.key=" + Base64.getEncoder().encodeToString(masterKey));
  }

  @Override
  public void close() {
    plain.getDatabase(db).drop();
    plain.close();
  }
}
