package io.fle4j.internal.qe;

import io.fle4j.ConfigurationException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.MathContext;
import java.math.RoundingMode;
import java.util.Objects;
import org.bson.BsonType;
import org.bson.BsonValue;
import org.bson.types.Decimal128;

/**
 * Maps a range-indexed value (int32, int64, date, double, decimal128) onto the unsigned domain
 * {@code [0, max]} that range edges and mincovers are cut from (qe-formats.md §6.1), with the same
 * results, checks and error texts as libmongocrypt's {@code mc-range-encoding.c}.
 *
 * <p>{@link #encode} follows libmongocrypt's per-type rules exactly: int32/int64/date take an
 * optional {@code [min, max]} pair; double and decimal128 take either nothing (the whole type) or
 * all of {@code min}, {@code max} and {@code precision}. {@link #encodeIndexed} applies the rule
 * libmongocrypt uses when it builds insert payloads from an index's (always present) bounds.
 *
 * <p>Decimal128 arithmetic is done on exact {@link BigDecimal}s and rounded like IEEE 754
 * decimal128 (34 digits, round-half-even) where libmongocrypt's Intel library would round; the
 * nested {@code Dec} class describes the one operation (log10) that is matched by analysis rather
 * than by construction.
 */
final class RangeEncoding {
  static final String MIN = "RangeOptions.min";
  static final String MAX = "RangeOptions.max";
  static final String PRECISION = "RangeOptions.precision";

  private static final BigInteger TWO_POW_31 = BigInteger.ONE.shiftLeft(31);
  private static final BigInteger TWO_POW_63 = BigInteger.ONE.shiftLeft(63);
  private static final BigInteger TWO_POW_127 = BigInteger.ONE.shiftLeft(127);
  private static final BigInteger TWO_POW_128 = BigInteger.ONE.shiftLeft(128);
  private static final BigInteger UINT32_MAX = allOnes(32);
  private static final BigInteger UINT64_MAX = allOnes(64);
  private static final BigInteger UINT128_MAX = allOnes(128);
  /** 10^34 - 1: the largest decimal128 coefficient. */
  private static final BigInteger COEFFICIENT_MAX = BigInteger.TEN.pow(34).subtract(BigInteger.ONE);
  private static final BigInteger COEFFICIENT_MAX_DIV_TEN = COEFFICIENT_MAX.divide(BigInteger.TEN);
  /** 2^53: precision-mode doubles must scale to integers below this. */
  private static final double SCALED_DOUBLE_BOUNDS = 9007199254740992.0;

  private RangeEncoding() {}

  /**
   * A value mapped into {@code [0, max]} (the domain minimum is always 0). {@code value} can exceed
   * {@code max} in one decimal128 precision-mode corner (see {@link #encode}); libmongocrypt then
   * keeps the low {@link #bits()} bits for edges and compares the full value in mincovers.
   */
  record Encoded(BigInteger value, BigInteger max) {
    Encoded {
      Objects.requireNonNull(value, "value");
      Objects.requireNonNull(max, "max");
    }

    /** The bit length of {@code max}: the length of every leaf edge string. */
    int bits() {
      return max.bitLength();
    }
  }

  /**
   * Encodes {@code value} with libmongocrypt's {@code mc_getTypeInfo*} rules; errors name the
   * value as {@code "value"}.
   *
   * @param min the index minimum or null; must have the value's BSON type
   * @param max the index maximum or null; must have the value's BSON type
   * @param precision null, or (double and decimal128 only) the number of decimal digits kept
   * @throws ConfigurationException with libmongocrypt's text when the inputs are refused
   */
  static Encoded encode(BsonValue value, BsonValue min, BsonValue max, Integer precision) {
    return encode(value, min, max, precision, "value");
  }

  /**
   * Encodes an inserted value against its index bounds as libmongocrypt's insert path does: for
   * double and decimal128 the bounds are used only when {@code precision} is set (an index on
   * those types always has bounds, the type's extremes by default, but without precision the
   * whole-type encoding applies).
   */
  static Encoded encodeIndexed(
      BsonValue value, BsonValue indexMin, BsonValue indexMax, Integer precision) {
    if (usesWholeTypeWithoutPrecision(value.getBsonType()) && precision == null) {
      return encode(value, null, null, null);
    }
    return encode(value, indexMin, indexMax, precision);
  }

  /** Whether libmongocrypt drops index bounds of this type when no precision is set. */
  static boolean usesWholeTypeWithoutPrecision(BsonType type) {
    return type == BsonType.DOUBLE || type == BsonType.DECIMAL128;
  }

