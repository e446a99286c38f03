package io.fle4j.internal.qe;

import com.mongodb.client.model.vault.EncryptOptions;
import com.mongodb.client.model.vault.RangeOptions;
import io.fle4j.ConfigurationException;
import java.util.Locale;

/**
 * The Queryable Encryption reading of the driver's {@link EncryptOptions}, checked with
 * libmongocrypt's rules and error texts, in its order (qe-formats.md §9.1–9.2), before any key is
 * looked up.
 *
 * @param indexType what the algorithm name selects
 * @param queryType null for a value to insert; set for a value to query with
 * @param contentionFactor the maximum contention factor; null only for Unindexed
 */
record QeOptions(IndexType indexType, QueryType queryType, Long contentionFactor,
    RangeOptions rangeOptions) {

  /** The index an algorithm name selects, with libmongocrypt's name for messages. */
  enum IndexType {
    NONE("None"), EQUALITY("Equality"), RANGE("Range"), STRING("String");

    final String display;

    IndexType(String display) {
      this.display = display;
    }
  }

  /** The query type names libmongocrypt accepts, with its names for messages. */
  enum QueryType {
    EQUALITY("Equality"), RANGE("Range"), PREFIX("Prefix"), SUFFIX("Suffix"),
    SUBSTRING("Substring"), PREFIX_PREVIEW("PrefixPreview"), SUFFIX_PREVIEW("SuffixPreview"),
    SUBSTRING_PREVIEW("SubstringPreview");

    final String display;

    QueryType(String display) {
      this.display = display;
    }

    boolean isText() {
      return this != EQUALITY && this != RANGE;
    }
  }

  /**
   * Whether the options name a Queryable Encryption algorithm (any case, deprecated names
   * included), so that they are read here and not as CSFLE options.
   */
  static boolean selects(EncryptOptions options) {
    String name = options.getAlgorithm();
    if (name == null) {
      return false;
    }
    // Compared in place rather than lower-cased: this runs on every explicit encrypt.
    for (String algorithm : QE_ALGORITHMS) {
      if (asciiEqualsIgnoreCase(name, algorithm)) {
        return true;
      }
    }
    return false;
  }

  private static final String[] QE_ALGORITHMS =
      {"indexed", "unindexed", "range", "rangepreview", "string", "textpreview"};

  /** ASCII case folding only, as libmongocrypt compares algorithm names. */
  private static boolean asciiEqualsIgnoreCase(String name, String lowerCase) {
    if (name.length() != lowerCase.length()) {
      return false;
    }
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      if (c >= 'A' && c <= 'Z') {
        c = (char) (c + ('a' - 'A'));
      }
      if (c != lowerCase.charAt(i)) {
        return false;
      }
    }
    return true;
  }

  /**
   * Reads and checks the options of a Queryable Encryption algorithm.
   *
   * @throws ConfigurationException naming the option, with libmongocrypt's text
   * @throws UnsupportedOperationException for text search (algorithm "String"), not built yet
   */
  static QeOptions of(EncryptOptions options) {
    IndexType index = indexType(options.getAlgorithm());
    QueryType query = queryType(options.getQueryType());
    Long contention = options.getContentionFactor();
    RangeOptions range = options.getRangeOptions();
    if (options.getKeyAltName() != null) {
      throw invalid("EncryptOptions.keyAltName", "cannot set both key alt name and index type",
          "Queryable Encryption needs EncryptOptions.keyId");
    }
    if (contention != null && index == IndexType.NONE) {
      throw invalid("EncryptOptions.contentionFactor",
          "cannot set contention factor with no index type", "algorithm is Unindexed");
    }
    if (query != null && index == IndexType.NONE) {
      throw invalid("EncryptOptions.queryType", "cannot set query type with no index type",
          "algorithm is Unindexed");
    }
    if (query != null && query.isText() && index != IndexType.STRING) {
      String kind = query.name().toLowerCase(Locale.ROOT).replace("_preview", "");
      throw invalid("EncryptOptions.queryType", kind + " query type requires string index type",
          "queryType is '" + options.getQueryType() + "'");
    }
    if (range != null && index != IndexType.RANGE) {
      throw invalid("EncryptOptions.rangeOptions", switch (index) {
        case NONE -> "cannot set range opts with no index type";
        case EQUALITY -> "cannot set range opts with equality index type";
        default -> "cannot set range opts with 'string' algorithm";
      }, "algorithm is '" + options.getAlgorithm() + "'");
    }
    if (options.getTextOptions() != null && index != IndexType.STRING) {
      throw invalid("EncryptOptions.textOptions", "cannot set string opts without string index"
          + " type", "algorithm is '" + options.getAlgorithm() + "'");
    }
    if (contention != null) {
      if (contention < 0) {
        throw invalid("EncryptOptions.contentionFactor", "Error validating contention: contention"
            + " must be non-negative, got: " + contention, null);
      }
      if (contention == Long.MAX_VALUE) {
        throw invalid("EncryptOptions.contentionFactor", "Error validating contention: contention"
            + " must be < INT64_MAX, got: " + contention, null);
      }
    }
    if (contention == null && index != IndexType.NONE) {
      throw invalid("EncryptOptions.contentionFactor", switch (index) {
        case EQUALITY -> "contention factor is required for indexed algorithm";
        case RANGE -> "contention factor is required for range indexed algorithm";
        default -> "contention factor is required for string algorithm";
      }, null);
    }
    if (index == IndexType.RANGE && range == null) {
      throw invalid("EncryptOptions.rangeOptions",
          "range opts are required for range indexed algorithm", null);
    }
    if (index == IndexType.STRING) {
      throw new UnsupportedOperationException("algorithm 'String' (Queryable Encryption text"
          + " search) is not supported by fle4j yet; use Indexed, Unindexed or Range");
    }
    if (range != null && range.getSparsity() != null && range.getSparsity() < 0) {
      throw invalid("EncryptOptions.rangeOptions.sparsity", "Error validating sparsity: sparsity"
          + " must be non-negative, got: " + range.getSparsity(), null);
    }
    if (query != null && !matches(query, index)) {
      throw invalid("EncryptOptions.queryType", "query_type (" + query.display
          + ") must match index_type (" + index.display + ")", null);
    }
    return new QeOptions(index, query, contention, range);
  }

  private static boolean matches(QueryType query, IndexType index) {
    return switch (query) {
      case EQUALITY -> index == IndexType.EQUALITY;
      case RANGE -> index == IndexType.RANGE;
      default -> index == IndexType.STRING;
    };
  }

  private static IndexType indexType(String algorithm) {
    return switch (algorithm.toLowerCase(Locale.ROOT)) {
      case "indexed" -> IndexType.EQUALITY;
      case "unindexed" -> IndexType.NONE;
      case "range" -> IndexType.RANGE;
      case "string" -> IndexType.STRING;
      case "rangepreview" -> throw invalid("EncryptOptions.algorithm",
          "Algorithm 'rangePreview' is deprecated, please use 'range'", null);
      case "textpreview" -> throw invalid("EncryptOptions.algorithm",
          "Algorithm 'textPreview' is deprecated, please use 'string'", null);
      default -> throw new IllegalArgumentException("not a Queryable Encryption algorithm");
    };
  }

  private static QueryType queryType(String name) {
    if (name == null) {
      return null;
    }
    return switch (name.toLowerCase(Locale.ROOT)) {
      case "equality" -> QueryType.EQUALITY;
      case "range" -> QueryType.RANGE;
      case "prefix" -> QueryType.PREFIX;
      case "suffix" -> QueryType.SUFFIX;
      case "substring" -> QueryType.SUBSTRING;
      case "prefixpreview" -> QueryType.PREFIX_PREVIEW;
      case "suffixpreview" -> QueryType.SUFFIX_PREVIEW;
      case "substringpreview" -> QueryType.SUBSTRING_PREVIEW;
      case "rangepreview" -> throw invalid("EncryptOptions.queryType",
          "Query type 'rangePreview' is deprecated, please use 'range'", null);
      default -> throw invalid("EncryptOptions.queryType",
          "Unsupported query_type \"" + name + "\"", null);
    };
  }

  /** libmongocrypt's text, then what fle4j adds (if anything). */
  static ConfigurationException invalid(String field, String libmongocryptText, String detail) {
    return new ConfigurationException(field, libmongocryptText
        + (detail == null ? "" : " (" + detail + ")"));
  }
}
