package io.fle4j.internal.auto.decrypt;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Tells, from a document's raw bytes and without decoding it, whether it holds a CSFLE
 * ciphertext (a binary of subtype 6 whose first byte is 1 or 2) anywhere. Replies without one
 * pass through automatic decryption untouched, so the common case costs one scan.
 */
public final class CiphertextScanner {
  private static final int MAX_DEPTH = 200;

  private CiphertextScanner() {}

  /** Whether the document starting at {@code offset} holds a ciphertext. Malformed input: true. */
  public static boolean containsCiphertext(ByteBuffer bytes) {
    ByteBuffer in = bytes.duplicate().order(ByteOrder.LITTLE_ENDIAN);
    try {
      return document(in, in.position(), 0);
    } catch (RuntimeException e) {
      return true; // let the full decoder report what is wrong
    }
  }

  private static boolean document(ByteBuffer in, int start, int depth) {
    if (depth > MAX_DEPTH) {
      return true;
    }
    int end = start + in.getInt(start);
    int p = start + 4;
    while (p < end - 1) {
      byte type = in.get(p++);
      while (in.get(p) != 0) {
        p++; // element name
      }
      p++;
      switch (type) {
        case 0x01, 0x09, 0x11, 0x12 -> p += 8;
        case 0x02, 0x0D, 0x0E -> p += 4 + in.getInt(p);
        case 0x03, 0x04 -> {
          if (document(in, p, depth + 1)) {
            return true;
          }
          p += in.getInt(p);
        }
        case 0x05 -> {
          int length = in.getInt(p);
          if (in.get(p + 4) == 6 && length > 0) {
            byte blobSubtype = in.get(p + 5);
            if (blobSubtype == 1 || blobSubtype == 2) {
              return true;
            }
          }
          p += 5 + length;
        }
        case 0x06, 0x0A, 0x7F, (byte) 0xFF -> { }
        case 0x07 -> p += 12;
        case 0x08 -> p += 1;
        case 0x0B -> {
          while (in.get(p) != 0) {
            p++;
          }
          p++;
          while (in.get(p) != 0) {
            p++;
          }
          p++;
        }
        case 0x0C -> p += 4 + in.getInt(p) + 12;
        case 0x0F -> {
          int total = in.getInt(p);
          int scope = p + 4 + 4 + in.getInt(p + 4);
          if (document(in, scope, depth + 1)) {
            return true;
          }
          p += total;
        }
        case 0x10 -> p += 4;
        case 0x13 -> p += 16;
        default -> {
          return true;
        }
      }
    }
    return false;
  }
}
