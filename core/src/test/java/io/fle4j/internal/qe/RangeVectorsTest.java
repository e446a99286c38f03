package io.fle4j.internal.qe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.DynamicContainer.dynamicContainer;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import io.fle4j.ConfigurationException;
import io.fle4j.internal.qe.CStructVectors.Expr;
import io.fle4j.internal.qe.CStructVectors.Struct;
import io.fle4j.internal.qe.MinCover.Interval;
import io.fle4j.internal.qe.RangeEncoding.Encoded;
import io.fle4j.testing.SpecData;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.bson.BsonDateTime;
import org.bson.BsonDecimal128;
import org.bson.BsonDouble;
import org.bson.BsonInt32;
import org.bson.BsonInt64;
import org.bson.BsonString;
import org.bson.BsonValue;
import org.bson.types.Decimal128;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * The range algorithms against libmongocrypt's generated vectors (its {@code test/data} folders
 * {@code range-edge-generation} and {@code range-min-cover}, read in place from spec-data), one
 * dynamic test per entry, read the way libmongocrypt's C harness reads them (qe-formats.md
 * §6.8): trim factor 0; double and decimal128 edges ignore the listed min/max; double and
 * decimal128 mincovers use min/max only with a precision; and the few precision entries whose
 * min/max/precision fail the precision checks expect an error (their listed strings are stale).
 * Those entries are pinned below with the message libmongocrypt gives, rather than re-derived by
 * the code under test.
 *
 * <p>Then unit tests: defaults, error texts, hand-checked examples, open bounds, and encoding
 * values from libmongocrypt's {@code test/test-mc-range-encoding.c}.
 */
class RangeVectorsTest {
  private static final String EDGES = "libmongocrypt/test-data/range-edge-generation/";
  private static final String MINCOVER = "libmongocrypt/test-data/range-min-cover/";

  /** The C type of a vector file's values. */
  private enum Kind {
    INT32,
    INT64,
    DOUBLE,
    DECIMAL128
  }

  /**
   * Precision mincover entries that must fail, keyed by "min max precision" as written in the
   * file, with the libmongocrypt message (mc_canUsePrecisionMode* reports it; the C harness
   * checks the status contains it).
   */
  private static final Map<String, Map<String, String>> PRECISION_ERRORS = Map.of(
      "mincover_double_precision.cstruct",
      Map.of(
          "383.000000 18446744073709552000.000000 0",
          "Invalid upper bound for double precision. Absolute scaled value of max must be less"
              + " than 9.0072e+15. max: 1.84467e+19",
          "384.000000 18446744073709552000.000000 0",
          "Invalid upper bound for double precision. Absolute scaled value of max must be less"
              + " than 9.0072e+15. max: 1.84467e+19",
          "2.710000 314.150000 2",
          "Invalid upper bound for double precision. Fractional digits must be less than the"
              + " specified precision value. max: 314.15"),
      "mincover_decimal128_precision.cstruct",
      Map.of(
          "788545.000000 340282366920938463463374607431769000000.000000 0",
          "Invalid upper bound for Decimal128 precision. Absolute scaled value must be less than"
              + " or equal to +1701411834604692317316873037158841E+5. max:"
              + " +3402823669209384634633746074317690E+5",
          "788544.000000 340282366920938463463374607431769000000.000000 0",
          "Invalid upper bound for Decimal128 precision. Absolute scaled value must be less than"
              + " or equal to +1701411834604692317316873037158841E+5. max:"
              + " +3402823669209384634633746074317690E+5"));

  // ---------------------------------------------------------------------------------------------
  // Vectors

  @TestFactory
  List<DynamicNode> edgeGenerationVectors() {
    return List.of(
        vectorFile(EDGES, "edges_int32.cstruct", Kind.INT32, 690, true),
        vectorFile(EDGES, "edges_int64.cstruct", Kind.INT64, 630, true),
        vectorFile(EDGES, "edges_double.cstruct", Kind.DOUBLE, 340, true),
        vectorFile(EDGES, "edges_decimal128.cstruct", Kind.DECIMAL128, 350, true));
  }

  @TestFactory
  List<DynamicNode> minCoverVectors() {
    return List.of(
        vectorFile(MINCOVER, "mincover_int32.cstruct", Kind.INT32, 299, false),
        vectorFile(MINCOVER, "mincover_int64.cstruct", Kind.INT64, 189, false),
        vectorFile(MINCOVER, "mincover_double.cstruct", Kind.DOUBLE, 131, false),
        vectorFile(MINCOVER, "mincover_double_precision.cstruct", Kind.DOUBLE, 14, false),
        vectorFile(MINCOVER, "mincover_decimal128.cstruct", Kind.DECIMAL128, 6, false),
        vectorFile(MINCOVER, "mincover_decimal128_precision.cstruct", Kind.DECIMAL128, 6, false));
  }

