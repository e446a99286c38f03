package io.fle4j.kms.kmip;

import io.fle4j.kms.KmsProviderException;
import io.fle4j.kms.KmsProviderName;
import java.util.Optional;

/**
 * A KMIP server answered an operation with a failure. The message names the operation, the
 * server's endpoint, the key's unique identifier (when the operation has one), and the result
 * reason and message the server sent; it never holds key material.
 *
 * <p>Two cases get their own subclass: {@link KmipKeyNotFoundException} and {@link
 * KmipKeyStateException}.
 */
public class KmipServerException extends KmsProviderException {
  private static final long serialVersionUID = 1L;
  private final String endpoint;
  private final String operation;
  private final String keyId;
  private final int resultStatus;
  private final Integer resultReasonCode;
  private final String resultMessage;

  KmipServerException(KmsProviderName provider, String message, String endpoint, String operation,
      String keyId, int resultStatus, Integer resultReasonCode, String resultMessage) {
    super(provider, false, message);
    this.endpoint = endpoint;
    this.operation = operation;
    this.keyId = keyId;
    this.resultStatus = resultStatus;
    this.resultReasonCode = resultReasonCode;
    this.resultMessage = resultMessage;
  }

  /** The server, as {@code host:port}. */
  public String endpoint() {
    return endpoint;
  }

  /** The KMIP operation that failed, such as {@code Get} or {@code Decrypt}. */
  public String operation() {
    return operation;
  }

  /** The unique identifier of the KMIP object the operation was about, if it was about one. */
  public Optional<String> keyId() {
    return Optional.ofNullable(keyId);
  }

  /** The Result Status: 1 Operation Failed, 2 Operation Pending, 3 Operation Undone. */
  public int resultStatus() {
    return resultStatus;
  }

  /** The Result Reason, {@link KmipResultReason#NONE} when the server sent none. */
  public KmipResultReason resultReason() {
    return KmipResultReason.ofCode(resultReasonCode);
  }

  /** The Result Reason's wire code, -1 when the server sent none. */
  public int resultReasonCode() {
    return resultReasonCode == null ? -1 : resultReasonCode;
  }

  /** The server's Result Message, if it sent one (shortened, control characters removed). */
  public Optional<String> resultMessage() {
    return Optional.ofNullable(resultMessage);
  }
}
