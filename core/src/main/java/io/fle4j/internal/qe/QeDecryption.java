package io.fle4j.internal.qe;

import io.fle4j.internal.crypto.UuidBytes;
import io.fle4j.CiphertextException;
import io.fle4j.CiphertextException.Reason;
import io.fle4j.internal.crypto.BsonValueBytes;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.UUID;
import org.bson.BsonBinary;
import org.bson.BsonBinaryReader;
import org.bson.BsonDocument;
import org.bson.BsonType;
import org.bson.BsonValue;
import org.bson.codecs.BsonDocumentCodec;
import org.bson.codecs.DecoderContext;

/**
 * Decrypts every stored or sent Queryable Encryption form that carries a value (qe-formats.md §7,
 * §7.5): the v2 forms 11 (insert payload), 14 (indexed equality), 15 (indexed range), 16
 * (unindexed) and 17 (indexed text), and the v1 forms 4, 6, 7 and 9 that older clients and servers
 * wrote. Markings and find payloads (3, 5, 10, 12, 13, 18) carry no value and are returned
 * unchanged, as libmongocrypt returns them.
 *
 * <p>Every length is checked before it is used; a malformed or altered value gives a {@link
 * CiphertextException} naming the form and the part, never a value.
 */
public final class QeDecryption {
  private static final int HEADER = 18; // blob subtype, key id, BSON type
  private static final int METADATA_BLOCK = 96;
  private static final BsonDocumentCodec CODEC = new BsonDocumentCodec();
  private static final String[] V2_INSERT_FIELDS = {"d", "s", "p", "u", "t", "v", "e", "l", "k"};
  private static final String[] V1_INSERT_FIELDS = {"u", "t", "v"};

  private QeDecryption() {}

  /** Finds a data key by id, from the cache, the key vault and the KMS. */
  @FunctionalInterface
  public interface KeyLookup {
    QeKey byId(UUID id);
  }

  /** Whether {@code blobSubtype} is a Queryable Encryption form (3 to 18). */
  public static boolean isQueryableEncryption(byte blobSubtype) {
    return blobSubtype >= 3 && blobSubtype <= 18 && blobSubtype != 8;
  }

  /**
   * The value in a Queryable Encryption binary (subtype 6, blob subtype 3–18), or the binary
   * itself for the forms that hold none.
   */
  public static BsonValue decrypt(BsonBinary binary, KeyLookup keys) {
    byte[] data = binary.getData();
    if (data.length == 0) {
      throw malformed(Reason.TOO_SHORT, "an empty binary holds no Queryable Encryption value");
    }
    byte form = data[0];
    return switch (form) {
      case 16 -> unindexed(data, keys, true);
      case 6 -> unindexed(data, keys, false);
      case 11 -> insertPayload(data, keys, true);
      case 4 -> insertPayload(data, keys, false);
      case 14 -> indexedV2(data, keys, form, HEADER, 1, "FLE2IndexedEqualityEncryptedValueV2");
      case 15 -> indexedRange(data, keys);
      case 17 -> indexedText(data, keys);
      case 7, 9 -> indexedV1(data, keys, form);
      case 3, 5, 10, 12, 13, 18 -> binary;
      default -> throw malformed(Reason.UNSUPPORTED_BLOB_SUBTYPE,
          "blob subtype " + (form & 0xff) + " is not a Queryable Encryption form");
    };
  }

  /** 16 (v2) and 6 (v1): {@code subtype ‖ key id ‖ type ‖ AEAD}, the header as associated data. */
  private static BsonValue unindexed(byte[] data, KeyLookup keys, boolean v2) {
    String form = v2 ? "FLE2UnindexedEncryptedValueV2" : "FLE2UnindexedEncryptedValue";
    requireLength(form, data.length, HEADER + 1);
    UUID keyId = UuidBytes.get(data, 1);
    byte[] body = open(form, keys.byId(keyId), keyId, v2, data, 0, HEADER, data, HEADER,
        data.length - HEADER);
    return value(form, data[17], body);
  }

  /** 11 (v2) and 4 (v1): the BSON payload's {@code v} is {@code user key id ‖ AEAD}. */
  private static BsonValue insertPayload(byte[] data, KeyLookup keys, boolean v2) {
    String form = v2 ? "FLE2InsertUpdatePayloadV2" : "FLE2InsertUpdatePayload";
    BsonDocument payload = bsonBody(form, data);
    // libmongocrypt's parser requires these even though decryption reads only u, t and v.
    for (String field : v2 ? V2_INSERT_FIELDS : V1_INSERT_FIELDS) {
      if (!payload.containsKey(field)) {
        throw malformed(Reason.MALFORMED_CONTENT, form + " lacks its required field '" + field
            + "'");
      }
      BsonValue value = payload.get(field);
      boolean ok = switch (field) {
        case "t" -> value.isInt32();
        case "k" -> value.isInt64();
        case "u" -> value.isBinary() && value.asBinary().getType() == 4
            && value.asBinary().getData().length == 16;
        default -> value.isBinary();
      };
      if (!ok) {
        throw malformed(Reason.MALFORMED_CONTENT, form + " field '" + field + "' has the wrong"
            + " type: " + describe(value));
      }
    }
    BsonValue t = payload.get("t");
    BsonValue v = payload.get("v");
    if (t == null || !t.isInt32() || t.asInt32().getValue() < 0 || t.asInt32().getValue() > 255) {
      throw malformed(Reason.MALFORMED_CONTENT, form + " field 't' must be an int32 BSON type, got "
          + describe(t));
    }
    if (v == null || !v.isBinary() || v.asBinary().getData().length < 17) {
      throw malformed(Reason.MALFORMED_CONTENT, form + " field 'v' must be a binary holding a key"
          + " id and a ciphertext, got " + describe(v));
    }
    byte[] encrypted = v.asBinary().getData();
    UUID keyId = UuidBytes.get(encrypted, 0);
    byte[] body = open(form, keys.byId(keyId), keyId, v2, encrypted, 0, 16, encrypted, 16,
        encrypted.length - 16);
    return value(form, (byte) t.asInt32().getValue(), body);
  }

