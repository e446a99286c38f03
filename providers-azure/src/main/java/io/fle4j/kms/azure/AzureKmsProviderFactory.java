package io.fle4j.kms.azure;

import io.fle4j.ConfigurationException;
import io.fle4j.kms.KmsProvider;
import io.fle4j.kms.KmsProviderConfig;
import io.fle4j.kms.KmsProviderFactory;
import java.util.List;
import org.bson.BsonString;

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
    for (String field : config.properties().keySet()) {
      if (!FIELDS.contains(field)) {
        throw new ConfigurationException(config.fieldPath(field), "unexpected field; the azure KMS"
            + " provider takes tenantId, clientId, clientSecret and identityPlatformEndpoint, or"
            + " accessToken alone, or nothing (DefaultAzureCredential)");
      }
    }
    AzureKmsProvider.Builder builder = AzureKmsProvider.builder().name(config.name().toString());
    config.sslContext().ifPresent(builder::sslContext);
    if (config.properties().isEmpty()) {
      return builder.defaultCredential().build();
    }
    String accessToken = text(config, "accessToken");
    if (accessToken != null) {
      if (config.properties().size() > 1) {
        throw new ConfigurationException(config.fieldPath("accessToken"), "must be alone: give"
            + " either accessToken or tenantId, clientId and clientSecret");
      }
      return builder.accessToken(accessToken).build();
    }
    String tenantId = text(config, "tenantId");
    String clientId = text(config, "clientId");
    String clientSecret = text(config, "clientSecret");
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
      String endpoint = text(config, "identityPlatformEndpoint");
      if (endpoint != null) {
        builder.identityPlatformEndpoint(endpoint);
      }
    } catch (ConfigurationException e) {
      if (e.field().startsWith("kmsProviders.")) {
        throw e;
      }
      throw new ConfigurationException(config.fieldPath(e.field()),
          e.getMessage().substring(e.field().length() + 2));
    }
    return builder.build();
  }

  private static String text(KmsProviderConfig config, String field) {
    Object value = config.properties().get(field);
    if (value == null) {
      if (config.properties().containsKey(field)) {
        throw new ConfigurationException(config.fieldPath(field), "must be a string, got null");
      }
      return null;
    }
    String text = value instanceof BsonString s ? s.getValue() : value instanceof String s ? s : null;
    if (text == null) {
      throw new ConfigurationException(config.fieldPath(field),
          "must be a string, got " + value.getClass().getSimpleName());
    }
    if (text.isEmpty()) {
      throw new ConfigurationException(config.fieldPath(field), "must not be empty");
    }
    return text;
  }
}
