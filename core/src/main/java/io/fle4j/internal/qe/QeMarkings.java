package io.fle4j.internal.qe;

import io.fle4j.internal.crypto.UuidBytes;
import io.fle4j.CiphertextException;
import io.fle4j.CiphertextException.Reason;
import java.util.UUID;
import org.bson.BsonBinary;
import org.bson.BsonDocument;
import org.bson.BsonValue;

/**
 * Turns a FLE2EncryptionPlaceholder (blob subtype 3, qe-formats.md §4.5), the marking that query
 * analysis leaves where a value must be encrypted, into the payload libmongocrypt would send:
 * {@code {t: 1 insert | 2 find, a: 1 unindexed | 2 equality | 3 range, ki, ku, v, cm, s}}. This
 * is the step automatic Queryable Encryption takes after analysis; explicit encryption builds
 * the same payloads from its options.
 */
public final class QeMarkings {
  private static final int INSERT = 1;
  private static final int FIND = 2;
  private static final int UNINDEXED = 1;
  private static final int EQUALITY = 2;
  private static final int RANGE = 3;

  private QeMarkings() {}

  /**
   * The payload for one placeholder.
   *
   * @param random where IVs and contention draws come from
   * @throws CiphertextException when the placeholder is malformed or of a kind fle4j does not
   *     encrypt (text search)
   */
  static BsonBinary encrypt(BsonBinary placeholder, QeDecryption.KeyLookup keys,
      QeRandom random) {
    BsonDocument p = parse(placeholder);
    int type = int32(p, "t");
    int algorithm = int32(p, "a");
    UUID indexKeyId = uuid(p, "ki");
    UUID userKeyId = uuid(p, "ku");
    BsonValue v = require(p, "v");
    long cm = p.containsKey("cm") ? int64(p, "cm") : 0;
    if (cm < 0 || cm == Long.MAX_VALUE) {
      throw malformed("'cm' must be a contention factor from 0 to INT64_MAX - 1, got " + cm);
    }
    QeKey indexKey = keys.byId(indexKeyId);
    switch (type * 10 + algorithm) {
      case INSERT * 10 + UNINDEXED:
        return QePayloads.unindexed(v, userKeyId, keys.byId(userKeyId), random);
      case INSERT * 10 + EQUALITY:
        return QePayloads.insert(v, indexKeyId, indexKey, userKeyId, keys.byId(userKeyId), cm,
            null, random);
      case INSERT * 10 + RANGE: {
        BsonDocument spec = document(v, "v");
        RangeIndex index = new RangeIndex(require(spec, "min"), require(spec, "max"),
            spec.containsKey("precision") ? int32(spec, "precision") : null, sparsity(p),
            spec.containsKey("trimFactor") ? int32(spec, "trimFactor") : null);
        BsonValue value = require(spec, "v");
        return QePayloads.insert(value, indexKeyId, indexKey, userKeyId, keys.byId(userKeyId), cm,
            index.insertOf(value), random);
      }
      case FIND * 10 + EQUALITY:
        return QePayloads.findEquality(v, indexKey, cm);
      case FIND * 10 + RANGE:
        return findRange(document(v, "v"), indexKey, cm, sparsity(p));
      default:
        throw malformed("placeholder type " + type + " with algorithm " + algorithm
            + " is not one fle4j encrypts (1 insert or 2 find; 1 unindexed, 2 equality, 3 range)");
    }
  }

  private static BsonBinary findRange(BsonDocument spec, QeKey indexKey, long cm, long sparsity) {
    int payloadId = int32(spec, "payloadId");
    int first = int32(spec, "firstOperator");
    int second = spec.containsKey("secondOperator") ? int32(spec, "secondOperator") : 0;
    if (!spec.containsKey("edgesInfo")) {
      return QePayloads.findRangeStub(payloadId, first, second);
    }
    BsonDocument edges = document(require(spec, "edgesInfo"), "edgesInfo");
    RangeIndex index = new RangeIndex(require(edges, "indexMin"), require(edges, "indexMax"),
        edges.containsKey("precision") ? int32(edges, "precision") : null, sparsity,
        edges.containsKey("trimFactor") ? int32(edges, "trimFactor") : null);
    return QePayloads.findRange(index.cover(new MinCover.Interval(require(edges, "lowerBound"),
        bool(edges, "lbIncluded"), require(edges, "upperBound"), bool(edges, "ubIncluded"))),
        indexKey, cm, payloadId, first, second, index);
  }

  private static BsonDocument parse(BsonBinary placeholder) {
    byte[] data = placeholder.getData();
    if (placeholder.getType() != 6 || data.length == 0 || data[0] != 3) {
      throw malformed("expected a BSON binary of subtype 6 whose first byte is 3");
    }
    return QeDecryption.bsonBody("FLE2EncryptionPlaceholder", data);
  }

  private static long sparsity(BsonDocument p) {
    long s = p.containsKey("s") ? int64(p, "s") : RangeIndex.DEFAULT_SPARSITY;
    if (s < 1) {
      throw malformed("'s' (sparsity) must be 1 or more, got " + s);
    }
    return s;
  }

  private static BsonValue require(BsonDocument doc, String field) {
    BsonValue value = doc.get(field);
    if (value == null) {
      throw malformed("required field '" + field + "' is missing");
    }
    return value;
  }

  private static BsonDocument document(BsonValue value, String field) {
    if (!value.isDocument()) {
      throw malformed("'" + field + "' must be a document, got " + value.getBsonType());
    }
    return value.asDocument();
  }

  private static int int32(BsonDocument doc, String field) {
    BsonValue value = require(doc, field);
    if (!value.isInt32()) {
      throw malformed("'" + field + "' must be an int32, got " + value.getBsonType());
    }
    return value.asInt32().getValue();
  }

  private static long int64(BsonDocument doc, String field) {
    BsonValue value = require(doc, field);
    if (!value.isInt64()) {
      throw malformed("'" + field + "' must be an int64, got " + value.getBsonType());
    }
    return value.asInt64().getValue();
  }

  private static boolean bool(BsonDocument doc, String field) {
    BsonValue value = require(doc, field);
    if (!value.isBoolean()) {
      throw malformed("'" + field + "' must be a boolean, got " + value.getBsonType());
    }
    return value.asBoolean().getValue();
  }

  private static UUID uuid(BsonDocument doc, String field) {
    BsonValue value = require(doc, field);
    if (!value.isBinary() || value.asBinary().getType() != 4
        || value.asBinary().getData().length != 16) {
      throw malformed("'" + field + "' must be a UUID (binary subtype 4, 16 bytes)");
    }
    return UuidBytes.get(value.asBinary().getData(), 0);
  }

  private static CiphertextException malformed(String message) {
    return new CiphertextException(Reason.MALFORMED_CONTENT,
        "FLE2EncryptionPlaceholder: " + message);
  }
}