  /** One container per file: a count check, then one test per entry. Nothing is skipped. */
  private static DynamicNode vectorFile(
      String dir, String file, Kind kind, int expectedEntries, boolean edges) {
    List<Struct> entries = CStructVectors.parse(SpecData.text(dir + file));
    Map<String, String> pinned = PRECISION_ERRORS.getOrDefault(file, Map.of());
    List<DynamicNode> tests = new ArrayList<>();
    int expectingError = 0;
    Map<String, Integer> pinnedSeen = new LinkedHashMap<>();
    for (int i = 0; i < entries.size(); i++) {
      Struct entry = entries.get(i);
      String error = entry.has("expectError") ? stringLiteralOf(entry.expr("expectError")) : null;
      if (!edges && entry.optional("precision") != null) {
        String key = display(entry.optional("min")) + " " + display(entry.optional("max")) + " "
            + display(entry.optional("precision"));
        if (pinned.containsKey(key)) {
          error = pinned.get(key);
          pinnedSeen.merge(key, 1, Integer::sum);
        }
      }
      if (error != null) {
        expectingError++;
      }
      String name = "#" + i + " " + (edges ? describeEdges(entry, kind) : describeMinCover(entry))
          + (error != null ? " -> error" : "");
      String expectedError = error;
      tests.add(dynamicTest(name, () -> {
        if (expectedError != null) {
          assertThatThrownBy(() -> run(entry, kind, edges))
              .isInstanceOf(ConfigurationException.class)
              .hasMessageContaining(expectedError);
        } else {
          List<String> expected = entry.strings(edges ? "expectEdges" : "expectMincoverStrings");
          assertThat(run(entry, kind, edges)).containsExactlyElementsOf(expected);
        }
      }));
    }
    int errors = expectingError;
    tests.add(0, dynamicTest("entry count is " + expectedEntries, () -> {
      assertThat(entries).hasSize(expectedEntries);
      assertThat(pinnedSeen.keySet()).as("pinned error entries found").isEqualTo(pinned.keySet());
    }));
    System.out.printf("%s: %d entries, %d compared, %d expecting an error, 0 skipped%n",
        file, entries.size(), entries.size() - errors, errors);
    return dynamicContainer(
        file + " (" + entries.size() + " entries, " + errors + " expecting an error)", tests);
  }

  /** Runs one entry as libmongocrypt's C harness does. */
  private static List<String> run(Struct entry, Kind kind, boolean edges) {
    long sparsity = CStructVectors.int64(entry.expr("sparsity"));
    // The C structs' trimFactor member defaults to 0 (not "unset") when a file omits it.
    int trimFactor = entry.has("trimFactor") ? CStructVectors.int32(entry.expr("trimFactor")) : 0;
    Integer precision = entry.optional("precision") == null
        ? null : CStructVectors.int32(entry.optional("precision"));
    boolean wholeType = kind == Kind.DOUBLE || kind == Kind.DECIMAL128;
    // Integer types use their min/max as given. Double/decimal edges never pass them; double/
    // decimal mincovers pass them only together with a precision.
    boolean useBounds = !wholeType || (!edges && precision != null);
    BsonValue min = useBounds ? value(kind, entry.optional("min")) : null;
    BsonValue max = useBounds ? value(kind, entry.optional("max")) : null;
    if (edges) {
      Encoded encoded = RangeEncoding.encode(value(kind, entry.expr("value")), min, max, null);
      return RangeEdges.edges(encoded, sparsity, trimFactor).edges();
    }
    Interval query = new Interval(
        value(kind, entry.expr("lowerBound")),
        CStructVectors.bool(entry.expr("includeLowerBound")),
        value(kind, entry.expr("upperBound")),
        CStructVectors.bool(entry.expr("includeUpperBound")));
    return MinCover.minCover(query, min, max, precision, sparsity, trimFactor).edges();
  }

  private static BsonValue value(Kind kind, Expr e) {
    if (e == null) {
      return null;
    }
    switch (kind) {
      case INT32:
        return new BsonInt32(CStructVectors.int32(e));
      case INT64:
        return new BsonInt64(CStructVectors.int64(e));
      case DOUBLE:
        return new BsonDouble(CStructVectors.dbl(e));
      default:
        return new BsonDecimal128(CStructVectors.dec128(e));
    }
  }

  private static String describeEdges(Struct e, Kind kind) {
    boolean boundsUsed = kind == Kind.INT32 || kind == Kind.INT64;
    return "value=" + display(e.expr("value")) + (boundsUsed ? bounds(e) : "") + " sparsity="
        + display(e.expr("sparsity"));
  }

  private static String describeMinCover(Struct e) {
    String open = CStructVectors.bool(e.expr("includeLowerBound")) ? "[" : "(";
    String close = CStructVectors.bool(e.expr("includeUpperBound")) ? "]" : ")";
    String precision = e.optional("precision") == null
        ? "" : " precision=" + display(e.optional("precision"));
    return open + display(e.expr("lowerBound")) + ", " + display(e.expr("upperBound")) + close
        + bounds(e) + precision + " sparsity=" + display(e.expr("sparsity"));
  }

