package io.fle4j.kms.kmip;

import io.fle4j.kms.KmsProviderException;
import io.fle4j.kms.KmsProviderName;

/**
 * The TLS handshake with a KMIP server failed, so nothing was sent. {@link #failure()} says which
 * side refused and why; the message names the endpoint, the key and what to check.
 */
public final class KmipTlsException extends KmsProviderException {
  private static final long serialVersionUID = 1L;

  /** What went wrong in the handshake. */
  public enum Failure {
    /** The server's certificate does not chain to a trusted CA: this client refused it. */
    SERVER_CERTIFICATE_UNTRUSTED,
    /** The server's certificate is trusted but not issued for the host name or IP connected to. */
    SERVER_HOSTNAME_MISMATCH,
    /**
     * The server ended the handshake with an alert, in practice because it requires a client
     * certificate and got none, or one it does not trust.
     */
    CLIENT_CERTIFICATE_REFUSED,
    /** Any other handshake failure, such as no shared protocol version or cipher suite. */
    HANDSHAKE_FAILED
  }

  private final String endpoint;
  private final Failure failure;

  KmipTlsException(KmsProviderName provider, String message, String endpoint, Failure failure,
      Throwable cause) {
    super(provider, false, message, cause);
    this.endpoint = endpoint;
    this.failure = failure;
  }

  /** The server, as {@code host:port}. */
  public String endpoint() {
    return endpoint;
  }

  /** Which side refused the handshake, and why. */
  public Failure failure() {
    return failure;
  }
}
