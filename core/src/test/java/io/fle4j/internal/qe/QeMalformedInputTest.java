package io.fle4j.internal.qe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.fle4j.CiphertextException;
import io.fle4j.DataKeyNotFoundException;
import io.fle4j.testing.SpecData;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;
import org.bson.BsonBinary;
import org.bson.BsonDocument;
import org.bson.BsonValue;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Every stored or sent Queryable Encryption form, cut short at every length and with every byte
 * altered in turn: decryption refuses with a {@link CiphertextException} (or cannot find the key an
 * altered id names) and never fails in any other way. It may succeed only where the format itself
 * authenticates nothing and the client reads nothing (tokens, metadata blocks, the trailing tokens
 * of v1 values), and then returns the original value; or where the altered byte is the
 * unauthenticated type of a server-made or sent form, and then returns a value of another type
 * (libmongocrypt cannot tell either).
 */
class QeMalformedInputTest {
  private static final List<String> FORMS = List.of("FLE2InsertUpdatePayloadV2",
      "FLE2InsertUpdatePayload", "FLE2UnindexedEncryptedValueV2", "FLE2UnindexedEncryptedValue",
      "FLE2IndexedEqualityEncryptedValueV2", "FLE2IndexedRangeEncryptedValueV2",
      "FLE2IndexedEqualityEncryptedValue", "FLE2IndexedRangeEncryptedValue");

  /** A form to damage and the keys it decrypts with. */
  private record Input(String name, BsonBinary value, QeDecryption.KeyLookup keys) {}

  private static List<Input> inputs() {
    List<Input> inputs = new ArrayList<>();
    for (String form : FORMS) {
      inputs.add(new Input(form, input(form), QeTestKeys.lookup()));
    }
    // The text form (17) exists only as server-made vectors, which carry their own keys.
    BsonDocument text = SpecData.json("libmongocrypt/test-data/iev-v2/FLECrudTest-insertOneText.json");
    java.util.Map<java.util.UUID, QeKey> keys = java.util.Map.of(
        QeTestKeys.uuid(text.getString("S_KeyId").getValue()),
        QeKey.of(HexFormat.of().parseHex(text.getString("S_Key").getValue())),
        QeTestKeys.uuid(text.getString("K_KeyId").getValue()),
        QeKey.of(HexFormat.of().parseHex(text.getString("K_Key").getValue())));
    inputs.add(new Input("FLE2IndexedTextEncryptedValue", new BsonBinary((byte) 6,
        HexFormat.of().parseHex(text.getString("payload").getValue())), id -> {
          QeKey key = keys.get(id);
          if (key == null) {
            throw io.fle4j.DataKeyNotFoundException.forBatch(List.of(id), List.of(), "test.keys");
          }
          return key;
        }));
    return inputs;
  }

  @TestFactory
  Stream<DynamicTest> truncations() {
    List<DynamicTest> tests = new ArrayList<>();
    for (Input input : inputs()) {
      String form = input.name();
      QeDecryption.KeyLookup lookup = input.keys();
      BsonBinary original = input.value();
      byte[] data = original.getData();
      BsonValue plaintext = QeDecryption.decrypt(original, lookup);
      tests.add(DynamicTest.dynamicTest(form + ", every shorter length", () -> {
        int refused = 0;
        for (int length = 1; length < data.length; length++) {
          byte[] cut = Arrays.copyOf(data, length);
          if (refusedOrHarmless(form + " cut to " + length, cut, plaintext, lookup)) {
            refused++;
          } else {
            // Only v1 indexed values end in bytes nobody authenticates or reads.
            assertThat(data[0]).as(form + " cut to " + length + " decrypted").isIn((byte) 7,
                (byte) 9);
          }
        }
        assertThat(refused).isPositive();
      }));
    }
    return tests.stream();
  }

  @TestFactory
  Stream<DynamicTest> alteredBytes() {
    List<DynamicTest> tests = new ArrayList<>();
    for (Input input : inputs()) {
      String form = input.name();
      QeDecryption.KeyLookup lookup = input.keys();
      BsonBinary original = input.value();
      BsonValue plaintext = QeDecryption.decrypt(original, lookup);
      byte[] data = original.getData();
      int unauthenticatedFrom = metadataStart(data);
      tests.add(DynamicTest.dynamicTest(form + ", every byte altered", () -> {
        int refused = 0;
        for (int i = 1; i < data.length; i++) {
          byte[] altered = data.clone();
          altered[i] ^= 0x5a;
          String what = form + " with byte " + i + " altered";
          if (i >= unauthenticatedFrom) {
            assertThat(QeDecryption.decrypt(new BsonBinary((byte) 6, altered), lookup)).as(what)
                .isEqualTo(plaintext);
          } else if (refusedOrHarmless(what, altered, plaintext, lookup)) {
            refused++;
          }
        }
        assertThat(refused).as("refusals").isPositive();
      }));
    }
    return tests.stream();
  }

  /**
   * True when refused. Otherwise the result must be the original value, or a value of another
   * type (an unauthenticated type byte): never a different value of the original type.
   */
  private static boolean refusedOrHarmless(String what, byte[] altered, BsonValue plaintext,
      QeDecryption.KeyLookup lookup) {
    BsonValue[] got = new BsonValue[1];
    Throwable thrown = catchThrowable(() -> got[0] = QeDecryption.decrypt(
        new BsonBinary((byte) 6, altered), lookup));
    if (thrown == null) {
      if (got[0].getBsonType() == plaintext.getBsonType()) {
        assertThat(got[0]).as(what + " decrypted").isEqualTo(plaintext);
      }
      return false;
    }
    assertThat(thrown).as(what).isInstanceOfAny(CiphertextException.class,
        DataKeyNotFoundException.class);
    return true;
  }

  /** Where the metadata blocks start in the v2 indexed forms; the length for every other form. */
  private static int metadataStart(byte[] data) {
    return switch (data[0]) {
      case 14 -> data.length - 96;
      case 15 -> data.length - 96 * (data[18] & 0xff);
      case 17 -> data.length - 96 * (data[18] & 0xff); // 5 blocks in this vector (u32 LE count)
      default -> data.length;
    };
  }

  private static BsonBinary input(String form) {
    return SpecData.json("libmongocrypt/test-data/explicit-decrypt/" + form + ".json")
        .getBinary("v");
  }

}
