package io.fle4j.internal.qe;

import static org.assertj.core.api.Assertions.assertThat;

import io.fle4j.testing.SpecData;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.stream.Stream;
import org.bson.BsonBinary;
import org.bson.BsonValue;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * libmongocrypt's automatic-encryption vectors for protocol v2: each directory holds query
 * analysis's reply (with FLE2EncryptionPlaceholder markings) and the command libmongocrypt sent,
 * made with the random bytes of its test ({@code test-mongocrypt-ctx-encrypt.c},
 * {@code _test_encrypt_fle2_*}). Every marking, turned into a payload by {@link QeMarkings},
 * must equal libmongocrypt's payload at the same place, byte for byte.
 */
class QeMarkingVectorTest {
  private static final String TD = "libmongocrypt/test-data/";
  private static final String IV_P_AND_V =
      "c743d675769ea788d5e5c440db240df94cd964104381e661fa1fa05c498ead21";

  @TestFactory
  Stream<DynamicTest> everyV2MarkingVector() {
    List<DynamicTest> tests = new ArrayList<>();
    tests.add(vector("fle2-insert-v2", IV_P_AND_V));
    tests.add(vector("fle2-insert-unindexed-v2", "4d069564f5a05e9e3523b98f575acb15"));
    tests.add(vector("fle2-find-equality-v2", ""));
    for (String type : List.of("int32", "int64", "date", "double", "double-precision",
        "decimal128", "decimal128-precision")) {
      tests.add(vector("fle2-insert-range/" + type + "-v2", QeRangePayloadVectorTest.rngData(
          TD + "fle2-insert-range/" + type + "/RNG_DATA.h")));
      tests.add(vector("fle2-find-range/" + type + "-v2", ""));
    }
    // Inserts and finds whose markings lack trimFactor, or carry the crypto parameters the
    // server checks; libmongocrypt's test feeds them the bytes 1, 2, 3, 1, 2, 3...
    for (String dir : List.of("no-trimFactor/insert", "no-trimFactor/find",
        "range-sends-cryptoParams/auto-insert-int32", "range-sends-cryptoParams/auto-find-int32")) {
      tests.add(vector(dir, oneTwoThree(1024)));
    }
    return tests.stream();
  }

  /** libmongocrypt's {@code TEST_BIN(n)}: the bytes 1, 2, 3 repeated, as hex. */
  static String oneTwoThree(int length) {
    StringBuilder hex = new StringBuilder();
    for (int i = 0; i < length; i++) {
      hex.append("0").append(i % 3 + 1);
    }
    return hex.toString();
  }

  private static DynamicTest vector(String dir, String random) {
    return DynamicTest.dynamicTest(dir, () -> {
      List<BsonBinary> markings = new ArrayList<>();
      collect(SpecData.json(TD + dir + "/mongocryptd-reply.json").getDocument("result"), markings);
      List<BsonBinary> expected = new ArrayList<>();
      collect(SpecData.json(TD + dir + "/encrypted-payload.json"), expected);
      assertThat(markings).as("markings").isNotEmpty().hasSameSizeAs(expected);
      QeRandom replay = QeTestKeys.replay(random);
      for (int i = 0; i < markings.size(); i++) {
        BsonBinary got = QeMarkings.encrypt(markings.get(i), QeTestKeys.lookup(), replay);
        assertThat(base64(got)).as("payload %d", i).isEqualTo(base64(expected.get(i)));
      }
    });
  }

  /** Every subtype-6 binary, in document order. */
  private static void collect(BsonValue value, List<BsonBinary> out) {
    if (value.isBinary() && value.asBinary().getType() == 6) {
      out.add(value.asBinary());
    } else if (value.isDocument()) {
      for (BsonValue child : value.asDocument().values()) {
        collect(child, out);
      }
    } else if (value.isArray()) {
      for (BsonValue child : value.asArray()) {
        collect(child, out);
      }
    }
  }

  private static String base64(BsonBinary binary) {
    return Base64.getEncoder().encodeToString(binary.getData());
  }

}
