package io.fle4j;

/**
 * A key-vault write (creating, deleting, renaming or rewrapping a data key, or creating an
 * encrypted collection's keys) was refused because read-only mode is on ({@link
 * Fle4jSettings.Builder#readOnly}). Nothing was sent to a KMS and nothing was written.
 */
public class KeyVaultReadOnlyException extends Fle4jException {
  private static final long serialVersionUID = 1L;
  private final String operation;

  public KeyVaultReadOnlyException(String operation, String keyVaultNamespace) {
    super(operation + " refused: read-only mode is on (Fle4jSettings.readOnly), so the key vault "
        + keyVaultNamespace + " is never written; reading, encrypting with existing keys and"
        + " decrypting still work. Use a client without read-only mode to manage keys.");
    this.operation = operation;
  }

  /** The refused operation, such as {@code createDataKey}. */
  public String operation() {
    return operation;
  }
}
