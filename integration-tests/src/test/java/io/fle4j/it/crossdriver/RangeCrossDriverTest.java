package io.fle4j.it.crossdriver;

import static io.fle4j.it.crossdriver.CrossDriverVault.LOCAL;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.mongodb.MongoException;
import com.mongodb.client.model.vault.EncryptOptions;
import com.mongodb.client.model.vault.RangeOptions;
import com.mongodb.client.vault.ClientEncryption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.bson.BsonArray;
import org.bson.BsonBinary;
import org.bson.BsonDateTime;
import org.bson.BsonDecimal128;
import org.bson.BsonDocument;
import org.bson.BsonDouble;
import org.bson.BsonInt32;
import org.bson.BsonInt64;
import org.bson.BsonString;
import org.bson.BsonValue;
import org.bson.RawBsonDocument;
import org.bson.codecs.BsonDocumentCodec;
import org.bson.types.Decimal128;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Range encryption against libmongocrypt on one key vault, for every range type with and without
 * bounds, precision, trim factor and sparsity: the deterministic parts of insert payloads (every
 * edge's tokens, the index parameters) and whole find payloads are byte-identical; the value
 * each side encrypts decrypts on the other; both refuse the same options and values.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RangeCrossDriverTest {
  private CrossDriverVault vault;
  private ClientEncryption fle4j;
  private ClientEncryption official;
  private BsonBinary keyId;

  @BeforeAll
  void createKey() {
    vault = new CrossDriverVault();
    fle4j = vault.fle4j();
    official = vault.official();
    keyId = official.createDataKey(LOCAL);
  }

  @AfterAll
  void dropVault() throws Exception {
    vault.close();
  }

  /** name, value, range options, a lower and an upper query bound of the value's type. */
  Stream<Arguments> cases() {
    List<Arguments> cases = new ArrayList<>();
    add(cases, "int32 0..200 sp1", new BsonInt32(17), opts(new BsonInt32(0), new BsonInt32(200))
        .sparsity(1L), new BsonInt32(5), new BsonInt32(150));
    add(cases, "int32 whole range via min/max", new BsonInt32(-123456),
        opts(new BsonInt32(Integer.MIN_VALUE), new BsonInt32(Integer.MAX_VALUE)),
        new BsonInt32(-200000), new BsonInt32(7));
    add(cases, "int32 tf 0 sp 3", new BsonInt32(1000), opts(new BsonInt32(-5000),
        new BsonInt32(5000)).trimFactor(0).sparsity(3L), new BsonInt32(-1), new BsonInt32(4000));
    add(cases, "int32 tf 4", new BsonInt32(3), opts(new BsonInt32(0), new BsonInt32(1 << 20))
        .trimFactor(4), new BsonInt32(2), new BsonInt32(900));
    add(cases, "int64", new BsonInt64(-9_000_000_000L), opts(new BsonInt64(Long.MIN_VALUE),
        new BsonInt64(Long.MAX_VALUE)), new BsonInt64(-10_000_000_000L), new BsonInt64(0));
    add(cases, "int64 small sp 4", new BsonInt64(42), opts(new BsonInt64(40), new BsonInt64(1000))
        .sparsity(4L), new BsonInt64(41), new BsonInt64(999));
    add(cases, "date", new BsonDateTime(1_764_000_000_000L), opts(new BsonDateTime(0),
        new BsonDateTime(4_102_444_800_000L)), new BsonDateTime(1_700_000_000_000L),
        new BsonDateTime(1_800_000_000_000L));
    add(cases, "double no bounds", new BsonDouble(3.25), new RangeOptions(),
        new BsonDouble(-1.5), new BsonDouble(1e10));
    add(cases, "double negative zero", new BsonDouble(-0.0), new RangeOptions().sparsity(1L),
        new BsonDouble(-0.0), new BsonDouble(0.0));
    add(cases, "double precision 2", new BsonDouble(123.45), opts(new BsonDouble(0),
        new BsonDouble(1000)).precision(2), new BsonDouble(1.5), new BsonDouble(500.25));
    add(cases, "double precision 0 tf 1", new BsonDouble(-7), opts(new BsonDouble(-100),
        new BsonDouble(100)).precision(0).trimFactor(1), new BsonDouble(-50), new BsonDouble(60));
    add(cases, "decimal128 no bounds", dec("1234567890.0987654321"), new RangeOptions(),
        dec("-1E+10"), dec("99999.5"));
    add(cases, "decimal128 precision 3", dec("2.718"), opts(dec("0"), dec("10")).precision(3),
        dec("1.001"), dec("9.999"));
    return cases.stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void insert_deterministicPartsIdentical_valuesCrossDecrypt(String name, BsonValue value,
      RangeOptions range, BsonValue lower, BsonValue upper) {
    EncryptOptions options = range(range, 0);
    BsonBinary ours = fle4j.encrypt(value, options);
    BsonBinary theirs = official.encrypt(value, options);
    BsonDocument o = payload(ours);
    BsonDocument t = payload(theirs);
    assertThat(o.keySet()).containsExactlyElementsOf(t.keySet());
    for (String field : List.of("d", "s", "u", "t", "e", "l", "k", "sp", "pn", "tf", "mn", "mx")) {
      assertThat(o.get(field)).as(field).isEqualTo(t.get(field));
    }
    BsonArray og = o.getArray("g");
    BsonArray tg = t.getArray("g");
    assertThat(og).hasSameSizeAs(tg);
    for (int i = 0; i < og.size(); i++) {
      for (String field : List.of("d", "s", "l")) {
        assertThat(og.get(i).asDocument().get(field)).as("g[%d].%s", i, field)
            .isEqualTo(tg.get(i).asDocument().get(field));
      }
      assertThat(og.get(i).asDocument().getBinary("p").getData()).hasSize(49);
    }
    assertThat(fle4j.decrypt(theirs)).isEqualTo(value);
    assertThat(official.decrypt(ours)).isEqualTo(value);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void encryptExpression_byteIdentical_closedAndOpen(String name, BsonValue value,
      RangeOptions range, BsonValue lower, BsonValue upper) {
    List<BsonDocument> expressions = List.of(
        and(op("$gte", lower), op("$lt", upper)),
        and(op("$lte", upper), op("$gt", lower)),
        and(op("$gt", lower)),
        and(op("$lte", upper)),
        aggregate("$gte", lower, "$lte", upper));
    for (long contention : new long[] {0, 3}) {
      for (BsonDocument expression : expressions) {
        EncryptOptions options = range(range, contention).queryType("range");
        BsonDocument[] results = new BsonDocument[2];
        Throwable ours = catchThrowable(() -> results[0] =
            fle4j.encryptExpression(expression, options));
        Throwable theirs = catchThrowable(() -> results[1] =
            official.encryptExpression(expression, options));
        if (theirs != null || ours != null) {
          // An empty interval (such as [-0.0, 0.0) in the double encoding): both refuse alike.
          assertThat(ours).as("fle4j refuses " + expression.toJson() + " as libmongocrypt did: "
              + theirs).isInstanceOf(MongoException.class);
          assertThat(theirs).as("libmongocrypt refuses as fle4j did: " + ours)
              .isInstanceOf(MongoException.class);
          assertThat(ours.getMessage()).contains(libmongocryptText(theirs.getMessage()));
          continue;
        }
        assertThat(withoutPayloadIds(results[0])).as(expression.toJson())
            .isEqualTo(withoutPayloadIds(results[1]));
      }
    }
  }

  /** The README's form: a filter built with the driver's Filters, not a hand-made document. */
  @org.junit.jupiter.api.Test
  void encryptExpression_ofDriverFilters_sameAsLibmongocrypt() {
    EncryptOptions options = range(opts(new BsonInt32(0), new BsonInt32(150)).sparsity(2L)
        .trimFactor(4), 0).queryType("range");
    org.bson.conversions.Bson filter = com.mongodb.client.model.Filters.and(
        com.mongodb.client.model.Filters.gte("age", 18),
        com.mongodb.client.model.Filters.lt("age", 65));
    assertThat(withoutPayloadIds(fle4j.encryptExpression(filter, options)))
        .isEqualTo(withoutPayloadIds(official.encryptExpression(filter, options)));
  }

  Stream<Arguments> refusals() {
    Map<String, Object[]> cases = new LinkedHashMap<>();
    BsonValue i5 = new BsonInt32(5);
    cases.put("value above max", new Object[] {new BsonInt32(300),
        opts(new BsonInt32(0), new BsonInt32(200))});
    cases.put("value below min", new Object[] {new BsonInt32(-1),
        opts(new BsonInt32(0), new BsonInt32(200))});
    cases.put("min above max", new Object[] {i5, opts(new BsonInt32(10), new BsonInt32(1))});
    cases.put("int32 without min", new Object[] {i5, new RangeOptions().max(new BsonInt32(9))});
    cases.put("int64 without max", new Object[] {new BsonInt64(5),
        new RangeOptions().min(new BsonInt64(0))});
    cases.put("min of another type", new Object[] {i5, opts(new BsonInt64(0), new BsonInt64(9))});
    cases.put("min and max of different types", new Object[] {i5,
        opts(new BsonInt32(0), new BsonInt64(9))});
    cases.put("precision on int32", new Object[] {i5, opts(new BsonInt32(0), new BsonInt32(9))
        .precision(2)});
    cases.put("double bounds without precision", new Object[] {new BsonDouble(1),
        opts(new BsonDouble(0), new BsonDouble(9))});
    cases.put("precision without max", new Object[] {new BsonDouble(1),
        new RangeOptions().min(new BsonDouble(0)).precision(1)});
    cases.put("negative precision", new Object[] {new BsonDouble(1),
        opts(new BsonDouble(0), new BsonDouble(9)).precision(-1)});
    cases.put("negative trimFactor", new Object[] {i5, opts(new BsonInt32(0), new BsonInt32(9))
        .trimFactor(-1)});
    cases.put("trimFactor too large", new Object[] {i5, opts(new BsonInt32(0), new BsonInt32(9))
        .trimFactor(4)});
    cases.put("sparsity 0", new Object[] {i5, opts(new BsonInt32(0), new BsonInt32(9))
        .sparsity(0L)});
    cases.put("negative sparsity", new Object[] {i5, opts(new BsonInt32(0), new BsonInt32(9))
        .sparsity(-2L)});
    cases.put("string value", new Object[] {new BsonString("x"), new RangeOptions()});
    cases.put("double NaN", new Object[] {new BsonDouble(Double.NaN), new RangeOptions()});
    cases.put("double infinity", new Object[] {new BsonDouble(Double.POSITIVE_INFINITY),
        new RangeOptions()});
    cases.put("precision too large for double", new Object[] {new BsonDouble(1),
        opts(new BsonDouble(0), new BsonDouble(1e10)).precision(10)});
    return cases.entrySet().stream().map(e -> Arguments.of(e.getKey(), e.getValue()[0],
        e.getValue()[1]));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("refusals")
  void badRangeOptionsAndValues_refusedByBoth(String name, BsonValue value, RangeOptions range) {
    EncryptOptions options = range(range, 0);
    Throwable theirs = catchThrowable(() -> official.encrypt(value, options));
    Throwable ours = catchThrowable(() -> fle4j.encrypt(value, options));
    assertThat(theirs).as("libmongocrypt refuses").isInstanceOf(MongoException.class);
    assertThat(ours).as("fle4j refuses").isInstanceOf(MongoException.class);
    assertThat(ours.getMessage()).as("libmongocrypt said: " + theirs.getMessage())
        .contains(libmongocryptText(theirs.getMessage()));
  }

  Stream<Arguments> badExpressions() {
    BsonValue i5 = new BsonInt32(5);
    BsonValue i9 = new BsonInt32(9);
    Map<String, BsonDocument> cases = new LinkedHashMap<>();
    cases.put("no $and", new BsonDocument("$or", new BsonArray(List.of(op("$gt", i5)))));
    cases.put("$and not an array", new BsonDocument("$and", op("$gt", i5)));
    cases.put("key after $and", and(op("$gt", i5)).append("x", i5));
    cases.put("two fields", and(op("$gt", i5), new BsonDocument("other",
        new BsonDocument("$lt", i9))));
    cases.put("two lower bounds", and(op("$gt", i5), op("$gte", i5)));
    cases.put("$eq", and(op("$eq", i5)));
    cases.put("operand not a document", new BsonDocument("$and", new BsonArray(List.of(i5))));
    cases.put("empty operand", new BsonDocument("$and", new BsonArray(List.of(new BsonDocument()))));
    cases.put("aggregate with one argument", new BsonDocument("$and", new BsonArray(List.of(
        new BsonDocument("$gt", new BsonArray(List.of(new BsonString("$field"))))))));
    cases.put("bound of another type", and(op("$gt", new BsonInt64(5))));
    cases.put("bound outside the index", and(op("$gt", new BsonInt32(500))));
    cases.put("empty $and", new BsonDocument("$and", new BsonArray()));
    return cases.entrySet().stream().map(e -> Arguments.of(e.getKey(), e.getValue()));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badExpressions")
  void badExpressions_refusedByBoth(String name, BsonDocument expression) {
    EncryptOptions options = range(opts(new BsonInt32(0), new BsonInt32(200)), 0)
        .queryType("range");
    Throwable theirs = catchThrowable(() -> official.encryptExpression(expression, options));
    Throwable ours = catchThrowable(() -> fle4j.encryptExpression(expression, options));
    assertThat(theirs).as("libmongocrypt refuses").isInstanceOf(MongoException.class);
    assertThat(ours).as("fle4j refuses (libmongocrypt: " + theirs.getMessage() + ")")
        .isInstanceOf(MongoException.class);
    // libmongocrypt appends the expression as JSON; fle4j leaves the values out of its message.
    String text = libmongocryptText(theirs.getMessage()).replaceFirst(": \\{.*$", "");
    assertThat(ours.getMessage()).contains(text);
  }

  /** The driver's text without its status prefix, up to the first value it prints. */
  private static String libmongocryptText(String message) {
    String text = message.replaceFirst("^.*?: ", "").replaceFirst("^Error: ", "").strip();
    int colon = text.lastIndexOf(": ");
    return colon > 0 && text.length() - colon < 40 ? text.substring(0, colon) : text;
  }

  private EncryptOptions range(RangeOptions range, long contention) {
    return new EncryptOptions("Range").keyId(keyId).contentionFactor(contention)
        .rangeOptions(range);
  }

  private static RangeOptions opts(BsonValue min, BsonValue max) {
    return new RangeOptions().min(min).max(max);
  }

  private static BsonDecimal128 dec(String value) {
    return new BsonDecimal128(Decimal128.parse(value));
  }

  private static void add(List<Arguments> cases, String name, BsonValue value, RangeOptions range,
      BsonValue lower, BsonValue upper) {
    cases.add(Arguments.of(name, value, range, lower, upper));
  }

  private static BsonDocument op(String operator, BsonValue value) {
    return new BsonDocument("field", new BsonDocument(operator, value));
  }

  private static BsonDocument and(BsonDocument... operands) {
    return new BsonDocument("$and", new BsonArray(Arrays.asList(operands)));
  }

  private static BsonDocument aggregate(String op1, BsonValue v1, String op2, BsonValue v2) {
    return and(new BsonDocument(op1, new BsonArray(List.of(new BsonString("$field"), v1))),
        new BsonDocument(op2, new BsonArray(List.of(new BsonString("$field"), v2))));
  }

  /** Each payload decoded, with its payloadId (a process-wide counter on each side) blanked. */
  private static String withoutPayloadIds(BsonDocument expression) {
    BsonDocument copy = BsonDocument.parse(expression.toJson()); // the driver's is immutable
    for (BsonValue operand : copy.getArray("$and")) {
      BsonDocument doc = operand.asDocument();
      String key = doc.getFirstKey();
      if (doc.get(key).isArray()) {
        BsonArray args = doc.getArray(key);
        args.set(1, decoded(args.get(1).asBinary()));
      } else {
        BsonDocument predicate = doc.getDocument(key);
        String op = predicate.getFirstKey();
        predicate.put(op, decoded(predicate.getBinary(op)));
      }
    }
    return copy.toJson();
  }

  private static BsonDocument decoded(BsonBinary binary) {
    assertThat(binary.getData()[0]).isEqualTo((byte) 13);
    BsonDocument doc = payload(binary);
    doc.put("payloadId", new BsonInt32(-1));
    return doc;
  }

  private static BsonDocument payload(BsonBinary binary) {
    byte[] data = binary.getData();
    return new RawBsonDocument(Arrays.copyOfRange(data, 1, data.length))
        .decode(new BsonDocumentCodec());
  }
}
