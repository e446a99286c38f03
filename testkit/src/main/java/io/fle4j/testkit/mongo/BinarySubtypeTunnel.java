package io.fle4j.testkit.mongo;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import org.bson.BsonSerializationException;
import org.bson.io.BasicOutputBuffer;

/**
 * Carries BSON binary values that mongo-java-server cannot store through an encoding it can.
 *
 * <p>mongo-java-server 1.47.0 decodes only binary subtypes 0, 0x80 (turned into 0), 3 and 4 (the
 * last two only with exactly 16 bytes); anything else makes it drop the connection. So, on the
 * way to the server, every other binary becomes subtype 0 holding {@link #MARKER}, the original
 * subtype byte, then the original data. On the way back, every subtype-0 binary that starts with
 * the marker is restored. A subtype-0 value whose own data happens to start with the marker is
 * tunnelled too (as subtype 0), so the mapping is a bijection and nothing is restored by mistake.
 *
 * <p>The same goes for four element types it cannot keep: undefined (0x06, which it turns into
 * null), DBPointer (0x0C), symbol (0x0E) and code with scope (0x0F), which it refuses. Such an element travels to the
 * server as a subtype-0 binary holding {@link #TYPE_MARKER}, the original type byte and the
 * original value bytes, and comes back as the original element.
 *
 * <p>Equality still works: two values are equal after tunnelling exactly when they were equal
 * before, and a tunnelled subtype-6 value never equals the same bytes stored as plain subtype 0.
 * Ordering between binaries is not preserved (the server compares the tunnelled bytes).
 *
 * <p>The walker copies documents byte by byte (no decode into objects), so every BSON type,
 * duplicate field names and NaN payloads survive exactly; only tunnelled binaries and the
 * lengths that enclose them change.
 */
final class BinarySubtypeTunnel {

  /**
   * Prefix of a tunnelled binary. Random bytes, so real data practically never starts with them.
   * Never change it: H2 files written by earlier runs hold values with this prefix.
   */
  static final byte[] MARKER = {
    (byte) 0xfa, (byte) 0xea, (byte) 0x95, (byte) 0xc4, (byte) 0xef, (byte) 0xb0, (byte) 0x07,
    (byte) 0x70, (byte) 0xd5, (byte) 0x32, (byte) 0x46, (byte) 0x3d, (byte) 0xf0, (byte) 0x82,
    (byte) 0x44, (byte) 0xb0
  };

  /**
   * Prefix of a tunnelled element of a type the server cannot keep. Never change it either.
   */
  static final byte[] TYPE_MARKER = {
    (byte) 0xa4, (byte) 0xaf, (byte) 0x52, (byte) 0x22, (byte) 0x50, (byte) 0x9c, (byte) 0x32,
    (byte) 0x56, (byte) 0xb9, (byte) 0x9b, (byte) 0xfb, (byte) 0x3f, (byte) 0x9f, (byte) 0xb5,
    (byte) 0xee, (byte) 0xdf
  };

  private static final int TUNNEL_OVERHEAD = MARKER.length + 1;
  private static final int TYPE_TUNNEL_OVERHEAD = TYPE_MARKER.length + 1;
  // Cap nesting so that a malformed message cannot overflow the relay's stack.
  private static final int MAX_DEPTH = 200;

  /** Which way a message travels through the relay. */
  enum Direction {
    /** Driver to mongo-java-server: tunnel subtypes it cannot store. */
    TO_SERVER,
    /** mongo-java-server to driver: restore tunnelled subtypes. */
    TO_CLIENT
  }

  private BinarySubtypeTunnel() {}

  /**
   * Copies the BSON document that starts at {@code in}'s position into {@code out}, rewriting
   * binaries for {@code direction}. On return, {@code in} is positioned just past the document.
   *
   * @throws BsonSerializationException if the bytes are not a well-formed document
   */
  static void copyDocument(ByteBuffer in, BasicOutputBuffer out, Direction direction) {
    try {
      new Walker(in.order(ByteOrder.LITTLE_ENDIAN), out, direction).document(0);
    } catch (BufferUnderflowException | IndexOutOfBoundsException e) {
      throw new BsonSerializationException("truncated BSON document");
    }
  }