  /** As {@link #encode(BsonValue, BsonValue, BsonValue, Integer)}; errors name {@code field}. */
  static Encoded encode(
      BsonValue value, BsonValue min, BsonValue max, Integer precision, String field) {
    Objects.requireNonNull(value, field);
    BsonType type = value.getBsonType();
    if (!isRangeType(type)) {
      throw new ConfigurationException(
          field, "unsupported BSON type: " + typeName(type) + " for range");
    }
    requireSameType(min, type, "min", MIN);
    requireSameType(max, type, "max", MAX);
    switch (type) {
      case INT32:
        rejectPrecision(precision, type);
        return encodeInt32(
            value.asInt32().getValue(),
            min == null ? null : (long) min.asInt32().getValue(),
            max == null ? null : (long) max.asInt32().getValue(),
            field);
      case INT64:
        rejectPrecision(precision, type);
        return encodeInt64(
            value.asInt64().getValue(),
            min == null ? null : min.asInt64().getValue(),
            max == null ? null : max.asInt64().getValue(),
            field);
      case DATE_TIME:
        rejectPrecision(precision, type);
        return encodeInt64(
            value.asDateTime().getValue(),
            min == null ? null : min.asDateTime().getValue(),
            max == null ? null : max.asDateTime().getValue(),
            field);
      case DOUBLE:
        return encodeDouble(
            value.asDouble().getValue(),
            min == null ? null : min.asDouble().getValue(),
            max == null ? null : max.asDouble().getValue(),
            precision,
            field);
      default:
        return encodeDecimal(
            value.asDecimal128().getValue(),
            min == null ? null : min.asDecimal128().getValue(),
            max == null ? null : max.asDecimal128().getValue(),
            precision,
            field);
    }
  }

  /** The BSON types range indexes support. */
  static boolean isRangeType(BsonType type) {
    return type == BsonType.INT32
        || type == BsonType.INT64
        || type == BsonType.DATE_TIME
        || type == BsonType.DOUBLE
        || type == BsonType.DECIMAL128;
  }

  private static void requireSameType(
      BsonValue bound, BsonType valueType, String name, String field) {
    if (bound != null && bound.getBsonType() != valueType) {
      throw new ConfigurationException(
          field,
          "expected matching '" + name + "' and value type. Got range option '" + name
              + "' of type " + typeName(bound.getBsonType()) + " and value of type "
              + typeName(valueType));
    }
  }

  private static void rejectPrecision(Integer precision, BsonType type) {
    if (precision != null) {
      throw new ConfigurationException(
          PRECISION,
          "expected 'precision' to be set with double or decimal128 index, but got: "
              + typeName(type) + " min");
    }
  }

  // ---------------------------------------------------------------------------------------------
  // int32, int64, date

  private static Encoded encodeInt32(int value, Long min, Long max, String field) {
    if ((min == null) != (max == null)) {
      throw new ConfigurationException(
          MIN, "Must specify both a lower and upper bound or no bounds.");
    }
    if (min == null) {
      // Shift [-2^31, 2^31) to [0, 2^32): "unbiased" in libmongocrypt's words.
      return new Encoded(BigInteger.valueOf(value).add(TWO_POW_31), UINT32_MAX);
    }
    checkIntegerBounds(value, min, max, field);
    return new Encoded(
        BigInteger.valueOf(value - min), BigInteger.valueOf(max - min));
  }

  private static Encoded encodeInt64(long value, Long min, Long max, String field) {
    if ((min == null) != (max == null)) {
      throw new ConfigurationException(
          MIN, "Must specify both a lower and upper bound or no bounds.");
    }
    if (min == null) {
      return new Encoded(BigInteger.valueOf(value).add(TWO_POW_63), UINT64_MAX);
    }
    checkIntegerBounds(value, min, max, field);
    BigInteger low = BigInteger.valueOf(min);
    return new Encoded(
        BigInteger.valueOf(value).subtract(low), BigInteger.valueOf(max).subtract(low));
  }

  private static void checkIntegerBounds(long value, long min, long max, String field) {
    if (min >= max) {
      throw new ConfigurationException(
          MIN,
          "The minimum value must be less than the maximum value, got min: " + min + ", max: "
              + max);
    }
    if (value > max || value < min) {
      throw new ConfigurationException(
          field,
          "Value must be greater than or equal to the minimum value and less than or equal to the "
              + "maximum value, got min: " + min + ", max: " + max + ", value: " + value);
    }
  }

  // ---------------------------------------------------------------------------------------------
  // double