  /** 15: {@code 0x0F ‖ S_KeyId ‖ type ‖ edge count (u8) ‖ SEV ‖ blocks}. */
  private static BsonValue indexedRange(byte[] data, KeyLookup keys) {
    String form = "FLE2IndexedRangeEncryptedValueV2";
    requireLength(form, data.length, HEADER + 1);
    int edges = data[HEADER] & 0xff;
    if (edges == 0) {
      throw malformed(Reason.MALFORMED_CONTENT, form + " has an edge count of 0; it needs one"
          + " metadata block per edge, at least one");
    }
    return indexedV2(data, keys, (byte) 15, HEADER + 1, edges, form);
  }

  /** 17: {@code 0x11 ‖ S_KeyId ‖ type ‖ edge, substring, suffix counts (u32 LE) ‖ SEV ‖ blocks}. */
  private static BsonValue indexedText(byte[] data, KeyLookup keys) {
    String form = "FLE2IndexedTextEncryptedValue";
    requireLength(form, data.length, HEADER + 12);
    ByteBuffer counts = ByteBuffer.wrap(data, HEADER, 12).order(java.nio.ByteOrder.LITTLE_ENDIAN);
    long edges = Integer.toUnsignedLong(counts.getInt());
    long substrings = Integer.toUnsignedLong(counts.getInt());
    long suffixes = Integer.toUnsignedLong(counts.getInt());
    if (edges < substrings + suffixes + 1) {
      throw malformed(Reason.MALFORMED_CONTENT, form + " counts " + edges + " edges for "
          + substrings + " substring and " + suffixes + " suffix blocks plus the exact one");
    }
    if (edges > (data.length - HEADER - 12) / METADATA_BLOCK) {
      throw malformed(Reason.TOO_SHORT, form + " of " + data.length + " bytes cannot hold "
          + edges + " metadata blocks of " + METADATA_BLOCK);
    }
    return indexedV2(data, keys, (byte) 17, HEADER + 12, (int) edges, form);
  }

  /**
   * The v2 indexed forms: after the header (and counts) comes the server's envelope {@code IV ‖
   * CTR(ServerDataEncryptionLevel1 of S_Key, K_KeyId ‖ ClientEncryptedValue)}, then the metadata
   * blocks, which the client does not need.
   */
  private static BsonValue indexedV2(byte[] data, KeyLookup keys, byte form, int envelopeOffset,
      int blocks, String name) {
    long envelopeLength = (long) data.length - envelopeOffset - (long) blocks * METADATA_BLOCK;
    // IV, the client key id, and the smallest FLE2v2AEAD ciphertext.
    int minimum = Fle2Ciphers.IV_LENGTH + 16 + Fle2Ciphers.MIN_V2_AEAD_LENGTH;
    if (data.length < envelopeOffset || envelopeLength < minimum) {
      throw malformed(Reason.TOO_SHORT, name + " of " + data.length + " bytes with " + blocks
          + " metadata block(s) leaves " + Math.max(envelopeLength, 0) + " bytes for the"
          + " encrypted value; it needs at least " + minimum);
    }
    UUID serverKeyId = UuidBytes.get(data, 1);
    byte[] inner = openEnvelope(keys.byId(serverKeyId), data, envelopeOffset,
        (int) envelopeLength);
    try {
      UUID clientKeyId = UuidBytes.get(inner, 0);
      byte[] body = open(name, keys.byId(clientKeyId), clientKeyId, true, inner, 0, 16, inner, 16,
          inner.length - 16);
      return value(name, data[17], body);
    } finally {
      Arrays.fill(inner, (byte) 0);
    }
  }

