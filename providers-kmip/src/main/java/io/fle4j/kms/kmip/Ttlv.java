package io.fle4j.kms.kmip;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One KMIP TTLV item: a tag, a type and a value; a {@link TtlvType#STRUCTURE} holds child items
 * in order. Byte strings are held without copying, because they may be key material the caller
 * wants to {@link #wipe()}; {@link #toString()} never shows them.
 */
final class Ttlv {
  private final int tag;
  private final TtlvType type;
  private final Object value;

  private Ttlv(int tag, TtlvType type, Object value) {
    this.tag = tag;
    this.type = type;
    this.value = value;
  }

  static Ttlv structure(int tag, List<Ttlv> children) {
    return new Ttlv(tag, TtlvType.STRUCTURE, List.copyOf(children));
  }

  static Ttlv structure(int tag, Ttlv... children) {
    return structure(tag, Arrays.asList(children));
  }

  static Ttlv integer(int tag, int value) {
    return new Ttlv(tag, TtlvType.INTEGER, value);
  }

  static Ttlv longInteger(int tag, long value) {
    return new Ttlv(tag, TtlvType.LONG_INTEGER, value);
  }

  /** A big integer as its big-endian two's-complement bytes, already padded to a multiple of 8. */
  static Ttlv bigInteger(int tag, byte[] value) {
    if (value.length % 8 != 0) {
      throw new IllegalArgumentException("a BigInteger's length must be a multiple of 8");
    }
    return new Ttlv(tag, TtlvType.BIG_INTEGER, value);
  }

  static Ttlv enumeration(int tag, int value) {
    return new Ttlv(tag, TtlvType.ENUMERATION, value);
  }

  static Ttlv bool(int tag, boolean value) {
    return new Ttlv(tag, TtlvType.BOOLEAN, value);
  }

  static Ttlv text(int tag, String value) {
    return new Ttlv(tag, TtlvType.TEXT_STRING, Objects.requireNonNull(value, "value"));
  }

  /** A byte string; {@code value} is kept, not copied. */
  static Ttlv bytes(int tag, byte[] value) {
    return new Ttlv(tag, TtlvType.BYTE_STRING, Objects.requireNonNull(value, "value"));
  }

  /** A date-time in seconds since the Unix epoch. */
  static Ttlv dateTime(int tag, long epochSeconds) {
    return new Ttlv(tag, TtlvType.DATE_TIME, epochSeconds);
  }

  /** An interval in seconds, unsigned 32 bits. */
  static Ttlv interval(int tag, int seconds) {
    return new Ttlv(tag, TtlvType.INTERVAL, seconds);
  }

  int tag() {
    return tag;
  }

  TtlvType type() {
    return type;
  }

  /** The children of a structure, in order; empty for other types. */
  @SuppressWarnings("unchecked")
  List<Ttlv> children() {
    return type == TtlvType.STRUCTURE ? (List<Ttlv>) value : Collections.emptyList();
  }

  /** The first child with this tag. */
  Optional<Ttlv> child(int childTag) {
    for (Ttlv child : children()) {
      if (child.tag == childTag) {
        return Optional.of(child);
      }
    }
    return Optional.empty();
  }

  /** Every child with this tag, in order. */
  List<Ttlv> childrenWithTag(int childTag) {
    List<Ttlv> found = new ArrayList<>();
    for (Ttlv child : children()) {
      if (child.tag == childTag) {
        found.add(child);
      }
    }
    return found;
  }

  /**
   * The one child with this tag, of this type.
   *
   * @throws TtlvException when it is missing, repeated or of another type
   */
  Ttlv required(int childTag, TtlvType childType) {
    List<Ttlv> found = childrenWithTag(childTag);
    if (found.isEmpty()) {
      throw new TtlvException(
          KmipTag.describe(tag) + " has no " + KmipTag.describe(childTag));
    }
    if (found.size() > 1) {
      throw new TtlvException(KmipTag.describe(tag) + " holds " + found.size() + " "
          + KmipTag.describe(childTag) + " items, expected one");
    }
    return found.get(0).expect(childType);
  }

  /** The child with this tag, of this type, if there is one. */
  Optional<Ttlv> optional(int childTag, TtlvType childType) {
    List<Ttlv> found = childrenWithTag(childTag);
    if (found.size() > 1) {
      throw new TtlvException(KmipTag.describe(tag) + " holds " + found.size() + " "
          + KmipTag.describe(childTag) + " items, expected at most one");
    }
    return found.isEmpty() ? Optional.empty() : Optional.of(found.get(0).expect(childType));
  }

  /**
   * This item, checked to be of {@code expected} type.
   *
   * @throws TtlvException when it is not
   */
  Ttlv expect(TtlvType expected) {
    if (type != expected) {
      throw new TtlvException(KmipTag.describe(tag) + " has type " + type.displayName()
          + ", expected " + expected.displayName());
    }
    return this;
  }

  /** The value of an Integer, Enumeration or Interval. */
  int intValue() {
    if (type != TtlvType.INTEGER && type != TtlvType.ENUMERATION && type != TtlvType.INTERVAL) {
      throw new TtlvException(KmipTag.describe(tag) + " has type " + type.displayName()
          + ", expected Integer or Enumeration");
    }
    return (Integer) value;
  }

  /** The value of a LongInteger or DateTime. */
  long longValue() {
    if (type != TtlvType.LONG_INTEGER && type != TtlvType.DATE_TIME) {
      throw new TtlvException(KmipTag.describe(tag) + " has type " + type.displayName()
          + ", expected LongInteger or DateTime");
    }
    return (Long) value;
  }

  boolean booleanValue() {
    expect(TtlvType.BOOLEAN);
    return (Boolean) value;
  }

  String textValue() {
    expect(TtlvType.TEXT_STRING);
    return (String) value;
  }

  /** The bytes of a ByteString or BigInteger, not copied. */
  byte[] bytesValue() {
    if (type != TtlvType.BYTE_STRING && type != TtlvType.BIG_INTEGER) {
      throw new TtlvException(KmipTag.describe(tag) + " has type " + type.displayName()
          + ", expected ByteString");
    }
    return (byte[]) value;
  }

  /** Overwrites every byte string in this tree with zeros. */
  void wipe() {
    if (value instanceof byte[] bytes) {
      Arrays.fill(bytes, (byte) 0);
    }
    for (Ttlv child : children()) {
      child.wipe();
    }
  }

  /** Structural equality; byte strings compared by content. For tests. */
  @Override
  public boolean equals(Object o) {
    if (!(o instanceof Ttlv other) || tag != other.tag || type != other.type) {
      return false;
    }
    if (value instanceof byte[] bytes) {
      return Arrays.equals(bytes, (byte[]) other.value);
    }
    return value.equals(other.value);
  }

  @Override
  public int hashCode() {
    return Objects.hash(tag, type);
  }

  /** A one-line tree; byte strings show their length only, never their content. */
  @Override
  public String toString() {
    StringBuilder out = new StringBuilder();
    appendTo(out);
    return out.toString();
  }

  private void appendTo(StringBuilder out) {
    out.append(KmipTag.describe(tag)).append(' ').append(type.displayName());
    switch (type) {
      case STRUCTURE -> {
        out.append(" {");
        boolean first = true;
        for (Ttlv child : children()) {
          out.append(first ? "" : ", ");
          child.appendTo(out);
          first = false;
        }
        out.append('}');
      }
      case BYTE_STRING, BIG_INTEGER -> out.append(" [").append(((byte[]) value).length)
          .append(" bytes]");
      case TEXT_STRING -> out.append(" \"").append(value).append('"');
      default -> out.append(' ').append(value);
    }
  }
}