  /** Whether a binary must be tunnelled on its way to the server. */
  static boolean mustTunnel(byte subtype, byte[] data) {
    switch (subtype) {
      case 0:
        return startsWithMarker(data) || startsWith(data, TYPE_MARKER);
      case 3:
      case 4:
        return data.length != 16; // the server only accepts 16-byte UUIDs
      default:
        return true;
    }
  }

  static boolean startsWithMarker(byte[] data) {
    return startsWith(data, MARKER);
  }

  private static boolean startsWith(byte[] data, byte[] prefix) {
    return data.length >= prefix.length
        && Arrays.equals(data, 0, prefix.length, prefix, 0, prefix.length);
  }

  /**
   * Element types mongo-java-server refuses or changes: undefined, DBPointer, symbol, and
   * JavaScript code with scope.
   */
  static boolean isUnstorableType(byte type) {
    return type == 0x06 || type == 0x0C || type == 0x0E || type == 0x0F;
  }

  /** One pass over one top-level document. */
  private static final class Walker {
    private final ByteBuffer in;
    private final BasicOutputBuffer out;
    private final Direction direction;

    Walker(ByteBuffer in, BasicOutputBuffer out, Direction direction) {
      this.in = in;
      this.out = out;
      this.direction = direction;
    }

    void document(int depth) {
      if (depth > MAX_DEPTH) {
        throw new BsonSerializationException("BSON nested deeper than " + MAX_DEPTH);
      }
      int start = in.position();
      int declaredLength = in.getInt();
      if (declaredLength < 5 || declaredLength > in.limit() - start) {
        throw new BsonSerializationException("bad BSON document length " + declaredLength);
      }
      // The buffer ends where this document ends while it is walked, so every length inside it
      // is checked against the document that holds it, not against the rest of the message.
      int enclosingLimit = in.limit();
      in.limit(start + declaredLength);
      try {
        elements(start, declaredLength, depth);
      } finally {
        in.limit(enclosingLimit);
      }
    }

    private void elements(int start, int declaredLength, int depth) {
      int outStart = out.getPosition();
      out.writeInt32(0); // patched below, once the rewritten length is known
      while (true) {
        byte type = in.get();
        if (type == 0) {
          out.writeByte(type);
          break;
        }
        if (direction == Direction.TO_SERVER && isUnstorableType(type)) {
          out.writeByte(0x05);
          copyCString();
          tunnelElementValue(type);
        } else if (direction == Direction.TO_CLIENT && type == 0x05 && isTunnelledElement()) {
          out.writeByte(tunnelledElementType());
          copyCString();
          restoreElementValue();
        } else {
          out.writeByte(type);
          copyCString();
          value(type, depth);
        }
      }
      if (in.position() - start != declaredLength) {
        throw new BsonSerializationException("BSON document length does not match its content");
      }
      out.writeInt32(outStart, out.getPosition() - outStart);
    }

    private void value(byte type, int depth) {
      switch (type) {
        case 0x01: // double
        case 0x09: // UTC datetime
        case 0x11: // timestamp
        case 0x12: // int64
          copy(8);
          break;
        case 0x02: // string
        case 0x0D: // JavaScript code
        case 0x0E: // symbol
          copyString();
          break;
        case 0x03: // embedded document
        case 0x04: // array
          document(depth + 1);
          break;
        case 0x05:
          binary();
          break;
        case 0x06: // undefined
        case 0x0A: // null
        case 0x7F: // max key
        case (byte) 0xFF: // min key
          break;
        case 0x07: // ObjectId
          copy(12);
          break;
        case 0x08: // boolean
          copy(1);
          break;
        case 0x0B: // regular expression: pattern and options
          copyCString();
          copyCString();
          break;
        case 0x0C: // DBPointer
          copyString();
          copy(12);
          break;
        case 0x0F: // code with scope; its scope may hold binaries, so the total is recomputed
          int outStart = out.getPosition();
          int declared = in.getInt();
          int start = in.position() - 4;
          if (declared < 14 || declared - 4 > in.remaining()) { // int32, string "", {} at least
            throw new BsonSerializationException("bad code-with-scope length " + declared);
          }
          out.writeInt32(0);
          copyString();
          document(depth + 1);
          if (in.position() - start != declared) {
            throw new BsonSerializationException("bad code-with-scope length " + declared);
          }
          out.writeInt32(outStart, out.getPosition() - outStart);
          break;
        case 0x10: // int32
          copy(4);
          break;
        case 0x13: // decimal128
          copy(16);
          break;
        default:
          throw new BsonSerializationException(String.format("unknown BSON type 0x%02x", type));
      }
    }

