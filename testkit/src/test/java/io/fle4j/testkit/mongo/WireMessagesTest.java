package io.fle4j.testkit.mongo;

import static io.fle4j.testkit.mongo.BinarySubtypeTunnel.Direction.TO_CLIENT;
import static io.fle4j.testkit.mongo.BinarySubtypeTunnel.Direction.TO_SERVER;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.bson.BsonArray;
import org.bson.BsonBinary;
import org.bson.BsonBinaryReader;
import org.bson.BsonBoolean;
import org.bson.BsonDateTime;
import org.bson.BsonDbPointer;
import org.bson.BsonDecimal128;
import org.bson.BsonDocument;
import org.bson.BsonDouble;
import org.bson.BsonInt32;
import org.bson.BsonInt64;
import org.bson.BsonJavaScript;
import org.bson.BsonJavaScriptWithScope;
import org.bson.BsonMaxKey;
import org.bson.BsonMinKey;
import org.bson.BsonNull;
import org.bson.BsonObjectId;
import org.bson.BsonRegularExpression;
import org.bson.BsonSerializationException;
import org.bson.BsonString;
import org.bson.BsonSymbol;
import org.bson.BsonTimestamp;
import org.bson.BsonUndefined;
import org.bson.RawBsonDocument;
import org.bson.codecs.BsonDocumentCodec;
import org.bson.codecs.DecoderContext;
import org.bson.types.Decimal128;
import org.bson.types.ObjectId;
import org.junit.jupiter.api.Test;

/** Byte-level tests of the relay's message rewriting, without any server. */
class WireMessagesTest {

  private static final int REQUEST_ID = 0x01020304;
  private static final int OP_COMPRESSED = 2012;

  @Test
  void rewrite_opMsgBodyWithSubtype6_tunnelsToServerAndRestoresToClient() {
    BsonDocument body =
        new BsonDocument("insert", new BsonString("c")).append("v", binary(6, 1, 2, 3));
    byte[] original = opMsg(0, kind0(body));

    byte[] toServer = WireMessages.rewrite(original, TO_SERVER);

    assertThat(intAt(toServer, 0)).isEqualTo(toServer.length).isEqualTo(original.length + 17);
    assertThat(intAt(toServer, 4)).isEqualTo(REQUEST_ID);
    assertThat(intAt(toServer, 12)).isEqualTo(WireMessages.OP_MSG);
    BsonBinary tunnelled = decode(toServer, 21).getBinary("v");
    assertThat(tunnelled.getType()).isZero();
    assertThat(tunnelled.getData())
        .isEqualTo(concat(BinarySubtypeTunnel.MARKER, bytes(6, 1, 2, 3)));
    assertThat(WireMessages.rewrite(toServer, TO_CLIENT)).isEqualTo(original);
  }

  @Test
  void rewrite_opMsgWithChecksum_dropsChecksumAndClearsOnlyThatFlag() {
    int moreToCome = 2;
    byte[] withoutChecksum = opMsg(moreToCome, kind0(new BsonDocument("ping", new BsonInt32(1))));
    byte[] withChecksum =
        opMsg(
            WireMessages.CHECKSUM_PRESENT | moreToCome,
            kind0(new BsonDocument("ping", new BsonInt32(1))),
            new byte[] {9, 9, 9, 9}); // checksum

    byte[] rewritten = WireMessages.rewrite(withChecksum, TO_CLIENT);

    assertThat(rewritten).isEqualTo(withoutChecksum);
    assertThat(intAt(rewritten, 16)).isEqualTo(moreToCome);
  }