  private static String bounds(Struct e) {
    return " min=" + display(e.optional("min")) + " max=" + display(e.optional("max"));
  }

  /** An expression as written, with the decimal128 wrappers dropped for readability. */
  private static String display(Expr e) {
    if (e == null) {
      return "unset";
    }
    String s = e.source();
    if (s.startsWith("mc_dec128_from_string(\"") && s.endsWith("\")")) {
      return s.substring("mc_dec128_from_string(\"".length(), s.length() - 2);
    }
    if (s.startsWith("MC_DEC128(") && s.endsWith(")")) {
      return s.substring("MC_DEC128(".length(), s.length() - 1);
    }
    return s;
  }

  private static String stringLiteralOf(Expr e) {
    String s = e.source();
    if (!s.startsWith("\"") || !s.endsWith("\"")) {
      throw new IllegalArgumentException("expectError is not a string literal: " + s);
    }
    return s.substring(1, s.length() - 1);
  }

  // ---------------------------------------------------------------------------------------------
  // Defaults and hand-checked examples

  @Test
  void defaultTrimFactor_isMinOfSixAndBitsMinusOne() {
    assertThat(RangeEdges.defaultTrimFactor(1)).isZero();
    assertThat(RangeEdges.defaultTrimFactor(2)).isEqualTo(1);
    assertThat(RangeEdges.defaultTrimFactor(6)).isEqualTo(5);
    assertThat(RangeEdges.defaultTrimFactor(7)).isEqualTo(6);
    assertThat(RangeEdges.defaultTrimFactor(32)).isEqualTo(6);
    assertThat(RangeEdges.defaultTrimFactor(128)).isEqualTo(6);
    // libmongocrypt computes bits - 1 unsigned: 0 bits wraps and yields 6.
    assertThat(RangeEdges.defaultTrimFactor(0)).isEqualTo(6);
  }

  @Test
  void edges_value7InDomain13_sparsity1_trimFactor0() {
    Encoded v = RangeEncoding.encode(int32(7), int32(0), int32(13), null);
    assertThat(v.bits()).isEqualTo(4);
    RangeEdges.Edges edges = RangeEdges.edges(v, 1, 0);
    assertThat(edges.edges()).containsExactly("root", "0111", "0", "01", "011");
    assertThat(edges.leaf()).isEqualTo("0111");
    assertThat(edges.usedTrimFactor()).isZero();
  }

  @Test
  void edges_defaultTrimFactorIsReportedAsUsed() {
    Encoded v = RangeEncoding.encode(int32(7), int32(0), int32(13), null);
    RangeEdges.Edges edges = RangeEdges.edges(v, 1, null);
    assertThat(edges.usedTrimFactor()).isEqualTo(3);
    assertThat(edges.edges()).containsExactly("0111", "011");
  }

  @Test
  void edges_intMin0Max200_sparsity1_trimFactor1_value0() {
    Encoded v = RangeEncoding.encode(int32(0), int32(0), int32(200), null);
    assertThat(RangeEdges.edges(v, 1, 1).edges()).containsExactly(
        "00000000", "0", "00", "000", "0000", "00000", "000000", "0000000");
  }

  @Test
  void edges_dateUsesTheInt64Encoding() {
    Encoded date = RangeEncoding.encode(new BsonDateTime(-5), null, null, null);
    Encoded int64 = RangeEncoding.encode(new BsonInt64(-5), null, null, null);
    assertThat(date).isEqualTo(int64);
    assertThat(date.value())
        .isEqualTo(BigInteger.ONE.shiftLeft(63).subtract(BigInteger.valueOf(5)));
    assertThat(date.bits()).isEqualTo(64);
  }

  @Test
  void encodeIndexed_usesDoubleAndDecimalBoundsOnlyWithPrecision() {
    BsonDouble value = dbl(2.5);
    BsonDouble min = dbl(-Double.MAX_VALUE);
    BsonDouble max = dbl(Double.MAX_VALUE);
    assertThat(RangeEncoding.encodeIndexed(value, min, max, null))
        .isEqualTo(RangeEncoding.encode(value, null, null, null));
    assertThat(RangeEncoding.encodeIndexed(value, dbl(0), dbl(10), 1))
        .isEqualTo(new Encoded(BigInteger.valueOf(25), BigInteger.valueOf(127)));
    BsonDecimal128 d = dec("2.5");
    assertThat(RangeEncoding.encodeIndexed(d, dec("-1E+6144"), dec("1E+6144"), null))
        .isEqualTo(RangeEncoding.encode(d, null, null, null));
    assertThat(RangeEncoding.encodeIndexed(int32(7), int32(0), int32(13), null))
        .isEqualTo(new Encoded(BigInteger.valueOf(7), BigInteger.valueOf(13)));
  }

