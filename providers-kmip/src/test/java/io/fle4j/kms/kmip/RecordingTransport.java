package io.fle4j.kms.kmip;

import java.util.ArrayList;
import java.util.List;

/** Passes exchanges to another transport and records the operations and bytes seen. */
final class RecordingTransport implements KmipTransport {
  /** One request and its response (or null when the exchange failed). */
  record Exchange(String operation, byte[] request, byte[] response) {}

  private final KmipTransport delegate;
  private final List<Exchange> exchanges = new ArrayList<>();

  RecordingTransport(KmipTransport delegate) {
    this.delegate = delegate;
  }

  @Override
  public synchronized byte[] exchange(KmipEndpoint endpoint, byte[] request, boolean idempotent)
      throws KmipTransportException {
    byte[] requestCopy = request.clone();
    String operation = operationName(requestCopy);
    try {
      byte[] response = delegate.exchange(endpoint, request, idempotent);
      exchanges.add(new Exchange(operation, requestCopy, response.clone()));
      return response;
    } catch (KmipTransportException | RuntimeException e) {
      exchanges.add(new Exchange(operation, requestCopy, null));
      throw e;
    }
  }

  synchronized List<Exchange> exchanges() {
    return List.copyOf(exchanges);
  }

  synchronized List<String> operations() {
    return exchanges.stream().map(Exchange::operation).toList();
  }

  synchronized void clear() {
    exchanges.clear();
  }

  KmipTransport delegate() {
    return delegate;
  }

  @Override
  public void close() {
    delegate.close();
  }

  static String operationName(byte[] request) {
    int code = TtlvCodec.decode(request).required(KmipTag.BATCH_ITEM, TtlvType.STRUCTURE)
        .required(KmipTag.OPERATION, TtlvType.ENUMERATION).intValue();
    for (KmipOperation operation : KmipOperation.values()) {
      if (operation.code == code) {
        return operation.displayName;
      }
    }
    return Integer.toHexString(code);
  }
}