  private static Encoded encodeDouble(
      double value, Double min, Double max, Integer precision, String field) {
    boolean bounded = min != null;
    if (bounded != (max != null) || bounded != (precision != null)) {
      throw new ConfigurationException(
          PRECISION, "min, max, and precision must all be set or must all be unset");
    }
    if (Double.isInfinite(value) || Double.isNaN(value)) {
      throw new ConfigurationException(field, "Infinity and NaN double values are not supported.");
    }
    if (bounded) {
      if (min >= max) {
        throw new ConfigurationException(
            MIN,
            "The minimum value must be less than the maximum value, got min: " + formatG(min)
                + ", max: " + formatG(max));
      }
      if (value > max || value < min) {
        throw new ConfigurationException(
            field,
            "Value must be greater than or equal to the minimum value and less than or equal to "
                + "the maximum value, got min: " + formatG(min) + ", max: " + formatG(max)
                + ", value: " + formatG(value));
      }
    }
    if (precision == null) {
      return new Encoded(unsignedLong(doubleOrderBits(value)), UINT64_MAX);
    }
    if (precision < 0) {
      throw new ConfigurationException(
          PRECISION, "Precision must be non-negative, but got " + precision);
    }
    double scale = pow10(precision);
    if (Double.isInfinite(scale)) {
      throw new ConfigurationException(
          PRECISION,
          "Precision is too large and cannot be used to calculate the scaled range bounds");
    }
    int bits = precisionBitsDouble(min, max, precision);
    if (bits >= 53) {
      throw new ConfigurationException(
          PRECISION,
          "The domain of double values specified by the min, max, and precision cannot be "
              + "represented in fewer than 53 bits. min: " + formatG(min) + ", max: "
              + formatG(max) + ", precision: " + precision);
    }
    // Keep `precision` decimal digits (truncating), then shift so that min maps to 0. The casts
    // truncate toward zero like C's; the values are below 2^53 in magnitude here.
    long truncated = (long) (value * scale);
    long scaledMin = (long) (min * scale);
    long encoded = truncated - scaledMin;
    return new Encoded(BigInteger.valueOf(encoded), allOnes(bits));
  }

  /**
   * The 64-bit order-preserving image of a finite double: zero (either sign) is 2^63, positives
   * are 2^63 plus their IEEE bit pattern, negatives 2^63 minus the pattern of their magnitude.
   */
  private static long doubleOrderBits(double value) {
    if (value == 0.0) {
      return Long.MIN_VALUE; // 2^63 as an unsigned value, also for -0.0
    }
    if (value < 0) {
      return Long.MIN_VALUE - Double.doubleToRawLongBits(-value); // wraps to 2^63 - bits
    }
    return Long.MIN_VALUE + Double.doubleToRawLongBits(value);
  }

  /**
   * libmongocrypt's {@code mc_canUsePrecisionModeDouble}: checks that {@code min}, {@code max} and
   * {@code precision} describe an integer domain and returns the bits that domain needs. A result
   * of 53 or more means the domain is too large (the caller reports it).
   *
   * @throws ConfigurationException for the checks that libmongocrypt reports itself
   */
  static int precisionBitsDouble(double min, double max, int precision) {
    if (min >= max) {
      throw new ConfigurationException(
          MIN,
          "Invalid bounds for double range precision, min must be less than max. min: "
              + formatG(min) + ", max: " + formatG(max));
    }
    double scale = pow10(precision);
    double scaledMax = max * scale;
    double scaledMin = min * scale;
    // NaN fails these (NaN != NaN), as in C.
    if (scaledMax != truncate(scaledMax)) {
      throw new ConfigurationException(
          MAX,
          "Invalid upper bound for double precision. Fractional digits must be less than the "
              + "specified precision value. max: " + formatG(max));
    }
    if (scaledMin != truncate(scaledMin)) {
      throw new ConfigurationException(
          MIN,
          "Invalid lower bound for double precision. Fractional digits must be less than the "
              + "specified precision value. min: " + formatG(min));
    }
    if (Math.abs(scaledMax) >= SCALED_DOUBLE_BOUNDS) {
      throw new ConfigurationException(
          MAX,
          "Invalid upper bound for double precision. Absolute scaled value of max must be less "
              + "than " + formatG(SCALED_DOUBLE_BOUNDS) + ". max: " + formatG(max));
    }
    if (Math.abs(scaledMin) >= SCALED_DOUBLE_BOUNDS) {
      throw new ConfigurationException(
          MIN,
          "Invalid lower bound for double precision. Absolute scaled value of min must be less "
              + "than " + formatG(SCALED_DOUBLE_BOUNDS) + ". min: " + formatG(min));
    }
    // (double) UINT64_MAX is 2^64; with |scaled| < 2^53 the limit always works out at 18.
    double spread = scaledMax - scaledMin;
    double limit = Math.floor(Math.log10(0x1.0p64 - spread)) - 1;
    if ((double) precision > limit) {
      throw new ConfigurationException(
          PRECISION, "Invalid value for precision. precision: " + precision);
    }
    long range = (long) scaledMax - (long) scaledMin; // exact: both below 2^53 in magnitude
    long scaleAsLong = (long) scale; // <= 10^18 after the check above
    if (Long.compareUnsigned(scaleAsLong, -1L - range) > 0) {
      throw new ConfigurationException(
          PRECISION,
          "Invalid value for min, max, and precision. The calculated domain size is too large. "
              + "min: " + formatG(min) + ", max: " + formatG(max) + ", precision: " + precision);
    }
    return ceilLog2(unsignedLong(range + scaleAsLong), "ceil_log2_double");
  }