  @Test
  void minCover_smallDomainExamples() {
    assertThat(cover(1, true, 3, true, 0)).containsExactly("001", "01");
    assertThat(cover(1, false, 3, true, 0)).containsExactly("01");
    assertThat(cover(1, true, 3, false, 0)).containsExactly("001", "010");
    assertThat(cover(3, true, 3, true, 0)).containsExactly("011");
    assertThat(cover(0, true, 7, true, 0)).containsExactly("root");
    assertThat(cover(0, true, 7, true, 1)).containsExactly("0", "1");
    assertThat(cover(0, true, 7, true, 2)).containsExactly("00", "01", "10", "11");
  }

  private static List<String> cover(int lo, boolean loIn, int hi, boolean hiIn, int trimFactor) {
    return MinCover.minCover(new Interval(int32(lo), loIn, int32(hi), hiIn),
        int32(0), int32(7), null, 1, trimFactor).edges();
  }

  // ---------------------------------------------------------------------------------------------
  // Open bounds (find payloads)

  @Test
  void resolveOpenBounds_replacesDoubleInfinitiesWithIncludedIndexBounds() {
    Interval query = new Interval(
        new BsonDouble(Double.NEGATIVE_INFINITY), false, new BsonDouble(Double.POSITIVE_INFINITY),
        false);
    Interval resolved = MinCover.resolveOpenBounds(query, int32(0), int32(200));
    assertThat(resolved).isEqualTo(new Interval(int32(0), true, int32(200), true));

    Interval finite = new Interval(int32(3), false, int32(9), false);
    assertThat(MinCover.resolveOpenBounds(finite, int32(0), int32(200))).isEqualTo(finite);
  }

  @Test
  void forFind_gtOnInt32Index_coversUpToTheIndexMaximum() {
    // {$gt: 5} arrives as (5, +Infinity] even for an int32 index.
    Interval gt5 = new Interval(int32(5), false, new BsonDouble(Double.POSITIVE_INFINITY), true);
    MinCover.Cover got = MinCover.forFind(gt5, int32(0), int32(200), null, 1, null);
    MinCover.Cover direct = MinCover.minCover(
        new Interval(int32(5), false, int32(200), true), int32(0), int32(200), null, 1, null);
    assertThat(got).isEqualTo(direct);
    assertThat(got.usedTrimFactor()).isEqualTo(6);
  }

  @Test
  void forFind_doubleWithoutPrecision_ignoresIndexBoundsButUsesThemForOpenSides() {
    BsonDouble min = new BsonDouble(-Double.MAX_VALUE);
    BsonDouble max = new BsonDouble(Double.MAX_VALUE);
    Interval lt = new Interval(
        new BsonDouble(Double.NEGATIVE_INFINITY), true, new BsonDouble(2.5), false);
    MinCover.Cover got = MinCover.forFind(lt, min, max, null, 2, null);
    MinCover.Cover direct = MinCover.minCover(
        new Interval(min, true, new BsonDouble(2.5), false), null, null, null, 2, null);
    assertThat(got).isEqualTo(direct);
    assertThat(got.edges()).isNotEmpty();
  }

  @Test
  void forFind_decimalInfinityIsNotAnOpenBound() {
    BsonDecimal128 min = dec("0");
    BsonDecimal128 max = dec("200");
    Interval query = new Interval(new BsonDecimal128(Decimal128.NEGATIVE_INFINITY), true,
        dec("5"), true);
    assertThatThrownBy(() -> MinCover.forFind(query, min, max, 0, 1, null))
        .isInstanceOf(ConfigurationException.class)
        .hasMessage("lowerBound: Infinity and Nan Decimal128 values are not supported.");
  }

  @Test
  void forFind_typeErrors() {
    Interval q = new Interval(int32(1), true, int32(2), true);
    assertError(() -> MinCover.forFind(q, int32(0), new BsonInt64(9), null, 1, null),
        "RangeOptions.max",
        "indexMin and indexMax must have the same type. Got: INT32 indexMin and INT64 indexMax");
    Interval text = new Interval(new BsonString("a"), true, int32(2), true);
    assertError(() -> MinCover.forFind(text, int32(0), int32(9), null, 1, null),
        "lowerBound", "expected lowerBound to match index type INT32, got UTF8");
    Interval upper = new Interval(int32(1), true, new BsonInt64(2), true);
    assertError(() -> MinCover.forFind(upper, int32(0), int32(9), null, 1, null),
        "upperBound", "expected upperBound to match index type INT32, got INT64");
    Interval strings = new Interval(new BsonString("a"), true, new BsonString("b"), true);
    assertError(() -> MinCover.forFind(
            strings, new BsonString("a"), new BsonString("z"), null, 1, null),
        "RangeOptions.min", "FLE2 find is not supported for type: UTF8");
  }

  // ---------------------------------------------------------------------------------------------
  // Error texts

