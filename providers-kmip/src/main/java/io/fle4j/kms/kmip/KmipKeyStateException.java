package io.fle4j.kms.kmip;

import io.fle4j.kms.KmsProviderName;

/**
 * The KMIP object exists but is not in a state that allows the operation: it was never
 * activated, or it was deactivated, revoked, compromised or destroyed. KMIP 2.0 servers say so
 * with Result Reason Wrong Key Lifecycle State; KMIP 1.x servers (PyKMIP among them) with
 * Permission Denied or Illegal Operation and a message about the object's state.
 */
public final class KmipKeyStateException extends KmipServerException {
  private static final long serialVersionUID = 1L;

  KmipKeyStateException(KmsProviderName provider, String message, String endpoint,
      String operation, String keyId, int resultStatus, Integer resultReasonCode,
      String resultMessage) {
    super(provider, message, endpoint, operation, keyId, resultStatus, resultReasonCode,
        resultMessage);
  }
}
