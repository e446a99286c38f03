package io.fle4j.internal.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fle4j.Algorithm;
import io.fle4j.CiphertextException;
import io.fle4j.CiphertextException.Reason;
import io.fle4j.UnencryptableValueException;
import io.fle4j.testing.SpecData;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import org.bson.BsonBinary;
import org.bson.BsonBinarySubType;
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
import org.bson.BsonString;
import org.bson.BsonSymbol;
import org.bson.BsonTimestamp;
import org.bson.BsonType;
import org.bson.BsonUndefined;
import org.bson.BsonValue;
import org.bson.types.Decimal128;
import org.bson.types.ObjectId;
import org.junit.jupiter.api.Test;

class ValueCipherTest {
  private static final UUID KEY_ID = UUID.fromString("2ce0802c-0000-0000-0000-000000000000");
  private static final AeadKey KEY = AeadKey.of(new byte[96]);

  @Test
  void encrypt_proseTest1_isTheExpectedBlob() {
    BsonDocument example = SpecData.json("derived/offline-vectors.json").getDocument("worked_example");
    AeadKey key = AeadKey.of(Base64.getDecoder().decode(example.getString("dek_base64").getValue()));

    BsonBinary blob = ValueCipher.encrypt(new BsonString("test"), Algorithm.DETERMINISTIC,
        new UUID(0, 0), key);

    assertThat(blob.getType()).isEqualTo(BsonBinarySubType.ENCRYPTED.getValue());
    assertThat(Base64.getEncoder().encodeToString(blob.getData()))
        .isEqualTo(example.getString("blobBase64").getValue());
  }

  static List<BsonValue> everyEncryptableType() {
    return io.fle4j.testing.BsonSamples.everyEncryptableType();
  }

  static List<BsonValue> randomOnlyTypes() {
    return io.fle4j.testing.BsonSamples.randomOnlyTypes();
  }

  @Test
  void encryptThenDecrypt_everyAllowedTypeAndAlgorithm_returnsTheValue() {
    for (BsonValue value : everyEncryptableType()) {
      for (Algorithm algorithm : Algorithm.values()) {
        assertRoundTrip(value, algorithm);
      }
    }
    for (BsonValue value : randomOnlyTypes()) {
      assertRoundTrip(value, Algorithm.RANDOM);
    }
  }

  private static void assertRoundTrip(BsonValue value, Algorithm algorithm) {
    BsonBinary blob = ValueCipher.encrypt(value, algorithm, KEY_ID, KEY);
    ValueCipher.Header header = ValueCipher.parseHeader(blob);
    assertThat(header.algorithm()).isEqualTo(algorithm);
    assertThat(header.keyId()).isEqualTo(KEY_ID);
    assertThat(header.bsonTypeByte()).isEqualTo((byte) value.getBsonType().getValue());
    assertThat(ValueCipher.decrypt(blob, header, KEY)).as("%s %s", value, algorithm).isEqualTo(value);
  }

  @Test
  void encrypt_topLevelRegexOptions_areCanonicalizedLikeLibbson() {
    BsonBinary messy = ValueCipher.encrypt(new BsonRegularExpression("^a", "xgiix"),
        Algorithm.DETERMINISTIC, KEY_ID, KEY);
    BsonBinary clean = ValueCipher.encrypt(new BsonRegularExpression("^a", "ix"),
        Algorithm.DETERMINISTIC, KEY_ID, KEY);
    assertThat(messy).isEqualTo(clean);
    assertThat(ValueCipher.decrypt(messy, ValueCipher.parseHeader(messy), KEY))
        .isEqualTo(new BsonRegularExpression("^a", "ix"));
    BsonDocument nested = new BsonDocument("r", new BsonRegularExpression("^a", "xgi"));
    BsonBinary nestedBlob = ValueCipher.encrypt(nested, Algorithm.RANDOM, KEY_ID, KEY);
    assertThat(ValueCipher.decrypt(nestedBlob, ValueCipher.parseHeader(nestedBlob), KEY).asDocument()
        .getRegularExpression("r").getOptions())
        .as("nested regexes are copied raw, as libmongocrypt does")
        .isEqualTo(new BsonRegularExpression("^a", "xgi").getOptions());
  }

  @Test
  void encrypt_deterministicTwice_givesIdenticalBytes_randomDoesNot() {
    BsonString value = new BsonString("123-45-6789");
    assertThat(ValueCipher.encrypt(value, Algorithm.DETERMINISTIC, KEY_ID, KEY))
        .isEqualTo(ValueCipher.encrypt(value, Algorithm.DETERMINISTIC, KEY_ID, KEY));
    assertThat(ValueCipher.encrypt(value, Algorithm.RANDOM, KEY_ID, KEY))
        .isNotEqualTo(ValueCipher.encrypt(value, Algorithm.RANDOM, KEY_ID, KEY));
  }

