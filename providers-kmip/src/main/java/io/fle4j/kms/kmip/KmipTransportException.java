package io.fle4j.kms.kmip;

/**
 * No response could be had from a KMIP server. Internal: {@link KmipClient} turns it into a
 * public exception naming the operation and the key.
 */
final class KmipTransportException extends Exception {
  private static final long serialVersionUID = 1L;

  /** How far the exchange got. */
  enum Kind {
    /** The host name does not resolve. Nothing was sent. */
    UNKNOWN_HOST,
    /** No connection could be made, after every attempt. Nothing was sent. */
    CONNECT,
    /** The TLS handshake was refused by one side; see {@link #tlsFailure()}. Nothing was sent. */
    TLS,
    /** The connection broke after the request was (perhaps) sent. */
    LOST_AFTER_SEND,
    /** The server did not answer within the read timeout. */
    TIMEOUT_AFTER_SEND,
    /** The server's answer is not a KMIP response message of acceptable size. */
    MALFORMED_RESPONSE,
    /** The thread was interrupted while waiting to retry. Nothing was sent. */
    INTERRUPTED
  }

  private final Kind kind;
  private final KmipTlsException.Failure tlsFailure;
  private final int attempts;

  KmipTransportException(Kind kind, String message, Throwable cause) {
    this(kind, null, 1, message, cause);
  }

  KmipTransportException(Kind kind, KmipTlsException.Failure tlsFailure, int attempts,
      String message, Throwable cause) {
    super(message, cause);
    this.kind = kind;
    this.tlsFailure = tlsFailure;
    this.attempts = attempts;
  }

  Kind kind() {
    return kind;
  }

  /** For {@link Kind#TLS}: which side refused and why. */
  KmipTlsException.Failure tlsFailure() {
    return tlsFailure;
  }

  /** How many connections were tried. */
  int attempts() {
    return attempts;
  }
}
