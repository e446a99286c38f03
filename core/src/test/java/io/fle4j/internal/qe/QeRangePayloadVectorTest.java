package io.fle4j.internal.qe;

import static io.fle4j.internal.qe.QeTestKeys.KEY_123;
import static io.fle4j.internal.qe.QeTestKeys.KEY_ABC;
import static org.assertj.core.api.Assertions.assertThat;

import com.mongodb.client.model.vault.EncryptOptions;
import com.mongodb.client.model.vault.RangeOptions;
import io.fle4j.testing.SpecData;
import java.util.Base64;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.bson.BsonBinary;
import org.bson.BsonDocument;
import org.bson.BsonValue;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Range payloads byte for byte as libmongocrypt makes them for explicit encryption
 * ({@code test-mongocrypt-ctx-encrypt.c}, "algorithm='Range'" cases): inserts with the random
 * bytes its tests inject ({@code fle2-insert-range-explicit/}), and encryptExpression's find
 * payloads ({@code fle2-find-range-explicit/}, payload id 0 as after the test's reset).
 */
class QeRangePayloadVectorTest {
  private static final String DIR = "libmongocrypt/test-data/";

  @ParameterizedTest(name = "{0}")
  @CsvSource({"int32", "sparsity-2", "double", "double-precision"})
  void rangeInsert_matchesLibmongocrypt(String name) {
    String dir = DIR + "fle2-insert-range-explicit/" + name + "/";
    QeExplicit explicit = new QeExplicit(QeTestKeys.replay(rngData(dir + "RNG_DATA.h")), () -> 0);
    EncryptOptions options = new EncryptOptions("Range").keyId(new BsonBinary(KEY_ABC))
        .contentionFactor(0L).rangeOptions(rangeOptions(SpecData.json(dir + "rangeopts.json")));
    BsonValue value = SpecData.json(dir + "value-to-encrypt.json").get("v");
    BsonBinary got = explicit.rangeInsert(value, QeOptions.of(options), KEY_123,
        QeTestKeys.key(KEY_123), KEY_ABC, QeTestKeys.key(KEY_ABC));
    assertThat(base64(got)).isEqualTo(base64(
        SpecData.json(dir + "encrypted-payload-v2.json").getBinary("v")));
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({"int32, ABC, 4", "int32-openinterval, ABC, 0", "double, 123, 0",
      "double-precision, 123, 0"})
  void encryptExpression_matchesLibmongocrypt(String name, String indexKey, long contention) {
    String dir = DIR + "fle2-find-range-explicit/" + name + "/";
    UUID keyId = indexKey.equals("ABC") ? KEY_ABC : KEY_123;
    QeExplicit explicit = new QeExplicit(QeTestKeys.replay(""), () -> 0);
    EncryptOptions options = new EncryptOptions("Range").keyId(new BsonBinary(keyId))
        .contentionFactor(contention).queryType("range")
        .rangeOptions(rangeOptions(SpecData.json(dir + "rangeopts.json")));
    BsonDocument expression = SpecData.json(dir + "value-to-encrypt.json").getDocument("v");
    Map<UUID, QeKey> keys = Map.of(keyId, QeTestKeys.key(keyId));
    BsonDocument got = explicit.encryptExpression(expression, options, keys::get);
    assertThat(got.toJson()).isEqualTo(
        SpecData.json(dir + "encrypted-payload-v2.json").getDocument("v").toJson());
  }

  /**
   * libmongocrypt's "'range' sends crypto params" cases: key 123 for both roles, contention
   * factor 1 (so the first eight random bytes pick it), random bytes 1, 2, 3 repeated.
   */
  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
      "explicit-insert-int32 | {v: 123456} | {min: 0, max: 1234567, sparsity: {$numberLong: '3'},"
          + " trimFactor: 4}",
      "explicit-insert-int32-defaults | {v: 123456} | {min: 0, max: 1234567}",
      "explicit-insert-double | {v: 123456.0} | {min: 0.0, max: 1234567.0, precision: 2,"
          + " sparsity: {$numberLong: '3'}, trimFactor: 4}",
      "explicit-find-int32 | | {min: 0, max: 1234567, sparsity: {$numberLong: '3'},"
          + " trimFactor: 4}",
      "explicit-find-int32-defaults | | {min: 0, max: 1234567}"})
  void rangeSendsCryptoParams_matchesLibmongocrypt(String name, String value, String range) {
    String dir = DIR + "range-sends-cryptoParams/" + name + "/";
    QeExplicit explicit = new QeExplicit(
        QeTestKeys.replay(QeMarkingVectorTest.oneTwoThree(1024)), () -> 0);
    EncryptOptions options = new EncryptOptions("Range").keyId(new BsonBinary(KEY_123))
        .contentionFactor(1L).rangeOptions(rangeOptions(BsonDocument.parse(range)));
    Map<UUID, QeKey> keys = Map.of(KEY_123, QeTestKeys.key(KEY_123));
    BsonDocument expected = SpecData.json(dir + "expected.json");
    if (value == null) {
      BsonDocument expression = SpecData.json(dir + "to-encrypt.json").getDocument("v");
      BsonDocument got = explicit.encryptExpression(expression, options.queryType("range"),
          keys::get);
      assertThat(got.toJson()).isEqualTo(expected.getDocument("v").toJson());
    } else {
      BsonBinary got = explicit.encrypt(BsonDocument.parse(value).get("v"), options, keys::get);
      assertThat(base64(got)).isEqualTo(base64(expected.getBinary("v")));
    }
  }

  static RangeOptions rangeOptions(BsonDocument doc) {
    RangeOptions options = new RangeOptions();
    if (doc.containsKey("min")) {
      options.min(doc.get("min"));
    }
    if (doc.containsKey("max")) {
      options.max(doc.get("max"));
    }
    if (doc.containsKey("sparsity")) {
      options.sparsity(doc.getInt64("sparsity").getValue());
    }
    if (doc.containsKey("precision")) {
      options.precision(doc.getInt32("precision").getValue());
    }
    if (doc.containsKey("trimFactor")) {
      options.trimFactor(doc.getInt32("trimFactor").getValue());
    }
    return options;
  }

  /** The bytes of a C header's {@code #define RNG_DATA "\x..\x.."} string literals. */
  static String rngData(String path) {
    StringBuilder hex = new StringBuilder();
    Matcher m = Pattern.compile("\\\\x([0-9a-fA-F]{2})").matcher(SpecData.text(path));
    while (m.find()) {
      hex.append(m.group(1));
    }
    return hex.toString();
  }

  private static String base64(BsonBinary binary) {
    return Base64.getEncoder().encodeToString(binary.getData());
  }
}
