package io.fle4j.kms;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import javax.net.ssl.SSLContext;

/**
 * One {@code kmsProviders} entry as given in {@code ClientEncryptionSettings}: the provider's
 * name, its properties (field names of the MongoDB documentation, for example {@code key} for
 * {@code local}, {@code accessKeyId} for {@code aws}), and the TLS context from {@code
 * kmsProviderSslContextMap}, if any. An empty properties map for a cloud provider asks for that
 * cloud's default credential chain.
 *
 * <p>Properties may hold secrets, so {@link #toString()} lists only their names.
 */
public final class KmsProviderConfig {
  private final KmsProviderName name;
  private final Map<String, Object> properties;
  private final SSLContext sslContext;

  public KmsProviderConfig(
      KmsProviderName name, Map<String, Object> properties, SSLContext sslContext) {
    this.name = Objects.requireNonNull(name, "name");
    // Copy in: the caller's map may change later. LinkedHashMap keeps the order for messages.
    this.properties =
        java.util.Collections.unmodifiableMap(
            new LinkedHashMap<>(Objects.requireNonNull(properties, "properties")));
    this.sslContext = sslContext;
  }

  public KmsProviderName name() {
    return name;
  }

  /** The entry's fields, unmodifiable. */
  public Map<String, Object> properties() {
    return properties;
  }

  /** The TLS context given for this provider in {@code kmsProviderSslContextMap}. */
  public Optional<SSLContext> sslContext() {
    return Optional.ofNullable(sslContext);
  }

  /** A property that must be there, as a path for error messages like {@code kmsProviders.aws.x}. */
  public String fieldPath(String property) {
    return "kmsProviders." + name + "." + property;
  }

  @Override
  public String toString() {
    return "KmsProviderConfig{name=" + name + ", properties=" + properties.keySet() + ", tls="
        + (sslContext != null) + "}";
  }
}