  @Test
  void errors_sparsityAndTrimFactor() {
    Encoded seven = RangeEncoding.encode(int32(2), int32(0), int32(7), null);
    assertError(() -> RangeEdges.edges(seven, 0, 0),
        "RangeOptions.sparsity", "sparsity must be 1 or larger");
    assertError(() -> RangeEdges.edges(seven, 1, 3), "RangeOptions.trimFactor",
        "trimFactor must be less than the number of bits (3) used to represent an element of the"
            + " domain, but got 3");
    assertError(() -> RangeEdges.edges(seven, 1, -1),
        "RangeOptions.trimFactor", "trimFactor must be >= 0, but got -1");
    assertThat(RangeEdges.edges(seven, 2, 2).edges()).containsExactly("010", "01");

    Interval all = new Interval(int32(0), true, int32(7), true);
    assertError(() -> MinCover.minCover(all, int32(0), int32(7), null, 0, 0),
        "RangeOptions.sparsity", "Sparsity must be > 0");
    assertError(() -> MinCover.minCover(all, int32(0), int32(7), null, 1, 3),
        "RangeOptions.trimFactor",
        "Trim factor must be less than the number of bits (3) used to represent an element of the"
            + " domain, but got 3");
    assertError(() -> MinCover.minCover(all, int32(0), int32(7), null, 1, -2),
        "RangeOptions.trimFactor", "Trim factor must be >= 0, but got (-2)");
  }

  @Test
  void errors_minMaxAndValueRange() {
    assertError(() -> RangeEncoding.encode(int32(1), int32(2), int32(1), null),
        "RangeOptions.min", "The minimum value must be less than the maximum value, got min: 2,"
            + " max: 1");
    assertError(() -> RangeEncoding.encode(int32(8), int32(0), int32(7), null), "value",
        "Value must be greater than or equal to the minimum value and less than or equal to the"
            + " maximum value, got min: 0, max: 7, value: 8");
    assertError(() -> RangeEncoding.encode(new BsonInt64(1), new BsonInt64(0), null, null),
        "RangeOptions.min", "Must specify both a lower and upper bound or no bounds.");
    assertError(() -> RangeEncoding.encode(dbl(0.5), dbl(1), dbl(2), 1), "value",
        "Value must be greater than or equal to the minimum value and less than or equal to the"
            + " maximum value, got min: 1, max: 2, value: 0.5");
    assertError(() -> RangeEncoding.encode(dec("3"), dec("1"), dec("1"), 0), "RangeOptions.min",
        "The minimum value must be less than the maximum value, got min: +1E+0, max: +1E+0");
    assertError(() -> RangeEncoding.encode(dec("-1.5"), dec("0"), dec("2"), 1), "value",
        "Value must be greater than or equal to the minimum value and less than or equal to the"
            + " maximum value, got min: +0E+0, max: +2E+0, value: -15E-1");
  }

  @Test
  void errors_nanAndInfinity() {
    double[] doubles = {Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY};
    for (double bad : doubles) {
      assertError(() -> RangeEncoding.encode(dbl(bad), null, null, null),
          "value", "Infinity and NaN double values are not supported.");
    }
    for (Decimal128 bad : new Decimal128[] {Decimal128.NaN, Decimal128.POSITIVE_INFINITY,
        Decimal128.NEGATIVE_INFINITY}) {
      assertError(() -> RangeEncoding.encode(new BsonDecimal128(bad), null, null, null),
          "value", "Infinity and Nan Decimal128 values are not supported.");
    }
  }

