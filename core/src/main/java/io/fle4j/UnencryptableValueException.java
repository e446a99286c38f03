package io.fle4j;

import org.bson.BsonType;

/**
 * The value's BSON type may not be encrypted with the chosen algorithm: null, minKey, maxKey,
 * undefined and subtype-6 binaries never; double, document, array, boolean, decimal128 and
 * JavaScript-with-scope not deterministically (the CSFLE specification's prohibitions).
 */
public class UnencryptableValueException extends Fle4jException {
  private static final long serialVersionUID = 1L;
  private final BsonType bsonType;
  private final String algorithm;

  public UnencryptableValueException(BsonType bsonType, String algorithm, String message) {
    super(message);
    this.bsonType = bsonType;
    this.algorithm = algorithm;
  }

  /** The refused value's BSON type. */
  public BsonType bsonType() {
    return bsonType;
  }

  /** The algorithm that was asked for. */
  public String algorithm() {
    return algorithm;
  }
}
