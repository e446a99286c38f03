package io.fle4j.internal.qe;

import io.fle4j.ConfigurationException;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import org.bson.BsonType;
import org.bson.BsonValue;
import org.bson.types.Decimal128;

/**
 * The minimum cover of a range query (qe-formats.md §5.2, §6.5): the fewest stored edges whose
 * blocks together are exactly the queried interval, in libmongocrypt's order (lower block before
 * upper block, depth first), with libmongocrypt's checks and error texts.
 *
 * <p>Two levels, as in libmongocrypt: {@link #minCover} is {@code mc_getMincover*} (bounds and
 * index min/max already chosen, both optional as {@link RangeEncoding#encode} allows), and
 * {@link #forFind} is {@code mc_get_mincover_from_FLE2RangeFindSpec}, which first resolves open
 * (infinite) bounds with {@link #resolveOpenBounds} and drops the index bounds of double and
 * decimal128 indexes without precision.
 */
final class MinCover {
  static final String LOWER_BOUND = "lowerBound";
  static final String UPPER_BOUND = "upperBound";

  private MinCover() {}

  /** A queried interval; each bound is included or excluded. */
  record Interval(
      BsonValue lower, boolean lowerIncluded, BsonValue upper, boolean upperIncluded) {
    Interval {
      Objects.requireNonNull(lower, LOWER_BOUND);
      Objects.requireNonNull(upper, UPPER_BOUND);
    }
  }

  /**
   * A mincover.
   *
   * @param edges the edge strings, {@code "root"} for the whole domain
   * @param usedTrimFactor the trim factor after defaulting (the find payload's {@code tf})
   */
  record Cover(List<String> edges, int usedTrimFactor) {
    Cover {
      edges = Collections.unmodifiableList(new ArrayList<>(edges));
    }
  }

  /**
   * Replaces an infinite bound, which is how an open-ended query arrives (for example
   * {@code $gt: 5} becomes {@code (5, +Infinity]}), by the index bound on that side and includes
   * it. Only double infinities count: libmongocrypt reads the bound as a double, which is 0 for
   * every other type (so a decimal128 infinity is not replaced, and is refused later).
   */
  static Interval resolveOpenBounds(Interval query, BsonValue indexMin, BsonValue indexMax) {
    BsonValue lower = query.lower();
    boolean lowerIncluded = query.lowerIncluded();
    BsonValue upper = query.upper();
    boolean upperIncluded = query.upperIncluded();
    if (isDoubleInfinity(lower)) {
      lower = indexMin;
      lowerIncluded = true;
    }
    if (isDoubleInfinity(upper)) {
      upper = indexMax;
      upperIncluded = true;
    }
    return new Interval(lower, lowerIncluded, upper, upperIncluded);
  }

  private static boolean isDoubleInfinity(BsonValue v) {
    return v.getBsonType() == BsonType.DOUBLE && Double.isInfinite(v.asDouble().getValue());
  }

  /**
   * The mincover of a range find as libmongocrypt builds it from a find placeholder: the index
   * bounds must share a type, open bounds become index bounds, the query bounds must then have
   * the index type, and double/decimal128 indexes use their bounds only with a precision.
   *
   * @param indexMin the index minimum (the type's extreme by default for double/decimal128)
   * @param indexMax the index maximum
   * @param precision the index precision, or null
   * @param sparsity the index sparsity
   * @param trimFactor the index trim factor, or null for the default
   */
  static Cover forFind(
      Interval query,
      BsonValue indexMin,
      BsonValue indexMax,
      Integer precision,
      long sparsity,
      Integer trimFactor) {
    BsonType type = indexMin.getBsonType();
    if (type != indexMax.getBsonType()) {
      throw new ConfigurationException(
          RangeEncoding.MAX,
          "indexMin and indexMax must have the same type. Got: " + RangeEncoding.typeName(type)
              + " indexMin and " + RangeEncoding.typeName(indexMax.getBsonType()) + " indexMax");
    }
    Interval resolved = resolveOpenBounds(query, indexMin, indexMax);
    requireIndexType(resolved.lower(), type, LOWER_BOUND);
    requireIndexType(resolved.upper(), type, UPPER_BOUND);
    if (!RangeEncoding.isRangeType(type)) {
      throw new ConfigurationException(
          RangeEncoding.MIN,
          "FLE2 find is not supported for type: " + RangeEncoding.typeName(type));
    }
    if (RangeEncoding.usesWholeTypeWithoutPrecision(type) && precision == null) {
      return minCover(resolved, null, null, null, sparsity, trimFactor);
    }
    return minCover(resolved, indexMin, indexMax, precision, sparsity, trimFactor);
  }