  /**
   * 10^p as C's {@code pow(10, p)} gives it: exact up to 10^22, correctly rounded above (glibc's
   * pow is accurate to about half an ulp; the two can only disagree for p >= 23, where
   * libmongocrypt refuses the precision anyway, possibly with a different one of its messages).
   */
  private static double pow10(int p) {
    return Double.parseDouble("1e" + p);
  }

  private static double truncate(double d) {
    return d < 0 ? Math.ceil(d) : Math.floor(d);
  }

  /** ceil(log2(i)) for i > 0, with libmongocrypt's error text for 0. */
  private static int ceilLog2(BigInteger i, String function) {
    if (i.signum() == 0) {
      throw new ConfigurationException(
          PRECISION, "Invalid input to " + function + " function. Input cannot be 0.");
    }
    boolean powerOfTwo = i.getLowestSetBit() == i.bitLength() - 1;
    return powerOfTwo ? i.bitLength() - 1 : i.bitLength();
  }

  // ---------------------------------------------------------------------------------------------
  // decimal128

  private static Encoded encodeDecimal(
      Decimal128 value, Decimal128 min, Decimal128 max, Integer precision, String field) {
    boolean bounded = min != null;
    if (bounded != (max != null) || bounded != (precision != null)) {
      throw new ConfigurationException(
          PRECISION, "min, max, and precision must all be set or must all be unset");
    }
    // libmongocrypt checks precision before the value here (the double path does the reverse).
    if (precision != null) {
      if (precision < 0) {
        throw new ConfigurationException(
            PRECISION, "Precision must be non-negative, but got " + precision);
      }
      if (!Dec.ONE.scale(precision).isFinite()) {
        throw new ConfigurationException(
            PRECISION,
            "Precision is too large and cannot be used to calculate the scaled range bounds");
      }
    }
    Dec v = Dec.of(value);
    if (!v.isFinite()) {
      throw new ConfigurationException(
          field, "Infinity and Nan Decimal128 values are not supported.");
    }
    if (bounded) {
      Dec lo = Dec.of(min);
      Dec hi = Dec.of(max);
      if (Dec.greaterEqual(lo, hi)) {
        throw new ConfigurationException(
            MIN,
            "The minimum value must be less than the maximum value, got min: "
                + formatDecimal(min) + ", max: " + formatDecimal(max));
      }
      if (Dec.greater(v, hi) || Dec.less(v, lo)) {
        throw new ConfigurationException(
            field,
            "Value must be greater than or equal to the minimum value and less than or equal to "
                + "the maximum value, got min: " + formatDecimal(min) + ", max: "
                + formatDecimal(max) + ", value: " + formatDecimal(value));
      }
    }
    if (precision == null) {
      return new Encoded(decimalOrderValue(value), UINT128_MAX);
    }
    int bits = precisionBitsDecimal(min, max, precision);
    if (bits >= 128) {
      throw new ConfigurationException(
          PRECISION,
          "The domain of decimal values specified by the min, max, and precision cannot be "
              + "represented in fewer than 128 bits. min: " + formatDecimal(min) + ", max: "
              + formatDecimal(max) + ", precision: " + precision);
    }
    // v' = trunc(v * 10^p) / 10^p; result = trunc((v' - min) * 10^p). Only the subtraction can
    // round (to 34 digits), exactly where the Intel library rounds.
    Dec kept = v.scale(precision).truncate().scale(-precision);
    Dec shifted = Dec.subtract(kept, Dec.of(min)).scale(precision).truncate();
    BigInteger encoded = shifted.toBigIntegerExact();
    return new Encoded(encoded, allOnes(bits));
  }

