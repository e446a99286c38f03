package io.fle4j.testkit.mongo;

import io.fle4j.testkit.mongo.BinarySubtypeTunnel.Direction;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.bson.BsonSerializationException;
import org.bson.io.BasicOutputBuffer;

/**
 * Rewrites whole MongoDB wire-protocol messages for the relay: finds every BSON document in
 * OP_MSG, OP_QUERY and OP_REPLY messages and passes it through {@link BinarySubtypeTunnel}; OP_MSG
 * command bodies going to the server also go through {@link PartialIndexFix} (OP_QUERY is only
 * used for the handshake by current drivers). Other opcodes, such as OP_COMPRESSED, pass through
 * untouched: mongo-java-server offers no compressors, so drivers never send it.
 *
 * <p>Layouts (all integers little-endian), after the 16-byte header {@code messageLength,
 * requestID, responseTo, opCode}:
 *
 * <ul>
 *   <li>OP_MSG (2013): int32 flagBits, then sections until the end or the optional CRC-32C
 *       checksum. Section kind 0: one document. Kind 1: int32 size (counting itself), cstring
 *       identifier, documents.
 *   <li>OP_QUERY (2004): int32 flags, cstring fullCollectionName, int32 numberToSkip, int32
 *       numberToReturn, query document, optional returnFieldsSelector document.
 *   <li>OP_REPLY (1): int32 responseFlags, int64 cursorID, int32 startingFrom, int32
 *       numberReturned, documents.
 * </ul>
 */
final class WireMessages {

  static final int HEADER_LENGTH = 16;
  static final int OP_REPLY = 1;
  static final int OP_QUERY = 2004;
  static final int OP_MSG = 2013;
  /** OP_MSG flag bit 0: a CRC-32C checksum ends the message. */
  static final int CHECKSUM_PRESENT = 1;

  private WireMessages() {}

  /**
   * Returns the message to forward in place of {@code message} (a complete message, header
   * included): a rewritten copy, or {@code message} itself for opcodes that carry no documents we
   * look into.
   *
   * @throws BsonSerializationException if the message is malformed
   */
  static byte[] rewrite(byte[] message, Direction direction) {
    if (message.length < HEADER_LENGTH) {
      throw new BsonSerializationException("message shorter than its header");
    }
    ByteBuffer in = ByteBuffer.wrap(message).order(ByteOrder.LITTLE_ENDIAN);
    int opCode = in.getInt(12);
    if (opCode != OP_MSG && opCode != OP_QUERY && opCode != OP_REPLY) {
      return message;
    }
    BasicOutputBuffer out = new BasicOutputBuffer(message.length + 64);
    out.writeBytes(message, 0, HEADER_LENGTH); // length is patched at the end
    in.position(HEADER_LENGTH);
    try {
      switch (opCode) {
        case OP_MSG:
          opMsg(message, in, out, direction);
          break;
        case OP_QUERY:
          opQuery(in, out, direction);
          break;
        default:
          opReply(in, out, direction);
          break;
      }
    } catch (RuntimeException e) {
      if (e instanceof BsonSerializationException) {
        throw e;
      }
      // Buffer under/overflows and bad positions all mean the same thing: a malformed message.
      throw new BsonSerializationException("malformed message with opCode " + opCode + ": " + e);
    }
    if (in.hasRemaining()) {
      throw new BsonSerializationException("trailing bytes in message with opCode " + opCode);
    }
    out.writeInt32(0, out.getPosition());
    return out.toByteArray();
  }

  private static void opMsg(byte[] message, ByteBuffer in, BasicOutputBuffer out, Direction d) {
    int flags = in.getInt();
    boolean checksum = (flags & CHECKSUM_PRESENT) != 0;
    // We change the bytes, so the checksum would be wrong: drop it and say so in the flags.
    out.writeInt32(flags & ~CHECKSUM_PRESENT);
    int end = message.length - (checksum ? 4 : 0);
    in.limit(end);
    while (in.hasRemaining()) {
      byte kind = in.get();
      out.writeByte(kind);
      if (kind == 0) {
        body(message, in, out, d);
      } else if (kind == 1) {
        documentSequence(in, out, d);
      } else {
        throw new BsonSerializationException("unknown OP_MSG section kind " + kind);
      }
    }
    in.limit(message.length);
    in.position(message.length); // the checksum, if any, is consumed (dropped)
  }

  private static void body(byte[] message, ByteBuffer in, BasicOutputBuffer out, Direction d) {
    if (d == Direction.TO_SERVER) {
      int start = in.position();
      int length = in.getInt(start);
      if (length < 5 || length > in.remaining()) {
        throw new BsonSerializationException("bad OP_MSG body length " + length);
      }
      byte[] fixed = PartialIndexFix.apply(message, start, length);
      if (fixed != null) {
        BinarySubtypeTunnel.copyDocument(ByteBuffer.wrap(fixed), out, d);
        in.position(start + length);
        return;
      }
    }
    BinarySubtypeTunnel.copyDocument(in, out, d);
  }

  private static void documentSequence(ByteBuffer in, BasicOutputBuffer out, Direction d) {
    int start = in.position();
    int size = in.getInt();
    if (size < 5 || size > in.limit() - start) {
      throw new BsonSerializationException("bad OP_MSG document sequence size " + size);
    }
    int outStart = out.getPosition();
    out.writeInt32(0); // patched below
    copyCString(in, out);
    int savedLimit = in.limit();
    in.limit(start + size); // documents must stay inside their section
    while (in.hasRemaining()) {
      BinarySubtypeTunnel.copyDocument(in, out, d);
    }
    in.limit(savedLimit);
    out.writeInt32(outStart, out.getPosition() - outStart);
  }

  private static void opQuery(ByteBuffer in, BasicOutputBuffer out, Direction d) {
    out.writeInt32(in.getInt()); // flags
    copyCString(in, out); // fullCollectionName
    out.writeInt32(in.getInt()); // numberToSkip
    out.writeInt32(in.getInt()); // numberToReturn
    BinarySubtypeTunnel.copyDocument(in, out, d); // query
    if (in.hasRemaining()) {
      BinarySubtypeTunnel.copyDocument(in, out, d); // returnFieldsSelector
    }
  }

  private static void opReply(ByteBuffer in, BasicOutputBuffer out, Direction d) {
    out.writeInt32(in.getInt()); // responseFlags
    out.writeInt64(in.getLong()); // cursorID
    out.writeInt32(in.getInt()); // startingFrom
    out.writeInt32(in.getInt()); // numberReturned
    while (in.hasRemaining()) {
      BinarySubtypeTunnel.copyDocument(in, out, d);
    }
  }

  private static void copyCString(ByteBuffer in, BasicOutputBuffer out) {
    byte b;
    do {
      b = in.get();
      out.writeByte(b);
    } while (b != 0);
  }
}
