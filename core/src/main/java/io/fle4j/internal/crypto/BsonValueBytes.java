package io.fle4j.internal.crypto;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.bson.BsonBinaryReader;
import org.bson.BsonBinaryWriter;
import org.bson.BsonDocument;
import org.bson.BsonRegularExpression;
import org.bson.BsonString;
import org.bson.BsonType;
import org.bson.BsonValue;
import org.bson.RawBsonDocument;
import org.bson.codecs.BsonDocumentCodec;
import org.bson.codecs.DecoderContext;
import org.bson.codecs.EncoderContext;
import org.bson.io.BasicOutputBuffer;

/**
 * Converts a BSON value to and from the bytes libmongocrypt encrypts: the value's body only, with
 * no type byte and no element name (formats.md §1.2). The type byte travels separately, in the
 * ciphertext header.
 */
public final class BsonValueBytes {
  private static final BsonDocumentCodec CODEC = new BsonDocumentCodec();
  private static final char[] REGEX_OPTIONS = {'i', 'l', 'm', 's', 'u', 'x'};
  // int32 length, type byte, empty name (one NUL)
  private static final int ELEMENT_PREFIX = 4 + 1 + 1;

  private BsonValueBytes() {}

  /** The body bytes of {@code value}. */
  public static byte[] body(BsonValue value) {
    if (value instanceof BsonString string) {
      byte[] ascii = asciiStringBody(string.getValue());
      if (ascii != null) {
        return ascii;
      }
    }
    BasicOutputBuffer buffer = new BasicOutputBuffer(sizeHint(value));
    try {
      try (BsonBinaryWriter writer = new BsonBinaryWriter(buffer)) {
        CODEC.encode(writer, new BsonDocument("", canonical(value)), EncoderContext.builder().build());
      }
      // Drop the document's length, the element's type and empty name, and the closing NUL.
      int length = buffer.getPosition() - ELEMENT_PREFIX - 1;
      byte[] body = new byte[length];
      System.arraycopy(buffer.getInternalBuffer(), ELEMENT_PREFIX, body, 0, length);
      return body;
    } finally {
      Arrays.fill(buffer.getInternalBuffer(), (byte) 0); // it held the plaintext
    }
  }

  /**
   * A string's body built directly when every character is ASCII (IDs, card numbers, codes):
   * the same bytes the BSON writer produces, without its buffers. Null otherwise.
   */
  private static byte[] asciiStringBody(String value) {
    int n = value.length();
    byte[] body = new byte[4 + n + 1];
    for (int i = 0; i < n; i++) {
      char c = value.charAt(i);
      if (c >= 0x80) {
        Arrays.fill(body, (byte) 0);
        return null;
      }
      body[4 + i] = (byte) c;
    }
    int length = n + 1; // with the closing NUL
    body[0] = (byte) length;
    body[1] = (byte) (length >>> 8);
    body[2] = (byte) (length >>> 16);
    body[3] = (byte) (length >>> 24);
    return body;
  }

  /** Enough room for most values at once, so the writer's buffer need not grow by copies. */
  private static int sizeHint(BsonValue value) {
    int payload = switch (value.getBsonType()) {
      case STRING -> 3 * value.asString().getValue().length();
      case BINARY -> value.asBinary().getData().length;
      case DOCUMENT -> value instanceof RawBsonDocument raw ? raw.getByteBuffer().remaining() : 256;
      case ARRAY -> 256;
      default -> 32;
    };
    return ELEMENT_PREFIX + 8 + payload;
  }

