package io.fle4j.kms.azure;

import static org.assertj.core.api.Assertions.assertThat;

import io.fle4j.kms.KmsProvider;
import java.security.SecureRandom;
import org.bson.BsonDocument;
import org.bson.BsonString;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * Against a real Azure Key Vault, when {@code FLE4J_AZURE_TENANT_ID}, {@code
 * FLE4J_AZURE_CLIENT_ID}, {@code FLE4J_AZURE_CLIENT_SECRET}, {@code
 * FLE4J_AZURE_KEY_VAULT_ENDPOINT} and {@code FLE4J_AZURE_KEY_NAME} are set ({@code
 * FLE4J_AZURE_KEY_VERSION} optional); skipped with a message otherwise.
 */
class AzureKeyVaultLiveTest {

  private static String env(String name) {
    String value = System.getenv(name);
    return value == null || value.isBlank() ? null : value;
  }

  @Test
  void wrapAndUnwrap_realKeyVault_roundTrips() {
    String tenant = env("FLE4J_AZURE_TENANT_ID");
    String client = env("FLE4J_AZURE_CLIENT_ID");
    String secret = env("FLE4J_AZURE_CLIENT_SECRET");
    String endpoint = env("FLE4J_AZURE_KEY_VAULT_ENDPOINT");
    String keyName = env("FLE4J_AZURE_KEY_NAME");
    if (tenant == null || client == null || secret == null || endpoint == null || keyName == null) {
      Assumptions.abort("live Azure test skipped: set FLE4J_AZURE_TENANT_ID, FLE4J_AZURE_CLIENT_ID,"
          + " FLE4J_AZURE_CLIENT_SECRET, FLE4J_AZURE_KEY_VAULT_ENDPOINT and FLE4J_AZURE_KEY_NAME"
          + " to run it");
    }
    AzureKmsProviderBuilder builder = AzureKmsProvider.builder().clientSecret(tenant, client,
        secret);
    String identity = env("FLE4J_AZURE_IDENTITY_PLATFORM_ENDPOINT");
    if (identity != null) {
      builder.identityPlatformEndpoint(identity);
    }
    try (KmsProvider provider = builder.build()) {
      BsonDocument options = new BsonDocument("keyVaultEndpoint", new BsonString(endpoint))
          .append("keyName", new BsonString(keyName));
      String version = env("FLE4J_AZURE_KEY_VERSION");
      if (version != null) {
        options.append("keyVersion", new BsonString(version));
      }
      BsonDocument masterKey = provider.masterKey(options);
      byte[] dataKey = new byte[96];
      new SecureRandom().nextBytes(dataKey);
      assertThat(provider.decryptDataKey(masterKey, provider.encryptDataKey(masterKey, dataKey)))
          .isEqualTo(dataKey);
    }
  }
}
