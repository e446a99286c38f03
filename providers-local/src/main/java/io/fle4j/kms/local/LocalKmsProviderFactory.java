package io.fle4j.kms.local;

import io.fle4j.ConfigurationException;
import io.fle4j.kms.KmsProvider;
import io.fle4j.kms.KmsProviderConfig;
import io.fle4j.kms.KmsProviderFactory;
import io.fle4j.kms.SecretBytes;
import java.util.List;

/**
 * Builds a {@link LocalKmsProvider} from a {@code kmsProviders} entry {@code {key: <96 bytes as
 * byte[], BSON binary or base64 string>}}.
 */
public final class LocalKmsProviderFactory implements KmsProviderFactory {

  @Override
  public String type() {
    return "local";
  }

  @Override
  public KmsProvider create(KmsProviderConfig config) {
    config.requireOnly(List.of("key"), "the local KMS provider takes only 'key'");
    SecretBytes key = config.secretBytes("key", "96 bytes").orElseThrow(() ->
        new ConfigurationException(config.fieldPath("key"), "is required: the 96-byte local"
            + " master key (the local provider has no on-demand credentials)"));
    LocalKmsProvider.Builder builder = LocalKmsProvider.builder().name(config.name().toString());
    try {
      builder.masterKey(key);
      return builder.build();
    } catch (ConfigurationException e) {
      throw config.reanchor(e, "key");
    }
  }

}
