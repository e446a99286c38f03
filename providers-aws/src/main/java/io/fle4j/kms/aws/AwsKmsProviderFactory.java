package io.fle4j.kms.aws;

import io.fle4j.ConfigurationException;
import io.fle4j.kms.KmsProvider;
import io.fle4j.kms.KmsProviderConfig;
import io.fle4j.kms.KmsProviderFactory;
import java.util.List;
import org.bson.BsonString;

/**
 * Builds an {@link AwsKmsProvider} from a {@code kmsProviders} entry, with the field names of the
 * MongoDB documentation: {@code {accessKeyId, secretAccessKey, sessionToken?}}, or an empty entry
 * ({@code aws: {}}, named providers too) for the AWS SDK's default credential chain. The entry's
 * {@code kmsProviderSslContextMap} context, if any, is used for TLS.
 *
 * <p>Credentials that change while the application runs come through {@code
 * kmsProviderPropertySuppliers}: fle4j asks the supplier on every use and rebuilds the provider
 * when what it returns changes.
 */
public final class AwsKmsProviderFactory implements KmsProviderFactory {
  private static final List<String> FIELDS = List.of("accessKeyId", "secretAccessKey",
      "sessionToken");

  @Override
  public String type() {
    return "aws";
  }

  @Override
  public KmsProvider create(KmsProviderConfig config) {
    for (String field : config.properties().keySet()) {
      if (!FIELDS.contains(field)) {
        throw new ConfigurationException(config.fieldPath(field), "unexpected field; the aws KMS"
            + " provider takes accessKeyId, secretAccessKey and sessionToken (or nothing, for"
            + " the AWS SDK's default credential chain)");
      }
    }
    AwsKmsProvider.Builder builder = AwsKmsProvider.builder().name(config.name().toString());
    config.sslContext().ifPresent(builder::sslContext);
    if (config.properties().isEmpty()) {
      return builder.defaultCredentials().build();
    }
    String accessKeyId = text(config, "accessKeyId");
    String secretAccessKey = text(config, "secretAccessKey");
    String sessionToken = text(config, "sessionToken");
    if (accessKeyId == null || secretAccessKey == null) {
      String missing = accessKeyId == null ? "accessKeyId" : "secretAccessKey";
      throw new ConfigurationException(config.fieldPath(missing), "is required with "
          + (accessKeyId == null ? "secretAccessKey" : "accessKeyId") + " (or leave kmsProviders."
          + config.name() + " empty to use the AWS SDK's default credential chain)");
    }
    return builder.credentials(accessKeyId, secretAccessKey, sessionToken).build();
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
