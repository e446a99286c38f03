package io.fle4j.kms.kmip;

/**
 * Bytes are not well-formed TTLV, or a well-formed message lacks what KMIP requires. Internal:
 * the client turns it into a {@link io.fle4j.kms.KmsProviderException} naming the server.
 */
final class TtlvException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  TtlvException(String message) {
    super(message);
  }
}