  /**
   * The order-preserving 128-bit image of a finite decimal128 without precision (libmongocrypt's
   * whole-type encoding): zero is 2^127; otherwise, with coefficient c and biased exponent e,
   * rho is the least k with c * 10^k >= (10^34 - 1) / 10, and the magnitude maps to
   * c * 10^rho + (10^34 - 1) * (e - rho) when rho <= e, else c * 10^e; that is added to 2^127
   * and negated (mod 2^128) for negative values.
   */
  private static BigInteger decimalOrderValue(Decimal128 value) {
    RawDecimal raw = RawDecimal.of(value);
    if (raw.coefficient.signum() == 0) {
      return TWO_POW_127;
    }
    if (raw.coefficient.compareTo(COEFFICIENT_MAX) > 0) {
      // libmongocrypt reads the raw (non-canonical) coefficient and then fails an assertion.
      throw new ConfigurationException(
          "value", "non-canonical Decimal128 values are not supported: " + formatDecimal(value));
    }
    int rho = 0;
    BigInteger scaled = raw.coefficient;
    while (scaled.compareTo(COEFFICIENT_MAX_DIV_TEN) < 0) {
      rho++;
      scaled = scaled.multiply(BigInteger.TEN);
    }
    BigInteger result;
    if (rho <= raw.biasedExponent) {
      result = scaled.add(COEFFICIENT_MAX.multiply(BigInteger.valueOf(raw.biasedExponent - rho)));
    } else {
      result = raw.coefficient.multiply(BigInteger.TEN.pow(raw.biasedExponent));
    }
    result = result.add(TWO_POW_127);
    return raw.negative ? TWO_POW_128.subtract(result).mod(TWO_POW_128) : result;
  }

  /**
   * libmongocrypt's {@code mc_canUsePrecisionModeDecimal}: checks {@code min}, {@code max} and
   * {@code precision} and returns the bits the scaled domain needs; 128 or more means too large
   * (the caller reports it).
   *
   * @throws ConfigurationException for the checks that libmongocrypt reports itself
   */
  static int precisionBitsDecimal(Decimal128 min, Decimal128 max, int precision) {
    Dec lo = Dec.of(min);
    Dec hi = Dec.of(max);
    if (!hi.isFinite()) {
      throw new ConfigurationException(
          MAX, "Invalid upper bound for Decimal128 precision. Max is infinite.");
    }
    if (!lo.isFinite()) {
      throw new ConfigurationException(
          MIN, "Invalid lower bound for Decimal128 precision. Min is infinite.");
    }
    if (Dec.greaterEqual(lo, hi)) {
      throw new ConfigurationException(
          MIN,
          "Invalid upper and lower bounds for Decimal128 precision. Min must be strictly less "
              + "than max. min: " + formatDecimal(min) + ", max: " + formatDecimal(max));
    }
    Dec scaledMax = hi.scale(precision);
    Dec scaledMin = lo.scale(precision);
    if (Dec.notEqual(scaledMax, scaledMax.truncate())) {
      throw new ConfigurationException(
          MAX,
          "Invalid upper bound for Decimal128 precision. Fractional digits must be less than the "
              + "specified precision value. max: " + formatDecimal(max) + ", precision: "
              + precision);
    }
    if (Dec.notEqual(scaledMin, scaledMin.truncate())) {
      throw new ConfigurationException(
          MIN,
          "Invalid lower bound for Decimal128 precision. Fractional digits must be less than the "
              + "specified precision value. min: " + formatDecimal(min) + ", precision: "
              + precision);
    }
    if (Dec.greater(scaledMax.abs(), Dec.INT128_MAX)) {
      throw new ConfigurationException(
          MAX,
          "Invalid upper bound for Decimal128 precision. Absolute scaled value must be less than "
              + "or equal to " + Dec.INT128_MAX_TEXT + ". max: " + formatDecimal(max));
    }
    if (Dec.greater(scaledMin.abs(), Dec.INT128_MAX)) {
      throw new ConfigurationException(
          MIN,
          "Invalid lower bound for Decimal128 precision. Absolute scaled value must be less than "
              + "or equal to " + Dec.INT128_MAX_TEXT + ". min: " + formatDecimal(min));
    }
    Dec spread = Dec.subtract(scaledMax, scaledMin);
    Dec headroom = Dec.subtract(Dec.UINT128_MAX, spread);
    Dec limit = headroom.truncatedLog10().minusOne();
    if (Dec.less(limit, Dec.ofInt(precision))) {
      throw new ConfigurationException(
          PRECISION, "Invalid value for precision. precision: " + precision);
    }
    if (!Dec.less(scaledMax, Dec.INT128_MAX)) {
      // libmongocrypt asserts here (the process aborts); report it instead.
      throw new ConfigurationException(
          MAX,
          "Invalid upper bound for Decimal128 precision. Absolute scaled value must be less than "
              + Dec.INT128_MAX_TEXT + ". max: " + formatDecimal(max));
    }
    BigInteger range = scaledMax.toBigIntegerExact().subtract(scaledMin.toBigIntegerExact());
    if (precision > 255) {
      throw new ConfigurationException(
          PRECISION,
          "Invalid value for precision. Must be less than 255. precision: " + precision);
    }
    BigInteger domain = range.add(BigInteger.TEN.pow(precision)).mod(TWO_POW_128);
    return ceilLog2(domain, "ceil_log2_int128");
  }

