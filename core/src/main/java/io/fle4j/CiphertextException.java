package io.fle4j;

/**
 * A value given to {@code decrypt} is not a valid client-side-encryption ciphertext, or it was
 * altered. Nothing of the plaintext is ever returned when this is thrown.
 */
public class CiphertextException extends Fle4jException {
  private static final long serialVersionUID = 1L;

  /** What is wrong with the ciphertext. */
  public enum Reason {
    /** Not a BSON binary of subtype 6. */
    NOT_ENCRYPTED_BINARY,
    /** Shorter than the smallest valid ciphertext. */
    TOO_SHORT,
    /** The first byte is not a CSFLE (FLE1) blob subtype we can decrypt. */
    UNSUPPORTED_BLOB_SUBTYPE,
    /** The authentication tag does not match: wrong key, or the bytes were altered. */
    AUTHENTICATION_FAILED,
    /** The tag matched but the content is not a valid encrypted value (padding or BSON). */
    MALFORMED_CONTENT
  }

  private final Reason reason;

  public CiphertextException(Reason reason, String message) {
    super(message);
    this.reason = reason;
  }

  /** Why the ciphertext was rejected. */
  public Reason reason() {
    return reason;
  }
}
