package io.fle4j.kms.kmip;

import io.fle4j.ConfigurationException;
import io.fle4j.kms.KmsProvider;
import io.fle4j.kms.KmsProviderConfig;
import io.fle4j.kms.KmsProviderFactory;
import org.bson.BsonString;

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
    for (String field : config.properties().keySet()) {
      if (!field.equals("endpoint")) {
        throw new ConfigurationException(config.fieldPath(field),
            "unexpected field; the kmip KMS provider takes only 'endpoint'");
      }
    }
    Object endpoint = config.properties().get("endpoint");
    if (endpoint == null) {
      throw new ConfigurationException(config.fieldPath("endpoint"),
          "is required: the KMIP server's host[:port]");
    }
    String text = endpoint instanceof BsonString s ? s.getValue()
        : endpoint instanceof String s ? s : null;
    if (text == null) {
      throw new ConfigurationException(config.fieldPath("endpoint"),
          "must be a string host[:port], got " + endpoint.getClass().getSimpleName());
    }
    KmipKmsProvider.Builder builder = KmipKmsProvider.builder().name(config.name().toString());
    config.sslContext().ifPresent(builder::sslContext);
    try {
      return builder.endpoint(text).build();
    } catch (ConfigurationException e) {
      if (e.field().equals("endpoint")) {
        // Re-anchor the builder's message on the map entry the user wrote.
        throw new ConfigurationException(config.fieldPath("endpoint"),
            e.getMessage().substring(e.field().length() + 2));
      }
      throw e;
    }
  }
}
