package io.fle4j.kms.gcp;

import io.fle4j.ConfigurationException;
import io.fle4j.kms.KmsProvider;
import io.fle4j.kms.KmsProviderConfig;
import io.fle4j.kms.KmsProviderFactory;
import java.security.interfaces.RSAPrivateKey;
import java.util.List;
import org.bson.BsonBinary;
import org.bson.BsonString;
import org.bson.types.Binary;

/**
 * Builds a {@link GcpKmsProvider} from a {@code kmsProviders} entry with the field names of the
 * MongoDB documentation: {@code {email, privateKey, endpoint?}} (the private key as base64 of
 * PKCS#8 DER, PEM, or DER bytes: {@code byte[]} or BSON binary), or {@code {accessToken}} alone,
 * or an empty entry ({@code gcp: {}}, named providers too) for Application Default Credentials.
 * The entry's {@code kmsProviderSslContextMap} context, if any, is used for Cloud KMS and the
 * token endpoint.
 */
public final class GcpKmsProviderFactory implements KmsProviderFactory {
  private static final List<String> FIELDS = List.of("email", "privateKey", "endpoint",
      "accessToken");

  @Override
  public String type() {
    return "gcp";
  }

  @Override
  public KmsProvider create(KmsProviderConfig config) {
    config.requireOnly(FIELDS, "the gcp KMS provider takes email, privateKey and endpoint, or"
        + " accessToken alone, or nothing (Application Default Credentials)");
    GcpKmsProviderBuilder builder = GcpKmsProvider.builder().name(config.name().toString());
    config.sslContext().ifPresent(builder::sslContext);
    if (config.properties().isEmpty()) {
      return builder.defaultCredentials().build();
    }
    if (config.properties().containsKey("accessToken")) {
      if (config.properties().size() > 1) {
        throw new ConfigurationException(config.fieldPath("accessToken"), "must be alone: give"
            + " either accessToken or email and privateKey");
      }
      return builder.accessToken(config.string("accessToken").orElseThrow()).build();
    }
    String email = config.string("email").orElse(null);
    if (email == null) {
      throw new ConfigurationException(config.fieldPath("email"), "is required with privateKey"
          + " (or give accessToken alone, or leave kmsProviders." + config.name()
          + " empty for Application Default Credentials)");
    }
    Object key = config.properties().get("privateKey");
    if (key == null) {
      throw new ConfigurationException(config.fieldPath("privateKey"), "is required with email");
    }
    builder.serviceAccount(email, privateKey(key, config.fieldPath("privateKey")));
    String endpoint = config.string("endpoint").orElse(null);
    if (endpoint != null) {
      try {
        builder.tokenEndpoint(endpoint);
      } catch (ConfigurationException e) {
        throw config.reanchor(e, "endpoint");
      }
    }
    return builder.build();
  }

  private static RSAPrivateKey privateKey(Object value, String field) {
    if (value instanceof byte[] bytes) {
      return GcpKmsProviderBuilder.parsePrivateKey(bytes.clone(), field);
    }
    if (value instanceof BsonBinary binary) {
      return GcpKmsProviderBuilder.parsePrivateKey(binary.getData().clone(), field);
    }
    if (value instanceof Binary binary) {
      return GcpKmsProviderBuilder.parsePrivateKey(binary.getData().clone(), field);
    }
    String text = value instanceof BsonString s ? s.getValue() : value instanceof String s ? s : null;
    if (text == null) {
      throw new ConfigurationException(field, "must be a base64 or PEM string, or DER bytes, got "
          + value.getClass().getSimpleName());
    }
    return GcpKmsProviderBuilder.parsePrivateKey(text, field);
  }

}