  // ---------------------------------------------------------------------------------------------
  // Formatting as libmongocrypt's messages do

  /** A double as C's {@code printf("%g")} prints it (6 significant digits, glibc style). */
  static String formatG(double d) {
    if (Double.isNaN(d)) {
      return Double.doubleToRawLongBits(d) < 0 ? "-nan" : "nan";
    }
    if (Double.isInfinite(d)) {
      return d < 0 ? "-inf" : "inf";
    }
    if (d == 0) {
      return Double.doubleToRawLongBits(d) < 0 ? "-0" : "0";
    }
    BigDecimal rounded = new BigDecimal(d).round(new MathContext(6, RoundingMode.HALF_EVEN));
    int exponent = rounded.precision() - rounded.scale() - 1;
    if (exponent < -4 || exponent >= 6) {
      String mantissa = stripZeros(rounded.movePointLeft(exponent).toPlainString());
      int magnitude = Math.abs(exponent);
      return mantissa + "e" + (exponent < 0 ? "-" : "+") + (magnitude < 10 ? "0" : "")
          + magnitude;
    }
    return stripZeros(rounded.setScale(Math.max(0, 5 - exponent), RoundingMode.UNNECESSARY)
        .toPlainString());
  }

  private static String stripZeros(String plain) {
    if (plain.indexOf('.') < 0) {
      return plain;
    }
    int end = plain.length();
    while (plain.charAt(end - 1) == '0') {
      end--;
    }
    if (plain.charAt(end - 1) == '.') {
      end--;
    }
    return plain.substring(0, end);
  }

  /**
   * A decimal128 as the Intel library's {@code bid128_to_string} prints it: sign, coefficient
   * digits, {@code E}, signed exponent ({@code +25E-1} for 2.5), or {@code +Inf}, {@code -NaN}...
   */
  static String formatDecimal(Decimal128 d) {
    long high = d.getHigh();
    String sign = high < 0 ? "-" : "+";
    if ((high & 0x7800000000000000L) == 0x7800000000000000L) {
      if ((high & 0x7c00000000000000L) == 0x7c00000000000000L) {
        boolean signaling = (high & 0x7e00000000000000L) == 0x7e00000000000000L;
        return sign + (signaling ? "SNaN" : "NaN");
      }
      return sign + "Inf";
    }
    RawDecimal raw = RawDecimal.of(d);
    boolean nonCanonical = raw.coefficient.compareTo(COEFFICIENT_MAX) > 0;
    String digits = nonCanonical ? "0" : raw.coefficient.toString();
    int exponent = raw.biasedExponent - RawDecimal.EXPONENT_BIAS;
    return sign + digits + "E" + (exponent < 0 ? "-" : "+") + Math.abs(exponent);
  }

  /** libmongocrypt's names for BSON types ({@code mc_bson_type_to_string}). */
  static String typeName(BsonType type) {
    switch (type) {
      case END_OF_DOCUMENT:
        return "EOD";
      case STRING:
        return "UTF8";
      case OBJECT_ID:
        return "OID";
      case BOOLEAN:
        return "BOOL";
      case REGULAR_EXPRESSION:
        return "REGEX";
      case DB_POINTER:
        return "DBPOINTER";
      case JAVASCRIPT:
        return "CODE";
      case JAVASCRIPT_WITH_SCOPE:
        return "CODEWSCOPE";
      case MAX_KEY:
        return "MAXKEY";
      case MIN_KEY:
        return "MINKEY";
      default:
        return type.name(); // DOUBLE, DOCUMENT, ARRAY, BINARY, INT32, DATE_TIME, DECIMAL128, ...
    }
  }

  /** 2^n - 1. */
  private static BigInteger allOnes(int n) {
    return BigInteger.ONE.shiftLeft(n).subtract(BigInteger.ONE);
  }

  private static BigInteger unsignedLong(long bits) {
    BigInteger b = BigInteger.valueOf(bits);
    return bits < 0 ? b.add(BigInteger.ONE.shiftLeft(64)) : b;
  }

  // ---------------------------------------------------------------------------------------------
  // Decimal128 internals

  /** The fields of a finite decimal128's BID encoding, read as libmongocrypt reads them. */
  private static final class RawDecimal {
    static final int EXPONENT_BIAS = 6176;
    final boolean negative;
    /** The stored coefficient; 0 for the "11" combination form (always non-canonical). */
    final BigInteger coefficient;
    final int biasedExponent;

    private RawDecimal(boolean negative, BigInteger coefficient, int biasedExponent) {
      this.negative = negative;
      this.coefficient = coefficient;
      this.biasedExponent = biasedExponent;
    }

