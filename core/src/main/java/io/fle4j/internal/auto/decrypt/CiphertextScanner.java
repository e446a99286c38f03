package io.fle4j.internal.auto.decrypt;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Tells, from a document's raw bytes and without decoding it, whether it holds a CSFLE
 * ciphertext (a binary of subtype 6 whose first byte is 1 or 2) anywhere. Replies without one
 * pass through automatic decryption untouched, so the common case costs one scan.
 *
 * <p>The bytes come from the server, or from whatever sits between it and the client, so every
 * length is checked against the document that holds it before it is used, and the scan only ever
 * moves forward: hostile input ends the scan, it cannot loop it or send it outside the document.
 * Anything malformed answers "true", which sends the reply to the full decoder, and that reports
 * what is wrong.
 */
public final class CiphertextScanner {
  private static final int MAX_DEPTH = 200;

  private CiphertextScanner() {}

  /** Whether the document at {@code bytes}' position holds a ciphertext. Malformed input: true. */
  public static boolean containsCiphertext(ByteBuffer bytes) {
    ByteBuffer in = bytes.duplicate().order(ByteOrder.LITTLE_ENDIAN);
    try {
      int start = in.position();
      if (in.limit() - start < 5) {
        return true;
      }
      int length = in.getInt(start);
      if (length < 5 || length > in.limit() - start) {
        return true;
      }
      return document(in, start, start + length, 0);
    } catch (Malformed | IndexOutOfBoundsException e) {
      return true; // let the full decoder report what is wrong
    }
  }

  /** The input is not well-formed BSON; thrown instead of reading past a bound. */
  private static final class Malformed extends RuntimeException {
    private static final long serialVersionUID = 1L;
    static final Malformed INSTANCE = new Malformed();

    private Malformed() {
      super(null, null, false, false);
    }
  }

  /**
   * Scans the document in {@code [start, end)}, whose length was already checked to fit its
   * container.
   */
  private static boolean document(ByteBuffer in, int start, int end, int depth) {
    if (depth > MAX_DEPTH || in.get(end - 1) != 0) {
      throw Malformed.INSTANCE;
    }
    int p = start + 4;
    int last = end - 1; // the document's closing NUL
    while (p < last) {
      byte type = in.get(p++);
      p = cString(in, p, last);
      switch (type) {
        case 0x01, 0x09, 0x11, 0x12 -> p = skip(p, 8, last);
        case 0x02, 0x0D, 0x0E -> p = string(in, p, last);
        case 0x03, 0x04 -> {
          int length = sized(in, p, last, 5);
          if (document(in, p, p + length, depth + 1)) {
            return true;
          }
          p += length;
        }
        case 0x05 -> {
          int length = prefixed(in, p, last, 5, 0);
          if (in.get(p + 4) == 6 && length > 0) {
            byte blobSubtype = in.get(p + 5);
            if (blobSubtype == 1 || blobSubtype == 2) {
              return true;
            }
          }
          p = skip(p, 5 + length, last);
        }
        case 0x06, 0x0A, 0x7F, (byte) 0xFF -> { }
        case 0x07 -> p = skip(p, 12, last);
        case 0x08 -> p = skip(p, 1, last);
        case 0x0B -> p = cString(in, cString(in, p, last), last);
        case 0x0C -> p = skip(string(in, p, last), 12, last);
        case 0x0F -> {
          // int32 total, string, document: the parts must add up to the total.
          int total = sized(in, p, last, 14);
          int valueEnd = p + total;
          int scope = string(in, p + 4, valueEnd);
          int scopeLength = sized(in, scope, valueEnd, 5);
          if (scope + scopeLength != valueEnd) {
            throw Malformed.INSTANCE;
          }
          if (document(in, scope, valueEnd, depth + 1)) {
            return true;
          }
          p = valueEnd;
        }
        case 0x10 -> p = skip(p, 4, last);
        case 0x13 -> p = skip(p, 16, last);
        default -> throw Malformed.INSTANCE;
      }
    }
    if (p != last) {
      throw Malformed.INSTANCE;
    }
    return false;
  }

  /** The position after the NUL-terminated name or pattern at {@code p}, before {@code bound}. */
  private static int cString(ByteBuffer in, int p, int bound) {
    while (p < bound && in.get(p) != 0) {
      p++;
    }
    if (p >= bound) {
      throw Malformed.INSTANCE;
    }
    return p + 1;
  }

  /** The position after the length-prefixed, NUL-terminated string at {@code p}. */
  private static int string(ByteBuffer in, int p, int bound) {
    int end = p + 4 + prefixed(in, p, bound, 4, 1);
    if (in.get(end - 1) != 0) {
      throw Malformed.INSTANCE;
    }
    return end;
  }

  /**
   * The int32 at {@code p} that counts its own 4 bytes (a document, a code-with-scope value): at
   * least {@code minimum}, and the value ends by {@code bound}.
   */
  private static int sized(ByteBuffer in, int p, int bound, int minimum) {
    if (bound - p < 4) {
      throw Malformed.INSTANCE;
    }
    int length = in.getInt(p);
    if (length < minimum || length > bound - p) {
      throw Malformed.INSTANCE;
    }
    return length;
  }

  /**
   * The int32 at {@code p} that counts the bytes after a {@code prefix}-byte header (a string's
   * length, a binary's length and subtype): at least {@code minimum}, ending by {@code bound}.
   */
  private static int prefixed(ByteBuffer in, int p, int bound, int prefix, int minimum) {
    if (bound - p < prefix) {
      throw Malformed.INSTANCE;
    }
    int length = in.getInt(p);
    if (length < minimum || length > bound - p - prefix) {
      throw Malformed.INSTANCE;
    }
    return length;
  }

  /** The position {@code n} bytes after {@code p}, which must not pass {@code bound}. */
  private static int skip(int p, int n, int bound) {
    if (n < 0 || n > bound - p) {
      throw Malformed.INSTANCE;
    }
    return p + n;
  }
}
