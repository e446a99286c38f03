package io.fle4j.it.aws;

import static io.fle4j.it.aws.AwsVault.DETERMINISTIC;
import static io.fle4j.it.aws.AwsVault.RANDOM;
import static org.assertj.core.api.Assertions.assertThat;

import com.mongodb.ClientEncryptionSettings;
import com.mongodb.ConnectionString;
import com.mongodb.MongoClientSettings;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.model.vault.DataKeyOptions;
import com.mongodb.client.model.vault.EncryptOptions;
import com.mongodb.client.vault.ClientEncryption;
import io.fle4j.KeyVaultIndexes;
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
 * Real AWS KMS, both drivers: runs only when {@code FLE4J_AWS_ACCESS_KEY_ID}, {@code
 * FLE4J_AWS_SECRET_ACCESS_KEY}, {@code FLE4J_AWS_KEY_ARN} and {@code FLE4J_AWS_REGION} are set
 * (plus {@code FLE4J_AWS_SESSION_TOKEN} for temporary credentials).
 */
class AwsLiveCrossDriverTest {

  @Test
  void realKms_eachDriverReadsTheOthersKeys() throws Exception {
    Map<String, String> env = System.getenv();
    String keyArn = env.get("FLE4J_AWS_KEY_ARN");
    String region = env.get("FLE4J_AWS_REGION");
    if (env.get("FLE4J_AWS_ACCESS_KEY_ID") == null || env.get("FLE4J_AWS_SECRET_ACCESS_KEY") == null
        || keyArn == null || region == null) {
      Assumptions.abort("live AWS KMS test skipped: set FLE4J_AWS_ACCESS_KEY_ID,"
          + " FLE4J_AWS_SECRET_ACCESS_KEY, FLE4J_AWS_KEY_ARN and FLE4J_AWS_REGION to run it");
    }
    Map<String, Object> aws = new LinkedHashMap<>();
    aws.put("accessKeyId", env.get("FLE4J_AWS_ACCESS_KEY_ID"));
    aws.put("secretAccessKey", env.get("FLE4J_AWS_SECRET_ACCESS_KEY"));
    if (env.get("FLE4J_AWS_SESSION_TOKEN") != null) {
      aws.put("sessionToken", env.get("FLE4J_AWS_SESSION_TOKEN"));
    }
    String database = "aws_live_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    MongoClientSettings clientSettings = MongoClientSettings.builder()
        .applyConnectionString(new ConnectionString(MongoTestTarget.connectionString()))
        .uuidRepresentation(UuidRepresentation.STANDARD).build();
    ClientEncryptionSettings settings = ClientEncryptionSettings.builder()
        .keyVaultMongoClientSettings(clientSettings)
        .keyVaultNamespace(database + ".datakeys")
        .kmsProviders(Map.of("aws", aws))
        .build();
    BsonDocument masterKey = new BsonDocument("region", new BsonString(region))
        .append("key", new BsonString(keyArn));
    try (MongoClient client = MongoClients.create(clientSettings);
        ClientEncryption fle4j = io.fle4j.ClientEncryptions.create(settings);
        ClientEncryption official = com.mongodb.client.vault.ClientEncryptions.create(settings)) {
      KeyVaultIndexes.ensureKeyAltNamesIndex(
          client.getDatabase(database).getCollection("datakeys", BsonDocument.class));
      try {
        BsonValue value = new BsonString("live");
        BsonBinary officialKey = official.createDataKey("aws", new DataKeyOptions().masterKey(masterKey));
        BsonBinary fle4jKey = fle4j.createDataKey("aws", new DataKeyOptions().masterKey(masterKey));

        assertThat(fle4j.getKey(fle4jKey).getDocument("masterKey"))
            .isEqualTo(official.getKey(officialKey).getDocument("masterKey"));
        assertThat(fle4j.decrypt(official.encrypt(value, new EncryptOptions(RANDOM).keyId(officialKey))))
            .isEqualTo(value);
        assertThat(official.decrypt(fle4j.encrypt(value, new EncryptOptions(RANDOM).keyId(fle4jKey))))
            .isEqualTo(value);
        assertThat(fle4j.encrypt(value, new EncryptOptions(DETERMINISTIC).keyId(officialKey)))
            .isEqualTo(official.encrypt(value, new EncryptOptions(DETERMINISTIC).keyId(officialKey)));
      } finally {
        client.getDatabase(database).drop();
      }
    }
  }
}
