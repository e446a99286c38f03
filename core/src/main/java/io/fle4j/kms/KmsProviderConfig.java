package io.fle4j.kms;

import io.fle4j.ConfigurationException;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import javax.net.ssl.SSLContext;
import org.bson.BsonBinary;
import org.bson.BsonString;
import org.bson.types.Binary;

/**
 * One {@code kmsProviders} entry as given in {@code ClientEncryptionSettings}: the provider's
 * name, its properties (field names of the MongoDB documentation, for example {@code key} for
 * {@code local}, {@code accessKeyId} for {@code aws}), and the TLS context from {@code
 * kmsProviderSslContextMap}, if any. An empty properties map for a cloud provider asks for that
 * cloud's default credential chain.
 *
 * <p>Properties may hold secrets, so {@link #toString()} lists only their names.
 *
 * <p>The readers ({@link #requireOnly}, {@link #string}, {@link #secretBytes}, {@link #reanchor})
 * are the one vocabulary every provider factory reads its entry with: values come as Java
 * strings or BSON values, bytes as {@code byte[]}, BSON binary or base64, and every error names
 * the field ({@code kmsProviders.<name>.<field>}) and the rule, never a value.
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

  /**
   * Refuses a property this provider does not take.
   *
   * @param takes what the provider takes, for the message, such as {@code "the kmip KMS provider
   *     takes only 'endpoint'"}
   * @throws ConfigurationException naming the first unexpected property
   */
  public void requireOnly(Collection<String> allowed, String takes) {
    for (String property : properties.keySet()) {
      if (!allowed.contains(property)) {
        throw new ConfigurationException(fieldPath(property), "unexpected field; " + takes);
      }
    }
  }

  /**
   * A string property ({@link String} or {@link BsonString}); empty when absent.
   *
   * @throws ConfigurationException when it is present but null, of another type, or empty
   */
  public Optional<String> string(String property) {
    if (!properties.containsKey(property)) {
      return Optional.empty();
    }
    Object value = properties.get(property);
    if (value == null) {
      throw new ConfigurationException(fieldPath(property), "must be a string, got null");
    }
    String text = value instanceof BsonString s ? s.getValue() : value instanceof String s ? s : null;
    if (text == null) {
      throw new ConfigurationException(fieldPath(property),
          "must be a string, got " + value.getClass().getSimpleName());
    }
    if (text.isEmpty()) {
      throw new ConfigurationException(fieldPath(property), "must not be empty");
    }
    return Optional.of(text);
  }

  /**
   * A property holding bytes: {@code byte[]}, BSON binary ({@link BsonBinary} or {@link Binary}),
   * or a base64 string; copied into a {@link SecretBytes} the caller destroys. Empty when absent.
   *
   * @param expected what the bytes are, for the message, such as {@code "96 bytes"}
   * @throws ConfigurationException when the value is of another type or not base64
   */
  public Optional<SecretBytes> secretBytes(String property, String expected) {
    if (!properties.containsKey(property)) {
      return Optional.empty();
    }
    Object value = properties.get(property);
    if (value instanceof byte[] bytes) {
      return Optional.of(SecretBytes.copyOf(bytes));
    }
    if (value instanceof BsonBinary binary) {
      return Optional.of(SecretBytes.copyOf(binary.getData()));
    }
    if (value instanceof Binary binary) {
      return Optional.of(SecretBytes.copyOf(binary.getData()));
    }
    String text = value instanceof BsonString s ? s.getValue() : value instanceof String s ? s : null;
    if (text != null) {
      try {
        return Optional.of(SecretBytes.fromBase64(text));
      } catch (IllegalArgumentException e) {
        // Never e's message: it may quote the offending characters of a secret.
        throw new ConfigurationException(fieldPath(property), "is a string but not valid base64");
      }
    }
    throw new ConfigurationException(fieldPath(property), "must be " + expected + " (byte[], BSON"
        + " binary or a base64 string), got " + (value == null ? "null"
            : value.getClass().getSimpleName()));
  }

  /**
   * A provider builder's error, moved onto this entry: {@code masterKey}-style field names of a
   * builder ({@code "endpoint"}) become {@code kmsProviders.<name>.endpoint}; an error already
   * naming a {@code kmsProviders} field is returned as it is.
   */
  public ConfigurationException reanchor(ConfigurationException e, String property) {
    if (e.field().startsWith("kmsProviders.")) {
      return e;
    }
    return new ConfigurationException(fieldPath(property),
        e.getMessage().substring(e.field().length() + 2));
  }

  @Override
  public String toString() {
    return "KmsProviderConfig{name=" + name + ", properties=" + properties.keySet() + ", tls="
        + (sslContext != null) + "}";
  }
}
