package io.fle4j.it.gcp;

import static org.assertj.core.api.Assertions.assertThat;

import com.mongodb.ClientEncryptionSettings;
import com.mongodb.ConnectionString;
import com.mongodb.MongoClientSettings;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.model.vault.DataKeyOptions;
import com.mongodb.client.model.vault.EncryptOptions;
import com.mongodb.client.vault.ClientEncryption;
import io.fle4j.testkit.mongo.MongoTestTarget;
import java.util.Map;
import java.util.UUID;
import org.bson.BsonBinary;
import org.bson.BsonDocument;
import org.bson.BsonString;
import org.bson.BsonValue;
import org.bson.UuidRepresentation;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * fle4j and the official driver against real Google Cloud KMS, when {@code FLE4J_GCP_EMAIL},
 * {@code FLE4J_GCP_PRIVATE_KEY} (base64 PKCS#8 DER, as the official driver takes it), {@code
 * FLE4J_GCP_PROJECT_ID}, {@code FLE4J_GCP_LOCATION}, {@code FLE4J_GCP_KEY_RING} and {@code
 * FLE4J_GCP_KEY_NAME} are set; skipped with a message otherwise.
 */
class GcpLiveCrossDriverTest {

  private static String env(String name) {
    String value = System.getenv(name);
    return value == null || value.isBlank() ? null : value;
  }

  @Test
  void dataKeys_realCloudKms_crossBothWays() throws Exception {
    String email = env("FLE4J_GCP_EMAIL");
    String privateKey = env("FLE4J_GCP_PRIVATE_KEY");
    String project = env("FLE4J_GCP_PROJECT_ID");
    String location = env("FLE4J_GCP_LOCATION");
    String ring = env("FLE4J_GCP_KEY_RING");
    String name = env("FLE4J_GCP_KEY_NAME");
    if (email == null || privateKey == null || project == null || location == null
        || ring == null || name == null) {
      Assumptions.abort("live GCP cross-driver test skipped: set FLE4J_GCP_EMAIL,"
          + " FLE4J_GCP_PRIVATE_KEY, FLE4J_GCP_PROJECT_ID, FLE4J_GCP_LOCATION, FLE4J_GCP_KEY_RING"
          + " and FLE4J_GCP_KEY_NAME to run it");
    }
    MongoClientSettings clientSettings = MongoClientSettings.builder()
        .applyConnectionString(new ConnectionString(MongoTestTarget.connectionString()))
        .uuidRepresentation(UuidRepresentation.STANDARD).build();
    String database = "gcp_live_" + UUID.randomUUID().toString().substring(0, 8);
    ClientEncryptionSettings settings = ClientEncryptionSettings.builder()
        .keyVaultMongoClientSettings(clientSettings)
        .keyVaultNamespace(database + ".datakeys")
        .kmsProviders(Map.of("gcp", Map.of("email", email, "privateKey", privateKey))).build();
    BsonDocument masterKey = new BsonDocument("projectId", new BsonString(project))
        .append("location", new BsonString(location))
        .append("keyRing", new BsonString(ring))
        .append("keyName", new BsonString(name));
    BsonValue value = new BsonString("live");
    try (MongoClient mongo = MongoClients.create(clientSettings);
        ClientEncryption official = com.mongodb.client.vault.ClientEncryptions.create(settings);
        ClientEncryption fle4j = io.fle4j.ClientEncryptions.create(settings)) {
      try {
        BsonBinary byOfficial = official.createDataKey("gcp", new DataKeyOptions().masterKey(masterKey));
        BsonBinary byFle4j = fle4j.createDataKey("gcp", new DataKeyOptions().masterKey(masterKey));
        EncryptOptions random = new EncryptOptions("AEAD_AES_256_CBC_HMAC_SHA_512-Random");
        assertThat(fle4j.decrypt(official.encrypt(value, random.keyId(byOfficial)))).isEqualTo(value);
        assertThat(official.decrypt(fle4j.encrypt(value, random.keyId(byFle4j)))).isEqualTo(value);
      } finally {
        mongo.getDatabase(database).drop();
      }
    }
  }
}
