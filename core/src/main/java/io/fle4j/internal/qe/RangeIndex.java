package io.fle4j.internal.qe;

import com.mongodb.client.model.vault.RangeOptions;
import io.fle4j.ConfigurationException;
import org.bson.BsonDecimal128;
import org.bson.BsonDouble;
import org.bson.BsonType;
import org.bson.BsonValue;
import org.bson.types.Decimal128;

/**
 * The range index of explicit encryption, read from the driver's {@link RangeOptions} with
 * libmongocrypt's rules and texts ({@code mc_RangeOpts_parse}, then the insert-spec defaults of
 * {@code mc_RangeOpts_appendMin/Max/TrimFactor}; qe-formats.md §6.2).
 *
 * @param min the index minimum, after the type's default (double and decimal128 only)
 * @param max the index maximum, likewise
 * @param precision digits kept for double and decimal128, or null
 * @param sparsity how many prefix lengths share one stored edge (2 when not given)
 * @param trimFactor the prefix lengths left out, or null for the default
 */
record RangeIndex(BsonValue min, BsonValue max, Integer precision, long sparsity,
    Integer trimFactor) {
  static final long DEFAULT_SPARSITY = 2;
  private static final String OPTIONS = "EncryptOptions.rangeOptions";
  private static final String PARSE = "Error parsing RangeOpts: ";
  /** The largest finite decimal128, 34 nines at the largest exponent. */
  private static final Decimal128 LARGEST_DECIMAL =
      Decimal128.parse("9999999999999999999999999999999999E+6111");
  private static final Decimal128 LARGEST_NEGATIVE_DECIMAL =
      Decimal128.parse("-9999999999999999999999999999999999E+6111");

  /**
   * Checks the options as given, before the value's type is known.
   *
   * @throws ConfigurationException naming the option, with libmongocrypt's text
   */
  static RangeIndex of(RangeOptions options) {
    BsonValue min = options.getMin();
    BsonValue max = options.getMax();
    Integer precision = options.getPrecision();
    Integer trimFactor = options.getTrimFactor();
    if (precision != null && precision < 0) {
      throw invalid(".precision", PARSE + "'precision' must be non-negative");
    }
    if (trimFactor != null && trimFactor < 0) {
      throw invalid(".trimFactor", PARSE + "'trimFactor' must be non-negative");
    }
    if (precision != null) {
      if (min == null) {
        throw invalid(".min", PARSE + "setting precision requires min");
      }
      if (!isFractional(min.getBsonType())) {
        throw invalid(".precision", PARSE + "expected 'precision' to be set with double or"
            + " decimal128 index, but got: " + RangeEncoding.typeName(min.getBsonType()) + " min");
      }
      if (max == null) {
        throw invalid(".max", PARSE + "setting precision requires max");
      }
      if (!isFractional(max.getBsonType())) {
        throw invalid(".precision", PARSE + "expected 'precision' to be set with double or"
            + " decimal128 index, but got: " + RangeEncoding.typeName(max.getBsonType()) + " max");
      }
    }
    if (min != null && max != null && min.getBsonType() != max.getBsonType()) {
      throw invalid(".max", PARSE + "expected 'min' and 'max' to be same type, but got: "
          + RangeEncoding.typeName(min.getBsonType()) + " min and "
          + RangeEncoding.typeName(max.getBsonType()) + " max");
    }
    for (BsonValue bound : new BsonValue[] {min, max}) {
      if (bound != null && isFractional(bound.getBsonType()) && precision == null) {
        String which = bound == min ? "min" : "max";
        throw invalid("." + which, PARSE + "expected 'precision' to be set with '" + which
            + "' for " + RangeEncoding.typeName(bound.getBsonType()));
      }
    }
    long sparsity = options.getSparsity() == null ? DEFAULT_SPARSITY : options.getSparsity();
    return new RangeIndex(min, max, precision, sparsity, trimFactor);
  }

  /**
   * The index for values of {@code type}: min and max must be of that type; missing ones are
   * required for integers and dates and default to the type's extremes for double and
   * decimal128; a given trim factor must be below the domain's bit count.
   */
  RangeIndex forType(BsonType type) {
    BsonValue resolvedMin = bound(min, type, "min", "Error appending min to FLE2RangeInsertSpec: ");
    BsonValue resolvedMax = bound(max, type, "max", "Error appending max to FLE2RangeInsertSpec: ");
    if (trimFactor != null) {
      int bits = domainBits(type);
      if (trimFactor >= Math.max(bits, 1)) {
        throw invalid(".trimFactor", "Error appending trim factor to FLE2RangeInsertSpec: Trim"
            + " factor (" + trimFactor + ") must be less than the total number of bits (" + bits
            + ") used to represent any element in the domain.");
      }
    }
    return new RangeIndex(resolvedMin, resolvedMax, precision, sparsity, trimFactor);
  }

  /**
   * What a range insert of {@code value} adds to its payload: the value's edges under this index
   * and the index parameters actually used.
   */
  QePayloads.RangeInsert insertOf(BsonValue value) {
    RangeEncoding.Encoded encoded = RangeEncoding.encodeIndexed(value, min, max, precision);
    RangeEdges.Edges edges = RangeEdges.edges(encoded, sparsity, trimFactor);
    return new QePayloads.RangeInsert(edges.edges(), edges.edges().indexOf(edges.leaf()),
        sparsity, precision, edges.usedTrimFactor(), min, max);
  }

  /** The min-cover of a queried interval under this index. */
  MinCover.Cover cover(MinCover.Interval query) {
    return MinCover.forFind(query, min, max, precision, sparsity, trimFactor);
  }

  /** Bits of the domain: the encoding of its smallest element tells the domain's size. */
  private int domainBits(BsonType type) {
    boolean bounded = min != null
        && (precision != null || !RangeEncoding.usesWholeTypeWithoutPrecision(type));
    BsonValue sample = bounded ? min : switch (type) {
      case INT32 -> new org.bson.BsonInt32(0);
      case INT64 -> new org.bson.BsonInt64(0);
      case DATE_TIME -> new org.bson.BsonDateTime(0);
      case DOUBLE -> new BsonDouble(0);
      default -> new BsonDecimal128(Decimal128.POSITIVE_ZERO);
    };
    return bounded ? RangeEncoding.encode(sample, min, max, precision).bits()
        : RangeEncoding.encode(sample, null, null, null).bits();
  }

  private static BsonValue bound(BsonValue given, BsonType type, String which, String prefix) {
    if (given != null) {
      if (given.getBsonType() != type) {
        throw invalid("." + which, prefix + "expected matching '" + which + "' and value type. Got"
            + " range option '" + which + "' of type " + RangeEncoding.typeName(given.getBsonType())
            + " and value of type " + RangeEncoding.typeName(type));
      }
      return given;
    }
    boolean isMin = which.equals("min");
    return switch (type) {
      case INT32, INT64, DATE_TIME -> throw invalid("." + which, prefix + "Range option '" + which
          + "' is required for type: " + RangeEncoding.typeName(type));
      case DOUBLE -> new BsonDouble(isMin ? -Double.MAX_VALUE : Double.MAX_VALUE);
      case DECIMAL128 -> new BsonDecimal128(isMin ? LARGEST_NEGATIVE_DECIMAL : LARGEST_DECIMAL);
      default -> throw new ConfigurationException("value", prefix + "unsupported BSON type: "
          + RangeEncoding.typeName(type) + " for range");
    };
  }

  private static boolean isFractional(BsonType type) {
    return type == BsonType.DOUBLE || type == BsonType.DECIMAL128;
  }

  private static ConfigurationException invalid(String option, String text) {
    return new ConfigurationException(OPTIONS + option, text);
  }
}
