package io.fle4j.kms.kmip;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * KMIP's binary TTLV encoding (KMIP 1.x spec §9.1; formats.md §4.5): a 3-byte tag, a 1-byte
 * type, a 4-byte big-endian length, then the value padded with zeros to a multiple of 8.
 *
 * <p>Decoding treats its input as hostile: every declared length is checked against the bytes
 * that remain before anything is allocated, fixed-size types must declare their one length,
 * structures must be filled exactly by their children, nesting is bounded, text must be UTF-8
 * and booleans 0 or 1. A failure is a {@link TtlvException} naming the offset and the rule.
 */
final class TtlvCodec {
  /** Bytes of an item's tag, type and length. */
  static final int HEADER_LENGTH = 8;
  /** Deepest nesting accepted; KMIP messages this client reads nest about 7 deep. */
  static final int MAX_DEPTH = 32;

  private TtlvCodec() {}

  /** Encodes one item (normally a RequestMessage) into a new array. */
  static byte[] encode(Ttlv item) {
    Writer writer = new Writer(512);
    writer.write(item);
    return writer.toByteArray();
  }

  /**
   * Decodes exactly one item filling all of {@code data}.
   *
   * @throws TtlvException when the bytes are not exactly one well-formed item
   */
  static Ttlv decode(byte[] data) {
    Reader reader = new Reader(data, 0, data.length);
    Ttlv item = reader.readItem(0);
    if (reader.pos != data.length) {
      throw new TtlvException((data.length - reader.pos) + " bytes follow the "
          + KmipTag.describe(item.tag()) + " that ends at offset " + reader.pos);
    }
    return item;
  }

  /**
   * Checks the 8-byte header of a message about to be read from the network and returns how
   * many bytes follow it, so that a reader never trusts a length it has not checked.
   *
   * @param expectedTag the message tag, such as {@link KmipTag#RESPONSE_MESSAGE}
   * @param maxMessageBytes the largest whole message (header included) accepted
   * @throws TtlvException when the header is not a Structure with that tag, or the length is not
   *     a multiple of 8 or exceeds the limit
   */
  static int messageBodyLength(byte[] header, int expectedTag, int maxMessageBytes) {
    if (header.length != HEADER_LENGTH) {
      throw new IllegalArgumentException("a TTLV header is 8 bytes");
    }
    int tag = ((header[0] & 0xFF) << 16) | ((header[1] & 0xFF) << 8) | (header[2] & 0xFF);
    if (tag != expectedTag) {
      throw new TtlvException("the message starts with tag " + String.format("%06X", tag)
          + ", expected " + KmipTag.describe(expectedTag)
          + (tag == KmipTag.RESPONSE_MESSAGE || tag == KmipTag.REQUEST_MESSAGE ? ""
              : " (is the peer a KMIP server?)"));
    }
    if (header[3] != TtlvType.STRUCTURE.code) {
      throw new TtlvException(KmipTag.describe(tag) + " has type code "
          + String.format("0x%02X", header[3] & 0xFF) + ", expected Structure (0x01)");
    }
    long length = ByteBuffer.wrap(header, 4, 4).getInt() & 0xFFFFFFFFL;
    if (length > maxMessageBytes - HEADER_LENGTH) {
      throw new TtlvException(KmipTag.describe(tag) + " declares " + length
          + " bytes, more than the " + maxMessageBytes + "-byte limit for a message");
    }
    if (length % 8 != 0) {
      throw new TtlvException(KmipTag.describe(tag) + " declares " + length
          + " bytes, which is not a multiple of 8");
    }
    return (int) length;
  }

  private static long padded(long length) {
    return (length + 7) & ~7L;
  }

  /** A growable buffer that zeroes what it leaves behind, since requests may carry secrets. */
  private static final class Writer {
    private byte[] buf;
    private int pos;

    Writer(int capacity) {
      buf = new byte[capacity];
    }

    void write(Ttlv item) {
      ensure(HEADER_LENGTH);
      int tag = item.tag();
      if (!KmipTag.isValid(tag) || (tag >>> 24) != 0) {
        throw new IllegalArgumentException("not a KMIP tag: " + Integer.toHexString(tag));
      }
      buf[pos] = (byte) (tag >>> 16);
      buf[pos + 1] = (byte) (tag >>> 8);
      buf[pos + 2] = (byte) tag;
      buf[pos + 3] = (byte) item.type().code;
      int lengthAt = pos + 4;
      pos += HEADER_LENGTH;
      int start = pos;
      switch (item.type()) {
        case STRUCTURE -> {
          for (Ttlv child : item.children()) {
            write(child);
          }
        }
        case INTEGER, ENUMERATION, INTERVAL -> putInt(item.intValue());
        case LONG_INTEGER, DATE_TIME -> putLong(item.longValue());
        case BOOLEAN -> putLong(item.booleanValue() ? 1 : 0);
        case TEXT_STRING -> putBytes(item.textValue().getBytes(StandardCharsets.UTF_8));
        case BYTE_STRING, BIG_INTEGER -> putBytes(item.bytesValue());
        default -> throw new IllegalStateException(item.type().toString());
      }
      int length = pos - start;
      buf[lengthAt] = (byte) (length >>> 24);
      buf[lengthAt + 1] = (byte) (length >>> 16);
      buf[lengthAt + 2] = (byte) (length >>> 8);
      buf[lengthAt + 3] = (byte) length;
      int padding = (int) (padded(length) - length);
      ensure(padding);
      pos += padding; // new arrays are zero-filled
    }

    private void putInt(int value) {
      ensure(4);
      buf[pos++] = (byte) (value >>> 24);
      buf[pos++] = (byte) (value >>> 16);
      buf[pos++] = (byte) (value >>> 8);
      buf[pos++] = (byte) value;
    }