  private static void requireIndexType(BsonValue bound, BsonType indexType, String name) {
    if (bound.getBsonType() != indexType) {
      throw new ConfigurationException(
          name,
          "expected " + name + " to match index type " + RangeEncoding.typeName(indexType)
              + ", got " + RangeEncoding.typeName(bound.getBsonType()));
    }
  }

  /**
   * The mincover of {@code query} over the domain that {@code min}, {@code max} and
   * {@code precision} define (each optional as {@link RangeEncoding#encode} allows).
   *
   * <p>Excluded bounds are stepped by one in the encoded domain. Errors, in libmongocrypt's
   * order: bounds outside {@code [min, max]} (texts with the given values), encoding errors of
   * either bound, an excluded bound at the domain's end (texts with encoded values), an empty
   * interval, then sparsity and trim factor.
   *
   * @param sparsity at least 1
   * @param trimFactor null for {@link RangeEdges#defaultTrimFactor(int)}, else 0 or less than the
   *     domain's bit count
   */
  static Cover minCover(
      Interval query,
      BsonValue min,
      BsonValue max,
      Integer precision,
      long sparsity,
      Integer trimFactor) {
    BsonType type = query.lower().getBsonType();
    if (query.upper().getBsonType() != type) {
      throw new ConfigurationException(
          UPPER_BOUND,
          "expected upperBound to match index type " + RangeEncoding.typeName(type) + ", got "
              + RangeEncoding.typeName(query.upper().getBsonType()));
    }
    if (RangeEncoding.isRangeType(type)) {
      checkBoundsAgainstIndex(query, min, max);
    }
    RangeEncoding.Encoded lower =
        RangeEncoding.encode(query.lower(), min, max, precision, LOWER_BOUND);
    RangeEncoding.Encoded upper =
        RangeEncoding.encode(query.upper(), min, max, precision, UPPER_BOUND);
    BigInteger domainMax = lower.max();
    BigInteger rangeMin = lower.value();
    BigInteger rangeMax = upper.value();
    if (!query.lowerIncluded()) {
      if (rangeMin.compareTo(domainMax) >= 0) {
        throw new ConfigurationException(
            LOWER_BOUND,
            "Lower bound (" + rangeMin + ") must be less than the range maximum (" + domainMax
                + ") if lower bound is excluded from range.");
      }
      rangeMin = rangeMin.add(BigInteger.ONE);
    }
    if (!query.upperIncluded()) {
      if (rangeMax.signum() <= 0) {
        throw new ConfigurationException(
            UPPER_BOUND,
            "Upper bound (" + rangeMax + ") must be greater than the range minimum (0) if upper "
                + "bound is excluded from range.");
      }
      rangeMax = rangeMax.subtract(BigInteger.ONE);
    }
    if (rangeMin.compareTo(rangeMax) > 0) {
      throw new ConfigurationException(
          LOWER_BOUND,
          "Range min (" + rangeMin + ") must be less than or equal to range max (" + rangeMax
              + ") for range search");
    }
    if (rangeMax.compareTo(domainMax) > 0) {
      throw new ConfigurationException(
          UPPER_BOUND,
          "Range max (" + rangeMax + ") must be less than or equal to max (" + domainMax
              + ") for range search");
    }
    if (sparsity < 1) {
      throw new ConfigurationException(RangeEdges.SPARSITY, "Sparsity must be > 0");
    }
    int bits = domainMax.bitLength();
    int used = trimFactor != null ? trimFactor : RangeEdges.defaultTrimFactor(bits);
    if (used != 0 && used >= bits) {
      throw new ConfigurationException(
          RangeEdges.TRIM_FACTOR,
          "Trim factor must be less than the number of bits (" + bits
              + ") used to represent an element of the domain, but got " + used);
    }
    if (used < 0) {
      throw new ConfigurationException(
          RangeEdges.TRIM_FACTOR, "Trim factor must be >= 0, but got (" + used + ")");
    }
    Generator generator = new Generator(rangeMin, rangeMax, bits, sparsity, used);
    List<String> edges = new ArrayList<>();
    generator.cover(BigInteger.ZERO, bits, edges);
    return new Cover(edges, used);
  }

