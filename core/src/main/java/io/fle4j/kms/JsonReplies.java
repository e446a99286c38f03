package io.fle4j.kms;

import java.nio.charset.StandardCharsets;
import org.bson.BsonArray;
import org.bson.BsonBoolean;
import org.bson.BsonDocument;
import org.bson.BsonDouble;
import org.bson.BsonInt64;
import org.bson.BsonNull;
import org.bson.BsonString;
import org.bson.BsonValue;

/**
 * Reads a KMS's JSON reply strictly: RFC 8259 JSON only (no extended JSON, no comments, no
 * unquoted names), at most {@link #MAX_DEPTH} levels of nesting and {@link #MAX_BYTES} bytes, so a
 * hostile or broken reply fails cleanly instead of overflowing the stack. Errors say what is wrong
 * and where, never quote the reply: it may hold key material.
 */
public final class JsonReplies {
  /** Replies nest a few levels; anything deeper is refused. */
  public static final int MAX_DEPTH = 32;
  /** KMS replies are small; a larger body is refused before it is read. */
  public static final int MAX_BYTES = 1 << 20;

  private final String text;
  private int at;

  private JsonReplies(String text) {
    this.text = text;
  }

  /**
   * The JSON object in {@code body}.
   *
   * @throws IllegalArgumentException naming the problem and its offset, never the content
   */
  public static BsonDocument object(byte[] body) {
    if (body == null) {
      throw new IllegalArgumentException("no body");
    }
    if (body.length > MAX_BYTES) {
      throw new IllegalArgumentException("a body of " + body.length + " bytes; at most "
          + MAX_BYTES + " are read");
    }
    JsonReplies reader = new JsonReplies(new String(body, StandardCharsets.UTF_8));
    reader.space();
    if (reader.peek() != '{') {
      throw reader.error("expected a JSON object");
    }
    BsonDocument out = reader.object(1);
    reader.space();
    if (reader.at != reader.text.length()) {
      throw reader.error("unexpected content after the JSON object");
    }
    return out;
  }

  /**
   * Where {@code text} first stops being one strict JSON value (with the same rules and nesting
   * limit as replies), as an offset into it, or -1 when it is one. For error messages that must
   * say where a text is wrong without quoting it.
   */
  public static int problemOffset(String text) {
    JsonReplies reader = new JsonReplies(text);
    try {
      reader.value(1);
      reader.space();
      return reader.at == text.length() ? -1 : reader.at;
    } catch (IllegalArgumentException e) {
      return reader.at;
    }
  }

  private BsonValue value(int depth) {
    if (depth > MAX_DEPTH) {
      throw error("nested deeper than " + MAX_DEPTH + " levels");
    }
    space();
    char c = peek();
    switch (c) {
      case '{':
        return object(depth);
      case '[':
        return array(depth);
      case '"':
        return new BsonString(string());
      case 't':
        literal("true");
        return BsonBoolean.TRUE;
      case 'f':
        literal("false");
        return BsonBoolean.FALSE;
      case 'n':
        literal("null");
        return BsonNull.VALUE;
      default:
        if (c == '-' || (c >= '0' && c <= '9')) {
          return number();
        }
        throw error("unexpected character");
    }
  }

  private BsonDocument object(int depth) {
    if (depth > MAX_DEPTH) {
      throw error("nested deeper than " + MAX_DEPTH + " levels");
    }
    at++;
    BsonDocument out = new BsonDocument();
    space();
    if (peek() == '}') {
      at++;
      return out;
    }
    while (true) {
      space();
      if (peek() != '"') {
        throw error("expected a quoted name");
      }
      String name = string();
      space();
      expect(':');
      if (out.containsKey(name)) {
        throw error("a name given twice");
      }
      out.put(name, value(depth + 1));
      space();
      if (peek() == ',') {
        at++;
      } else {
        expect('}');
        return out;
      }
    }
  }

  private BsonArray array(int depth) {
    at++;
    BsonArray out = new BsonArray();
    space();
    if (peek() == ']') {
      at++;
      return out;
    }
    while (true) {
      out.add(value(depth + 1));
      space();
      if (peek() == ',') {
        at++;
      } else {
        expect(']');
        return out;
      }
    }
  }

  private String string() {
    at++;
    StringBuilder out = new StringBuilder();
    while (at < text.length()) {
      char c = text.charAt(at++);
      if (c == '"') {
        return out.toString();
      }
      if (c < 0x20) {
        at--;
        throw error("a control character in a string");
      }
      if (c != '\\') {
        out.append(c);
        continue;
      }
      if (at >= text.length()) {
        break;
      }
      char escaped = text.charAt(at++);
      switch (escaped) {
        case '"', '\\', '/' -> out.append(escaped);
        case 'b' -> out.append('\b');
        case 'f' -> out.append('\f');
        case 'n' -> out.append('\n');
        case 'r' -> out.append('\r');
        case 't' -> out.append('\t');
        case 'u' -> {
          if (at + 4 > text.length()) {
            throw error("a truncated \\u escape");
          }
          int code = 0;
          for (int i = 0; i < 4; i++) {
            int digit = Character.digit(text.charAt(at++), 16);
            if (digit < 0) {
              throw error("a bad \\u escape");
            }
            code = code * 16 + digit;
          }
          out.append((char) code);
        }
        default -> {
          at--;
          throw error("a bad escape");
        }
      }
    }
    throw error("an unterminated string");
  }

  private BsonValue number() {
    int start = at;
    if (peek() == '-') {
      at++;
    }
    digits();
    boolean integral = true;
    if (peek() == '.') {
      integral = false;
      at++;
      digits();
    }
    if (peek() == 'e' || peek() == 'E') {
      integral = false;
      at++;
      if (peek() == '+' || peek() == '-') {
        at++;
      }
      digits();
    }
    String number = text.substring(start, at);
    try {
      return integral ? new BsonInt64(Long.parseLong(number))
          : new BsonDouble(Double.parseDouble(number));
    } catch (NumberFormatException e) {
      return new BsonDouble(Double.parseDouble(number));
    }
  }

  private void digits() {
    int start = at;
    while (at < text.length() && text.charAt(at) >= '0' && text.charAt(at) <= '9') {
      at++;
    }
    if (at == start) {
      throw error("expected a digit");
    }
  }

  private void literal(String word) {
    if (!text.startsWith(word, at)) {
      throw error("unexpected character");
    }
    at += word.length();
  }

  private void expect(char c) {
    if (peek() != c) {
      throw error("expected '" + c + "'");
    }
    at++;
  }

  private char peek() {
    return at < text.length() ? text.charAt(at) : '\0';
  }

  private void space() {
    while (at < text.length()) {
      char c = text.charAt(at);
      if (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
        return;
      }
      at++;
    }
  }

  private IllegalArgumentException error(String problem) {
    return new IllegalArgumentException("not a valid JSON reply: " + problem + " at offset " + at);
  }
}