    /** Writes the value of an element of an unstorable type as a marked binary. */
    private void tunnelElementValue(byte type) {
      int valueLength = switch (type) {
        case 0x06 -> 0;
        case 0x0F -> in.getInt(in.position()); // its int32 length counts itself
        default -> 4 + in.getInt(in.position()) + (type == 0x0C ? 12 : 0);
      };
      if (valueLength < 0 || valueLength > in.remaining()) {
        throw new BsonSerializationException("bad BSON value length " + valueLength);
      }
      out.writeInt32(TYPE_TUNNEL_OVERHEAD + valueLength);
      out.writeByte(0);
      out.writeBytes(TYPE_MARKER, 0, TYPE_MARKER.length);
      out.writeByte(type);
      copy(valueLength);
    }

    /** Whether the binary element whose name starts at the current position is a tunnelled one. */
    private boolean isTunnelledElement() {
      int value = cStringEnd(in.position());
      if (value + 5 + TYPE_TUNNEL_OVERHEAD > in.limit()) {
        return false;
      }
      int length = in.getInt(value);
      if (length < TYPE_TUNNEL_OVERHEAD || in.get(value + 4) != 0) {
        return false;
      }
      for (int i = 0; i < TYPE_MARKER.length; i++) {
        if (in.get(value + 5 + i) != TYPE_MARKER[i]) {
          return false;
        }
      }
      return isUnstorableType(in.get(value + 5 + TYPE_MARKER.length));
    }

    private byte tunnelledElementType() {
      return in.get(cStringEnd(in.position()) + 5 + TYPE_MARKER.length);
    }

    private void restoreElementValue() {
      int length = in.getInt();
      in.position(in.position() + 1 + TYPE_TUNNEL_OVERHEAD); // subtype, marker, type byte
      copy(length - TYPE_TUNNEL_OVERHEAD);
    }

    /** Index just past the NUL of the C string starting at {@code start}. */
    private int cStringEnd(int start) {
      int end = start;
      while (in.get(end) != 0) {
        end++;
      }
      return end + 1;
    }

    private void binary() {
      int length = in.getInt();
      if (length < 0 || length > in.remaining() - 1) {
        throw new BsonSerializationException("bad BSON binary length " + length);
      }
      byte subtype = in.get();
      byte[] data = new byte[length];
      in.get(data);
      if (direction == Direction.TO_SERVER && mustTunnel(subtype, data)) {
        out.writeInt32(length + TUNNEL_OVERHEAD);
        out.writeByte(0);
        out.writeBytes(MARKER, 0, MARKER.length);
        out.writeByte(subtype);
        out.writeBytes(data, 0, length);
      } else if (direction == Direction.TO_CLIENT
          && subtype == 0
          && length >= TUNNEL_OVERHEAD
          && startsWithMarker(data)) {
        out.writeInt32(length - TUNNEL_OVERHEAD);
        out.writeByte(data[MARKER.length]);
        out.writeBytes(data, TUNNEL_OVERHEAD, length - TUNNEL_OVERHEAD);
      } else {
        out.writeInt32(length);
        out.writeByte(subtype);
        out.writeBytes(data, 0, length);
      }
    }

    private void copyString() {
      int length = in.getInt();
      if (length < 1 || length > in.remaining()) {
        throw new BsonSerializationException("bad BSON string length " + length);
      }
      out.writeInt32(length);
      copy(length);
    }

    private void copyCString() {
      int start = in.position();
      int end = start;
      while (in.get(end) != 0) {
        end++;
      }
      copy(end - start + 1);
    }

    private void copy(int n) {
      if (n > in.remaining()) {
        throw new BsonSerializationException("truncated BSON document");
      }
      if (in.hasArray()) {
        out.writeBytes(in.array(), in.arrayOffset() + in.position(), n);
        in.position(in.position() + n);
      } else {
        byte[] chunk = new byte[n];
        in.get(chunk);
        out.writeBytes(chunk, 0, n);
      }
    }
  }
}
