package io.fle4j.kms.aws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fle4j.kms.KmsProviderException;
import java.security.SecureRandom;
import org.bson.BsonDocument;
import org.bson.BsonString;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Against real AWS KMS, only when {@code FLE4J_AWS_ACCESS_KEY_ID}, {@code
 * FLE4J_AWS_SECRET_ACCESS_KEY}, {@code FLE4J_AWS_KEY_ARN} and {@code FLE4J_AWS_REGION} are set
 * ({@code FLE4J_AWS_SESSION_TOKEN} too for temporary credentials). The IAM identity needs {@code
 * kms:Encrypt} and {@code kms:Decrypt} on the key.
 */
class AwsKmsLiveTest {
  private String accessKeyId;
  private String secretAccessKey;
  private String sessionToken;
  private String keyArn;
  private String region;

  @BeforeEach
  void requireLiveSettings() {
    accessKeyId = System.getenv("FLE4J_AWS_ACCESS_KEY_ID");
    secretAccessKey = System.getenv("FLE4J_AWS_SECRET_ACCESS_KEY");
    sessionToken = System.getenv("FLE4J_AWS_SESSION_TOKEN");
    keyArn = System.getenv("FLE4J_AWS_KEY_ARN");
    region = System.getenv("FLE4J_AWS_REGION");
    if (accessKeyId == null || secretAccessKey == null || keyArn == null || region == null) {
      Assumptions.abort("live AWS KMS test skipped: set FLE4J_AWS_ACCESS_KEY_ID,"
          + " FLE4J_AWS_SECRET_ACCESS_KEY, FLE4J_AWS_KEY_ARN and FLE4J_AWS_REGION to run it");
    }
  }

  private AwsKmsProvider provider() {
    return AwsKmsProvider.builder().credentials(accessKeyId, secretAccessKey, sessionToken).build();
  }

  @Test
  void encryptThenDecrypt_realKms_roundTripsAndReportsTheKey() {
    try (AwsKmsProvider aws = provider()) {
      BsonDocument masterKey = aws.masterKey(new BsonDocument("key", new BsonString(keyArn))
          .append("region", new BsonString(region)));
      byte[] dataKey = new byte[96];
      new SecureRandom().nextBytes(dataKey);

      byte[] material = aws.encryptDataKey(masterKey, dataKey);

      assertThat(material.length).isGreaterThan(96);
      assertThat(aws.decryptDataKey(masterKey, material)).isEqualTo(dataKey);
    }
  }

  @Test
  void decrypt_alteredMaterial_realKmsSaysInvalidCiphertext() {
    try (AwsKmsProvider aws = provider()) {
      BsonDocument masterKey = aws.masterKey(new BsonDocument("key", new BsonString(keyArn)));
      byte[] material = aws.encryptDataKey(masterKey, new byte[96]);
      material[material.length - 1] ^= 1;
      assertThatThrownBy(() -> aws.decryptDataKey(masterKey, material))
          .isInstanceOf(KmsProviderException.class)
          .hasMessageContaining("InvalidCiphertextException")
          .hasMessageNotContaining(secretAccessKey);
    }
  }
}
