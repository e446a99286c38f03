package io.fle4j.kms.kmip;

import io.fle4j.kms.KmsProviderName;

/**
 * The KMIP server has no object with the key's unique identifier (Result Reason Item Not Found):
 * the {@code masterKey.keyId} is wrong, the object was destroyed, or it belongs to another client
 * certificate, or {@code masterKey.endpoint} names another server.
 */
public final class KmipKeyNotFoundException extends KmipServerException {
  private static final long serialVersionUID = 1L;

  KmipKeyNotFoundException(KmsProviderName provider, String message, String endpoint,
      String operation, String keyId, int resultStatus, Integer resultReasonCode,
      String resultMessage) {
    super(provider, message, endpoint, operation, keyId, resultStatus, resultReasonCode,
        resultMessage);
  }
}
