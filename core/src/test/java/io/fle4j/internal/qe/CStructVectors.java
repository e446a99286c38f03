package io.fle4j.internal.qe;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.MathContext;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.bson.types.Decimal128;

/**
 * Reads libmongocrypt's generated {@code .cstruct} test vectors: a sequence of C designated
 * initialisers ({@code { .field = value, ... },}) whose values are C expressions, optional structs
 * ({@code { .set = true, .value = X }}) or string arrays. Expressions are kept as source text and
 * evaluated on demand with the C meaning of the few forms these files use ({@code INT32_MIN},
 * {@code DBL_MIN}, {@code 0x7000000000000000L}, {@code MC_DEC128(n)},
 * {@code mc_dec128_from_string("...")}, ...). Anything else is an error, never a guess.
 */
final class CStructVectors {
  private final String text;
  private int pos;

  private CStructVectors(String text) {
    this.text = text;
  }

  /** A parsed initialiser value. */
  sealed interface Node permits Expr, Struct, Strings {}

  /** A C expression, as written. */
  record Expr(String source) implements Node {}

  /** A list of string literals ({@code { "a", "b", }}); also what {@code { }} parses to. */
  record Strings(List<String> items) implements Node {}

  /** A designated initialiser ({@code { .name = value, ... }}), fields in file order. */
  record Struct(Map<String, Node> fields) implements Node {
    boolean has(String name) {
      return fields.containsKey(name);
    }

    Expr expr(String name) {
      Node n = fields.get(name);
      if (!(n instanceof Expr)) {
        throw new IllegalArgumentException("." + name + " is not an expression: " + n);
      }
      return (Expr) n;
    }

    List<String> strings(String name) {
      Node n = fields.get(name);
      if (!(n instanceof Strings)) {
        throw new IllegalArgumentException("." + name + " is not a string list: " + n);
      }
      return ((Strings) n).items();
    }

    /**
     * The expression of an optional field ({@code { .set = true, .value = X }}), or null when the
     * field is absent, {@code { .set = false }} or {@code { }} (a zeroed struct).
     */
    Expr optional(String name) {
      Node n = fields.get(name);
      if (n == null || n instanceof Strings && ((Strings) n).items().isEmpty()) {
        return null;
      }
      if (!(n instanceof Struct)) {
        throw new IllegalArgumentException("." + name + " is not an optional: " + n);
      }
      Struct s = (Struct) n;
      if (!s.has("set") || !bool(s.expr("set"))) {
        return null;
      }
      return s.expr("value");
    }
  }

