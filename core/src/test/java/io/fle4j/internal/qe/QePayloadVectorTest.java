package io.fle4j.internal.qe;

import static io.fle4j.internal.qe.QeTestKeys.KEY_123;
import static io.fle4j.internal.qe.QeTestKeys.KEY_ABC;
import static org.assertj.core.api.Assertions.assertThat;

import io.fle4j.testing.SpecData;
import java.util.Base64;
import org.bson.BsonBinary;
import org.bson.BsonDocument;
import org.bson.BsonInt32;
import org.bson.BsonString;
import org.bson.BsonValue;
import org.junit.jupiter.api.Test;

/**
 * Payloads byte for byte as libmongocrypt makes them, with the random bytes its tests inject
 * ({@code test-mongocrypt-ctx-encrypt.c}, explicit cases "Unindexed (v2)", "Indexed (v2)" and
 * their variants), and the stored values it decrypts ({@code explicit-decrypt/},
 * {@code iev-v2/}).
 */
class QePayloadVectorTest {
  private static final String IV_P = "c743d675769ea788d5e5c440db240df9";
  private static final String IV_V = "4cd964104381e661fa1fa05c498ead21";
  private static final BsonString VALUE123 = new BsonString("value123");

  @Test
  void unindexed_matchesLibmongocrypt() {
    BsonBinary got = QePayloads.unindexed(VALUE123, KEY_ABC, QeTestKeys.key(KEY_ABC),
        QeTestKeys.replay("4d069564f5a05e9e3523b98f575acb15"));
    BsonDocument expected = SpecData.json(
        "libmongocrypt/test-data/fle2-insert-unindexed-v2/encrypted-payload.json");
    assertThat(base64(got)).isEqualTo(base64(expected.getArray("documents").get(0).asDocument()
        .getBinary("encrypted")));
  }

  @Test
  void indexedInsert_contention0_matchesLibmongocrypt() {
    assertThat(base64(insert(KEY_123, 0, IV_P + IV_V)))
        .isEqualTo(expected("insert-indexed-v2.json"));
  }

  @Test
  void indexedInsert_contention1_drawing0_matchesTheContention0Payload() {
    assertThat(base64(insert(KEY_123, 1, "0000000000000000" + IV_P + IV_V)))
        .isEqualTo(expected("insert-indexed-v2.json"));
  }

  @Test
  void indexedInsert_contention1_drawing1_matchesLibmongocrypt() {
    assertThat(base64(insert(KEY_123, 1, "0100000000000000" + IV_P + IV_V)))
        .isEqualTo(expected("insert-indexed-contentionFactor1-v2.json"));
  }

  @Test
  void indexedInsert_sameUserAndIndexKey_matchesLibmongocrypt() {
    assertThat(base64(insert(KEY_ABC, 0, IV_P + IV_V)))
        .isEqualTo(expected("insert-indexed-same-user-and-index-key-v2.json"));
  }

  @Test
  void equalityFind_matchesLibmongocrypt() {
    QeKey index = QeTestKeys.key(KEY_123);
    assertThat(base64(QePayloads.findEquality(new BsonInt32(123456), index, 0)))
        .isEqualTo(expected("find-indexed-v2.json"));
    assertThat(base64(QePayloads.findEquality(new BsonInt32(123456), index, 1)))
        .isEqualTo(expected("find-indexed-contentionFactor1-v2.json"));
  }