  /**
   * Rebuilds a value from its type byte and body, validating it as libmongocrypt does by parsing
   * it as the only element of a document.
   *
   * @throws IllegalArgumentException when the bytes are not exactly one valid value of that type
   */
  public static BsonValue value(byte typeByte, byte[] body) {
    BsonValue simple = simpleValue(typeByte, body);
    if (simple != null) {
      return simple;
    }
    int total = ELEMENT_PREFIX + body.length + 1;
    ByteBuffer document = ByteBuffer.allocate(total).order(ByteOrder.LITTLE_ENDIAN);
    document.putInt(total).put(typeByte).put((byte) 0).put(body).put((byte) 0).flip();
    BsonDocument decoded;
    try (BsonBinaryReader reader = new BsonBinaryReader(document)) {
      decoded = CODEC.decode(reader, DecoderContext.builder().build());
    } catch (RuntimeException e) {
      throw new IllegalArgumentException(
          "decrypted bytes are not a valid BSON value of type 0x" + hex(typeByte)
              + " (" + typeName(typeByte) + ")");
    }
    if (document.position() != total || decoded.size() != 1 || !decoded.containsKey("")) {
      throw new IllegalArgumentException("decrypted bytes are not exactly one BSON value");
    }
    return canonical(decoded.get(""));
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

  /**
   * The common fixed-layout types, built directly: a string, int32, int64, double, date, boolean
   * or ObjectId whose bytes are well formed. Null for anything else, which goes through the full
   * BSON decoder.
   */
  private static BsonValue simpleValue(byte typeByte, byte[] body) {
    ByteBuffer in = ByteBuffer.wrap(body).order(ByteOrder.LITTLE_ENDIAN);
    switch (typeByte) {
      case 0x02 -> {
        if (isWellFormedString(body)) {
          return new org.bson.BsonString(new String(body, 4, body.length - 5, StandardCharsets.UTF_8));
        }
      }
      case 0x10 -> {
        if (body.length == 4) {
          return new org.bson.BsonInt32(in.getInt());
        }
      }
      case 0x12 -> {
        if (body.length == 8) {
          return new org.bson.BsonInt64(in.getLong());
        }
      }
      case 0x01 -> {
        if (body.length == 8) {
          return new org.bson.BsonDouble(in.getDouble());
        }
      }
      case 0x09 -> {
        if (body.length == 8) {
          return new org.bson.BsonDateTime(in.getLong());
        }
      }
      case 0x08 -> {
        if (body.length == 1 && (body[0] == 0 || body[0] == 1)) {
          return org.bson.BsonBoolean.valueOf(body[0] == 1);
        }
      }
      case 0x07 -> {
        if (body.length == 12) {
          return new org.bson.BsonObjectId(new org.bson.types.ObjectId(body));
        }
      }
      default -> { }
    }
    return null;
  }

  /**
   * Checks that {@code body} is exactly one well-formed value of the type; cheap for the
   * fixed-layout types, a full decode for the others.
   *
   * @throws IllegalArgumentException when it is not
   */
  /** As {@link #checkBody(byte, byte[])}, for the body in {@code bytes[offset, offset + length)}. */
  static void checkBody(byte typeByte, byte[] bytes, int offset, int length) {
    boolean ok = switch (typeByte) {
      case 0x02, 0x0D, 0x0E -> length >= 5 && int32(bytes, offset) == length - 4
          && bytes[offset + length - 1] == 0;
      case 0x10 -> length == 4;
      case 0x01, 0x09, 0x11, 0x12 -> length == 8;
      case 0x08 -> length == 1 && (bytes[offset] == 0 || bytes[offset] == 1);
      case 0x07 -> length == 12;
      case 0x13 -> length == 16;
      default -> {
        byte[] body = Arrays.copyOfRange(bytes, offset, offset + length); // the rarer types
        try {
          checkBody(typeByte, body);
        } finally {
          Arrays.fill(body, (byte) 0);
        }
        yield true;
      }
    };
    if (!ok) {
      throw new IllegalArgumentException("decrypted bytes are not a valid BSON value of type 0x"
          + hex(typeByte) + " (" + typeName(typeByte) + ")");
    }
  }

  private static int int32(byte[] bytes, int offset) {
    return (bytes[offset] & 0xff) | (bytes[offset + 1] & 0xff) << 8
        | (bytes[offset + 2] & 0xff) << 16 | (bytes[offset + 3] & 0xff) << 24;
  }

  static void checkBody(byte typeByte, byte[] body) {
    boolean ok = switch (typeByte) {
      case 0x02, 0x0D, 0x0E -> isWellFormedString(body);
      case 0x10 -> body.length == 4;
      case 0x01, 0x09, 0x11, 0x12 -> body.length == 8;
      case 0x08 -> body.length == 1 && (body[0] == 0 || body[0] == 1);
      case 0x07 -> body.length == 12;
      case 0x13 -> body.length == 16;
      default -> {
        value(typeByte, body); // throws when malformed
        yield true;
      }
    };
    if (!ok) {
      throw new IllegalArgumentException("decrypted bytes are not a valid BSON value of type 0x"
          + hex(typeByte) + " (" + typeName(typeByte) + ")");
    }
  }

  /** int32 length (counting the NUL), UTF-8 bytes, NUL: exactly filling {@code body}. */
  private static boolean isWellFormedString(byte[] body) {
    if (body.length < 5) {
      return false;
    }
    int length = (body[0] & 0xff) | (body[1] & 0xff) << 8 | (body[2] & 0xff) << 16 | (body[3] & 0xff) << 24;
    return length == body.length - 4 && body[body.length - 1] == 0;
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
