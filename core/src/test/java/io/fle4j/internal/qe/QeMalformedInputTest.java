package io.fle4j.internal.qe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.fle4j.CiphertextException;
import io.fle4j.DataKeyNotFoundException;
import io.fle4j.testing.SpecData;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.bson.BsonBinary;
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

  @TestFactory
  Stream<DynamicTest> truncations() {
    List<DynamicTest> tests = new ArrayList<>();
    for (String form : FORMS) {
      BsonBinary original = input(form);
      byte[] data = original.getData();
      BsonValue plaintext = QeDecryption.decrypt(original, QeTestKeys.lookup());
      tests.add(DynamicTest.dynamicTest(form + ", every shorter length", () -> {
        int refused = 0;
        for (int length = 1; length < data.length; length++) {
          byte[] cut = Arrays.copyOf(data, length);
          if (refusedOrHarmless(form + " cut to " + length, cut, plaintext)) {
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
    for (String form : FORMS) {
      BsonBinary original = input(form);
      BsonValue plaintext = QeDecryption.decrypt(original, QeTestKeys.lookup());
      byte[] data = original.getData();
      int unauthenticatedFrom = metadataStart(data);
      tests.add(DynamicTest.dynamicTest(form + ", every byte altered", () -> {
        int refused = 0;
        for (int i = 1; i < data.length; i++) {
          byte[] altered = data.clone();
          altered[i] ^= 0x5a;
          String what = form + " with byte " + i + " altered";
          if (i >= unauthenticatedFrom) {
            assertThat(QeDecryption.decrypt(new BsonBinary((byte) 6, altered),
                QeTestKeys.lookup())).as(what).isEqualTo(plaintext);
          } else if (refusedOrHarmless(what, altered, plaintext)) {
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
  private static boolean refusedOrHarmless(String what, byte[] altered, BsonValue plaintext) {
    BsonValue[] got = new BsonValue[1];
    Throwable thrown = catchThrowable(() -> got[0] = QeDecryption.decrypt(
        new BsonBinary((byte) 6, altered), QeTestKeys.lookup()));
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
      default -> data.length;
    };
  }

  private static BsonBinary input(String form) {
    return SpecData.json("libmongocrypt/test-data/explicit-decrypt/" + form + ".json")
        .getBinary("v");
  }

}
