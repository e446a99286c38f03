package io.fle4j.internal.crypto;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.bson.BsonBinaryReader;
import org.bson.BsonBinaryWriter;
import org.bson.BsonDocument;
import org.bson.BsonRegularExpression;
import org.bson.BsonType;
import org.bson.BsonValue;
import org.bson.codecs.BsonDocumentCodec;
import org.bson.codecs.DecoderContext;
import org.bson.codecs.EncoderContext;
import org.bson.io.BasicOutputBuffer;

/**
 * Converts a BSON value to and from the bytes libmongocrypt encrypts: the value's body only, with
 * no type byte and no element name (formats.md §1.2). The type byte travels separately, in the
 * ciphertext header.
 */
final class BsonValueBytes {
  private static final BsonDocumentCodec CODEC = new BsonDocumentCodec();
  private static final char[] REGEX_OPTIONS = {'i', 'l', 'm', 's', 'u', 'x'};
  // int32 length, type byte, empty name (one NUL)
  private static final int ELEMENT_PREFIX = 4 + 1 + 1;

  private BsonValueBytes() {}

  /** The body bytes of {@code value}. */
  static byte[] body(BsonValue value) {
    BasicOutputBuffer buffer = new BasicOutputBuffer(64);
    try (BsonBinaryWriter writer = new BsonBinaryWriter(buffer)) {
      CODEC.encode(writer, new BsonDocument("", canonical(value)), EncoderContext.builder().build());
    }
    byte[] document = buffer.toByteArray();
    // Drop the document's length, the element's type and empty name, and the closing NUL.
    byte[] body = new byte[document.length - ELEMENT_PREFIX - 1];
    System.arraycopy(document, ELEMENT_PREFIX, body, 0, body.length);
    return body;
  }

  /**
   * Rebuilds a value from its type byte and body, validating it as libmongocrypt does by parsing
   * it as the only element of a document.
   *
   * @throws IllegalArgumentException when the bytes are not exactly one valid value of that type
   */
  static BsonValue value(byte typeByte, byte[] body) {
    int total = ELEMENT_PREFIX + body.length + 1;
    ByteBuffer document = ByteBuffer.allocate(total).order(ByteOrder.LITTLE_ENDIAN);
    document.putInt(total).put(typeByte).put((byte) 0).put(body).put((byte) 0).flip();
    try (BsonBinaryReader reader = new BsonBinaryReader(document)) {
      BsonDocument decoded = CODEC.decode(reader, DecoderContext.builder().build());
      if (document.position() != total || decoded.size() != 1 || !decoded.containsKey("")) {
        throw new IllegalArgumentException("decrypted bytes are not exactly one BSON value");
      }
      return canonical(decoded.get(""));
    } catch (RuntimeException e) {
      if (e instanceof IllegalArgumentException iae && iae.getMessage() != null
          && iae.getMessage().startsWith("decrypted")) {
        throw iae;
      }
      throw new IllegalArgumentException(
          "decrypted bytes are not a valid BSON value of type 0x" + hex(typeByte)
              + " (" + typeName(typeByte) + ")");
    }
  }

  /**
   * libmongocrypt passes a top-level regular expression through libbson, which keeps only the
   * option letters {@code ilmsux}, once each and in that order; it does so before encrypting and
   * after decrypting. Doing the same keeps deterministic ciphertexts and decrypted values identical
   * to the official drivers'. Regexes nested in documents are copied as they are, as there.
   */
  static BsonValue canonical(BsonValue value) {
    if (!value.isRegularExpression()) {
      return value;
    }
    BsonRegularExpression regex = value.asRegularExpression();
    StringBuilder options = new StringBuilder(6);
    for (char option : REGEX_OPTIONS) {
      if (regex.getOptions().indexOf(option) >= 0) {
        options.append(option);
      }
    }
    return options.toString().equals(regex.getOptions())
        ? value : new BsonRegularExpression(regex.getPattern(), options.toString());
  }

  static String typeName(byte typeByte) {
    try {
      return BsonType.findByValue(typeByte & 0xff).name();
    } catch (RuntimeException e) {
      return "unknown type";
    }
  }

  private static String hex(byte b) {
    return String.format("%02x", b & 0xff);
  }
}
