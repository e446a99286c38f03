package io.fle4j.internal.crypto;

import io.fle4j.Algorithm;
import io.fle4j.CiphertextException;
import io.fle4j.CiphertextException.Reason;
import io.fle4j.UnencryptableValueException;
import java.security.GeneralSecurityException;
import java.util.Arrays;
import java.util.UUID;
import javax.crypto.AEADBadTagException;
import org.bson.BsonBinary;
import org.bson.BsonBinarySubType;
import org.bson.BsonType;
import org.bson.BsonValue;

/**
 * Encrypts one BSON value into a CSFLE ciphertext and back (formats.md §1): a BSON binary of
 * subtype 6 whose data is {@code blobSubtype(1) ‖ keyId(16) ‖ bsonType(1) ‖ AEAD ciphertext}, the
 * first 18 bytes doubling as the associated data.
 */
public final class ValueCipher {
  /** Length of the header: blob subtype, key UUID, original BSON type. */
  public static final int HEADER_LENGTH = 18;
  /** Header, IV, one AES block and the tag. */
  private static final int MINIMUM_LENGTH = HEADER_LENGTH + Aead.MIN_CIPHERTEXT_LENGTH;

  private ValueCipher() {}

  /**
   * Refuses values the CSFLE specification forbids for {@code algorithm} (formats.md §1.5).
   *
   * @throws UnencryptableValueException naming the type and the rule
   */
  public static void checkEncryptable(BsonValue value, Algorithm algorithm) {
    BsonType type = value.getBsonType();
    switch (type) {
      case NULL, MIN_KEY, MAX_KEY, UNDEFINED ->
          throw new UnencryptableValueException(
              type, algorithm.specName(), "BSON type " + type + " cannot be encrypted");
      case BINARY -> {
        if (value.asBinary().getType() == BsonBinarySubType.ENCRYPTED.getValue()) {
          throw new UnencryptableValueException(
              type, algorithm.specName(),
              "a BSON binary of subtype 6 is already encrypted and cannot be encrypted again");
        }
      }
      case DOUBLE, DOCUMENT, ARRAY, JAVASCRIPT_WITH_SCOPE, BOOLEAN, DECIMAL128 -> {
        if (algorithm == Algorithm.DETERMINISTIC) {
          throw new UnencryptableValueException(
              type, algorithm.specName(),
              "BSON type " + type + " cannot be encrypted deterministically; use "
                  + Algorithm.RANDOM.specName());
        }
      }
      default -> {
        // every other type is allowed with both algorithms
      }
    }
  }

  /** Encrypts {@code value} under the data key {@code keyId}/{@code key}. */
  public static BsonBinary encrypt(
      BsonValue value, Algorithm algorithm, UUID keyId, AeadKey key) {
    checkEncryptable(value, algorithm);
    byte[] plaintext = BsonValueBytes.body(value);
    try {
      byte[] blob = new byte[HEADER_LENGTH + Aead.ciphertextLength(plaintext.length)];
      blob[0] = algorithm.blobSubtype();
      UuidBytes.put(blob, 1, keyId);
      blob[17] = (byte) value.getBsonType().getValue();
      Aead.encryptAfterAssociatedData(
          key, algorithm == Algorithm.DETERMINISTIC, blob, HEADER_LENGTH, plaintext);
      return new BsonBinary(BsonBinarySubType.ENCRYPTED, blob);
    } finally {
      Arrays.fill(plaintext, (byte) 0);
    }
  }

  /**
   * Reads the header of a ciphertext without decrypting it.
   *
   * @throws CiphertextException when it is not a decryptable CSFLE ciphertext
   */
  public static Header parseHeader(BsonBinary ciphertext) {
    if (ciphertext.getType() != BsonBinarySubType.ENCRYPTED.getValue()) {
      throw new CiphertextException(
          Reason.NOT_ENCRYPTED_BINARY,
          "expected a BSON binary of subtype 6, got subtype " + ciphertext.getType());
    }
    byte[] data = ciphertext.getData();
    return parseHeader(data, 0, data.length);
  }

  /**
   * Reads the header of the ciphertext data (blob subtype onwards) held in {@code src[offset,
   * offset + length)}, without decrypting it.
   *
   * @throws CiphertextException when it is not a decryptable CSFLE ciphertext
   */
  public static Header parseHeader(byte[] src, int offset, int length) {
    // Only the header is needed to name the key; as in libmongocrypt, the key is looked up
    // before the body is judged, so a short body of an unknown key reports the missing key.
    if (length < HEADER_LENGTH + 1) {
      throw new CiphertextException(Reason.TOO_SHORT, "malformed ciphertext, too small: it is "
          + length + " bytes; a CSFLE ciphertext has at least " + MINIMUM_LENGTH);
    }
    byte blobSubtype = src[offset];
    Algorithm algorithm =
        Algorithm.fromBlobSubtype(blobSubtype)
            .orElseThrow(() -> new CiphertextException(
                Reason.UNSUPPORTED_BLOB_SUBTYPE, "malformed ciphertext, expected blob subtype of"
                    + " 1 or 2: " + unsupportedSubtypeMessage(blobSubtype)));
    UUID keyId = UuidBytes.get(src, offset + 1);
    return new Header(algorithm, keyId, src[offset + 17]);
  }