  @Test
  void rewrite_documentSequence_tunnelsEveryDocumentAndRecomputesSectionSize() {
    byte[] original =
        opMsg(
            0,
            kind0(new BsonDocument("insert", new BsonString("c"))),
            kind1(
                "documents",
                new BsonDocument("_id", new BsonInt32(1)).append("v", binary(6, 1)),
                new BsonDocument("_id", new BsonInt32(2)).append("v", binary(5, 2)),
                new BsonDocument("_id", new BsonInt32(3)).append("v", binary(0, 3))));

    byte[] toServer = WireMessages.rewrite(original, TO_SERVER);

    List<BsonDocument> sequence = documentSequence(toServer);
    assertThat(sequence).hasSize(3);
    assertThat(sequence.get(0).getBinary("v").getType()).isZero();
    assertThat(sequence.get(1).getBinary("v").getType()).isZero();
    assertThat(sequence.get(2).getBinary("v")).isEqualTo(binary(0, 3));
    assertThat(toServer.length).isEqualTo(original.length + 2 * 17);
    assertThat(WireMessages.rewrite(toServer, TO_CLIENT)).isEqualTo(original);
  }

  @Test
  void rewrite_opQueryWithFieldSelector_rewritesBothDocuments() {
    BsonDocument query = new BsonDocument("v", binary(6, 1, 2));
    BsonDocument selector = new BsonDocument("w", binary(7, 3));
    byte[] original =
        message(
            WireMessages.OP_QUERY,
            concat(
                le(0), cstring("db.coll"), le(0), le(-1), bsonBytes(query), bsonBytes(selector)));

    byte[] toServer = WireMessages.rewrite(original, TO_SERVER);

    assertThat(toServer.length).isEqualTo(original.length + 2 * 17);
    int queryOffset = 16 + 4 + "db.coll".length() + 1 + 8;
    BsonDocument rewrittenQuery = decode(toServer, queryOffset);
    assertThat(rewrittenQuery.getBinary("v").getType()).isZero();
    BsonDocument rewrittenSelector =
        decode(toServer, queryOffset + intAt(toServer, queryOffset));
    assertThat(rewrittenSelector.getBinary("w").getType()).isZero();
    assertThat(WireMessages.rewrite(toServer, TO_CLIENT)).isEqualTo(original);
  }

  @Test
  void rewrite_opReply_restoresEveryDocument() {
    BsonDocument first = new BsonDocument("v", binary(6, 1));
    BsonDocument second = new BsonDocument("a", new BsonArray(List.of(binary(0x80, 2))));
    byte[] replyHead = concat(le(8), le(0), le(0), le(0), le(2)); // flags, cursorId(2), from, n
    byte[] restored =
        message(WireMessages.OP_REPLY, concat(replyHead, bsonBytes(first), bsonBytes(second)));
    byte[] tunnelled = WireMessages.rewrite(restored, TO_SERVER); // same layout, tunnelled docs

    assertThat(tunnelled).isNotEqualTo(restored);
    assertThat(WireMessages.rewrite(tunnelled, TO_CLIENT)).isEqualTo(restored);
  }

  @Test
  void rewrite_otherOpcode_passesTheSameArrayThrough() {
    byte[] compressed = message(OP_COMPRESSED, new byte[] {1, 2, 3, 4, 5});

    assertThat(WireMessages.rewrite(compressed, TO_SERVER)).isSameAs(compressed);
  }

