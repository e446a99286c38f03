package io.fle4j.kms.local;

import io.fle4j.ConfigurationException;
import io.fle4j.kms.KmsProvider;
import io.fle4j.kms.KmsProviderConfig;
import io.fle4j.kms.KmsProviderFactory;
import io.fle4j.kms.SecretBytes;
import java.util.Map;
import org.bson.BsonBinary;
import org.bson.BsonString;
import org.bson.types.Binary;

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
    for (String field : config.properties().keySet()) {
      if (!field.equals("key")) {
        throw new ConfigurationException(config.fieldPath(field),
            "unexpected field; the local KMS provider takes only 'key'");
      }
    }
    if (!config.properties().containsKey("key")) {
      throw new ConfigurationException(config.fieldPath("key"),
          "is required: the 96-byte local master key (the local provider has no on-demand"
              + " credentials)");
    }
    LocalKmsProvider.Builder builder = LocalKmsProvider.builder().name(config.name().toString());
    try {
      builder.masterKey(masterKey(config.properties().get("key"), config.fieldPath("key")));
      return builder.build();
    } catch (ConfigurationException e) {
      if (e.field().startsWith("kmsProviders.")) {
        throw e;
      }
      // Re-anchor the builder's message on the map entry the user wrote.
      throw new ConfigurationException(config.fieldPath("key"),
          e.getMessage().substring(e.field().length() + 2));
    }
  }

  private static SecretBytes masterKey(Object value, String field) {
    if (value instanceof byte[] bytes) {
      return SecretBytes.copyOf(bytes);
    }
    if (value instanceof BsonBinary binary) {
      return SecretBytes.copyOf(binary.getData());
    }
    if (value instanceof Binary binary) {
      return SecretBytes.copyOf(binary.getData());
    }
    String text = value instanceof BsonString s ? s.getValue() : value instanceof String s ? s : null;
    if (text != null) {
      try {
        return SecretBytes.fromBase64(text);
      } catch (IllegalArgumentException e) {
        throw new ConfigurationException(field, "is a string but not valid base64");
      }
    }
    throw new ConfigurationException(field, "must be 96 bytes (byte[], BSON binary or a base64"
        + " string), got " + (value == null ? "null" : value.getClass().getSimpleName()));
  }
}
