package io.fle4j.internal.auto.analysis;

import io.fle4j.EncryptedFieldOperationException;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.bson.BsonArray;
import org.bson.BsonBinaryReader;
import org.bson.BsonDocument;
import org.bson.BsonReader;
import org.bson.BsonType;
import org.bson.BsonValue;
import org.bson.RawBsonDocument;
import org.bson.codecs.BsonValueCodec;
import org.bson.codecs.DecoderContext;

/**
 * Makes sure what is analysed is what is sent. A {@link RawBsonDocument} is sent as its bytes but
 * read through a map view; with a field name twice, the analysis could read one value while the
 * server reads the other. So every document that is not a plain {@link BsonDocument} is decoded
 * into one before analysis, and a repeated field name at any depth is refused.
 */
public final class PlainDocuments {
  private static final BsonValueCodec VALUES = new BsonValueCodec();

  private PlainDocuments() {}

  /**
   * {@code document} itself when it is plain all the way down; otherwise a plain copy.
   *
   * @throws EncryptedFieldOperationException when a field name repeats within one document
   */
  public static BsonDocument of(BsonDocument document) {
    return needsCopy(document) ? (BsonDocument) copy(document) : document;
  }

  private static boolean needsCopy(BsonValue value) {
    if (value.isDocument()) {
      if (value.getClass() != BsonDocument.class) {
        return true;
      }
      for (BsonValue child : value.asDocument().values()) {
        if ((child.isDocument() || child.isArray()) && needsCopy(child)) {
          return true;
        }
      }
    } else if (value.isArray()) {
      if (value.getClass() != BsonArray.class) {
        return true;
      }
      for (BsonValue child : value.asArray()) {
        if ((child.isDocument() || child.isArray()) && needsCopy(child)) {
          return true;
        }
      }
    }
    return false;
  }

  private static BsonValue copy(BsonValue value) {
    if (value instanceof RawBsonDocument raw) {
      try (BsonBinaryReader reader = new BsonBinaryReader(raw.getByteBuffer().asNIO())) {
        return readDocument(reader);
      }
    }
    if (value.isDocument()) {
      BsonDocument out = new BsonDocument();
      for (Map.Entry<String, BsonValue> field : value.asDocument().entrySet()) {
        out.put(field.getKey(), copy(field.getValue()));
      }
      return out;
    }
    if (value.isArray()) {
      BsonArray out = new BsonArray();
      for (BsonValue element : value.asArray()) {
        out.add(copy(element));
      }
      return out;
    }
    return value;
  }

  private static BsonDocument readDocument(BsonReader reader) {
    BsonDocument out = new BsonDocument();
    Set<String> names = new HashSet<>();
    reader.readStartDocument();
    while (reader.readBsonType() != BsonType.END_OF_DOCUMENT) {
      String name = reader.readName();
      if (!names.add(name)) {
        throw new EncryptedFieldOperationException("(command)", name, "duplicate field name '"
            + name + "': automatic encryption refuses a document that names a field twice, since"
            + " what it analyses and what the server reads could differ");
      }
      out.put(name, readValue(reader));
    }
    reader.readEndDocument();
    return out;
  }

  private static BsonValue readValue(BsonReader reader) {
    switch (reader.getCurrentBsonType()) {
      case DOCUMENT:
        return readDocument(reader);
      case ARRAY: {
        BsonArray out = new BsonArray();
        reader.readStartArray();
        while (reader.readBsonType() != BsonType.END_OF_DOCUMENT) {
          out.add(readValue(reader));
        }
        reader.readEndArray();
        return out;
      }
      default:
        return VALUES.decode(reader, DecoderContext.builder().build());
    }
  }
}
