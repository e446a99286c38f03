package io.fle4j.kms.kmip;

import io.fle4j.ConfigurationException;
import io.fle4j.kms.KmsProvider;
import io.fle4j.kms.KmsProviderConfig;
import io.fle4j.kms.KmsProviderFactory;
import java.util.List;

/**
 * Builds a {@link KmipKmsProvider} from a {@code kmsProviders} entry {@code {endpoint:
 * "host[:port]"}} (formats.md §3.1). The TLS context is the one given for the same name in
 * {@code kmsProviderSslContextMap}; without one, the JDK's default context is used.
 */
public final class KmipKmsProviderFactory implements KmsProviderFactory {

  @Override
  public String type() {
    return "kmip";
  }

  @Override
  public KmsProvider create(KmsProviderConfig config) {
    config.requireOnly(List.of("endpoint"), "the kmip KMS provider takes only 'endpoint'");
    String text = config.string("endpoint").orElseThrow(() -> new ConfigurationException(
        config.fieldPath("endpoint"), "is required: the KMIP server's host[:port]"));
    KmipKmsProviderBuilder builder = KmipKmsProvider.builder().name(config.name().toString());
    config.sslContext().ifPresent(builder::sslContext);
    try {
      return builder.endpoint(text).build();
    } catch (ConfigurationException e) {
      // The builder names "endpoint"; the user wrote kmsProviders.<name>.endpoint.
      throw e.field().equals("endpoint") ? config.reanchor(e, "endpoint") : e;
    }
  }
}
