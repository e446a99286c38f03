package io.fle4j.kms.aws;

import io.fle4j.ConfigurationException;
import io.fle4j.kms.KmsProvider;
import io.fle4j.kms.KmsProviderConfig;
import io.fle4j.kms.KmsProviderFactory;
import java.util.List;

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
    config.requireOnly(FIELDS, "the aws KMS provider takes accessKeyId, secretAccessKey and"
        + " sessionToken (or nothing, for the AWS SDK's default credential chain)");
    AwsKmsProviderBuilder builder = AwsKmsProvider.builder().name(config.name().toString());
    config.sslContext().ifPresent(builder::sslContext);
    if (config.properties().isEmpty()) {
      return builder.defaultCredentials().build();
    }
    String accessKeyId = config.string("accessKeyId").orElse(null);
    String secretAccessKey = config.string("secretAccessKey").orElse(null);
    String sessionToken = config.string("sessionToken").orElse(null);
    if (accessKeyId == null || secretAccessKey == null) {
      String missing = accessKeyId == null ? "accessKeyId" : "secretAccessKey";
      throw new ConfigurationException(config.fieldPath(missing), "is required with "
          + (accessKeyId == null ? "secretAccessKey" : "accessKeyId") + " (or leave kmsProviders."
          + config.name() + " empty to use the AWS SDK's default credential chain)");
    }
    return builder.credentials(accessKeyId, secretAccessKey, sessionToken).build();
  }

}