    private void putLong(long value) {
      putInt((int) (value >>> 32));
      putInt((int) value);
    }

    private void putBytes(byte[] bytes) {
      ensure(bytes.length);
      System.arraycopy(bytes, 0, buf, pos, bytes.length);
      pos += bytes.length;
    }

    private void ensure(int more) {
      if (buf.length - pos >= more) {
        return;
      }
      byte[] bigger = Arrays.copyOf(buf, Math.max(buf.length * 2, pos + more));
      Arrays.fill(buf, (byte) 0);
      buf = bigger;
    }

    byte[] toByteArray() {
      byte[] out = Arrays.copyOf(buf, pos);
      Arrays.fill(buf, (byte) 0);
      return out;
    }
  }

  private static final class Reader {
    private final byte[] data;
    private final int end;
    private int pos;

    Reader(byte[] data, int pos, int end) {
      this.data = data;
      this.pos = pos;
      this.end = end;
    }

    Ttlv readItem(int depth) {
      int at = pos;
      if (depth > MAX_DEPTH) {
        throw new TtlvException("items nest more than " + MAX_DEPTH + " deep at offset " + at);
      }
      if (end - pos < HEADER_LENGTH) {
        throw new TtlvException("truncated: an item header at offset " + at + " needs 8 bytes, "
            + (end - pos) + " remain");
      }
      int tag = ((data[pos] & 0xFF) << 16) | ((data[pos + 1] & 0xFF) << 8) | (data[pos + 2] & 0xFF);
      int typeCode = data[pos + 3] & 0xFF;
      long length = ((data[pos + 4] & 0xFFL) << 24) | ((data[pos + 5] & 0xFFL) << 16)
          | ((data[pos + 6] & 0xFFL) << 8) | (data[pos + 7] & 0xFFL);
      pos += HEADER_LENGTH;
      if (!KmipTag.isValid(tag)) {
        throw new TtlvException(String.format(
            "invalid tag %06X at offset %d: KMIP tags start with 42 or 54", tag, at));
      }
      TtlvType type = TtlvType.ofCode(typeCode);
      if (type == null) {
        throw new TtlvException(String.format("%s at offset %d has unknown type code 0x%02X",
            KmipTag.describe(tag), at, typeCode));
      }
      if (type.fixedLength >= 0 && length != type.fixedLength) {
        throw new TtlvException(KmipTag.describe(tag) + " at offset " + at + " is a "
            + type.displayName() + " declaring " + length + " bytes; it must declare "
            + type.fixedLength);
      }
      long remaining = end - pos;
      if (padded(length) > remaining) {
        throw new TtlvException(KmipTag.describe(tag) + " at offset " + at + " declares "
            + length + " bytes (" + padded(length) + " padded) but only " + remaining
            + " remain");
      }
      int len = (int) length;
      Ttlv item = switch (type) {
        case STRUCTURE -> readStructure(tag, len, at, depth);
        case INTEGER -> Ttlv.integer(tag, readInt());
        case ENUMERATION -> Ttlv.enumeration(tag, readInt());
        case INTERVAL -> Ttlv.interval(tag, readInt());
        case LONG_INTEGER -> Ttlv.longInteger(tag, readLong());
        case DATE_TIME -> Ttlv.dateTime(tag, readLong());
        case BOOLEAN -> {
          long value = readLong();
          if (value != 0 && value != 1) {
            throw new TtlvException(KmipTag.describe(tag) + " at offset " + at
                + " is a Boolean holding " + value + "; only 0 and 1 are allowed");
          }
          yield Ttlv.bool(tag, value == 1);
        }
        case TEXT_STRING -> Ttlv.text(tag, readText(tag, len, at));
        case BYTE_STRING -> Ttlv.bytes(tag, readBytes(len));
        case BIG_INTEGER -> {
          if (len % 8 != 0) {
            throw new TtlvException(KmipTag.describe(tag) + " at offset " + at
                + " is a BigInteger of " + len + " bytes, not a multiple of 8");
          }
          yield Ttlv.bigInteger(tag, readBytes(len));
        }
      };
      pos = at + HEADER_LENGTH + (int) padded(length);
      return item;
    }

    private Ttlv readStructure(int tag, int length, int at, int depth) {
      if (length % 8 != 0) {
        throw new TtlvException(KmipTag.describe(tag) + " at offset " + at
            + " is a Structure of " + length + " bytes, not a multiple of 8");
      }
      Reader inner = new Reader(data, pos, pos + length);
      List<Ttlv> children = new ArrayList<>();
      while (inner.pos < inner.end) {
        children.add(inner.readItem(depth + 1));
      }
      return Ttlv.structure(tag, children);
    }

    private int readInt() {
      int value = ((data[pos] & 0xFF) << 24) | ((data[pos + 1] & 0xFF) << 16)
          | ((data[pos + 2] & 0xFF) << 8) | (data[pos + 3] & 0xFF);
      pos += 4;
      return value;
    }

    private long readLong() {
      long high = readInt() & 0xFFFFFFFFL;
      long low = readInt() & 0xFFFFFFFFL;
      return (high << 32) | low;
    }

    private byte[] readBytes(int length) {
      byte[] bytes = Arrays.copyOfRange(data, pos, pos + length);
      pos += length;
      return bytes;
    }

    private String readText(int tag, int length, int at) {
      try {
        return StandardCharsets.UTF_8.newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT)
            .decode(ByteBuffer.wrap(data, pos, length))
            .toString();
      } catch (CharacterCodingException e) {
        throw new TtlvException(KmipTag.describe(tag) + " at offset " + at
            + " is a TextString that is not valid UTF-8");
      }
    }
  }
}