  /**
   * libmongocrypt's first checks, on the bounds as given: each bound must lie in
   * {@code [min, max]}, and an excluded bound must not sit on the end it points past. Skipped
   * for a side whose index bound is absent. Comparisons are false for NaN, as in C.
   */
  private static void checkBoundsAgainstIndex(Interval q, BsonValue min, BsonValue max) {
    BsonValue lower = q.lower();
    BsonValue upper = q.upper();
    if (min != null && min.getBsonType() == lower.getBsonType()) {
      if (less(upper, min)) {
        throw new ConfigurationException(
            UPPER_BOUND,
            "Upper bound (" + text(upper) + ") must be greater than or equal to the range minimum ("
                + text(min) + ")");
      }
      if (!q.upperIncluded() && !less(min, upper)) {
        throw new ConfigurationException(
            UPPER_BOUND,
            "Upper bound (" + text(upper) + ") must be greater than the range minimum ("
                + text(min) + ") if upper bound is excluded from range");
      }
    }
    if (max != null && max.getBsonType() == lower.getBsonType()) {
      if (less(max, lower)) {
        throw new ConfigurationException(
            LOWER_BOUND,
            "Lower bound (" + text(lower) + ") must be less than or equal to the range maximum ("
                + text(max) + ")");
      }
      if (!q.lowerIncluded() && !less(lower, max)) {
        throw new ConfigurationException(
            LOWER_BOUND,
            "Lower bound (" + text(lower) + ") must be less than the range maximum ("
                + text(max) + ") if lower bound is excluded from range");
      }
    }
  }

  /** {@code a < b} for two values of the same range type. */
  private static boolean less(BsonValue a, BsonValue b) {
    switch (a.getBsonType()) {
      case INT32:
        return a.asInt32().getValue() < b.asInt32().getValue();
      case INT64:
        return a.asInt64().getValue() < b.asInt64().getValue();
      case DATE_TIME:
        return a.asDateTime().getValue() < b.asDateTime().getValue();
      case DOUBLE:
        return a.asDouble().getValue() < b.asDouble().getValue();
      default:
        return RangeEncoding.decimalLess(
            a.asDecimal128().getValue(), b.asDecimal128().getValue());
    }
  }

  /** A bound as libmongocrypt prints it: %d, %g, or the Intel decimal128 form. */
  private static String text(BsonValue v) {
    switch (v.getBsonType()) {
      case INT32:
        return Integer.toString(v.asInt32().getValue());
      case INT64:
        return Long.toString(v.asInt64().getValue());
      case DATE_TIME:
        return Long.toString(v.asDateTime().getValue());
      case DOUBLE:
        return RangeEncoding.formatG(v.asDouble().getValue());
      default:
        Decimal128 d = v.asDecimal128().getValue();
        return RangeEncoding.formatDecimal(d);
    }
  }

  /** The recursive block walk of libmongocrypt's {@code MinCoverGenerator}. */
  private static final class Generator {
    private final BigInteger rangeMin;
    private final BigInteger rangeMax;
    private final int bits;
    private final long sparsity;
    private final int trimFactor;

    Generator(BigInteger rangeMin, BigInteger rangeMax, int bits, long sparsity, int trimFactor) {
      this.rangeMin = rangeMin;
      this.rangeMax = rangeMax;
      this.bits = bits;
      this.sparsity = sparsity;
      this.trimFactor = trimFactor;
    }

    /**
     * Covers the block {@code [start, start | (2^maskedBits - 1)]}: skipped when disjoint from the
     * range, emitted when inside it and its level is stored, else split into halves.
     */
    void cover(BigInteger start, int maskedBits, List<String> out) {
      BigInteger end = start.or(BigInteger.ONE.shiftLeft(maskedBits).subtract(BigInteger.ONE));
      if (end.compareTo(rangeMin) < 0 || start.compareTo(rangeMax) > 0) {
        return;
      }
      if (start.compareTo(rangeMin) >= 0
          && end.compareTo(rangeMax) <= 0
          && isLevelStored(maskedBits)) {
        out.add(edge(start, maskedBits));
        return;
      }
      int next = maskedBits - 1;
      cover(start, next, out);
      cover(start.setBit(next), next, out);
    }

    /** Leaves are always stored; other levels only from the trim factor on, every sparsity-th. */
    private boolean isLevelStored(int maskedBits) {
      int level = bits - maskedBits;
      return maskedBits == 0 || (level >= trimFactor && level % sparsity == 0);
    }

    private String edge(BigInteger start, int maskedBits) {
      if (maskedBits == bits) {
        return RangeEdges.ROOT;
      }
      return RangeEdges.bitString(start.shiftRight(maskedBits), bits - maskedBits);
    }
  }
}
