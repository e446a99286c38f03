package io.fle4j;

/**
 * Settings, options or a {@code kmsProviders} entry are invalid. Thrown before anything is sent
 * or written. {@link #field()} names the offending setting, for example
 * {@code kmsProviders.local.key} or {@code EncryptOptions.algorithm}.
 */
public class ConfigurationException extends Fle4jException {
  private static final long serialVersionUID = 1L;
  private final String field;

  public ConfigurationException(String field, String message) {
    super(field + ": " + message);
    this.field = field;
  }

  public ConfigurationException(String field, String message, Throwable cause) {
    super(field + ": " + message, cause);
    this.field = field;
  }

  /** The dotted path of the offending setting or option. */
  public String field() {
    return field;
  }
}
