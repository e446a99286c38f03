package io.fle4j.internal.auto;

import io.fle4j.internal.crypto.ValueCipher;
import io.fle4j.internal.vault.DataKeys;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import org.bson.BsonBinary;
import org.bson.BsonBinarySubType;
import org.bson.BsonSerializationException;
import org.bson.io.BasicOutputBuffer;

/**
 * Decrypts a reply document from bytes to bytes: every element is copied as it is, except CSFLE
 * ciphertexts, which are replaced by their plaintext under the original element type (the
 * decrypted bytes are already a BSON value body). The application's codec then decodes the
 * result once; nothing is decoded into objects on the way.
 */
final class RawReplyDecryptor {
  private static final int MAX_DEPTH = 200;

  private final DataKeys dataKeys;

  RawReplyDecryptor(DataKeys dataKeys) {
    this.dataKeys = dataKeys;
  }

  /** The decrypted copy of the document in {@code bytes} (position to limit). */
  byte[] decrypt(ByteBuffer bytes) {
    ByteBuffer in = bytes.duplicate().order(ByteOrder.LITTLE_ENDIAN);
    BasicOutputBuffer out = new BasicOutputBuffer(in.remaining() + 64);
    try {
      document(in, out, 0);
    } catch (IndexOutOfBoundsException | java.nio.BufferUnderflowException e) {
      throw new BsonSerializationException("truncated BSON document in a reply");
    }
    return out.toByteArray();
  }

  private void document(ByteBuffer in, BasicOutputBuffer out, int depth) {
    if (depth > MAX_DEPTH) {
      throw new BsonSerializationException("BSON nested deeper than " + MAX_DEPTH);
    }
    int start = in.position();
    int end = start + in.getInt();
    int outStart = out.getPosition();
    out.writeInt32(0); // patched below
    while (in.position() < end - 1) {
      byte type = in.get();
      int nameStart = in.position();
      while (in.get() != 0) {
        // skip the element name
      }
      int nameLength = in.position() - nameStart;
      if (type == 0x05 && isCiphertext(in)) {
        int length = in.getInt();
        in.get(); // subtype 6
        byte[] blob = new byte[length];
        in.get(blob);
        ValueCipher.Header header = ValueCipher.parseHeader(new BsonBinary(BsonBinarySubType.ENCRYPTED, blob));
        byte[] body = ValueCipher.decryptValueBody(blob, header, dataKeys.byId(header.keyId()).key());
        out.writeByte(header.bsonTypeByte());
        copy(in, out, nameStart, nameLength);
        out.writeBytes(body, 0, body.length);
        Arrays.fill(body, (byte) 0);
        continue;
      }
      out.writeByte(type);
      copy(in, out, nameStart, nameLength);
      switch (type) {
        case 0x03, 0x04 -> document(in, out, depth + 1);
        case 0x0F -> {
          // code with scope: int32 total, string, document (whose ciphertexts are decrypted too)
          int valueStart = out.getPosition();
          in.getInt(); // its total length changes with the scope: rewritten below
          out.writeInt32(0);
          copyRange(in, out, 4 + in.getInt(in.position()));
          document(in, out, depth + 1);
          out.writeInt32(valueStart, out.getPosition() - valueStart);
        }
        default -> copyRange(in, out, valueLength(in, type));
      }
    }
    in.get(); // the document's closing NUL
    out.writeByte(0);
    out.writeInt32(outStart, out.getPosition() - outStart);
  }

  private static boolean isCiphertext(ByteBuffer in) {
    int p = in.position();
    int length = in.getInt(p);
    if (length < 1 || in.get(p + 4) != 6) {
      return false;
    }
    byte blobSubtype = in.get(p + 5);
    return blobSubtype == 1 || blobSubtype == 2;
  }

  private static int valueLength(ByteBuffer in, byte type) {
    int p = in.position();
    return switch (type) {
      case 0x01, 0x09, 0x11, 0x12 -> 8;
      case 0x02, 0x0D, 0x0E -> 4 + in.getInt(p);
      case 0x05 -> 5 + in.getInt(p);
      case 0x06, 0x0A, 0x7F, (byte) 0xFF -> 0;
      case 0x07 -> 12;
      case 0x08 -> 1;
      case 0x0B -> {
        int q = p;
        while (in.get(q) != 0) {
          q++;
        }
        q++;
        while (in.get(q) != 0) {
          q++;
        }
        yield q + 1 - p;
      }
      case 0x0C -> 4 + in.getInt(p) + 12;
      case 0x10 -> 4;
      case 0x13 -> 16;
      default -> throw new BsonSerializationException(String.format("unknown BSON type 0x%02x", type));
    };
  }

  private static void copy(ByteBuffer in, BasicOutputBuffer out, int from, int length) {
    if (in.hasArray()) {
      out.writeBytes(in.array(), in.arrayOffset() + from, length);
    } else {
      byte[] chunk = new byte[length];
      in.get(from, chunk);
      out.writeBytes(chunk, 0, length);
    }
  }

  private static void copyRange(ByteBuffer in, BasicOutputBuffer out, int length) {
    if (length < 0 || length > in.remaining()) {
      throw new BsonSerializationException("bad BSON value length " + length);
    }
    copy(in, out, in.position(), length);
    in.position(in.position() + length);
  }
}
