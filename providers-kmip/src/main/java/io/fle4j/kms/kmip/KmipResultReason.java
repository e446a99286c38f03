package io.fle4j.kms.kmip;

/**
 * Why a KMIP server refused an operation: the Result Reason enumeration of KMIP 1.x (§9.1.3.2.29),
 * plus the KMIP 2.0 reasons servers are known to send to 1.x clients.
 */
public enum KmipResultReason {
  ITEM_NOT_FOUND(0x01),
  RESPONSE_TOO_LARGE(0x02),
  AUTHENTICATION_NOT_SUCCESSFUL(0x03),
  INVALID_MESSAGE(0x04),
  OPERATION_NOT_SUPPORTED(0x05),
  MISSING_DATA(0x06),
  INVALID_FIELD(0x07),
  FEATURE_NOT_SUPPORTED(0x08),
  OPERATION_CANCELED_BY_REQUESTER(0x09),
  CRYPTOGRAPHIC_FAILURE(0x0A),
  ILLEGAL_OPERATION(0x0B),
  PERMISSION_DENIED(0x0C),
  OBJECT_ARCHIVED(0x0D),
  INDEX_OUT_OF_BOUNDS(0x0E),
  APPLICATION_NAMESPACE_NOT_SUPPORTED(0x0F),
  KEY_FORMAT_TYPE_NOT_SUPPORTED(0x10),
  KEY_COMPRESSION_TYPE_NOT_SUPPORTED(0x11),
  ENCODING_OPTION_ERROR(0x12),
  KEY_VALUE_NOT_PRESENT(0x13),
  ATTESTATION_REQUIRED(0x14),
  ATTESTATION_FAILED(0x15),
  SENSITIVE(0x16),
  NOT_EXTRACTABLE(0x17),
  OBJECT_ALREADY_EXISTS(0x18),
  /** KMIP 2.0. */
  OBJECT_DESTROYED(0x36),
  /** KMIP 2.0. */
  OBJECT_NOT_FOUND(0x37),
  /** KMIP 2.0. */
  WRONG_KEY_LIFECYCLE_STATE(0x43),
  GENERAL_FAILURE(0x100),
  /** A code this client does not know; see {@link KmipServerException#resultReasonCode()}. */
  UNRECOGNIZED(-1),
  /** The server sent no Result Reason. */
  NONE(-2);

  private final int code;

  KmipResultReason(int code) {
    this.code = code;
  }

  /** The enumeration value on the wire; negative for {@link #UNRECOGNIZED} and {@link #NONE}. */
  public int code() {
    return code;
  }

  /** The reason with this wire code: {@link #NONE} for {@code null}, else {@link #UNRECOGNIZED}. */
  static KmipResultReason ofCode(Integer code) {
    if (code == null) {
      return NONE;
    }
    for (KmipResultReason reason : values()) {
      if (reason.code == code) {
        return reason;
      }
    }
    return UNRECOGNIZED;
  }
}
