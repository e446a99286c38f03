package io.fle4j.kms.azure;

import io.fle4j.ConfigurationException;
import io.fle4j.kms.KmsProvider;
import io.fle4j.kms.KmsProviderConfig;
import io.fle4j.kms.KmsProviderFactory;
import java.util.List;

/**
 * Builds an {@link AzureKmsProvider} from a {@code kmsProviders} entry with the field names of
 * the MongoDB documentation: {@code {tenantId, clientId, clientSecret,
 * identityPlatformEndpoint?}}, or {@code {accessToken}} alone, or an empty entry ({@code azure:
 * {}}, named providers too) for {@code DefaultAzureCredential}. The entry's {@code
 * kmsProviderSslContextMap} context, if any, is used for the vault and the identity endpoint.
 */
public final class AzureKmsProviderFactory implements KmsProviderFactory {
  private static final List<String> FIELDS = List.of("tenantId", "clientId", "clientSecret",
      "identityPlatformEndpoint", "accessToken");

  @Override
  public String type() {
    return "azure";
  }

  @Override
  public KmsProvider create(KmsProviderConfig config) {
    config.requireOnly(FIELDS, "the azure KMS provider takes tenantId, clientId, clientSecret"
        + " and identityPlatformEndpoint, or accessToken alone, or nothing"
        + " (DefaultAzureCredential)");
    AzureKmsProviderBuilder builder = AzureKmsProvider.builder().name(config.name().toString());
    config.sslContext().ifPresent(builder::sslContext);
    if (config.properties().isEmpty()) {
      return builder.defaultCredential().build();
    }
    String accessToken = config.string("accessToken").orElse(null);
    if (accessToken != null) {
      if (config.properties().size() > 1) {
        throw new ConfigurationException(config.fieldPath("accessToken"), "must be alone: give"
            + " either accessToken or tenantId, clientId and clientSecret");
      }
      return builder.accessToken(accessToken).build();
    }
    String tenantId = config.string("tenantId").orElse(null);
    String clientId = config.string("clientId").orElse(null);
    String clientSecret = config.string("clientSecret").orElse(null);
    for (String[] required : new String[][] {{"tenantId", tenantId}, {"clientId", clientId},
        {"clientSecret", clientSecret}}) {
      if (required[1] == null) {
        throw new ConfigurationException(config.fieldPath(required[0]), "is required with"
            + " tenantId, clientId and clientSecret (or give accessToken alone, or leave"
            + " kmsProviders." + config.name() + " empty for DefaultAzureCredential)");
      }
    }
    try {
      builder.clientSecret(tenantId, clientId, clientSecret);
      config.string("identityPlatformEndpoint").ifPresent(builder::identityPlatformEndpoint);
    } catch (ConfigurationException e) {
      throw config.reanchor(e, e.field());
    }
    return builder.build();
  }

}