  /** Parses a whole file into its top-level initialisers. */
  static List<Struct> parse(String text) {
    CStructVectors p = new CStructVectors(text);
    List<Struct> entries = new ArrayList<>();
    while (true) {
      p.skipSpace();
      if (p.pos >= text.length()) {
        return entries;
      }
      p.expect('{');
      Node n = p.braced();
      if (!(n instanceof Struct)) {
        throw p.error("top-level entry is not a struct");
      }
      entries.add((Struct) n);
      p.skipSpace();
      if (p.peek() == ',') {
        p.pos++;
      }
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Parsing

  private Node braced() {
    skipSpace();
    if (peek() == '}') {
      pos++;
      return new Strings(List.of());
    }
    if (peek() == '.') {
      Map<String, Node> fields = new LinkedHashMap<>();
      while (true) {
        skipSpace();
        if (peek() == '}') {
          pos++;
          return new Struct(Collections.unmodifiableMap(fields));
        }
        expect('.');
        String name = identifier();
        skipSpace();
        expect('=');
        Node value = value();
        if (fields.put(name, value) != null) {
          throw error("duplicate field ." + name);
        }
        skipSpace();
        if (peek() == ',') {
          pos++;
        } else if (peek() != '}') {
          throw error("expected ',' or '}'");
        }
      }
    }
    List<String> items = new ArrayList<>();
    while (true) {
      skipSpace();
      if (peek() == '}') {
        pos++;
        return new Strings(Collections.unmodifiableList(items));
      }
      items.add(stringLiteral());
      skipSpace();
      if (peek() == ',') {
        pos++;
      } else if (peek() != '}') {
        throw error("expected ',' or '}' in a string list");
      }
    }
  }

  private Node value() {
    skipSpace();
    if (peek() == '{') {
      pos++;
      return braced();
    }
    int start = pos;
    int depth = 0;
    while (pos < text.length()) {
      char c = text.charAt(pos);
      if (c == '"') {
        stringLiteral();
        continue;
      }
      if (c == '(') {
        depth++;
      } else if (c == ')') {
        depth--;
      } else if (depth == 0 && (c == ',' || c == '}')) {
        break;
      }
      pos++;
    }
    String source = text.substring(start, pos).trim();
    if (source.isEmpty()) {
      throw error("empty expression");
    }
    return new Expr(source);
  }

  private String identifier() {
    int start = pos;
    while (pos < text.length() && (Character.isLetterOrDigit(peek()) || peek() == '_')) {
      pos++;
    }
    if (start == pos) {
      throw error("expected an identifier");
    }
    return text.substring(start, pos);
  }

  private String stringLiteral() {
    expect('"');
    StringBuilder s = new StringBuilder();
    while (peek() != '"') {
      char c = text.charAt(pos++);
      if (c == '\\') {
        char e = text.charAt(pos++);
        if (e != '"' && e != '\\') {
          throw error("unsupported escape \\" + e);
        }
        c = e;
      }
      s.append(c);
    }
    pos++;
    return s.toString();
  }

  private void skipSpace() {
    while (pos < text.length()) {
      char c = text.charAt(pos);
      if (Character.isWhitespace(c)) {
        pos++;
      } else if (text.startsWith("//", pos)) {
        int end = text.indexOf('\n', pos);
        pos = end < 0 ? text.length() : end + 1;
      } else if (text.startsWith("/*", pos)) {
        int end = text.indexOf("*/", pos + 2);
        if (end < 0) {
          throw error("unterminated comment");
        }
        pos = end + 2;
      } else {
        return;
      }
    }
  }

  private char peek() {
    if (pos >= text.length()) {
      throw error("unexpected end of file");
    }
    return text.charAt(pos);
  }

  private void expect(char c) {
    if (peek() != c) {
      throw error("expected '" + c + "'");
    }
    pos++;
  }

  private IllegalArgumentException error(String message) {
    int line = 1;
    for (int i = 0; i < Math.min(pos, text.length()); i++) {
      if (text.charAt(i) == '\n') {
        line++;
      }
    }
    return new IllegalArgumentException(message + " at line " + line);
  }

  // ---------------------------------------------------------------------------------------------
  // Evaluating expressions with their C meaning

  private static final Pattern INTEGER =
      Pattern.compile("(0[xX][0-9a-fA-F]+|[0-9]+)([uU]?[lL]{0,2}|[lL]{1,2}[uU])");
  private static final Pattern FLOATING =
      Pattern.compile("(?:[0-9]+\\.[0-9]*|\\.[0-9]+|[0-9]+)(?:[eE][+-]?[0-9]+)?");
  private static final Pattern CALL = Pattern.compile("([A-Za-z_][A-Za-z0-9_]*)\\s*\\((.*)\\)");
  private static final Pattern DECIMAL_STRING =
      Pattern.compile("[+-]?(?:[0-9]+\\.?[0-9]*|\\.[0-9]+)(?:[eE][+-]?[0-9]+)?");

  static boolean bool(Expr e) {
    switch (e.source()) {
      case "true":
        return true;
      case "false":
        return false;
      default:
        throw new IllegalArgumentException("not a bool: " + e.source());
    }
  }

  /** An integer expression's exact value (no C conversion applied yet). */
  static BigInteger integer(Expr e) {
    String s = e.source().trim();
    if (s.startsWith("-")) {
      return integer(new Expr(s.substring(1))).negate();
    }
    switch (s) {
      case "INT32_MIN":
        return BigInteger.valueOf(Integer.MIN_VALUE);
      case "INT32_MAX":
        return BigInteger.valueOf(Integer.MAX_VALUE);
      case "INT64_MIN":
        return BigInteger.valueOf(Long.MIN_VALUE);
      case "INT64_MAX":
        return BigInteger.valueOf(Long.MAX_VALUE);
      case "UINT32_MAX":
        return BigInteger.ONE.shiftLeft(32).subtract(BigInteger.ONE);
      case "UINT64_MAX":
        return BigInteger.ONE.shiftLeft(64).subtract(BigInteger.ONE);
      default:
        break;
    }
    Matcher m = INTEGER.matcher(s);
    if (!m.matches()) {
      throw new IllegalArgumentException("not an integer expression: " + s);
    }
    String digits = m.group(1);
    return digits.startsWith("0x") || digits.startsWith("0X")
        ? new BigInteger(digits.substring(2), 16)
        : new BigInteger(digits);
  }

  static int int32(Expr e) {
    return integer(e).intValueExact();
  }

  static long int64(Expr e) {
    return integer(e).longValueExact();
  }

  /** A double expression; integer literals convert as C converts them (round to nearest). */
  static double dbl(Expr e) {
    String s = e.source().trim();
    if (s.startsWith("-")) {
      return -dbl(new Expr(s.substring(1)));
    }
    switch (s) {
      case "DBL_MAX":
        return Double.MAX_VALUE;
      case "DBL_MIN":
        return Double.MIN_NORMAL; // C's DBL_MIN is the smallest normal, not the most negative
      case "INFINITY":
        return Double.POSITIVE_INFINITY;
      case "NAN":
        return Double.NaN;
      default:
        break;
    }
    if (INTEGER.matcher(s).matches()) {
      return integer(e).doubleValue();
    }
    if (FLOATING.matcher(s).matches()) {
      return Double.parseDouble(s);
    }
    throw new IllegalArgumentException("not a double expression: " + s);
  }

  /** A decimal128 expression: {@code MC_DEC128(n)}, the largest constants, or from_string. */
  static Decimal128 dec128(Expr e) {
    String s = e.source().trim();
    switch (s) {
      case "MC_DEC128_LARGEST_POSITIVE":
        return intelFromString("9999999999999999999999999999999999E6111");
      case "MC_DEC128_LARGEST_NEGATIVE":
        return intelFromString("-9999999999999999999999999999999999E6111");
      default:
        break;
    }
    Matcher call = CALL.matcher(s);
    if (!call.matches()) {
      throw new IllegalArgumentException("not a decimal128 expression: " + s);
    }
    String argument = call.group(2).trim();
    switch (call.group(1)) {
      case "MC_DEC128":
        // Coefficient |n| with exponent 0 and n's sign, as the macro builds it.
        BigInteger n = integer(new Expr(argument));
        long high = (n.signum() < 0 ? Long.MIN_VALUE : 0L) | (6176L << 49);
        return Decimal128.fromIEEE754BIDEncoding(high, n.abs().longValueExact());
      case "mc_dec128_from_string":
        if (!argument.startsWith("\"") || !argument.endsWith("\"") || argument.length() < 2) {
          throw new IllegalArgumentException("expected one string literal: " + s);
        }
        return intelFromString(argument.substring(1, argument.length() - 1));
      default:
        throw new IllegalArgumentException("unknown decimal128 function: " + s);
    }
  }

  /**
   * The Intel library's {@code bid128_from_string} for the inputs these files use: a decimal
   * number keeps its digits and exponent (rounded half-even to 34 digits when longer); text that
   * is not a number (the vectors contain {@code "-1000000000000000L"}) yields a quiet NaN.
   */
  static Decimal128 intelFromString(String s) {
    if (!DECIMAL_STRING.matcher(s).matches()) {
      return Decimal128.NaN;
    }
    BigDecimal value = new BigDecimal(s);
    if (value.precision() > 34) {
      value = value.round(new MathContext(34, RoundingMode.HALF_EVEN));
    }
    if (value.signum() == 0 && s.startsWith("-")) {
      long high = Long.MIN_VALUE | ((long) (6176 - value.scale()) << 49);
      return Decimal128.fromIEEE754BIDEncoding(high, 0);
    }
    return new Decimal128(value);
  }
}