  @Test
  void encrypt_typesForbiddenForEveryAlgorithm_areRefused() {
    List<BsonValue> forbidden = List.of(BsonNull.VALUE, new BsonMinKey(), new BsonMaxKey(),
        new BsonUndefined(), new BsonBinary(BsonBinarySubType.ENCRYPTED, new byte[70]));
    for (BsonValue value : forbidden) {
      for (Algorithm algorithm : Algorithm.values()) {
        assertThatThrownBy(() -> ValueCipher.encrypt(value, algorithm, KEY_ID, KEY))
            .isInstanceOf(UnencryptableValueException.class)
            .satisfies(e -> assertThat(((UnencryptableValueException) e).bsonType())
                .isEqualTo(value.getBsonType()));
      }
    }
  }

  @Test
  void encrypt_typesForbiddenForDeterministic_areRefusedNamingTheType() {
    for (BsonValue value : randomOnlyTypes()) {
      assertThatThrownBy(() -> ValueCipher.encrypt(value, Algorithm.DETERMINISTIC, KEY_ID, KEY))
          .isInstanceOf(UnencryptableValueException.class)
          .hasMessageContaining(value.getBsonType().toString())
          .hasMessageContaining("deterministically");
    }
  }

  @Test
  void decrypt_tamperedInEachRegion_failsAuthentication() {
    BsonBinary blob = ValueCipher.encrypt(new BsonString("secret"), Algorithm.RANDOM, KEY_ID, KEY);
    byte[] data = blob.getData();
    // blob subtype 1<->2 swap, key id, bson type, IV, S, tag
    int[] positions = {0, 5, 17, 20, 40, data.length - 1};
    for (int position : positions) {
      byte[] altered = data.clone();
      altered[position] ^= position == 0 ? 0x03 : 0x01;
      BsonBinary tampered = new BsonBinary(BsonBinarySubType.ENCRYPTED, altered);
      assertThatThrownBy(() -> ValueCipher.decrypt(tampered, ValueCipher.parseHeader(tampered), KEY))
          .as("byte %d altered", position)
          .isInstanceOf(CiphertextException.class)
          .satisfies(e -> assertThat(((CiphertextException) e).reason())
              .isEqualTo(Reason.AUTHENTICATION_FAILED))
          .hasMessageNotContaining("secret");
    }
  }

  @Test
  void parseHeader_malformedBlobs_givePreciseReasons() {
    assertReason(new BsonBinary(new byte[90]), Reason.NOT_ENCRYPTED_BINARY);
    assertReason(new BsonBinary(BsonBinarySubType.ENCRYPTED, new byte[0]), Reason.TOO_SHORT);
    byte[] shortHeader = new byte[18];
    shortHeader[0] = 1;
    assertReason(new BsonBinary(BsonBinarySubType.ENCRYPTED, shortHeader), Reason.TOO_SHORT);
    assertThatThrownBy(() -> ValueCipher.parseHeader(new BsonBinary(BsonBinarySubType.ENCRYPTED,
        shortHeader))).hasMessageContaining("malformed ciphertext, too small");
    // A header that names a key is read; the body's length is judged once the key is known.
    byte[] shortBody = new byte[81];
    shortBody[0] = 1;
    ValueCipher.Header header = ValueCipher.parseHeader(new BsonBinary(BsonBinarySubType.ENCRYPTED,
        shortBody));
    assertThatThrownBy(() -> ValueCipher.decrypt(new BsonBinary(BsonBinarySubType.ENCRYPTED,
        shortBody), header, KEY)).isInstanceOf(io.fle4j.CiphertextException.class)
        .hasMessageContaining("malformed ciphertext, too small")
        .satisfies(e -> assertThat(((io.fle4j.CiphertextException) e).reason()).isEqualTo(Reason.TOO_SHORT));
    byte[] marking = new byte[90];
    assertReason(new BsonBinary(BsonBinarySubType.ENCRYPTED, marking), Reason.UNSUPPORTED_BLOB_SUBTYPE);
    byte[] queryable = new byte[90];
    queryable[0] = 6;
    assertThatThrownBy(() -> ValueCipher.parseHeader(new BsonBinary(BsonBinarySubType.ENCRYPTED, queryable)))
        .hasMessageContaining("Queryable Encryption");
  }

  @Test
  void decrypt_validTagButTypeByteLies_isMalformedContent() {
    // Encrypt an int32 but declare it a string in the header, re-authenticating with the key:
    // the tag verifies, the BSON check must still refuse it.
    byte[] header = new byte[18];
    header[0] = 2;
    header[17] = (byte) BsonType.STRING.getValue();
    byte[] c = Aead.encryptRandom(KEY, header, new byte[] {1, 0, 0, 0});
    byte[] blob = new byte[18 + c.length];
    System.arraycopy(header, 0, blob, 0, 18);
    System.arraycopy(c, 0, blob, 18, c.length);
    BsonBinary binary = new BsonBinary(BsonBinarySubType.ENCRYPTED, blob);
    assertThatThrownBy(() -> ValueCipher.decrypt(binary, ValueCipher.parseHeader(binary), KEY))
        .isInstanceOf(CiphertextException.class)
        .satisfies(e -> assertThat(((CiphertextException) e).reason()).isEqualTo(Reason.MALFORMED_CONTENT));
  }

  private static void assertReason(BsonBinary blob, Reason reason) {
    assertThatThrownBy(() -> ValueCipher.parseHeader(blob))
        .isInstanceOf(CiphertextException.class)
        .satisfies(e -> assertThat(((CiphertextException) e).reason()).isEqualTo(reason));
  }
}