  @Test
  void decrypt_everyExplicitDecryptVectorOfLibmongocrypt() {
    QeDecryption.KeyLookup keys = QeTestKeys.lookup();
    assertDecrypts(keys, "FLE2InsertUpdatePayload", VALUE123);
    assertDecrypts(keys, "FLE2InsertUpdatePayload-RangeV1", new BsonInt32(123456));
    assertDecrypts(keys, "FLE2UnindexedEncryptedValue", VALUE123);
    assertDecrypts(keys, "FLE2IndexedEqualityEncryptedValue", VALUE123);
    assertDecrypts(keys, "FLE2IndexedRangeEncryptedValue", new BsonInt32(123456));
    assertDecrypts(keys, "FLE2InsertUpdatePayloadV2", VALUE123);
    assertDecrypts(keys, "FLE2InsertUpdatePayloadV2-RangeV1", new BsonInt32(123456));
    assertDecrypts(keys, "FLE2InsertUpdatePayloadV2-RangeV2", new BsonInt32(123456));
    assertDecrypts(keys, "FLE2UnindexedEncryptedValueV2", new BsonString("foo"));
    assertDecrypts(keys, "FLE2IndexedEqualityEncryptedValueV2", new BsonString("foo"));
    assertDecrypts(keys, "FLE2IndexedRangeEncryptedValueV2", new BsonInt32(123));
  }

  @Test
  void decrypt_markingsAndFindPayloads_comeBackUnchanged() {
    for (String name : new String[] {"FLE2EncryptionPlaceholder", "FLE2FindEqualityPayload",
        "FLE2FindEqualityPayloadV2"}) {
      BsonBinary given = explicitDecryptInput(name);
      assertThat(QeDecryption.decrypt(given, QeTestKeys.lookup())).as(name).isSameAs(given);
    }
  }

  @Test
  void decrypt_serverMadeStoredValues() {
    for (String file : new String[] {"FLECrudTest-insertOneV2.json",
        "FLECrudTest-insertOneRangeV2.json", "FLECrudTest-insertOneText.json",
        "FLECrudTest-insertOneTextLarge.json"}) {
      BsonDocument vector = SpecData.json("libmongocrypt/test-data/iev-v2/" + file);
      byte[] payload = java.util.HexFormat.of().parseHex(vector.getString("payload").getValue());
      // These vectors carry their own key material under the usual ids.
      java.util.Map<java.util.UUID, QeKey> keys = java.util.Map.of(
          QeTestKeys.uuid(vector.getString("S_KeyId").getValue()), qeKey(vector, "S_Key"),
          QeTestKeys.uuid(vector.getString("K_KeyId").getValue()), qeKey(vector, "K_Key"));
      BsonValue value = QeDecryption.decrypt(new BsonBinary((byte) 6, payload), keys::get);
      assertThat((int) value.getBsonType().getValue()).as(file)
          .isEqualTo(vector.getInt32("bson_value_type").getValue());
      assertThat(java.util.HexFormat.of().formatHex(
          io.fle4j.internal.crypto.BsonValueBytes.body(value))).as(file)
          .isEqualTo(vector.getString("bson_value").getValue().toLowerCase());
    }
  }

  private static QeKey qeKey(BsonDocument vector, String field) {
    return QeKey.of(java.util.HexFormat.of().parseHex(vector.getString(field).getValue()));
  }

  private static void assertDecrypts(QeDecryption.KeyLookup keys, String name, BsonValue value) {
    assertThat(QeDecryption.decrypt(explicitDecryptInput(name), keys)).as(name).isEqualTo(value);
  }

  private static BsonBinary explicitDecryptInput(String name) {
    return SpecData.json("libmongocrypt/test-data/explicit-decrypt/" + name + ".json")
        .getBinary("v");
  }

  private static BsonBinary insert(java.util.UUID indexKey, long contention, String random) {
    return QePayloads.insert(VALUE123, indexKey, QeTestKeys.key(indexKey), KEY_ABC,
        QeTestKeys.key(KEY_ABC), contention, null, QeTestKeys.replay(random));
  }

  private static String expected(String file) {
    return base64(SpecData.json("libmongocrypt/test-data/fle2-explicit/" + file).getBinary("v"));
  }

  private static String base64(BsonBinary binary) {
    assertThat(binary.getType()).isEqualTo((byte) 6);
    return Base64.getEncoder().encodeToString(binary.getData());
  }
}
