package io.fle4j.it.auto.wire;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The plaintexts that must never reach the server, and how to look for them in raw bytes.
 *
 * <p>Every string canary starts with {@link #MARKER}, so a search for the marker alone also
 * catches a canary the client cut, concatenated or wrapped (a regex, a JavaScript body). Numeric
 * canaries are searched as the bytes BSON would carry them: int32 little-endian (which is also the
 * start of the int64 and of a small long), the int64 of the date's milliseconds, and the double.
 * A false match in ciphertext has a chance of about 2^-32 per 4-byte window: negligible here.
 */
final class Canaries {
  static final String MARKER = "CNRY";
  static final String SSN = "CNRY-ssn-7Q";
  static final String SSN2 = "CNRY-ssn2-7Q";
  static final String SECRET = "CNRY-secret-7Q";
  static final String PIN = "CNRY-pin-7Q";
  static final String ALIAS = "CNRY-alias-7Q";
  static final String ZIP = "CNRY-zip-7Q";
  static final String NOTE = "CNRY-note-7Q";
  static final String CELL = "CNRY-cell-7Q";
  static final String TAG = "CNRY-tag-7Q";
  /** An int no test document uses otherwise; its bytes DF 59 37 5F are distinctive. */
  static final int AGE = 0x5F3759DF;
  /** 2009-02-13T23:31:30.123Z. */
  static final long BORN_MILLIS = 1_234_567_890_123L;
  static final Date BORN = new Date(BORN_MILLIS);

  private static final Map<String, byte[]> PATTERNS = new LinkedHashMap<>();

  static {
    PATTERNS.put("string marker '" + MARKER + "' (UTF-8)", MARKER.getBytes(UTF_8));
    PATTERNS.put("int canary " + AGE + " (int32/int64 LE)", le(4, AGE));
    PATTERNS.put("int canary " + AGE + " (double LE)", le(8, Double.doubleToLongBits(AGE)));
    PATTERNS.put("date canary " + BORN_MILLIS + " (int64 LE)", le(8, BORN_MILLIS));
  }

  private Canaries() {}

  private static byte[] le(int size, long value) {
    ByteBuffer b = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(value);
    byte[] out = new byte[size];
    System.arraycopy(b.array(), 0, out, 0, size);
    return out;
  }

  /** The canary encodings found in {@code message}, described; empty when it is clean. */
  static List<String> found(byte[] message) {
    List<String> hits = new ArrayList<>();
    for (Map.Entry<String, byte[]> pattern : PATTERNS.entrySet()) {
      int at = indexOf(message, pattern.getValue(), 0);
      if (at >= 0) {
        hits.add(pattern.getKey() + describeString(message, pattern.getValue(), at));
      }
    }
    return hits;
  }

  /** For the string marker, the printable run around it, so the report names the canary. */
  private static String describeString(byte[] message, byte[] pattern, int at) {
    if (pattern.length != MARKER.length()) {
      return " at offset " + at;
    }
    int start = at;
    while (start > 0 && printable(message[start - 1]) && at - start < 40) {
      start--;
    }
    int end = at;
    while (end < message.length && printable(message[end]) && end - at < 80) {
      end++;
    }
    return ": \"" + new String(message, start, end - start, UTF_8) + "\"";
  }

  private static boolean printable(byte b) {
    return b >= 0x20 && b < 0x7f;
  }

  static boolean contains(byte[] haystack, String needle) {
    return indexOf(haystack, needle.getBytes(UTF_8), 0) >= 0;
  }

  static int indexOf(byte[] haystack, byte[] needle, int from) {
    outer:
    for (int i = from; i + needle.length <= haystack.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (haystack[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }
}
