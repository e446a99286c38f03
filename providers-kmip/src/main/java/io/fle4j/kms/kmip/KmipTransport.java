package io.fle4j.kms.kmip;

/**
 * Carries one KMIP request message to a server and brings back its response message. The real
 * one is {@link KmipConnectionPool}; tests substitute their own.
 */
interface KmipTransport extends AutoCloseable {

  /**
   * Sends {@code request} and returns the whole ResponseMessage, header included.
   *
   * @param idempotent whether the request may be sent again if it is unknown whether the server
   *     got it (see {@link KmipOperation#idempotent})
   * @throws KmipTransportException when no response could be had; says whether the request may
   *     have reached the server
   */
  byte[] exchange(KmipEndpoint endpoint, byte[] request, boolean idempotent)
      throws KmipTransportException;

  @Override
  void close();
}
