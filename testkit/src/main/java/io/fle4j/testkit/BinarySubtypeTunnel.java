package io.fle4j.testkit;

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

  private static final int TUNNEL_OVERHEAD = MARKER.length + 1;
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
        return startsWithMarker(data);
      case 3:
      case 4:
        return data.length != 16; // the server only accepts 16-byte UUIDs
      default:
        return true;
    }
  }

  static boolean startsWithMarker(byte[] data) {
    return data.length >= MARKER.length
        && Arrays.equals(data, 0, MARKER.length, MARKER, 0, MARKER.length);
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
      int outStart = out.getPosition();
      out.writeInt32(0); // patched below, once the rewritten length is known
      while (true) {
        byte type = in.get();
        out.writeByte(type);
        if (type == 0) {
          break;
        }
        copyCString();
        value(type, depth);
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
