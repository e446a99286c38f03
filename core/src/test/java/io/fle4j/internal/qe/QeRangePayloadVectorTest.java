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
