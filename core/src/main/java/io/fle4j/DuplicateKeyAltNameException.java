package io.fle4j;

/**
 * Another data key already has this alternate name. Relies on the key vault's unique index on
 * {@code keyAltNames} (see {@link KeyVaultIndexes}); without it, MongoDB cannot detect duplicates.
 */
public class DuplicateKeyAltNameException extends Fle4jException {
  private static final long serialVersionUID = 1L;
  private final String keyAltName;

  public DuplicateKeyAltNameException(String keyAltName, Throwable cause) {
    super("another data key already has keyAltName '" + keyAltName + "'", cause);
    this.keyAltName = keyAltName;
  }

  /** The name that is already taken. */
  public String keyAltName() {
    return keyAltName;
  }
}
