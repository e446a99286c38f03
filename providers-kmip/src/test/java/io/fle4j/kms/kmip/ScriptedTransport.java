package io.fle4j.kms.kmip;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/** Answers each exchange with the next scripted response (bytes) or failure. */
final class ScriptedTransport implements KmipTransport {
  private final Deque<Object> script = new ArrayDeque<>();
  private final List<byte[]> requests = new ArrayList<>();
  private boolean closed;
  private byte[] lastReturned;

  ScriptedTransport respond(byte[] response) {
    script.add(response);
    return this;
  }

  ScriptedTransport respond(Ttlv response) {
    return respond(TtlvCodec.encode(response));
  }

  ScriptedTransport fail(KmipTransportException failure) {
    script.add(failure);
    return this;
  }

  @Override
  public byte[] exchange(KmipEndpoint endpoint, byte[] request, boolean idempotent)
      throws KmipTransportException {
    requests.add(request.clone());
    Object next = script.poll();
    if (next == null) {
      throw new AssertionError("no scripted response for " + RecordingTransport.operationName(request));
    }
    if (next instanceof KmipTransportException failure) {
      throw failure;
    }
    lastReturned = ((byte[]) next).clone();
    return lastReturned;
  }

  /** The array handed to the client last, to check that the client wiped it. */
  byte[] lastReturned() {
    return lastReturned;
  }

  List<String> operations() {
    return requests.stream().map(RecordingTransport::operationName).toList();
  }

  List<byte[]> requests() {
    return requests;
  }

  boolean closed() {
    return closed;
  }

  @Override
  public void close() {
    closed = true;
  }
}