  @Test
  void errors_precision() {
    assertError(() -> RangeEncoding.encode(dbl(1), dbl(0), dbl(2), null),
        "RangeOptions.precision", "min, max, and precision must all be set or must all be unset");
    assertError(() -> RangeEncoding.encode(dbl(1), dbl(1), dbl(2), -1),
        "RangeOptions.precision", "Precision must be non-negative, but got -1");
    assertError(() -> RangeEncoding.encode(dbl(1), dbl(0), dbl(1), 309),
        "RangeOptions.precision",
        "Precision is too large and cannot be used to calculate the scaled range bounds");
    assertError(() -> RangeEncoding.encode(dec("1"), dec("0"), dec("1"), 6145),
        "RangeOptions.precision",
        "Precision is too large and cannot be used to calculate the scaled range bounds");
    assertError(() -> RangeEncoding.encode(dbl(0), dbl(-4503599627370496.0),
            dbl(4503599627370496.0), 0), "RangeOptions.precision",
        "The domain of double values specified by the min, max, and precision cannot be"
            + " represented in fewer than 53 bits. min: -4.5036e+15, max: 4.5036e+15,"
            + " precision: 0");
    assertError(() -> RangeEncoding.encode(dbl(3.14), dbl(0), dbl(5), 16), "RangeOptions.max",
        "Invalid upper bound for double precision. Absolute scaled value of max must be less than"
            + " 9.0072e+15. max: 5");
    assertError(() -> RangeEncoding.encode(dbl(3), dbl(2.71), dbl(314.15), 2), "RangeOptions.max",
        "Invalid upper bound for double precision. Fractional digits must be less than the"
            + " specified precision value. max: 314.15");
    assertError(() -> RangeEncoding.encode(dbl(320), dbl(314.15), dbl(350), 2), "RangeOptions.min",
        "Invalid lower bound for double precision. Fractional digits must be less than the"
            + " specified precision value. min: 314.15");
    assertError(() -> RangeEncoding.encode(dbl(0), dbl(-Double.MAX_VALUE), dbl(Double.MAX_VALUE),
            3), "RangeOptions.max",
        "Invalid upper bound for double precision. Absolute scaled value of max must be less than"
            + " 9.0072e+15. max: 1.79769e+308");
    assertError(() -> RangeEncoding.encode(int32(1), int32(0), int32(2), 1),
        "RangeOptions.precision",
        "expected 'precision' to be set with double or decimal128 index, but got: INT32 min");
    assertError(() -> RangeEncoding.encode(dec("0"), dec("-1E+40"), dec("1E+40"), 0),
        "RangeOptions.max",
        "Invalid upper bound for Decimal128 precision. Absolute scaled value must be less than or"
            + " equal to +1701411834604692317316873037158841E+5. max: +1E+40");
    assertError(() -> RangeEncoding.encode(dec("0"), dec("-1E+38"), dec("1E+38"), 0),
        "RangeOptions.precision",
        "The domain of decimal values specified by the min, max, and precision cannot be"
            + " represented in fewer than 128 bits. min: -1E+38, max: +1E+38, precision: 0");
  }

  @Test
  void errors_typesAndUnsupportedValues() {
    assertError(() -> RangeEncoding.encode(new BsonString("x"), null, null, null), "value",
        "unsupported BSON type: UTF8 for range");
    assertError(() -> RangeEncoding.encode(int32(1), new BsonInt64(0), new BsonInt64(2), null),
        "RangeOptions.min", "expected matching 'min' and value type. Got range option 'min' of"
            + " type INT64 and value of type INT32");
  }

  @Test
  void errors_minCoverBounds() {
    // Checked on the given values first (texts without a final period)...
    Interval excludedAtMax = new Interval(int32(7), false, int32(7), true);
    assertError(() -> MinCover.minCover(excludedAtMax, int32(0), int32(7), null, 1, 0),
        "lowerBound", "Lower bound (7) must be less than the range maximum (7) if lower bound is"
            + " excluded from range");
    Interval excludedAtMin = new Interval(int32(0), true, int32(0), false);
    assertError(() -> MinCover.minCover(excludedAtMin, int32(0), int32(7), null, 1, 0),
        "upperBound", "Upper bound (0) must be greater than the range minimum (0) if upper bound"
            + " is excluded from range");
    assertError(() -> MinCover.minCover(new Interval(int32(8), true, int32(9), true), int32(0),
            int32(7), null, 1, 0),
        "lowerBound", "Lower bound (8) must be less than or equal to the range maximum (7)");
    assertError(() -> MinCover.minCover(new Interval(dbl(-1), true, dbl(-0.5), true), dbl(0),
            dbl(7), 1, 1, 0),
        "upperBound", "Upper bound (-0.5) must be greater than or equal to the range minimum (0)");
    // ...then, without index bounds, on the encoded values (texts with a final period).
    Interval maxExcluded = new Interval(int32(Integer.MAX_VALUE), false, int32(Integer.MAX_VALUE),
        true);
    assertError(() -> MinCover.minCover(maxExcluded, null, null, null, 1, 0), "lowerBound",
        "Lower bound (4294967295) must be less than the range maximum (4294967295) if lower bound"
            + " is excluded from range.");
    Interval minExcluded = new Interval(int32(Integer.MIN_VALUE), true, int32(Integer.MIN_VALUE),
        false);
    assertError(() -> MinCover.minCover(minExcluded, null, null, null, 1, 0), "upperBound",
        "Upper bound (0) must be greater than the range minimum (0) if upper bound is excluded"
            + " from range.");
    assertError(() -> MinCover.minCover(new Interval(int32(4), true, int32(3), true), int32(0),
            int32(7), null, 1, 0),
        "lowerBound", "Range min (4) must be less than or equal to range max (3) for range search");
    assertError(() -> MinCover.minCover(new Interval(int32(3), false, int32(4), false), int32(0),
            int32(7), null, 1, 0),
        "lowerBound", "Range min (4) must be less than or equal to range max (3) for range search");
    assertError(() -> MinCover.minCover(new Interval(int32(1), true, int32(8), true), int32(0),
            int32(7), null, 1, 0),
        "upperBound", "Value must be greater than or equal to the minimum value and less than or"
            + " equal to the maximum value, got min: 0, max: 7, value: 8");
  }

