package io.fle4j.it.crossdriver;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.bson.BsonArray;
import org.bson.BsonBinary;
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
import org.bson.BsonNull;
import org.bson.BsonObjectId;
import org.bson.BsonRegularExpression;
import org.bson.BsonString;
import org.bson.BsonSymbol;
import org.bson.BsonTimestamp;
import org.bson.BsonValue;
import org.bson.types.Decimal128;
import org.bson.types.ObjectId;

/** BSON values to encrypt, keyed by a readable name for parameterized test output. */
final class BsonSamples {
  private BsonSamples() {}

  /** Values both algorithms accept. */
  static Map<String, BsonValue> deterministic() {
    Map<String, BsonValue> values = new LinkedHashMap<>();
    values.put("string empty", new BsonString(""));
    values.put("string ascii", new BsonString("hello, world"));
    values.put("string unicode", new BsonString("h\u00e9llo \u4e16\u754c \ud83d\ude00"));
    values.put("string with NUL", new BsonString("a\u0000b"));
    values.put("int32 zero", new BsonInt32(0));
    values.put("int32 min", new BsonInt32(Integer.MIN_VALUE));
    values.put("int32 max", new BsonInt32(Integer.MAX_VALUE));
    values.put("int64 -1", new BsonInt64(-1L));
    values.put("int64 max", new BsonInt64(Long.MAX_VALUE));
    values.put("date epoch", new BsonDateTime(0L));
    values.put("date now", new BsonDateTime(1_764_000_000_123L));
    values.put("date negative", new BsonDateTime(-86_400_000L));
    values.put("objectId", new BsonObjectId(new ObjectId("5f1b2c3d4e5f60718293a4b5")));
    values.put("binary subtype 0 empty", new BsonBinary(new byte[0]));
    values.put("binary subtype 0", new BsonBinary(bytes(0, 1, 2, 0x7f, 0x80, 0xff)));
    values.put("binary subtype 0 long", new BsonBinary(range(300)));
    values.put("binary subtype 2 (old)", new BsonBinary((byte) 2, bytes(1, 2, 3)));
    values.put("binary subtype 5 (md5)", new BsonBinary((byte) 5, range(16)));
    values.put("binary subtype 0x80", new BsonBinary((byte) 0x80, bytes(9, 8, 7)));
    // Beyond the minimum set: other types libmongocrypt allows deterministically.
    values.put("binary subtype 4 uuid", new BsonBinary(
        UUID.fromString("8d2c4b9e-3a1f-4c6b-9e2d-1f0a7b6c5d4e"),
        org.bson.UuidRepresentation.STANDARD));
    values.put("timestamp", new BsonTimestamp(1_700_000_000, 7));
    values.put("regex", new BsonRegularExpression("^ab+c$", "im"));
    values.put("javascript", new BsonJavaScript("function() { return 1; }"));
    values.put("symbol", new BsonSymbol("sym"));
    values.put("dbPointer", new BsonDbPointer("db.coll", new ObjectId("5f1b2c3d4e5f60718293a4b6")));
    return values;
  }

  /** Values only the random algorithm accepts (the spec forbids them for deterministic). */
  static Map<String, BsonValue> randomOnly() {
    Map<String, BsonValue> values = new LinkedHashMap<>();
    values.put("double", new BsonDouble(3.141592653589793));
    values.put("double negative zero", new BsonDouble(-0.0));
    values.put("double NaN", new BsonDouble(Double.NaN));
    values.put("bool true", BsonBoolean.TRUE);
    values.put("bool false", BsonBoolean.FALSE);
    values.put("document empty", new BsonDocument());
    values.put("document nested", new BsonDocument("a", new BsonInt32(1))
        .append("b", new BsonDocument("c", new BsonString("d")).append("n", BsonNull.VALUE))
        .append("arr", new BsonArray(List.of(new BsonInt64(2), new BsonDouble(2.5)))));
    values.put("array empty", new BsonArray());
    values.put("array mixed", new BsonArray(List.of(new BsonString("x"), new BsonInt32(5),
        new BsonDocument("k", BsonBoolean.TRUE), new BsonArray(List.of(new BsonString("y"))))));
    values.put("decimal128", new BsonDecimal128(Decimal128.parse("1234567890.0987654321")));
    values.put("decimal128 NaN", new BsonDecimal128(Decimal128.NaN));
    values.put("javascript with scope", new BsonJavaScriptWithScope(
        "function() { return x; }", new BsonDocument("x", new BsonInt32(1))));
    values.put("javascript with empty scope",
        new BsonJavaScriptWithScope("function() { return 1; }", new BsonDocument()));
    return values;
  }

  /** Every value, for the random algorithm. */
  static Map<String, BsonValue> all() {
    Map<String, BsonValue> values = new LinkedHashMap<>(deterministic());
    values.putAll(randomOnly());
    return values;
  }

  /** Strings of lengths 0 to 33: every padding boundary of AES-CBC's 16-byte blocks and more. */
  static List<BsonString> stringsOfLengths0To33() {
    List<BsonString> strings = new ArrayList<>();
    StringBuilder text = new StringBuilder();
    for (int length = 0; length <= 33; length++) {
      strings.add(new BsonString(text.toString()));
      text.append((char) ('a' + length % 26));
    }
    return strings;
  }

  static byte[] bytes(int... values) {
    byte[] bytes = new byte[values.length];
    for (int i = 0; i < values.length; i++) {
      bytes[i] = (byte) values[i];
    }
    return bytes;
  }

  static byte[] range(int length) {
    byte[] bytes = new byte[length];
    for (int i = 0; i < length; i++) {
      bytes[i] = (byte) i;
    }
    return bytes;
  }
}
