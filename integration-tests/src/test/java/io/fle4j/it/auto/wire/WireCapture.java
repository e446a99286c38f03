package io.fle4j.it.auto.wire;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.bson.BsonBinaryReader;
import org.bson.BsonDocument;
import org.bson.codecs.BsonDocumentCodec;
import org.bson.codecs.DecoderContext;

/**
 * Every message the clients sent through the stand-in's relay, in arrival order, as raw bytes.
 * Fed by {@code EmbeddedMongo.onClientMessage}; probes take a {@link #mark()} before a call and
 * read what arrived {@link #since(int) since} then.
 */
final class WireCapture implements Consumer<byte[]> {
  private static final int OP_QUERY = 2004;
  private static final int OP_MSG = 2013;

  private final List<byte[]> messages = new ArrayList<>();

  @Override
  public synchronized void accept(byte[] message) {
    messages.add(message);
  }

  synchronized int mark() {
    return messages.size();
  }

  synchronized List<byte[]> since(int mark) {
    return new ArrayList<>(messages.subList(mark, messages.size()));
  }

  /**
   * The documents of one message, for reports and for telling commands apart: the OP_MSG body
   * and the documents of its sequences (under their identifier), or an OP_QUERY's query. Other
   * opcodes, or bytes that do not parse, come back as a one-field note: we never skip a message.
   */
  static BsonDocument decode(byte[] message) {
    try {
      ByteBuffer in = ByteBuffer.wrap(message).order(ByteOrder.LITTLE_ENDIAN);
      int opCode = in.getInt(12);
      if (opCode == OP_MSG) {
        int flags = in.getInt(16);
        int end = message.length - ((flags & 1) != 0 ? 4 : 0);
        int pos = 20;
        BsonDocument out = null;
        List<BsonDocument> sequences = new ArrayList<>();
        while (pos < end) {
          byte kind = message[pos++];
          if (kind == 0) {
            int length = in.getInt(pos);
            out = read(message, pos, length);
            pos += length;
          } else {
            int size = in.getInt(pos);
            int p = pos + 4;
            int nameEnd = p;
            while (message[nameEnd] != 0) {
              nameEnd++;
            }
            String id = new String(message, p, nameEnd - p, java.nio.charset.StandardCharsets.UTF_8);
            p = nameEnd + 1;
            org.bson.BsonArray docs = new org.bson.BsonArray();
            while (p < pos + size) {
              int length = in.getInt(p);
              docs.add(read(message, p, length));
              p += length;
            }
            sequences.add(new BsonDocument(id, docs));
            pos += size;
          }
        }
        if (out == null) {
          out = new BsonDocument();
        }
        for (BsonDocument sequence : sequences) {
          out.putAll(sequence);
        }
        return out;
      }
      if (opCode == OP_QUERY) {
        int p = 20;
        while (message[p] != 0) {
          p++;
        }
        p += 1 + 8;
        return read(message, p, in.getInt(p));
      }
      return new BsonDocument("$unparsedOpCode", new org.bson.BsonInt32(opCode));
    } catch (RuntimeException e) {
      return new BsonDocument("$undecodable", new org.bson.BsonString(e.toString()));
    }
  }

  /** The command name: the first key of the body ({@code ""} if there is none). */
  static String commandName(BsonDocument decoded) {
    return decoded.isEmpty() ? "" : decoded.getFirstKey();
  }

  private static BsonDocument read(byte[] bytes, int offset, int length) {
    try (BsonBinaryReader reader = new BsonBinaryReader(ByteBuffer.wrap(bytes, offset, length).slice())) {
      return new BsonDocumentCodec().decode(reader, DecoderContext.builder().build());
    }
  }
}