  /**
   * v1 indexed forms 7 and 9: {@code subtype ‖ S_KeyId ‖ type ‖ IV ‖ CTR(ServerDataEncryptionLevel1,
   * u64le(length) ‖ K_KeyId ‖ ClientEncryptedValue(length − 16) ‖ tokens…)}, the inner value
   * FLE2AEAD (CTR) under K_Key.
   */
  private static BsonValue indexedV1(byte[] data, KeyLookup keys, byte form) {
    String name = form == 7 ? "FLE2IndexedEqualityEncryptedValue" : "FLE2IndexedRangeEncryptedValue";
    requireLength(name, data.length, HEADER + Fle2Ciphers.IV_LENGTH + 24 + 1);
    UUID serverKeyId = UuidBytes.get(data, 1);
    byte[] inner = openEnvelope(keys.byId(serverKeyId), data, HEADER, data.length - HEADER);
    try {
      long length = ByteBuffer.wrap(inner, 0, 8).order(java.nio.ByteOrder.LITTLE_ENDIAN).getLong();
      if (length < 17 || length > inner.length - 8) {
        throw malformed(Reason.MALFORMED_CONTENT, name + " declares an inner length of "
            + Long.toUnsignedString(length) + " in " + (inner.length - 8) + " bytes");
      }
      UUID clientKeyId = UuidBytes.get(inner, 8);
      byte[] body = open(name, keys.byId(clientKeyId), clientKeyId, false, inner, 8, 16, inner, 24,
          (int) length - 16);
      return value(name, data[17], body);
    } finally {
      Arrays.fill(inner, (byte) 0);
    }
  }

  /** Decrypts the server's envelope {@code IV ‖ CTR(...)} at {@code data[offset, +length)}. */
  private static byte[] openEnvelope(QeKey serverKey, byte[] data, int offset, int length) {
    byte[] inner = new byte[length - Fle2Ciphers.IV_LENGTH];
    QeKey.Worker worker = serverKey.borrow();
    try {
      Fle2Ciphers.ctr(worker, worker.serverDataBlocks(), data, offset, data,
          offset + Fle2Ciphers.IV_LENGTH, inner.length, inner, 0);
      return inner;
    } finally {
      serverKey.release(worker);
    }
  }

  private static byte[] open(String form, QeKey key, UUID keyId, boolean v2, byte[] aad,
      int aadOffset, int aadLength, byte[] c, int cOffset, int cLength) {
    QeKey.Worker worker = key.borrow();
    byte[] plaintext;
    try {
      plaintext = v2
          ? Fle2Ciphers.openV2(worker, aad, aadOffset, aadLength, c, cOffset, cLength)
          : Fle2Ciphers.openV1(worker, aad, aadOffset, aadLength, c, cOffset, cLength);
    } catch (IllegalArgumentException e) {
      throw malformed(Reason.MALFORMED_CONTENT, form + " for data key " + keyId + " is malformed: "
          + e.getMessage());
    } finally {
      key.release(worker);
    }
    if (plaintext == null) {
      throw malformed(Reason.AUTHENTICATION_FAILED, form + " for data key " + keyId
          + " failed authentication (HMAC validation failure): it was altered, or made with a"
          + " different key");
    }
    return plaintext;
  }

  private static BsonValue value(String form, byte type, byte[] body) {
    try {
      return BsonValueBytes.value(type, body);
    } catch (IllegalArgumentException e) {
      throw malformed(Reason.MALFORMED_CONTENT, form + " decrypted to bytes that are not a value of"
          + " its BSON type: " + e.getMessage());
    } finally {
      Arrays.fill(body, (byte) 0);
    }
  }

  /**
   * The document after the blob subtype of a BSON-bodied form, which must fill the rest of the
   * binary exactly.
   *
   * @param form the form's name, for the error message
   */
  static BsonDocument bsonBody(String form, byte[] data) {
    if (data.length < 6) {
      throw malformed(Reason.TOO_SHORT, form + " of " + data.length + " bytes holds no document");
    }
    int declared = ByteBuffer.wrap(data, 1, 4).order(java.nio.ByteOrder.LITTLE_ENDIAN).getInt();
    if (declared != data.length - 1) {
      throw malformed(Reason.MALFORMED_CONTENT, form + " document declares " + declared
          + " bytes in a " + (data.length - 1) + "-byte payload");
    }
    try (BsonBinaryReader reader = new BsonBinaryReader(ByteBuffer.wrap(data, 1, declared)
        .slice().order(java.nio.ByteOrder.LITTLE_ENDIAN))) {
      return CODEC.decode(reader, DecoderContext.builder().build());
    } catch (org.bson.BSONException
        | IllegalArgumentException | IndexOutOfBoundsException e) {
      throw malformed(Reason.MALFORMED_CONTENT, form + " document is not valid BSON: "
          + e.getMessage());
    }
  }

  private static void requireLength(String form, int length, int minimum) {
    if (length < minimum) {
      throw malformed(Reason.TOO_SHORT, form + " of " + length + " bytes is too short; it has at"
          + " least " + minimum);
    }
  }

  private static String describe(BsonValue value) {
    if (value == null) {
      return "nothing";
    }
    return value.getBsonType() == BsonType.INT32 ? "int32 " + value.asInt32().getValue()
        : value.getBsonType().toString().toLowerCase(java.util.Locale.ROOT);
  }

  private static CiphertextException malformed(Reason reason, String message) {
    return new CiphertextException(reason, message);
  }
}