  /**
   * Verifies and decrypts a ciphertext whose header was read with {@link #parseHeader}.
   *
   * @throws CiphertextException when the tag does not verify or the content is malformed; no
   *     part of the plaintext is returned then
   */
  public static BsonValue decrypt(BsonBinary ciphertext, Header header, AeadKey key) {
    byte[] data = ciphertext.getData();
    byte[] plaintext = decryptBody(data, 0, data.length, header, key);
    try {
      return BsonValueBytes.value(header.bsonTypeByte(), plaintext);
    } catch (IllegalArgumentException e) {
      throw new CiphertextException(Reason.MALFORMED_CONTENT, e.getMessage());
    } finally {
      Arrays.fill(plaintext, (byte) 0);
    }
  }

  /**
   * Verifies and decrypts the ciphertext data (header included) held in {@code src[offset, offset
   * + length)}, whose header was read with {@link #parseHeader(byte[], int, int)}, into the
   * plaintext BSON value body of the type in its header, written into {@code dest} at {@code
   * destOffset} (a reply's decrypted copy, which always has room: a body is shorter than its
   * ciphertext). The bytes are checked to be a well-formed value of that type; the ciphertext is
   * read where it lies.
   *
   * @return the body's length
   * @throws CiphertextException when the tag does not verify or the content is malformed; then
   *     nothing of the plaintext is left in {@code dest}
   */
  public static int decryptValueBodyInto(byte[] src, int offset, int length, Header header,
      AeadKey key, byte[] dest, int destOffset) {
    checkMinimumLength(length);
    int written;
    try {
      written = Aead.decryptInto(key, src, offset, HEADER_LENGTH,
          src, offset + HEADER_LENGTH, length - HEADER_LENGTH, dest, destOffset);
    } catch (GeneralSecurityException e) {
      throw decryptionFailure(header, e);
    }
    try {
      BsonValueBytes.checkBody(header.bsonTypeByte(), dest, destOffset, written);
      return written;
    } catch (IllegalArgumentException e) {
      Arrays.fill(dest, destOffset, destOffset + written, (byte) 0);
      throw new CiphertextException(Reason.MALFORMED_CONTENT, e.getMessage());
    }
  }

  private static void checkMinimumLength(int length) {
    if (length < MINIMUM_LENGTH) {
      throw new CiphertextException(Reason.TOO_SHORT, "malformed ciphertext, too small: it is "
          + length + " bytes; a CSFLE ciphertext has at least " + MINIMUM_LENGTH);
    }
  }

  /** The plaintext of the ciphertext data (header included) in {@code src[offset, offset + length)}. */
  private static byte[] decryptBody(byte[] src, int offset, int length, Header header, AeadKey key) {
    checkMinimumLength(length);
    try {
      return Aead.decrypt(key, src, offset, HEADER_LENGTH,
          src, offset + HEADER_LENGTH, length - HEADER_LENGTH);
    } catch (GeneralSecurityException e) {
      throw decryptionFailure(header, e);
    }
  }

  private static CiphertextException decryptionFailure(Header header, GeneralSecurityException e) {
    if (e instanceof AEADBadTagException) {
      return new CiphertextException(
          Reason.AUTHENTICATION_FAILED,
          "ciphertext for data key " + header.keyId()
              + " failed authentication (HMAC validation failure): it was altered, or made with"
              + " a different key");
    }
    return new CiphertextException(
        Reason.MALFORMED_CONTENT,
        "ciphertext for data key " + header.keyId() + " is malformed: " + e.getMessage());
  }

  private static String unsupportedSubtypeMessage(byte subtype) {
    int s = subtype & 0xff;
    if (s == 0) {
      return "blob subtype 0 is an intent-to-encrypt marking, not a ciphertext";
    }
    if (s >= 3 && s <= 18) {
      return "blob subtype " + s + " is a Queryable Encryption payload; fle4j supports CSFLE"
          + " ciphertexts only (subtypes 1 and 2)";
    }
    return "unknown ciphertext blob subtype " + s + "; CSFLE uses 1 (deterministic) and 2 (random)";
  }

  /** The readable header of a ciphertext. */
  public record Header(Algorithm algorithm, UUID keyId, byte bsonTypeByte) {}
}
