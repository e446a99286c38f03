package io.fle4j.kms.gcp;

import static org.assertj.core.api.Assertions.assertThat;

import io.fle4j.kms.KmsProvider;
import java.security.SecureRandom;
import org.bson.BsonDocument;
import org.bson.BsonString;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * Against real Google Cloud KMS, when {@code FLE4J_GCP_EMAIL}, {@code FLE4J_GCP_PRIVATE_KEY}
 * (base64 PKCS#8 DER or PEM), {@code FLE4J_GCP_PROJECT_ID}, {@code FLE4J_GCP_LOCATION}, {@code
 * FLE4J_GCP_KEY_RING} and {@code FLE4J_GCP_KEY_NAME} are set ({@code FLE4J_GCP_KEY_VERSION} and
 * {@code FLE4J_GCP_ENDPOINT} optional); skipped with a message otherwise.
 */
class GcpKmsLiveTest {

  private static String env(String name) {
    String value = System.getenv(name);
    return value == null || value.isBlank() ? null : value;
  }

  @Test
  void encryptAndDecrypt_realCloudKms_roundTrips() {
    String email = env("FLE4J_GCP_EMAIL");
    String privateKey = env("FLE4J_GCP_PRIVATE_KEY");
    String project = env("FLE4J_GCP_PROJECT_ID");
    String location = env("FLE4J_GCP_LOCATION");
    String ring = env("FLE4J_GCP_KEY_RING");
    String name = env("FLE4J_GCP_KEY_NAME");
    if (email == null || privateKey == null || project == null || location == null
        || ring == null || name == null) {
      Assumptions.abort("live GCP test skipped: set FLE4J_GCP_EMAIL, FLE4J_GCP_PRIVATE_KEY,"
          + " FLE4J_GCP_PROJECT_ID, FLE4J_GCP_LOCATION, FLE4J_GCP_KEY_RING and FLE4J_GCP_KEY_NAME"
          + " to run it");
    }
    try (KmsProvider provider = GcpKmsProvider.builder().serviceAccount(email, privateKey)
        .build()) {
      BsonDocument options = new BsonDocument("projectId", new BsonString(project))
          .append("location", new BsonString(location))
          .append("keyRing", new BsonString(ring))
          .append("keyName", new BsonString(name));
      if (env("FLE4J_GCP_KEY_VERSION") != null) {
        options.append("keyVersion", new BsonString(env("FLE4J_GCP_KEY_VERSION")));
      }
      if (env("FLE4J_GCP_ENDPOINT") != null) {
        options.append("endpoint", new BsonString(env("FLE4J_GCP_ENDPOINT")));
      }
      BsonDocument masterKey = provider.masterKey(options);
      byte[] dataKey = new byte[96];
      new SecureRandom().nextBytes(dataKey);
      assertThat(provider.decryptDataKey(masterKey, provider.encryptDataKey(masterKey, dataKey)))
          .isEqualTo(dataKey);
    }
  }
}
