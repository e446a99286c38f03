package io.fle4j.testkit.mongo;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.bson.BsonBinaryReader;
import org.bson.BsonBinaryWriter;
import org.bson.BsonDocument;
import org.bson.BsonInt32;
import org.bson.BsonValue;
import org.bson.codecs.BsonDocumentCodec;
import org.bson.codecs.DecoderContext;
import org.bson.codecs.EncoderContext;
import org.bson.io.BasicOutputBuffer;

/**
 * Keeps the collection options mongo-java-server drops: it accepts {@code create} with a {@code
 * validator} but forgets it, and has no {@code collMod}. fle4j reads a collection's {@code
 * $jsonSchema} validator through {@code listCollections}, so the relay remembers {@code
 * validator}, {@code validationLevel} and {@code validationAction} per namespace (from {@code
 * create} and {@code collMod}, which it answers by forwarding a {@code ping}), forgets them on
 * {@code drop} and {@code dropDatabase}, and writes them into {@code listCollections} replies.
 * Validators are not enforced, and live as long as the relay (not in an H2 file).
 */
final class CollectionOptionsShim {
  private static final Set<String> OPTIONS = Set.of("validator", "validationLevel", "validationAction");
  private static final BsonDocumentCodec CODEC = new BsonDocumentCodec();

  private final Map<String, BsonDocument> optionsByNamespace = new ConcurrentHashMap<>();

  /** The listCollections requests of one connection awaiting their reply: requestID → database. */
  static final class Pending {
    private final Map<Integer, String> listCollections = new ConcurrentHashMap<>();
  }

  /** Returns the message to forward to the server in place of {@code message}. */
  byte[] toServer(byte[] message, Pending pending) {
    BsonDocument body = soleBody(message);
    if (body == null || body.isEmpty() || !body.containsKey("$db")) {
      return message;
    }
    String command = body.getFirstKey();
    String db = body.getString("$db").getValue();
    BsonValue target = body.get(command);
    switch (command) {
      case "create" -> {
        if (target.isString()) {
          BsonDocument options = options(body);
          if (!options.isEmpty()) {
            optionsByNamespace.put(db + "." + target.asString().getValue(), options);
          }
        }
      }
      case "collMod" -> {
        if (target.isString()) {
          optionsByNamespace.merge(db + "." + target.asString().getValue(), options(body),
              (old, update) -> {
                BsonDocument merged = old.clone();
                merged.putAll(update);
                return merged;
              });
          return replaceBody(message, new BsonDocument("ping", new BsonInt32(1)).append("$db", body.get("$db")));
        }
      }
      case "drop" -> {
        if (target.isString()) {
          optionsByNamespace.remove(db + "." + target.asString().getValue());
        }
      }
      case "dropDatabase" -> optionsByNamespace.keySet().removeIf(ns -> ns.startsWith(db + "."));
      case "listCollections" -> pending.listCollections.put(requestId(message), db);
      default -> { }
    }
    return message;
  }

  /** Returns the message to forward to the client in place of {@code message}. */
  byte[] toClient(byte[] message, Pending pending) {
    if (pending.listCollections.isEmpty()) {
      return message;
    }
    String db = pending.listCollections.remove(responseTo(message));
    if (db == null) {
      return message;
    }
    BsonDocument body = soleBody(message);
    if (body == null || !body.containsKey("cursor")) {
      return message;
    }
    boolean changed = false;
    for (BsonValue info : body.getDocument("cursor").getArray("firstBatch", new org.bson.BsonArray())) {
      if (info.isDocument() && info.asDocument().containsKey("name")) {
        BsonDocument options = optionsByNamespace.get(db + "." + info.asDocument().getString("name").getValue());
        if (options != null) {
          BsonDocument merged = info.asDocument().getDocument("options", new BsonDocument()).clone();
          merged.putAll(options);
          info.asDocument().put("options", merged);
          changed = true;
        }
      }
    }
    return changed ? replaceBody(message, body) : message;
  }

  private static BsonDocument options(BsonDocument body) {
    BsonDocument options = new BsonDocument();
    for (String key : OPTIONS) {
      if (body.containsKey(key)) {
        options.put(key, body.get(key));
      }
    }
    return options;
  }

  /** The body of an OP_MSG whose only section is one kind-0 document, else null. */
  private static BsonDocument soleBody(byte[] message) {
    ByteBuffer in = ByteBuffer.wrap(message).order(ByteOrder.LITTLE_ENDIAN);
    if (message.length < 26 || in.getInt(12) != WireMessages.OP_MSG
        || (in.getInt(16) & WireMessages.CHECKSUM_PRESENT) != 0 || message[20] != 0) {
      return null;
    }
    int length = in.getInt(21);
    if (21 + length != message.length) {
      return null;
    }
    in.position(21);
    try (BsonBinaryReader reader = new BsonBinaryReader(in.slice().order(ByteOrder.LITTLE_ENDIAN))) {
      return CODEC.decode(reader, DecoderContext.builder().build());
    }
  }

  /** The same message (same header ids and flags) with a new sole body. */
  private static byte[] replaceBody(byte[] message, BsonDocument body) {
    BasicOutputBuffer out = new BasicOutputBuffer();
    out.writeBytes(message, 0, 21); // header, flagBits, section kind 0
    try (BsonBinaryWriter writer = new BsonBinaryWriter(out)) {
      CODEC.encode(writer, body, EncoderContext.builder().build());
    }
    out.writeInt32(0, out.getPosition());
    return out.toByteArray();
  }

  private static int requestId(byte[] message) {
    return ByteBuffer.wrap(message).order(ByteOrder.LITTLE_ENDIAN).getInt(4);
  }

  private static int responseTo(byte[] message) {
    return ByteBuffer.wrap(message).order(ByteOrder.LITTLE_ENDIAN).getInt(8);
  }
}