  @Test
  void rewrite_everyBsonType_survivesExactlyAndUnstorableTypesAreTunnelled() {
    BsonDocument all =
        new BsonDocument("double", new BsonDouble(Double.NaN))
            .append("string", new BsonString("héllo"))
            .append("doc", new BsonDocument("x", new BsonInt32(1)))
            .append("array", new BsonArray(List.of(new BsonInt32(1), new BsonString("two"))))
            .append("binary", binary(6, 1))
            .append("undefined", new BsonUndefined())
            .append("objectId", new BsonObjectId(new ObjectId()))
            .append("bool", BsonBoolean.TRUE)
            .append("date", new BsonDateTime(1_700_000_000_000L))
            .append("null", BsonNull.VALUE)
            .append("regex", new BsonRegularExpression("^a.*", "im"))
            .append("dbPointer", new BsonDbPointer("db.c", new ObjectId()))
            .append("code", new BsonJavaScript("function() {}"))
            .append("symbol", new BsonSymbol("sym"))
            .append(
                "codeWithScope",
                new BsonJavaScriptWithScope("f()", new BsonDocument("s", binary(6, 4, 5))))
            .append("int32", new BsonInt32(-7))
            .append("timestamp", new BsonTimestamp(5, 6))
            .append("int64", new BsonInt64(Long.MIN_VALUE))
            .append("decimal", new BsonDecimal128(Decimal128.parse("3.14")))
            .append("minKey", new BsonMinKey())
            .append("maxKey", new BsonMaxKey());
    byte[] original = opMsg(0, kind0(all));

    byte[] toServer = WireMessages.rewrite(original, TO_SERVER);

    BsonDocument tunnelled = decode(toServer, 21);
    assertThat(tunnelled.getBinary("binary").getType()).isZero();
    for (String unstorable : List.of("undefined", "dbPointer", "symbol", "codeWithScope")) {
      assertThat(tunnelled.get(unstorable).isBinary()).as(unstorable).isTrue();
      assertThat(tunnelled.getBinary(unstorable).getType()).as(unstorable).isZero();
    }
    assertThat(WireMessages.rewrite(toServer, TO_CLIENT)).isEqualTo(original);
  }

  @Test
  void rewrite_sixteenByteUuids_areLeftAsTheyAre() {
    byte[] original =
        opMsg(
            0,
            kind0(
                new BsonDocument("standard", new BsonBinary((byte) 4, new byte[16]))
                    .append("legacy", new BsonBinary((byte) 3, new byte[16]))
                    .append("plain", binary(0, 1, 2))));

    assertThat(WireMessages.rewrite(original, TO_SERVER)).isEqualTo(original);
  }

  @Test
  void rewrite_uuidSubtypeOfWrongLength_isTunnelled() {
    byte[] original = opMsg(0, kind0(new BsonDocument("short", binary(4, 1, 2, 3))));

    byte[] toServer = WireMessages.rewrite(original, TO_SERVER);

    assertThat(decode(toServer, 21).getBinary("short").getType()).isZero();
    assertThat(WireMessages.rewrite(toServer, TO_CLIENT)).isEqualTo(original);
  }

  @Test
  void rewrite_plainBinaryThatStartsWithMarker_comesBackAsPlainBinary() {
    byte[] data = concat(BinarySubtypeTunnel.MARKER, bytes(6, 1, 2));
    byte[] original = opMsg(0, kind0(new BsonDocument("v", new BsonBinary(data))));

    byte[] toServer = WireMessages.rewrite(original, TO_SERVER);

    assertThat(decode(toServer, 21).getBinary("v").getData())
        .isEqualTo(concat(BinarySubtypeTunnel.MARKER, new byte[] {0}, data));
    assertThat(WireMessages.rewrite(toServer, TO_CLIENT)).isEqualTo(original);
  }

  @Test
  void rewrite_toClientWithoutMarker_leavesSubtype0Alone() {
    byte[] original = opMsg(0, kind0(new BsonDocument("v", new BsonBinary(new byte[40]))));

    assertThat(WireMessages.rewrite(original, TO_CLIENT)).isEqualTo(original);
  }

  @Test
  void rewrite_nestedDocumentLongerThanItsParent_throws() {
    // {"a": {"b": "x"}, "c": 1}: the inner document claims the bytes of "c" as well.
    byte[] good = opMsg(0, kind0(new BsonDocument("a", new BsonDocument("b", new BsonString("x")))
        .append("c", new BsonInt32(1))));
    byte[] bad = good.clone();
    int inner = 16 + 4 + 1 + 4 + 1 + 2; // header, flags, kind, outer length, type, "a\0"
    setInt(bad, inner, getInt(bad, inner) + 7);

    assertThatThrownBy(() -> WireMessages.rewrite(bad, TO_SERVER))
        .isInstanceOf(BsonSerializationException.class);
  }

