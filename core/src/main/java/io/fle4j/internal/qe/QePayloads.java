package io.fle4j.internal.qe;

import io.fle4j.internal.crypto.BsonValueBytes;
import io.fle4j.internal.crypto.UuidBytes;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import org.bson.BsonBinary;
import org.bson.BsonBinarySubType;
import org.bson.BsonValue;

/**
 * Builds the protocol-v2 payloads a client sends (qe-formats.md §4, §5.1, §7.3), byte for byte as
 * libmongocrypt builds them: the insert/update payload (blob subtype 11) for Indexed and Range
 * values, the equality find payload (12), and the unindexed value (16), which is stored as sent.
 *
 * <p>The random bytes are drawn in libmongocrypt's order (contention factor, IV of {@code p}, IV of
 * {@code v}, one IV per range edge), so that its recorded test bytes reproduce its payloads.
 */
final class QePayloads {
  static final byte INSERT_UPDATE_V2 = 11;
  static final byte FIND_EQUALITY_V2 = 12;
  static final byte FIND_RANGE_V2 = 13;
  static final byte UNINDEXED_V2 = 16;

  private QePayloads() {}

  /**
   * What a range insert adds to the equality payload: the edges of the value (in libmongocrypt's
   * order, {@code leafIndex} naming the full-length one) and the index parameters actually used.
   */
  record RangeInsert(List<String> edges, int leafIndex, long sparsity, Integer precision,
      int trimFactor, BsonValue min, BsonValue max) {}

  /** FLE2UnindexedEncryptedValueV2: {@code 0x10 ‖ key id ‖ type ‖ FLE2v2AEAD(body)}. */
  static BsonBinary unindexed(BsonValue value, UUID userKeyId, QeKey userKey, QeRandom random) {
    byte[] body = BsonValueBytes.body(value);
    QeKey.Worker user = userKey.borrow();
    try {
      byte[] blob = new byte[18 + Fle2Ciphers.v2AeadLength(body.length)];
      blob[0] = UNINDEXED_V2;
      UuidBytes.put(blob, 1, userKeyId);
      blob[17] = (byte) value.getBsonType().getValue();
      random.fill(blob, 18, Fle2Ciphers.IV_LENGTH);
      Fle2Ciphers.sealV2(user, blob, 0, 18, body, 0, body.length, blob, 18);
      return new BsonBinary(BsonBinarySubType.ENCRYPTED, blob);
    } finally {
      userKey.release(user);
      Arrays.fill(body, (byte) 0);
    }
  }

  /**
   * FLE2InsertUpdatePayloadV2 for an Indexed value, or a Range value when {@code range} is given:
   * tokens from the index key, the value encrypted with the user key.
   */
  static BsonBinary insert(BsonValue value, UUID indexKeyId, QeKey indexKey, UUID userKeyId,
      QeKey userKey, long maxContention, RangeInsert range, QeRandom random) {
    byte[] body = BsonValueBytes.body(value);
    long k = random.contentionFactor(maxContention);
    QeKey.Worker index = indexKey.borrow();
    try {
      QeTokens.FromData tokens = QeTokens.fromData(index, body, 0, body.length);
      byte[] d = QeTokens.withContention(index, tokens.edc(), k);
      byte[] s = QeTokens.withContention(index, tokens.esc(), k);
      byte[] p = encryptedEscToken(index, s, range == null ? -1 : 0, random);
      byte[] v = userEncryptedValue(body, userKeyId, userKey, random);
      PayloadWriter payload = new PayloadWriter(INSERT_UPDATE_V2)
          .binary("d", d)
          .binary("s", s)
          .binary("p", p)
          .binary("u", BsonBinarySubType.UUID_STANDARD.getValue(), UuidBytes.of(indexKeyId))
          .int32("t", value.getBsonType().getValue())
          .binary("v", v)
          .binary("e", index.serverDataEncryptionToken())
          .binary("l", tokens.server())
          .int64("k", k);
      if (range != null) {
        appendRange(payload, index, range, k, random);
      }
      return payload.toBinary();
    } finally {
      indexKey.release(index);
      Arrays.fill(body, (byte) 0);
    }
  }

  /** FLE2FindEqualityPayloadV2: {@code {d, s, l, cm}}, deterministic. */
  static BsonBinary findEquality(BsonValue value, QeKey indexKey, long maxContention) {
    byte[] body = BsonValueBytes.body(value);
    QeKey.Worker index = indexKey.borrow();
    try {
      QeTokens.FromData tokens = QeTokens.fromData(index, body, 0, body.length);
      return new PayloadWriter(FIND_EQUALITY_V2)
          .binary("d", tokens.edc())
          .binary("s", tokens.esc())
          .binary("l", tokens.server())
          .int64("cm", maxContention)
          .toBinary();
    } finally {
      indexKey.release(index);
      Arrays.fill(body, (byte) 0);
    }
  }

