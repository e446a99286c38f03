package io.fle4j.internal.qe;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.bson.BsonBinary;
import org.bson.BsonBinarySubType;
import org.bson.BsonValue;
import org.bson.types.Decimal128;

/**
 * Writes a payload's BSON straight into one growing array: {@code blobSubtype ‖ document}. The
 * payloads hold only binaries, integers, small documents and arrays and the range bounds, so a
 * few element writers suffice; going through {@code BsonDocument} and the driver's writer cost
 * more than the tokens themselves on a range insert. Documents are opened and closed in order;
 * their lengths are filled in on close.
 */
final class PayloadWriter {
  private byte[] bytes = new byte[512];
  private int size;
  private final int[] open = new int[8];
  private int depth;

  PayloadWriter(byte blobSubtype) {
    bytes[size++] = blobSubtype;
    startDocument();
  }

  /** Opens the top-level document; called by the constructor. */
  private void startDocument() {
    open[depth++] = size;
    size += 4;
  }

  PayloadWriter startDocument(String name) {
    element((byte) 0x03, name);
    startDocument();
    return this;
  }

  PayloadWriter startArray(String name) {
    element((byte) 0x04, name);
    startDocument();
    return this;
  }

  PayloadWriter end() {
    ensure(1);
    bytes[size++] = 0;
    int start = open[--depth];
    putInt(start, size - start);
    return this;
  }

  PayloadWriter binary(String name, byte[] data) {
    return binary(name, BsonBinarySubType.BINARY.getValue(), data);
  }

  PayloadWriter binary(String name, byte subtype, byte[] data) {
    element((byte) 0x05, name);
    ensure(5 + data.length);
    putInt(size, data.length);
    size += 4;
    bytes[size++] = subtype;
    System.arraycopy(data, 0, bytes, size, data.length);
    size += data.length;
    return this;
  }

  PayloadWriter int32(String name, int value) {
    element((byte) 0x10, name);
    ensure(4);
    putInt(size, value);
    size += 4;
    return this;
  }

  PayloadWriter int64(String name, long value) {
    element((byte) 0x12, name);
    putLong(value);
    return this;
  }

  /** A range bound: int32, int64, date, double or decimal128 (what range indexes accept). */
  PayloadWriter value(String name, BsonValue value) {
    switch (value.getBsonType()) {
      case INT32 -> int32(name, value.asInt32().getValue());
      case INT64 -> int64(name, value.asInt64().getValue());
      case DATE_TIME -> {
        element((byte) 0x09, name);
        putLong(value.asDateTime().getValue());
      }
      case DOUBLE -> {
        element((byte) 0x01, name);
        putLong(Double.doubleToRawLongBits(value.asDouble().getValue()));
      }
      case DECIMAL128 -> {
        Decimal128 d = value.asDecimal128().getValue();
        element((byte) 0x13, name);
        putLong(d.getLow());
        putLong(d.getHigh());
      }
      default -> throw new IllegalArgumentException("not a range bound: " + value.getBsonType());
    }
    return this;
  }

  /** The finished payload as a binary of subtype 6. */
  BsonBinary toBinary() {
    if (depth != 1) {
      throw new IllegalStateException("unclosed documents: " + (depth - 1));
    }
    end();
    return new BsonBinary(BsonBinarySubType.ENCRYPTED, Arrays.copyOf(bytes, size));
  }

  private void element(byte type, String name) {
    byte[] key = name.getBytes(StandardCharsets.UTF_8); // field names here are short ASCII
    ensure(2 + key.length);
    bytes[size++] = type;
    System.arraycopy(key, 0, bytes, size, key.length);
    size += key.length;
    bytes[size++] = 0;
  }

  private void putLong(long value) {
    ensure(8);
    for (int i = 0; i < 8; i++) {
      bytes[size++] = (byte) (value >>> (8 * i));
    }
  }

  private void putInt(int at, int value) {
    for (int i = 0; i < 4; i++) {
      bytes[at + i] = (byte) (value >>> (8 * i));
    }
  }

  private void ensure(int more) {
    if (size + more > bytes.length) {
      bytes = Arrays.copyOf(bytes, Math.max(size + more, 2 * bytes.length));
    }
  }
}