  @Test
  void rewrite_randomlyDamagedMessages_failOnlyAsMalformedBson_andNeverHang() {
    // Issue 13, item 1, for the testkit's walker: every length is checked before use.
    BsonDocument body = new BsonDocument("s", new BsonString("text"))
        .append("d", new BsonDocument("b", binary(6, 1, 2, 3)).append("u", binary(4, 1, 2)))
        .append("a", new org.bson.BsonArray(java.util.List.of(new BsonInt32(1),
            new org.bson.BsonJavaScriptWithScope("f()", new BsonDocument("x", new BsonInt32(2))))))
        .append("r", new org.bson.BsonRegularExpression("a+", "i"));
    byte[] good = opMsg(0, kind0(body));
    java.util.Random random = new java.util.Random(13);
    // Preemptive: a walker that loops forever fails the test instead of hanging the build.
    org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(java.time.Duration.ofSeconds(30),
        () -> damageAndRewrite(good, random));
  }

  private static void damageAndRewrite(byte[] good, java.util.Random random) {
    for (int round = 0; round < 5_000; round++) {
      byte[] damaged = good.clone();
      for (int hits = 1 + random.nextInt(3); hits > 0; hits--) {
        int at = 16 + random.nextInt(damaged.length - 16);
        damaged[at] = random.nextInt(4) == 0 ? (byte) 0xFF : (byte) random.nextInt(256);
      }
      for (BinarySubtypeTunnel.Direction direction : BinarySubtypeTunnel.Direction.values()) {
        try {
          WireMessages.rewrite(damaged, direction);
        } catch (BsonSerializationException expected) {
          // refused as malformed
        }
      }
    }
  }

  @Test
  void rewrite_truncatedDocument_throws() {
    byte[] good = opMsg(0, kind0(new BsonDocument("v", binary(6, 1, 2, 3))));
    byte[] truncated = Arrays.copyOf(good, good.length - 3);
    setInt(truncated, 0, truncated.length);

    assertThatThrownBy(() -> WireMessages.rewrite(truncated, TO_SERVER))
        .isInstanceOf(BsonSerializationException.class);
  }

  @Test
  void rewrite_unknownSectionKind_throws() {
    byte[] message = opMsg(0, new byte[] {2, 0, 0, 0, 0});

    assertThatThrownBy(() -> WireMessages.rewrite(message, TO_SERVER))
        .isInstanceOf(BsonSerializationException.class)
        .hasMessageContaining("section kind 2");
  }

  @Test
  void rewrite_unknownBsonType_throws() {
    // {"a": <type 0x20> ...}: no such BSON type.
    byte[] document = {9, 0, 0, 0, 0x20, 'a', 0, 1, 0};
    byte[] message = opMsg(0, concat(new byte[] {0}, document));

    assertThatThrownBy(() -> WireMessages.rewrite(message, TO_CLIENT))
        .isInstanceOf(BsonSerializationException.class)
        .hasMessageContaining("0x20");
  }

  @Test
  void rewrite_trailingBytesAfterReplyDocuments_throws() {
    byte[] replyHead = concat(le(0), le(0), le(0), le(0), le(1));
    byte[] message =
        message(
            WireMessages.OP_REPLY,
            concat(replyHead, bsonBytes(new BsonDocument("ok", new BsonInt32(1))), new byte[3]));

    assertThatThrownBy(() -> WireMessages.rewrite(message, TO_CLIENT))
        .isInstanceOf(BsonSerializationException.class);
  }