  // ---------------------------------------------------------------------------------------------
  // Encoding values from libmongocrypt's test/test-mc-range-encoding.c

  @Test
  void encoding_doubleWholeType() {
    Map<Double, String> expected = new LinkedHashMap<>();
    expected.put(-1111.0, "4570770991734587392");
    expected.put(-1.0, "4616189618054758400");
    expected.put(1.0, "13830554455654793216");
    expected.put(333.0, "13867937850999177216");
    expected.put(33E56, "14690973652625833878");
    expected.put(1E-6, "13740701229962882445");
    expected.put(-1E-58, "5484234035157343794");
    expected.put(-11E+58, "3733055120123088324");
    expected.put(0.0, "9223372036854775808");
    expected.put(-0.0, "9223372036854775808");
    expected.forEach((v, e) -> assertThat(RangeEncoding.encode(dbl(v), null, null, null))
        .as("%s", v)
        .isEqualTo(new Encoded(new BigInteger(e), BigInteger.ONE.shiftLeft(64).subtract(
            BigInteger.ONE))));
  }

  @Test
  void encoding_doublePrecision() {
    assertDoublePrecision(3.141592653589, -100000, 100000, 1, 1000031, 2097151);
    assertDoublePrecision(3.141592653589, -100000, 100000, 7, 1000031415926L, 2199023255551L);
    assertDoublePrecision(0, -1, 1, 3, 1000, 4095);
    assertDoublePrecision(-1E-33, -1E5, 1, 3, 100000000, 134217727);
    assertDoublePrecision(3.141592653589, 0, 5, 3, 3141, 8191);
    assertDoublePrecision(-5, -10, -1, 3, 5000, 16383);
    assertDoublePrecision(1E9, 0, 1E10, 0, 1000000000, 17179869183L);
    assertDoublePrecision(900719925474099.6, 900719925474099.0, 900719925474100.0, 0, 0, 1);
    assertThat(RangeEncoding.precisionBitsDouble(1, 16, 0)).isEqualTo(4);
    assertThat(RangeEncoding.precisionBitsDouble(0, 16, 0)).isEqualTo(5);
    assertThat(RangeEncoding.precisionBitsDouble(2.718281, 314.159265, 6)).isEqualTo(29);
    assertError(() -> RangeEncoding.precisionBitsDouble(-92233720368547.0, 92233720368547.0, 5),
        "RangeOptions.max", "Invalid upper bound for double precision. Absolute scaled value of"
            + " max must be less than 9.0072e+15. max: 9.22337e+13");
  }

  private static void assertDoublePrecision(
      double value, double min, double max, int precision, long expect, long expectMax) {
    assertThat(RangeEncoding.encode(dbl(value), dbl(min), dbl(max), precision))
        .as("%s in [%s, %s] precision %s", value, min, max, precision)
        .isEqualTo(new Encoded(BigInteger.valueOf(expect), BigInteger.valueOf(expectMax)));
  }

  @Test
  void encoding_decimalWholeType() {
    Map<String, String> expected = new LinkedHashMap<>();
    expected.put("-1234567890E7", "108549948892579231731687303715884111887");
    expected.put("-123456789012345", "108569948892579108281687303715884111885");
    expected.put("-5", "108706183460469231731687303715884111871");
    expected.put("0", "170141183460469231731687303715884105728");
    expected.put("1", "231572183460469231731687303715884099585");
    expected.put("334", "231594523460469231731687303715884099583");
    expected.put("11E58", "232162283460469231731687303715884099526");
    expected.put("1E-58", "230992183460469231731687303715884099643");
    expected.put("-1E-6", "108770183460469231731687303715884111865");
    expected.put("9999999999999999999999999999999999E6111",
        "293021183460469231731687303715884093440");
    expected.put("1E-6176", "170141183460469231731687303715884105729");
    expected.put("-9999999999999999999999999999999999E6111",
        "47261183460469231731687303715884118016");
    expected.put("-1E-6176", "170141183460469231731687303715884105727");
    expected.put("0E-6176", "170141183460469231731687303715884105728");
    BigInteger max = BigInteger.ONE.shiftLeft(128).subtract(BigInteger.ONE);
    expected.forEach((v, e) -> assertThat(RangeEncoding.encode(dec(v), null, null, null))
        .as(v)
        .isEqualTo(new Encoded(new BigInteger(e), max)));
  }

