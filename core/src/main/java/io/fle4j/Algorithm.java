package io.fle4j;

import java.util.Optional;
import org.bson.BsonBinarySubType;
import org.bson.BsonValue;

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
    // Called for every value encrypted: no streams here.
    for (Algorithm algorithm : VALUES) {
      if (algorithm.specName.equals(name)) {
        return Optional.of(algorithm);
      }
    }
    return Optional.empty();
  }

  /**
   * The algorithm that made {@code value}, when it is a CSFLE ciphertext: a binary of subtype 6
   * whose first byte is 1 or 2. Empty for anything else, including Queryable Encryption payloads.
   */
  public static Optional<Algorithm> ofCiphertext(BsonValue value) {
    if (value == null || !value.isBinary()
        || value.asBinary().getType() != BsonBinarySubType.ENCRYPTED.getValue()
        || value.asBinary().getData().length == 0) {
      return Optional.empty();
    }
    return fromBlobSubtype(value.asBinary().getData()[0]);
  }

  /** The algorithm whose ciphertexts start with {@code subtype}, if any. */
  public static Optional<Algorithm> fromBlobSubtype(byte subtype) {
    return subtype == 1 ? DETERMINISTIC_ALGORITHM : subtype == 2 ? RANDOM_ALGORITHM : Optional.empty();
  }

  private static final Algorithm[] VALUES = values();
  private static final Optional<Algorithm> DETERMINISTIC_ALGORITHM = Optional.of(DETERMINISTIC);
  private static final Optional<Algorithm> RANDOM_ALGORITHM = Optional.of(RANDOM);
}
