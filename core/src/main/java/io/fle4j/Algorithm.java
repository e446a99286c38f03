package io.fle4j;

import java.util.Arrays;
import java.util.Optional;

/**
 * The two client-side field-level encryption (CSFLE) algorithms, with the names used in {@code
 * EncryptOptions} and JSON schemas and the blob subtype byte that starts their ciphertexts.
 */
public enum Algorithm {
  /**
   * Same value and key give the same ciphertext, so equality queries work. Not for low-cardinality
   * values (an attacker can count), nor for doubles, booleans, documents, arrays or decimals.
   */
  DETERMINISTIC("AEAD_AES_256_CBC_HMAC_SHA_512-Deterministic", (byte) 1),
  /** A fresh random IV per value: the strongest protection, but the field cannot be queried. */
  RANDOM("AEAD_AES_256_CBC_HMAC_SHA_512-Random", (byte) 2);

  private final String specName;
  private final byte blobSubtype;

  Algorithm(String specName, byte blobSubtype) {
    this.specName = specName;
    this.blobSubtype = blobSubtype;
  }

  /** The name in the MongoDB specification, as given to {@code EncryptOptions}. */
  public String specName() {
    return specName;
  }

  /** The first byte of a ciphertext made with this algorithm. */
  public byte blobSubtype() {
    return blobSubtype;
  }

  /** The algorithm with this specification name, if it is a CSFLE algorithm. */
  public static Optional<Algorithm> fromSpecName(String name) {
    return Arrays.stream(values()).filter(a -> a.specName.equals(name)).findFirst();
  }

  /** The algorithm whose ciphertexts start with {@code subtype}, if any. */
  public static Optional<Algorithm> fromBlobSubtype(byte subtype) {
    return Arrays.stream(values()).filter(a -> a.blobSubtype == subtype).findFirst();
  }
}