  @Test
  void rewrite_createIndexesWithExistsPartialFilter_addsSparseOnlyToServer() {
    BsonDocument command =
        BsonDocument.parse(
            "{createIndexes: 'keys', indexes: ["
                + "{key: {keyAltNames: 1}, name: 'keyAltNames_1', unique: true,"
                + " partialFilterExpression: {keyAltNames: {$exists: true}}},"
                + "{key: {a: 1}, name: 'a_1', partialFilterExpression: {a: {$gt: 1}}}],"
                + " $db: 'vault'}");
    byte[] original = opMsg(0, kind0(command));

    BsonDocument toServer = decode(WireMessages.rewrite(original, TO_SERVER), 21);

    BsonDocument keyVaultIndex = toServer.getArray("indexes").get(0).asDocument();
    assertThat(keyVaultIndex.getBoolean("sparse")).isEqualTo(BsonBoolean.TRUE);
    assertThat(keyVaultIndex.getDocument("partialFilterExpression"))
        .isEqualTo(BsonDocument.parse("{keyAltNames: {$exists: true}}"));
    assertThat(keyVaultIndex.getBoolean("unique")).isEqualTo(BsonBoolean.TRUE);
    assertThat(toServer.getArray("indexes").get(1)).isEqualTo(command.getArray("indexes").get(1));
    assertThat(toServer.getString("$db").getValue()).isEqualTo("vault");
    assertThat(WireMessages.rewrite(original, TO_CLIENT)).isEqualTo(original);
  }

  // ------------------------------------------------------------------------------- helpers

  private static BsonBinary binary(int subtype, int... data) {
    return new BsonBinary((byte) subtype, bytes(data));
  }

  private static byte[] bytes(int... values) {
    byte[] bytes = new byte[values.length];
    for (int i = 0; i < values.length; i++) {
      bytes[i] = (byte) values[i];
    }
    return bytes;
  }

  private static byte[] bsonBytes(BsonDocument document) {
    ByteBuffer buffer =
        new RawBsonDocument(document, new BsonDocumentCodec()).getByteBuffer().asNIO();
    byte[] bytes = new byte[buffer.remaining()];
    buffer.get(bytes);
    return bytes;
  }

  private static byte[] kind0(BsonDocument body) {
    return concat(new byte[] {0}, bsonBytes(body));
  }

  private static byte[] kind1(String identifier, BsonDocument... documents) {
    byte[] payload = cstring(identifier);
    for (BsonDocument document : documents) {
      payload = concat(payload, bsonBytes(document));
    }
    return concat(new byte[] {1}, le(4 + payload.length), payload);
  }

  private static byte[] opMsg(int flags, byte[]... sections) {
    return message(WireMessages.OP_MSG, concat(le(flags), concat(sections)));
  }

  private static byte[] message(int opCode, byte[] body) {
    return concat(le(16 + body.length), le(REQUEST_ID), le(0), le(opCode), body);
  }

  private static byte[] le(int value) {
    return ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(value).array();
  }

  private static byte[] cstring(String value) {
    return concat(value.getBytes(StandardCharsets.UTF_8), new byte[] {0});
  }

  private static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] part : parts) {
      out.writeBytes(part);
    }
    return out.toByteArray();
  }

  private static int intAt(byte[] bytes, int offset) {
    return ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).getInt(offset);
  }

  private static int getInt(byte[] bytes, int offset) {
    return ByteBuffer.wrap(bytes, offset, 4).order(ByteOrder.LITTLE_ENDIAN).getInt();
  }

  private static void setInt(byte[] bytes, int offset, int value) {
    ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).putInt(offset, value);
  }

  private static BsonDocument decode(byte[] bytes, int offset) {
    ByteBuffer buffer = ByteBuffer.wrap(bytes, offset, intAt(bytes, offset)).slice();
    try (BsonBinaryReader reader = new BsonBinaryReader(buffer)) {
      return new BsonDocumentCodec().decode(reader, DecoderContext.builder().build());
    }
  }

  /** The documents of the kind-1 section that follows a kind-0 body at offset 20. */
  private static List<BsonDocument> documentSequence(byte[] message) {
    int sectionStart = 21 + intAt(message, 21); // after the kind byte and body of section 0
    assertThat(message[sectionStart]).isEqualTo((byte) 1);
    int size = intAt(message, sectionStart + 1);
    int end = sectionStart + 1 + size;
    assertThat(end).isEqualTo(message.length);
    int position = sectionStart + 1 + 4;
    while (message[position] != 0) {
      position++;
    }
    position++;
    List<BsonDocument> documents = new ArrayList<>();
    while (position < end) {
      documents.add(decode(message, position));
      position += intAt(message, position);
    }
    return documents;
  }
}
