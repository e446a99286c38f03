package io.fle4j.cli;

/**
 * Says where a JSON text is malformed without quoting it. The BSON library's parse errors quote
 * the offending token, and in a configuration file or a value to encrypt that token may be a
 * secret (an unquoted master key, a plaintext): so fle4j reports only the line and column, found
 * by a strict JSON check of its own.
 */
final class JsonErrors {
  private final String text;
  private int at;

  private JsonErrors(String text) {
    this.text = text;
  }

  /** "line L, column C" of the first place {@code text} stops being strict JSON, or null. */
  static String locate(String text) {
    JsonErrors check = new JsonErrors(text);
    try {
      check.value();
      check.space();
      if (check.at < text.length()) {
        return check.position();
      }
      return null;
    } catch (IllegalStateException e) {
      return check.position();
    }
  }

  /** A message for {@code what} that names the position only. */
  static String describe(String text, String what) {
    String where = locate(text);
    return "is not valid " + what + (where == null ? "" : " (at " + where + ")")
        + "; the text itself is not repeated, since it may hold a secret";
  }

  private String position() {
    int line = 1;
    int column = 1;
    for (int i = 0; i < Math.min(at, text.length()); i++) {
      if (text.charAt(i) == '\n') {
        line++;
        column = 1;
      } else {
        column++;
      }
    }
    return "line " + line + ", column " + column;
  }

  private void value() {
    space();
    if (at >= text.length()) {
      throw new IllegalStateException();
    }
    char c = text.charAt(at);
    switch (c) {
      case '{' -> object();
      case '[' -> array();
      case '"' -> string();
      case 't' -> literal("true");
      case 'f' -> literal("false");
      case 'n' -> literal("null");
      default -> {
        if (c == '-' || Character.isDigit(c)) {
          number();
        } else {
          throw new IllegalStateException();
        }
      }
    }
  }

  private void object() {
    at++;
    space();
    if (peek() == '}') {
      at++;
      return;
    }
    while (true) {
      space();
      if (peek() != '"') {
        throw new IllegalStateException();
      }
      string();
      space();
      expect(':');
      value();
      space();
      if (peek() == ',') {
        at++;
      } else {
        expect('}');
        return;
      }
    }
  }

  private void array() {
    at++;
    space();
    if (peek() == ']') {
      at++;
      return;
    }
    while (true) {
      value();
      space();
      if (peek() == ',') {
        at++;
      } else {
        expect(']');
        return;
      }
    }
  }

  private void string() {
    at++;
    while (at < text.length()) {
      char c = text.charAt(at++);
      if (c == '"') {
        return;
      }
      if (c == '\\') {
        if (at >= text.length()) {
          break;
        }
        char escaped = text.charAt(at++);
        if (escaped == 'u') {
          for (int i = 0; i < 4; i++) {
            if (at >= text.length() || Character.digit(text.charAt(at++), 16) < 0) {
              throw new IllegalStateException();
            }
          }
        } else if ("\"\\/bfnrt".indexOf(escaped) < 0) {
          at--;
          throw new IllegalStateException();
        }
      } else if (c < 0x20) {
        at--;
        throw new IllegalStateException();
      }
    }
    throw new IllegalStateException();
  }

  private void number() {
    if (peek() == '-') {
      at++;
    }
    int digits = at;
    while (Character.isDigit(peek())) {
      at++;
    }
    if (at == digits) {
      throw new IllegalStateException();
    }
    if (peek() == '.') {
      at++;
      int fraction = at;
      while (Character.isDigit(peek())) {
        at++;
      }
      if (at == fraction) {
        throw new IllegalStateException();
      }
    }
    if (peek() == 'e' || peek() == 'E') {
      at++;
      if (peek() == '+' || peek() == '-') {
        at++;
      }
      int exponent = at;
      while (Character.isDigit(peek())) {
        at++;
      }
      if (at == exponent) {
        throw new IllegalStateException();
      }
    }
  }

  private void literal(String word) {
    if (!text.startsWith(word, at)) {
      throw new IllegalStateException();
    }
    at += word.length();
  }

  private void expect(char c) {
    if (peek() != c) {
      throw new IllegalStateException();
    }
    at++;
  }

  private char peek() {
    return at < text.length() ? text.charAt(at) : '\0';
  }

  private void space() {
    while (at < text.length() && Character.isWhitespace(text.charAt(at))) {
      at++;
    }
  }
}
