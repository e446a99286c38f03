package io.fle4j.kms.kmip;

import java.util.List;
import java.util.Optional;

/**
 * The one batch item of a KMIP ResponseMessage: its result status, reason and message, and its
 * payload. Parsing checks the message's shape; what the payload must hold is the caller's to
 * check, since it depends on the operation.
 */
final class KmipResponse {
  static final int STATUS_SUCCESS = 0;
  static final int STATUS_OPERATION_FAILED = 1;
  static final int STATUS_OPERATION_PENDING = 2;
  static final int STATUS_OPERATION_UNDONE = 3;

  private final int resultStatus;
  private final Integer resultReason;
  private final String resultMessage;
  private final Ttlv payload;

  private KmipResponse(int resultStatus, Integer resultReason, String resultMessage, Ttlv payload) {
    this.resultStatus = resultStatus;
    this.resultReason = resultReason;
    this.resultMessage = resultMessage;
    this.payload = payload;
  }

  /**
   * Reads a decoded ResponseMessage answering a one-item request for {@code operation}.
   *
   * @throws TtlvException when the message is not a KMIP 1.x response with exactly one batch
   *     item for that operation, or a successful item has no payload
   */
  static KmipResponse parse(Ttlv message, KmipOperation operation) {
    if (message.tag() != KmipTag.RESPONSE_MESSAGE) {
      throw new TtlvException("expected a " + KmipTag.describe(KmipTag.RESPONSE_MESSAGE)
          + ", got " + KmipTag.describe(message.tag()));
    }
    message.expect(TtlvType.STRUCTURE);
    Ttlv header = message.required(KmipTag.RESPONSE_HEADER, TtlvType.STRUCTURE);
    Ttlv version = header.required(KmipTag.PROTOCOL_VERSION, TtlvType.STRUCTURE);
    int major = version.required(KmipTag.PROTOCOL_VERSION_MAJOR, TtlvType.INTEGER).intValue();
    if (major != 1) {
      int minor = version.optional(KmipTag.PROTOCOL_VERSION_MINOR, TtlvType.INTEGER)
          .map(Ttlv::intValue).orElse(0);
      throw new TtlvException("the server answered with KMIP protocol version " + major + "."
          + minor + "; this client speaks KMIP 1.x");
    }
    int batchCount = header.required(KmipTag.BATCH_COUNT, TtlvType.INTEGER).intValue();
    List<Ttlv> items = message.childrenWithTag(KmipTag.BATCH_ITEM);
    if (batchCount != 1 || items.size() != 1) {
      throw new TtlvException("the response holds " + items.size()
          + " batch items (BatchCount " + batchCount + ") for a request of one");
    }
    Ttlv item = items.get(0).expect(TtlvType.STRUCTURE);
    Optional<Ttlv> answered = item.optional(KmipTag.OPERATION, TtlvType.ENUMERATION);
    if (answered.isPresent() && answered.get().intValue() != operation.code) {
      throw new TtlvException(String.format(
          "the response answers operation 0x%02X, but the request was %s (0x%02X)",
          answered.get().intValue(), operation.displayName, operation.code));
    }
    int status = item.required(KmipTag.RESULT_STATUS, TtlvType.ENUMERATION).intValue();
    Integer reason = item.optional(KmipTag.RESULT_REASON, TtlvType.ENUMERATION)
        .map(Ttlv::intValue).orElse(null);
    String text = item.optional(KmipTag.RESULT_MESSAGE, TtlvType.TEXT_STRING)
        .map(Ttlv::textValue).orElse(null);
    Ttlv payload = item.optional(KmipTag.RESPONSE_PAYLOAD, TtlvType.STRUCTURE).orElse(null);
    if (status == STATUS_SUCCESS && payload == null) {
      throw new TtlvException("the successful " + operation.displayName
          + " response has no ResponsePayload");
    }
    return new KmipResponse(status, reason, text, payload);
  }

  boolean isSuccess() {
    return resultStatus == STATUS_SUCCESS;
  }

  int resultStatus() {
    return resultStatus;
  }

  /** The ResultReason code, or {@code null} when the server sent none. */
  Integer resultReason() {
    return resultReason;
  }

  /** The ResultMessage, or {@code null}. */
  String resultMessage() {
    return resultMessage;
  }

  /** The ResponsePayload of a successful response. */
  Ttlv payload() {
    return payload;
  }

  /** Spec names of the result statuses (KMIP 1.x §9.1.3.2.26), for messages. */
  static String statusName(int status) {
    return switch (status) {
      case STATUS_SUCCESS -> "Success";
      case STATUS_OPERATION_FAILED -> "Operation Failed";
      case STATUS_OPERATION_PENDING -> "Operation Pending";
      case STATUS_OPERATION_UNDONE -> "Operation Undone";
      default -> String.format("0x%X", status);
    };
  }
}