  @Test
  void encoding_decimalPrecision() {
    assertDecimalPrecision("3.141592653589E-1", "-100000", "100000", 10, "1000003141592653");
    assertDecimalPrecision("31415926.53589E-8", "-100000", "100000", 10, "1000003141592653");
    assertDecimalPrecision("3.1415926535897932384626433832795E20", "-100000", "1E22", 5,
        "31415926535897942384626433");
    assertDecimalPrecision("3.1415926535897932384626433832795E20", "-100000", "1E22", 8,
        "31415926535897942384626433832");
    assertDecimalPrecision("3.141592653589", "-100000", "100000", 7, "1000031415926");
    assertDecimalPrecision("-1E-33", "-1E5", "1", 3, "100000000");
    assertDecimalPrecision("3.141592653589", "0", "5", 16, "31415926535890000");
    assertDecimalPrecision("-5", "-10", "10", 2, "500");
    assertDecimalPrecision("5", ".1", "18446744073709551616", 1, "49");
    assertDecimalPrecision("5E-30", "1E-30", "10E-30", 35, "400000");

    assertThat(bitsDecimal("1", "16", 0)).isEqualTo(4);
    assertThat(bitsDecimal("0", "16", 0)).isEqualTo(5);
    assertThat(bitsDecimal("1", "324518553658426726783156020576256", 0)).isEqualTo(108);
    assertThat(bitsDecimal("0", "324518553658426726783156020576256", 0)).isEqualTo(109);
    assertThat(bitsDecimal("-100000000000000000000000000000000",
        "170141183460469231731687303715880000000", 0)).isEqualTo(128);
    assertDecimalPrecisionError("788545.12392843", "4607431769000000.129834923", 4,
        "Invalid upper bound for Decimal128 precision. Fractional digits");
    assertDecimalPrecisionError("788545.12392843", "7885451.2", 4,
        "Invalid lower bound for Decimal128 precision. Fractional digits");
    assertDecimalPrecisionError("324518553658426726783156020576256",
        "340282366920938463463374607431768211455", 10,
        "Invalid upper bound for Decimal128 precision. Absolute scaled");
    assertDecimalPrecisionError("-340282366920938463463374607431768211455",
        "-3245185536584267267831560", 10,
        "Invalid lower bound for Decimal128 precision. Absolute scaled");
    assertDecimalPrecisionError("-17014118346046923173168730371588.0000000",
        "17014118346046923173168730371588.0000000", 7, "Invalid value for precision");
  }

  /**
   * Not from libmongocrypt's tests, derived from IEEE 754 decimal128 semantics: (v' - min) is
   * rounded to 34 digits before scaling, so a 38-digit difference loses its low digits.
   * v - min = 12345678901234567890123456789012340000 + 12345 rounds half-even to ...2350000.
   */
  @Test
  void encoding_decimalPrecision_subtractionRoundsTo34Digits() {
    Encoded got = RangeEncoding.encode(
        dec("1.234567890123456789012345678901234E37"), dec("-12345"), dec("5E37"), 0);
    assertThat(got.value()).isEqualTo(new BigInteger("12345678901234567890123456789012350000"));
    assertThat(got.bits()).isEqualTo(126);
  }

  /**
   * Not from libmongocrypt's tests, derived: the precision limit is trunc(log10(headroom)) - 1
   * with log10 rounded to 34 digits. Here headroom = 9999999999999999999999999999999990E4, whose
   * log10 (38 - 4.3e-34) rounds to 38, so precision 37 passes that check (the exact floor, 37,
   * would refuse it) and the domain check refuses it instead.
   */
  @Test
  void encoding_decimalPrecision_log10RoundsUpJustBelowAPowerOfTen() {
    assertDecimalPrecisionError("-1E1", "14.02823669209384634633746074317683", 37,
        "The domain of decimal values specified by the min, max, and precision cannot be"
            + " represented in fewer than 128 bits");
    assertDecimalPrecisionError("-1E1", "14.02823669209384634633746074317682", 37,
        "The domain of decimal values specified by the min, max, and precision cannot be"
            + " represented in fewer than 128 bits");
  }

  private static void assertDecimalPrecision(
      String value, String min, String max, int precision, String expect) {
    assertThat(RangeEncoding.encode(dec(value), dec(min), dec(max), precision).value())
        .as("%s in [%s, %s] precision %s", value, min, max, precision)
        .isEqualTo(new BigInteger(expect));
  }

  private static int bitsDecimal(String min, String max, int precision) {
    return RangeEncoding.precisionBitsDecimal(
        dec(min).getValue(), dec(max).getValue(), precision);
  }

  private static void assertDecimalPrecisionError(
      String min, String max, int precision, String message) {
    assertThatThrownBy(() -> RangeEncoding.encode(dec(min), dec(min), dec(max), precision))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining(message);
  }

  // ---------------------------------------------------------------------------------------------
  // Helpers

  private static BsonInt32 int32(int v) {
    return new BsonInt32(v);
  }

  private static BsonDouble dbl(double v) {
    return new BsonDouble(v);
  }

  private static BsonDecimal128 dec(String v) {
    return new BsonDecimal128(CStructVectors.intelFromString(v));
  }

  private static void assertError(ThrowingCallable call, String field, String message) {
    assertThatThrownBy(call)
        .isInstanceOf(ConfigurationException.class)
        .hasMessage(field + ": " + message)
        .satisfies(e -> assertThat(((ConfigurationException) e).field()).isEqualTo(field));
  }
}
