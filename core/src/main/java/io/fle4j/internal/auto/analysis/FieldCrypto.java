package io.fle4j.internal.auto.analysis;

import io.fle4j.internal.auto.schema.EncryptSpec;

import org.bson.BsonBinary;
import org.bson.BsonValue;

/** Encrypts one value for a schema field; implemented on the data-key cache. */
public interface FieldCrypto {
  /**
   * @param keyAltName the key alternate name to use (from a JSON-pointer keyId or an annotation),
   *     or null when the spec names a key id
   */
  public BsonBinary encrypt(BsonValue value, EncryptSpec spec, String keyAltName);
}
