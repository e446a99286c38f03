package io.fle4j.testkit.mongo;

import java.nio.ByteBuffer;
import org.bson.BsonBinaryReader;
import org.bson.BsonBinaryWriter;
import org.bson.BsonBoolean;
import org.bson.BsonDocument;
import org.bson.BsonNumber;
import org.bson.BsonValue;
import org.bson.RawBsonDocument;
import org.bson.codecs.BsonDocumentCodec;
import org.bson.codecs.DecoderContext;
import org.bson.codecs.EncoderContext;
import org.bson.io.BasicOutputBuffer;

/**
 * Makes the key-vault index work on mongo-java-server, which ignores {@code
 * partialFilterExpression}.
 *
 * <p>MongoDB documents the key-vault index as {@code createIndex({keyAltNames: 1}, {unique: true,
 * partialFilterExpression: {keyAltNames: {$exists: true}}})}. Ignoring the filter turns it into a
 * plain unique index, which wrongly rejects a second key without alt names. A single-field index
 * whose filter is exactly "that field exists" selects the same documents as a sparse index, so
 * this adds {@code sparse: true} to such an index in a {@code createIndexes} command. Every other
 * index, and every other command, is left untouched.
 */
final class PartialIndexFix {

  private static final BsonDocumentCodec CODEC = new BsonDocumentCodec();

  private PartialIndexFix() {}

  /**
   * Returns the rewritten command if the document at {@code bytes[offset, offset + length)} is a
   * {@code createIndexes} command with at least one index to fix, otherwise {@code null}.
   */
  static byte[] apply(byte[] bytes, int offset, int length) {
    // Cheap check first: almost every message is some other command.
    if (length <= 5) {
      return null;
    }
    if (!"createIndexes".equals(new RawBsonDocument(bytes, offset, length).getFirstKey())) {
      return null;
    }
    BsonDocument command;
    try (BsonBinaryReader reader =
        new BsonBinaryReader(ByteBuffer.wrap(bytes, offset, length).slice())) {
      command = CODEC.decode(reader, DecoderContext.builder().build());
    }
    BsonValue indexes = command.get("indexes");
    if (indexes == null || !indexes.isArray()) {
      return null;
    }
    boolean changed = false;
    for (BsonValue index : indexes.asArray()) {
      if (index.isDocument() && isExistsOnlyPartialIndex(index.asDocument())) {
        index.asDocument().put("sparse", BsonBoolean.TRUE);
        changed = true;
      }
    }
    if (!changed) {
      return null;
    }
    BasicOutputBuffer out = new BasicOutputBuffer(length + 16);
    try (BsonBinaryWriter writer = new BsonBinaryWriter(out)) {
      CODEC.encode(writer, command, EncoderContext.builder().build());
    }
    return out.toByteArray();
  }

  /** {@code key: {F: …}} and {@code partialFilterExpression: {F: {$exists: <true>}}}. */
  static boolean isExistsOnlyPartialIndex(BsonDocument index) {
    BsonValue key = index.get("key");
    BsonValue filter = index.get("partialFilterExpression");
    if (key == null || !key.isDocument() || key.asDocument().size() != 1) {
      return false;
    }
    if (filter == null || !filter.isDocument() || filter.asDocument().size() != 1) {
      return false;
    }
    String field = key.asDocument().getFirstKey();
    BsonValue condition = filter.asDocument().get(field);
    if (condition == null || !condition.isDocument() || condition.asDocument().size() != 1) {
      return false;
    }
    BsonValue exists = condition.asDocument().get("$exists");
    return exists != null && isTruthy(exists);
  }

  // MongoDB reads {$exists: 1} like {$exists: true}.
  private static boolean isTruthy(BsonValue value) {
    if (value.isBoolean()) {
      return value.asBoolean().getValue();
    }
    return value.isNumber() && ((BsonNumber) value).doubleValue() != 0;
  }
}
