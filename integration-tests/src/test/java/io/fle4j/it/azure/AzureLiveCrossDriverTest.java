package io.fle4j.it.azure;

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
import java.util.LinkedHashMap;
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
 * fle4j and the official driver against a real Azure Key Vault, when {@code
 * FLE4J_AZURE_TENANT_ID}, {@code FLE4J_AZURE_CLIENT_ID}, {@code FLE4J_AZURE_CLIENT_SECRET},
 * {@code FLE4J_AZURE_KEY_VAULT_ENDPOINT} and {@code FLE4J_AZURE_KEY_NAME} are set; skipped with a
 * message otherwise.
 */
class AzureLiveCrossDriverTest {

  private static String env(String name) {
    String value = System.getenv(name);
    return value == null || value.isBlank() ? null : value;
  }

  @Test
  void dataKeys_realKeyVault_crossBothWays() throws Exception {
    String tenant = env("FLE4J_AZURE_TENANT_ID");
    String client = env("FLE4J_AZURE_CLIENT_ID");
    String secret = env("FLE4J_AZURE_CLIENT_SECRET");
    String endpoint = env("FLE4J_AZURE_KEY_VAULT_ENDPOINT");
    String keyName = env("FLE4J_AZURE_KEY_NAME");
    if (tenant == null || client == null || secret == null || endpoint == null || keyName == null) {
      Assumptions.abort("live Azure cross-driver test skipped: set FLE4J_AZURE_TENANT_ID,"
          + " FLE4J_AZURE_CLIENT_ID, FLE4J_AZURE_CLIENT_SECRET, FLE4J_AZURE_KEY_VAULT_ENDPOINT and"
          + " FLE4J_AZURE_KEY_NAME to run it");
    }
    Map<String, Object> azure = new LinkedHashMap<>();
    azure.put("tenantId", tenant);
    azure.put("clientId", client);
    azure.put("clientSecret", secret);
    if (env("FLE4J_AZURE_IDENTITY_PLATFORM_ENDPOINT") != null) {
      azure.put("identityPlatformEndpoint", env("FLE4J_AZURE_IDENTITY_PLATFORM_ENDPOINT"));
    }
    MongoClientSettings clientSettings = MongoClientSettings.builder()
        .applyConnectionString(new ConnectionString(MongoTestTarget.connectionString()))
        .uuidRepresentation(UuidRepresentation.STANDARD).build();
    String database = "azure_live_" + UUID.randomUUID().toString().substring(0, 8);
    ClientEncryptionSettings settings = ClientEncryptionSettings.builder()
        .keyVaultMongoClientSettings(clientSettings)
        .keyVaultNamespace(database + ".datakeys")
        .kmsProviders(Map.of("azure", azure)).build();
    BsonDocument masterKey = new BsonDocument("keyVaultEndpoint", new BsonString(endpoint))
        .append("keyName", new BsonString(keyName));
    BsonValue value = new BsonString("live");
    try (MongoClient mongo = MongoClients.create(clientSettings);
        ClientEncryption official = com.mongodb.client.vault.ClientEncryptions.create(settings);
        ClientEncryption fle4j = io.fle4j.ClientEncryptions.create(settings)) {
      try {
        BsonBinary byOfficial = official.createDataKey("azure", new DataKeyOptions().masterKey(masterKey));
        BsonBinary byFle4j = fle4j.createDataKey("azure", new DataKeyOptions().masterKey(masterKey));
        EncryptOptions random = new EncryptOptions("AEAD_AES_256_CBC_HMAC_SHA_512-Random");
        assertThat(fle4j.decrypt(official.encrypt(value, random.keyId(byOfficial)))).isEqualTo(value);
        assertThat(official.decrypt(fle4j.encrypt(value, random.keyId(byFle4j)))).isEqualTo(value);
      } finally {
        mongo.getDatabase(database).drop();
      }
    }
  }
}
