package io.fle4j.cli;

import io.fle4j.kms.JsonReplies;

/**
 * Says where a JSON text is malformed without quoting it. The BSON library's parse errors quote
 * the offending token, and in a configuration file or a value to encrypt that token may be a
 * secret (an unquoted master key, a plaintext): so fle4j reports only the line and column, found
 * by the strict JSON reader that also reads KMS replies.
 */
final class JsonErrors {
  private JsonErrors() {}

  /** "line L, column C" of the first place {@code text} stops being strict JSON, or null. */
  static String locate(String text) {
    int offset = JsonReplies.problemOffset(text);
    return offset < 0 ? null : position(text, offset);
  }

  /** A message for {@code what} that names the position only. */
  static String describe(String text, String what) {
    String where = locate(text);
    return "is not valid " + what + (where == null ? "" : " (at " + where + ")")
        + "; the text itself is not repeated, since it may hold a secret";
  }

  private static String position(String text, int offset) {
    int line = 1;
    int column = 1;
    for (int i = 0; i < Math.min(offset, text.length()); i++) {
      if (text.charAt(i) == '\n') {
        line++;
        column = 1;
      } else {
        column++;
      }
    }
    return "line " + line + ", column " + column;
  }
}
