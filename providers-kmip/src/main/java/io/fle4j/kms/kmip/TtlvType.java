package io.fle4j.kms.kmip;

/**
 * The item types of KMIP's Tag-Type-Length-Value encoding (KMIP 1.x spec §9.1.1.2), with the
 * value length each fixed-size type must declare.
 */
enum TtlvType {
  STRUCTURE(0x01, -1),
  INTEGER(0x02, 4),
  LONG_INTEGER(0x03, 8),
  BIG_INTEGER(0x04, -1),
  ENUMERATION(0x05, 4),
  BOOLEAN(0x06, 8),
  TEXT_STRING(0x07, -1),
  BYTE_STRING(0x08, -1),
  DATE_TIME(0x09, 8),
  INTERVAL(0x0A, 4);

  private static final TtlvType[] BY_CODE = new TtlvType[0x0B];

  static {
    for (TtlvType type : values()) {
      BY_CODE[type.code] = type;
    }
  }

  final int code;
  /** The only length a value of this type may declare, or -1 when it varies. */
  final int fixedLength;

  TtlvType(int code, int fixedLength) {
    this.code = code;
    this.fixedLength = fixedLength;
  }

  /** The type with this code, or {@code null} for a code KMIP 1.x does not define. */
  static TtlvType ofCode(int code) {
    return code > 0 && code < BY_CODE.length ? BY_CODE[code] : null;
  }

  /** The spec's spelling, such as {@code TextString}, for messages. */
  String displayName() {
    StringBuilder out = new StringBuilder();
    for (String part : name().split("_")) {
      out.append(part.charAt(0)).append(part.substring(1).toLowerCase(java.util.Locale.ROOT));
    }
    return out.toString();
  }
}
