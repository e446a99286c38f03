package io.fle4j.kms;

import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The name of a KMS provider as used in {@code kmsProviders} and in a key document's
 * {@code masterKey.provider}: a type ({@code local}, {@code aws}, {@code azure}, {@code gcp},
 * {@code kmip}) optionally followed by {@code :} and a name made of {@code [A-Za-z0-9_]}, as in
 * {@code aws:prod}. Immutable value object.
 */
public final class KmsProviderName implements Comparable<KmsProviderName> {
  private static final Pattern TYPE = Pattern.compile("[a-z][a-z0-9]*");
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_]+");

  private final String type;
  private final String name;

  private KmsProviderName(String type, String name) {
    this.type = type;
    this.name = name;
  }

  /**
   * Parses {@code type} or {@code type:name}.
   *
   * @throws IllegalArgumentException naming the rule when the text is not a valid provider name
   */
  public static KmsProviderName parse(String text) {
    Objects.requireNonNull(text, "KMS provider name");
    int colon = text.indexOf(':');
    String type = colon < 0 ? text : text.substring(0, colon);
    String name = colon < 0 ? null : text.substring(colon + 1);
    if (!TYPE.matcher(type).matches()) {
      throw new IllegalArgumentException(
          "KMS provider name '" + text + "': the type must be lower-case letters and digits, like 'aws'");
    }
    if (name != null && !NAME.matcher(name).matches()) {
      throw new IllegalArgumentException(
          "KMS provider name '"
              + text
              + "': the part after ':' must be one or more of [A-Za-z0-9_], like 'aws:prod'");
    }
    return new KmsProviderName(type, name);
  }

  /** A provider name with no {@code :name} part. */
  public static KmsProviderName of(String type) {
    KmsProviderName parsed = parse(type);
    if (parsed.name != null) {
      throw new IllegalArgumentException("expected a bare KMS provider type, got '" + type + "'");
    }
    return parsed;
  }

  /** The provider type, such as {@code aws}. */
  public String type() {
    return type;
  }

  /** The part after the colon for named providers, such as {@code prod} in {@code aws:prod}. */
  public Optional<String> name() {
    return Optional.ofNullable(name);
  }

  /** Whether this is a named provider ({@code type:name}). */
  public boolean isNamed() {
    return name != null;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof KmsProviderName other
        && type.equals(other.type)
        && Objects.equals(name, other.name);
  }

  @Override
  public int hashCode() {
    return Objects.hash(type, name);
  }

  @Override
  public int compareTo(KmsProviderName o) {
    return toString().compareTo(o.toString());
  }

  /** {@code type} or {@code type:name}, exactly as written in key documents. */
  @Override
  public String toString() {
    return name == null ? type : type + ":" + name;
  }
}