    static RawDecimal of(Decimal128 d) {
      long high = d.getHigh();
      boolean negative = high < 0;
      if ((high & 0x6000000000000000L) == 0x6000000000000000L) {
        // Coefficient would need 2^113 or more: non-canonical, read as zero.
        return new RawDecimal(negative, BigInteger.ZERO, (int) ((high >>> 47) & 0x3FFF));
      }
      BigInteger coefficient =
          BigInteger.valueOf(high & 0x1FFFFFFFFFFFFL).shiftLeft(64).or(unsignedLong(d.getLow()));
      return new RawDecimal(negative, coefficient, (int) ((high >>> 49) & 0x3FFF));
    }
  }

  /**
   * A decimal128 operand or result as the Intel library treats it: a finite value (exact, after
   * rounding to 34 digits where an operation rounds), an infinity, or NaN. Only values matter to
   * the precision-mode computations, not which member of a cohort represents them.
   *
   * <p>One operation is matched by analysis: {@code log10} is transcendental, and the Intel
   * result is taken to be the correctly rounded 34-digit value. Its only use is
   * {@code trunc(log10(x))}, which is {@code floor(log10 x)} except when {@code log10 x} lies
   * within half a unit in the 34th digit below the next integer (x just under a power of ten),
   * where rounding carries to that integer; {@link #truncatedLog10()} decides that case exactly.
   */
  private static final class Dec {
    private static final int FINITE = 0;
    private static final int INFINITE = 1;
    private static final int NAN = 2;
    private static final BigDecimal LARGEST =
        new BigDecimal(COEFFICIENT_MAX, -6111); // 9999999999999999999999999999999999E6111
    /** ln 10 to 80 digits. */
    private static final BigDecimal LN10 = new BigDecimal(
        "2.3025850929940456840179914546843642076011014886287729760333279009675726096773525");
    private static final MathContext WIDE = new MathContext(100, RoundingMode.HALF_EVEN);

    static final Dec ONE = finite(BigDecimal.ONE);
    /** 2^127 - 1 parsed from its 39 digits, so rounded to 34 as libmongocrypt's constant is. */
    static final Dec INT128_MAX = rounded(new BigDecimal(TWO_POW_127.subtract(BigInteger.ONE)));
    static final String INT128_MAX_TEXT = "+1701411834604692317316873037158841E+5";
    static final Dec UINT128_MAX = rounded(new BigDecimal(RangeEncoding.UINT128_MAX));

    final int kind;
    final boolean negative;
    /** The value when finite, else null. */
    final BigDecimal value;

    private Dec(int kind, boolean negative, BigDecimal value) {
      this.kind = kind;
      this.negative = negative;
      this.value = value;
    }

    static Dec finite(BigDecimal v) {
      return new Dec(FINITE, v.signum() < 0, v);
    }

    static Dec ofInt(int i) {
      return finite(BigDecimal.valueOf(i));
    }

    static Dec of(Decimal128 d) {
      long high = d.getHigh();
      if ((high & 0x7800000000000000L) == 0x7800000000000000L) {
        boolean nan = (high & 0x7c00000000000000L) == 0x7c00000000000000L;
        return new Dec(nan ? NAN : INFINITE, high < 0, null);
      }
      RawDecimal raw = RawDecimal.of(d);
      // The Intel library reads a non-canonical coefficient (above 10^34 - 1) as zero.
      BigInteger c =
          raw.coefficient.compareTo(COEFFICIENT_MAX) > 0 ? BigInteger.ZERO : raw.coefficient;
      BigDecimal v = new BigDecimal(raw.negative ? c.negate() : c,
          RawDecimal.EXPONENT_BIAS - raw.biasedExponent);
      return new Dec(FINITE, raw.negative, v);
    }

    /** The decimal128 result of an exact value: 34 digits, half-even, overflow to infinity. */
    static Dec rounded(BigDecimal exact) {
      if (exact.signum() == 0) {
        return finite(BigDecimal.ZERO);
      }
      int scale = exact.scale();
      if (exact.precision() > 34) {
        scale -= exact.precision() - 34;
      }
      scale = Math.min(scale, 6176); // the smallest quantum, 10^-6176
      BigDecimal r = scale < exact.scale() ? exact.setScale(scale, RoundingMode.HALF_EVEN) : exact;
      if (r.abs().compareTo(LARGEST) > 0) {
        return new Dec(INFINITE, r.signum() < 0, null);
      }
      return finite(r);
    }

    boolean isFinite() {
      return kind == FINITE;
    }

    /** this * 10^power, as {@code bid128_scalbln}. */
    Dec scale(long power) {
      if (kind != FINITE) {
        return this;
      }
      if (value.signum() == 0) {
        return this;
      }
      // A result beyond the exponent range is infinite whatever its digits; avoid huge scales.
      long exponent = (long) value.precision() - value.scale() - 1 + power;
      if (exponent > 6144) {
        return new Dec(INFINITE, negative, null);
      }
      if (exponent < -6176 - 34) {
        return finite(BigDecimal.ZERO);
      }
      return rounded(value.scaleByPowerOfTen((int) power));
    }

