package io.fle4j.internal.qe;

import io.fle4j.ConfigurationException;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The edge strings of an inserted range value (qe-formats.md §6.3–6.4), in libmongocrypt's order
 * ({@code mc_edges_new}): {@code "root"} when the trim factor is 0, then the full leaf, then the
 * leaf's prefixes from length {@code max(trimFactor, 1)} upwards whose length is a multiple of
 * the sparsity. That order is the order of the payload's {@code g} array, of the stored metadata
 * blocks and of {@code __safeContent__}.
 */
final class RangeEdges {
  static final String SPARSITY = "RangeOptions.sparsity";
  static final String TRIM_FACTOR = "RangeOptions.trimFactor";
  /** The edge that covers the whole domain. */
  static final String ROOT = "root";

  private static final int TRIM_FACTOR_DEFAULT = 6;

  private RangeEdges() {}

  /**
   * The edges of one value.
   *
   * @param edges the edge strings in payload order
   * @param leaf the full-length edge (the payload flags it as the leaf)
   * @param usedTrimFactor the trim factor after defaulting (the payload's {@code tf})
   */
  record Edges(List<String> edges, String leaf, int usedTrimFactor) {
    Edges {
      edges = Collections.unmodifiableList(new ArrayList<>(edges));
    }
  }

  /**
   * Builds the edges of an encoded value.
   *
   * @param sparsity keep every sparsity-th prefix length; at least 1
   * @param trimFactor the number of short prefixes left out, or null for
   *     {@link #defaultTrimFactor(int)}; 0 or less than the domain's bit count
   * @throws ConfigurationException with libmongocrypt's text for a bad sparsity or trim factor
   */
  static Edges edges(RangeEncoding.Encoded value, long sparsity, Integer trimFactor) {
    if (sparsity < 1) {
      throw new ConfigurationException(SPARSITY, "sparsity must be 1 or larger");
    }
    String leaf = leaf(value);
    int bits = leaf.length();
    int used = trimFactor != null ? trimFactor : defaultTrimFactor(bits);
    // A non-zero trim factor of `bits` or more would leave only the leaf: equality, not range.
    if (used != 0 && used >= bits) {
      throw new ConfigurationException(
          TRIM_FACTOR,
          "trimFactor must be less than the number of bits (" + bits
              + ") used to represent an element of the domain, but got " + used);
    }
    if (used < 0) {
      throw new ConfigurationException(TRIM_FACTOR, "trimFactor must be >= 0, but got " + used);
    }
    List<String> edges = new ArrayList<>();
    if (used == 0) {
      edges.add(ROOT);
    }
    edges.add(leaf);
    for (int length = Math.max(used, 1); length < bits; length++) {
      if (length % sparsity == 0) {
        edges.add(leaf.substring(0, length));
      }
    }
    return new Edges(edges, leaf, used);
  }

  /**
   * The leaf edge: the low {@code bits()} bits of the encoded value, most significant first.
   * (Taking the low bits matters only in the decimal128 corner where the value exceeds max.)
   */
  static String leaf(RangeEncoding.Encoded value) {
    return bitString(value.value(), value.bits());
  }

  /** The low {@code length} bits of {@code n} as '0'/'1' characters, most significant first. */
  static String bitString(BigInteger n, int length) {
    StringBuilder s = new StringBuilder(length);
    for (int bit = length - 1; bit >= 0; bit--) {
      s.append(n.testBit(bit) ? '1' : '0');
    }
    return s.toString();
  }

  /**
   * The trim factor used when none is given: {@code min(6, bits - 1)}, so 0 for a 1-bit domain.
   * For {@code bits == 0} libmongocrypt computes {@code bits - 1} in an unsigned type, which wraps
   * and yields 6 (then refused as too large); no encoding produces a 0-bit domain.
   */
  static int defaultTrimFactor(int bits) {
    if (bits == 0) {
      return TRIM_FACTOR_DEFAULT;
    }
    return Math.min(TRIM_FACTOR_DEFAULT, bits - 1);
  }
}
