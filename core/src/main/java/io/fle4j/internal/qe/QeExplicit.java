package io.fle4j.internal.qe;

import com.mongodb.client.model.vault.EncryptOptions;
import io.fle4j.ConfigurationException;
import io.fle4j.UnencryptableValueException;
import java.util.UUID;
import java.util.function.Function;
import org.bson.BsonBinary;
import org.bson.BsonBinarySubType;
import org.bson.BsonType;
import org.bson.BsonValue;

/**
 * Explicit Queryable Encryption (protocol v2): what {@code ClientEncryption.encrypt} does for the
 * algorithms Indexed, Unindexed and Range (qe-formats.md §9.3). Options and values are checked
 * before any key is looked up; the index key and the user key are both the one {@code keyId}, as
 * the specification's API has no separate index key.
 */
public final class QeExplicit {
  private final QeRandom random;

  /** Payloads with random IVs and contention draws from the pooled DRBG. */
  public QeExplicit() {
    this(QeRandom.SECURE);
  }

  QeExplicit(QeRandom random) {
    this.random = random;
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
      Function<UUID, QeKey> keys) {
    QeOptions opts = QeOptions.of(options);
    UUID keyId = keyId(options);
    if (opts.queryType() == QeOptions.QueryType.RANGE) {
      throw QeOptions.invalid("EncryptOptions.queryType",
          "Encrypt may not be used for range queries. Use EncryptExpression.", null);
    }
    checkEncryptable(value, options.getAlgorithm());
    QeKey key = keys.apply(keyId);
    return switch (opts.indexType()) {
      case NONE -> QePayloads.unindexed(value, keyId, key, random);
      case EQUALITY -> opts.queryType() == null
          ? QePayloads.insert(value, keyId, key, keyId, key, opts.contentionFactor(), null, random)
          : QePayloads.findEquality(value, key, opts.contentionFactor());
      case RANGE -> throw new UnsupportedOperationException(
          "algorithm 'Range' is not supported by fle4j yet");
      case STRING -> throw new IllegalStateException("refused by QeOptions");
    };
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