  /**
   * FLE2FindRangePayloadV2 carrying the tokens of every min-cover edge and the index parameters
   * the server checks: {@code {payload: {g: [{d, s, l}...], cm}, payloadId, firstOperator,
   * secondOperator?, sp, pn?, tf, mn, mx}}.
   */
  static BsonBinary findRange(MinCover.Cover cover, QeKey indexKey, long maxContention,
      int payloadId, int firstOperator, int secondOperator, RangeIndex index) {
    List<String> edges = cover.edges();
    QeKey.Worker worker = indexKey.borrow();
    try {
      PayloadWriter payload = new PayloadWriter(FIND_RANGE_V2)
          .startDocument("payload")
          .startArray("g");
      for (int i = 0; i < edges.size(); i++) {
        byte[] bytes = edges.get(i).getBytes(StandardCharsets.US_ASCII);
        QeTokens.FromData tokens = QeTokens.fromData(worker, bytes, 0, bytes.length);
        payload.startDocument(Integer.toString(i))
            .binary("d", tokens.edc())
            .binary("s", tokens.esc())
            .binary("l", tokens.server())
            .end();
      }
      payload.end().int64("cm", maxContention).end();
      appendOperators(payload, payloadId, firstOperator, secondOperator);
      payload.int64("sp", index.sparsity());
      if (index.precision() != null) {
        payload.int32("pn", index.precision());
      }
      return payload.int32("tf", cover.usedTrimFactor())
          .value("mn", index.min())
          .value("mx", index.max())
          .toBinary();
    } finally {
      indexKey.release(worker);
    }
  }

  /** The second half of a two-sided range query: operators and the shared id, no tokens. */
  static BsonBinary findRangeStub(int payloadId, int firstOperator, int secondOperator) {
    return appendOperators(new PayloadWriter(FIND_RANGE_V2), payloadId, firstOperator,
        secondOperator).toBinary();
  }

  private static PayloadWriter appendOperators(PayloadWriter payload, int payloadId,
      int firstOperator, int secondOperator) {
    payload.int32("payloadId", payloadId).int32("firstOperator", firstOperator);
    if (secondOperator != 0) {
      payload.int32("secondOperator", secondOperator);
    }
    return payload;
  }

  /** {@code g}, then the parameters the server checks against the collection (SERVER-91889). */
  private static void appendRange(PayloadWriter payload, QeKey.Worker index, RangeInsert range,
      long k, QeRandom random) {
    payload.startArray("g");
    for (int i = 0; i < range.edges().size(); i++) {
      byte[] edge = range.edges().get(i).getBytes(StandardCharsets.US_ASCII);
      QeTokens.FromData tokens = QeTokens.fromData(index, edge, 0, edge.length);
      byte[] s = QeTokens.withContention(index, tokens.esc(), k);
      payload.startDocument(Integer.toString(i))
          .binary("d", QeTokens.withContention(index, tokens.edc(), k))
          .binary("s", s)
          .binary("l", tokens.server())
          .binary("p", encryptedEscToken(index, s, i == range.leafIndex() ? 1 : 0, random))
          .end();
    }
    payload.end().int64("sp", range.sparsity());
    if (range.precision() != null) {
      payload.int32("pn", range.precision());
    }
    payload.int32("tf", range.trimFactor())
        .value("mn", range.min())
        .value("mx", range.max());
  }

  /**
   * {@code p}: the ESC token (with an isLeaf byte for range, {@code isLeaf} ≥ 0) under the ECOC
   * token, FLE2 (CTR, no MAC), after a random IV.
   */
  private static byte[] encryptedEscToken(QeKey.Worker index, byte[] esc, int isLeaf,
      QeRandom random) {
    int length = esc.length + (isLeaf >= 0 ? 1 : 0);
    byte[] plain = Arrays.copyOf(esc, length);
    if (isLeaf >= 0) {
      plain[esc.length] = (byte) isLeaf;
    }
    byte[] p = new byte[Fle2Ciphers.IV_LENGTH + length];
    random.fill(p, 0, Fle2Ciphers.IV_LENGTH);
    Fle2Ciphers.ctr(index, index.ecocBlocks(), p, 0, plain, 0, length, p, Fle2Ciphers.IV_LENGTH);
    return p;
  }

  /** {@code v}: the user key id, then FLE2v2AEAD of the body with that id as associated data. */
  private static byte[] userEncryptedValue(byte[] body, UUID userKeyId, QeKey userKey,
      QeRandom random) {
    byte[] v = new byte[16 + Fle2Ciphers.v2AeadLength(body.length)];
    UuidBytes.put(v, 0, userKeyId);
    random.fill(v, 16, Fle2Ciphers.IV_LENGTH);
    QeKey.Worker user = userKey.borrow();
    try {
      Fle2Ciphers.sealV2(user, v, 0, 16, body, 0, body.length, v, 16);
    } finally {
      userKey.release(user);
    }
    return v;
  }
}
