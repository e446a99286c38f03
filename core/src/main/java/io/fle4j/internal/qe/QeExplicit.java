package io.fle4j.internal.qe;

import com.mongodb.client.model.vault.EncryptOptions;
import io.fle4j.ConfigurationException;
import io.fle4j.UnencryptableValueException;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntSupplier;
import org.bson.BsonBinary;
import org.bson.BsonBinarySubType;
import org.bson.BsonDocument;
import org.bson.BsonDouble;
import org.bson.BsonType;
import org.bson.BsonValue;

/**
 * Explicit Queryable Encryption (protocol v2): what {@code ClientEncryption.encrypt} does for the
 * algorithms Indexed, Unindexed and Range (qe-formats.md §9.3). Options and values are checked
 * before any key is looked up; the index key and the user key are both the one {@code keyId}, as
 * the specification's API has no separate index key.
 */
public final class QeExplicit {
  /**
   * Pairs the two halves of a two-sided range query. Process-wide and wrapping to 0 after
   * INT32_MAX, as libmongocrypt's counter; the value only needs to differ between queries.
   */
  private static final AtomicInteger PAYLOAD_IDS = new AtomicInteger();

  private final QeRandom random;
  private final IntSupplier payloadIds;

  /** Payloads with random IVs and contention draws from the pooled DRBG. */
  public QeExplicit() {
    this(QeRandom.SECURE, () -> PAYLOAD_IDS.getAndUpdate(id -> id == Integer.MAX_VALUE ? 0
        : id + 1));
  }

  QeExplicit(QeRandom random, IntSupplier payloadIds) {
    this.random = random;
    this.payloadIds = payloadIds;
  }

  /** Whether {@code options} name a Queryable Encryption algorithm. */
  public static boolean selects(EncryptOptions options) {
    return QeOptions.selects(options);
  }

  /**
   * Encrypts {@code value} for insertion (a subtype-11 payload, or subtype 16 for Unindexed) or,
   * with queryType "equality", for an equality query (subtype 12).
   *
   * @param keys finds the data key of {@code options.getKeyId()}
   */
  public BsonBinary encrypt(BsonValue value, EncryptOptions options,
      QeDecryption.KeyLookup keys) {
    QeOptions opts = QeOptions.of(options);
    UUID keyId = keyId(options);
    if (opts.queryType() == QeOptions.QueryType.RANGE) {
      throw QeOptions.invalid("EncryptOptions.queryType",
          "Encrypt may not be used for range queries. Use EncryptExpression.", null);
    }
    checkEncryptable(value, options.getAlgorithm());
    QeKey key = keys.byId(keyId);
    return switch (opts.indexType()) {
      case NONE -> QePayloads.unindexed(value, keyId, key, random);
      case EQUALITY -> opts.queryType() == null
          ? QePayloads.insert(value, keyId, key, keyId, key, opts.contentionFactor(), null, random)
          : QePayloads.findEquality(value, key, opts.contentionFactor());
      case RANGE -> rangeInsert(value, opts, keyId, key, keyId, key);
      case STRING -> throw new IllegalStateException("refused by QeOptions");
    };
  }

  /**
   * Encrypts a range query: {@code expression} is {@code {$and: [...]}} with one or two bounds on
   * one field; each bound's value becomes a subtype-13 payload, the first carrying the min-cover
   * of the whole interval and the second a stub that shares its payload id (qe-formats.md §5.2).
   */
  public BsonDocument encryptExpression(BsonDocument expression, EncryptOptions options,
      QeDecryption.KeyLookup keys) {
    QeOptions opts = QeOptions.of(options);
    UUID keyId = keyId(options);
    if (opts.queryType() != QeOptions.QueryType.RANGE) {
      throw QeOptions.invalid("EncryptOptions.queryType",
          "EncryptExpression may only be used for range queries.", "queryType is "
              + (options.getQueryType() == null ? "not set" : "'" + options.getQueryType() + "'"));
    }
    RangeExpression query = RangeExpression.parse(expression);
    BsonValue typed = query.lower() != null ? query.lower() : query.upper();
    RangeIndex index = RangeIndex.of(opts.rangeOptions()).forType(typed.getBsonType());
    MinCover.Interval interval = new MinCover.Interval(
        query.lower() != null ? query.lower() : new BsonDouble(Double.NEGATIVE_INFINITY),
        query.lower() == null || query.lowerIncluded(),
        query.upper() != null ? query.upper() : new BsonDouble(Double.POSITIVE_INFINITY),
        query.upper() == null || query.upperIncluded());
    MinCover.Cover cover = index.cover(interval);
    int payloadId = payloadIds.getAsInt();
    QeKey key = keys.byId(keyId);
    BsonBinary first = QePayloads.findRange(cover, key, opts.contentionFactor(), payloadId,
        query.firstOperator(), query.secondOperator(), index);
    BsonBinary second = query.secondOperator() == 0 ? null : QePayloads.findRangeStub(payloadId,
        query.firstOperator(), query.secondOperator());
    return query.rebuild(first, second);
  }

  /** A Range insert payload; the index key gives the tokens, the user key encrypts the value. */
  BsonBinary rangeInsert(BsonValue value, QeOptions opts, UUID indexKeyId, QeKey indexKey,
      UUID userKeyId, QeKey userKey) {
    RangeIndex index = RangeIndex.of(opts.rangeOptions()).forType(value.getBsonType());
    return QePayloads.insert(value, indexKeyId, indexKey, userKeyId, userKey,
        opts.contentionFactor(), index.insertOf(value), random);
  }

  /** The values no Queryable Encryption algorithm takes (libmongocrypt's texts). */
  static void checkEncryptable(BsonValue value, String algorithm) {
    BsonType type = value.getBsonType();
    switch (type) {
      case NULL, MIN_KEY, MAX_KEY, UNDEFINED -> throw new UnencryptableValueException(type,
          algorithm, "BSON type invalid for encryption: " + type + " cannot be encrypted");
      case BINARY -> {
        if (value.asBinary().getType() == BsonBinarySubType.ENCRYPTED.getValue()) {
          throw new UnencryptableValueException(type, algorithm, "BSON binary subtype 6 is invalid"
              + " for encryption: the value is already encrypted");
        }
      }
      default -> {
        // every other type may be encrypted; the index decides which it can query
      }
    }
  }

  private static UUID keyId(EncryptOptions options) {
    BsonBinary id = options.getKeyId();
    if (id == null) {
      throw new ConfigurationException("EncryptOptions.keyId",
          "Queryable Encryption needs the data key's id (keyAltName cannot be used)");
    }
    return io.fle4j.internal.vault.KeyDocument.uuid(id, "EncryptOptions.keyId");
  }
}