    /** Rounds toward zero to an integer, as {@code bid128_round_integral_zero}. */
    Dec truncate() {
      if (kind != FINITE || value.scale() <= 0) {
        return this;
      }
      return finite(value.setScale(0, RoundingMode.DOWN));
    }

    Dec abs() {
      return kind == FINITE ? finite(value.abs()) : new Dec(kind, false, null);
    }

    Dec minusOne() {
      return kind == FINITE ? rounded(value.subtract(BigDecimal.ONE)) : this;
    }

    /** The exact integer value of a finite, integral decimal. */
    BigInteger toBigIntegerExact() {
      return value.toBigIntegerExact();
    }

    static Dec subtract(Dec a, Dec b) {
      if (a.kind == NAN || b.kind == NAN) {
        return new Dec(NAN, false, null);
      }
      if (a.kind == INFINITE && b.kind == INFINITE) {
        return a.negative == b.negative ? new Dec(NAN, false, null) : a;
      }
      if (a.kind == INFINITE) {
        return a;
      }
      if (b.kind == INFINITE) {
        return new Dec(INFINITE, !b.negative, null);
      }
      return rounded(a.value.subtract(b.value));
    }

    /**
     * trunc(log10(this)) with the 34-digit rounding of the Intel log10 (see the class comment):
     * NaN for negatives and NaN, -Infinity for zero.
     */
    Dec truncatedLog10() {
      if (kind == NAN || negative && !(kind == FINITE && value.signum() == 0)) {
        return new Dec(NAN, false, null);
      }
      if (kind == INFINITE) {
        return this;
      }
      if (value.signum() == 0) {
        return new Dec(INFINITE, true, null);
      }
      BigDecimal x = value.stripTrailingZeros();
      int floor = x.precision() - x.scale() - 1; // floor(log10 x), exactly
      boolean powerOfTen = x.unscaledValue().equals(BigInteger.ONE);
      if (floor < 0) {
        // log10 x < 0: truncation goes toward zero; any result here is below every precision.
        return ofInt(powerOfTen ? floor : floor + 1);
      }
      if (powerOfTen) {
        return ofInt(floor);
      }
      // Does log10 x round up to floor + 1? Numbers just below floor + 1 have `floor`'s digits
      // before the point and 34 digits in all, so half a unit there is 5 * 10^-(35 - digits).
      int integerDigits = floor == 0 ? 0 : Integer.toString(floor).length();
      BigDecimal halfUnit = BigDecimal.valueOf(5, 35 - integerDigits);
      // log10(10^(floor+1) / x) < halfUnit  <=>  -ln(1 - u) < halfUnit * ln 10, with
      // u = 1 - x / 10^(floor+1) tiny; -ln(1 - u) = u + u^2/2 + ... (u^3 is far below the gap).
      BigDecimal u = BigDecimal.ONE.subtract(x.scaleByPowerOfTen(-(floor + 1)));
      BigDecimal lhs = u.add(u.multiply(u, WIDE).divide(BigDecimal.valueOf(2), WIDE), WIDE);
      boolean carries = lhs.compareTo(halfUnit.multiply(LN10, WIDE)) < 0;
      return ofInt(carries ? floor + 1 : floor);
    }

    /** Total order of two non-NaN values (infinities included). */
    private static int order(Dec a, Dec b) {
      int ra = a.kind == INFINITE ? (a.negative ? -1 : 1) : 0;
      int rb = b.kind == INFINITE ? (b.negative ? -1 : 1) : 0;
      if (ra != 0 || rb != 0) {
        return Integer.compare(ra, rb);
      }
      return a.value.compareTo(b.value);
    }

    // Quiet comparisons: false whenever NaN is involved, except not-equal.
    static boolean less(Dec a, Dec b) {
      return a.kind != NAN && b.kind != NAN && order(a, b) < 0;
    }

    static boolean greater(Dec a, Dec b) {
      return a.kind != NAN && b.kind != NAN && order(a, b) > 0;
    }

    static boolean greaterEqual(Dec a, Dec b) {
      return a.kind != NAN && b.kind != NAN && order(a, b) >= 0;
    }

    static boolean notEqual(Dec a, Dec b) {
      return a.kind == NAN || b.kind == NAN || order(a, b) != 0;
    }
  }

  /** Quiet {@code a < b} on decimal128 values (false when either is NaN), for bound checks. */
  static boolean decimalLess(Decimal128 a, Decimal128 b) {
    return Dec.less(Dec.of(a), Dec.of(b));
  }
}
