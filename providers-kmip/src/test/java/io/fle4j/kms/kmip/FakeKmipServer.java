package io.fle4j.kms.kmip;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;

/**
 * A scripted KMIP peer on loopback, in this JVM: each accepted connection runs {@link Session},
 * which reads requests and writes whatever bytes the test wants, so tests can break the protocol
 * on purpose (close early, never answer, declare huge lengths).
 */
final class FakeKmipServer implements AutoCloseable {
  /** What one connection does; {@code index} counts connections from 0. */
  interface Session {
    void run(int index, FakeKmipServer server, InputStream in, OutputStream out) throws Exception;
  }

  private final ServerSocket socket;
  private final Session session;
  private final AtomicInteger connections = new AtomicInteger();
  private final List<byte[]> requests = new CopyOnWriteArrayList<>();
  private final List<Socket> accepted = new CopyOnWriteArrayList<>();
  private final Thread acceptor;

  private FakeKmipServer(ServerSocket socket, Session session) {
    this.socket = socket;
    this.session = session;
    this.acceptor = new Thread(this::acceptLoop, "fake-kmip-" + socket.getLocalPort());
    acceptor.setDaemon(true);
    acceptor.start();
  }

  /** A TLS server requiring a client certificate trusted by {@code serverContext}. */
  static FakeKmipServer tls(SSLContext serverContext, Session session) throws IOException {
    SSLServerSocket server = (SSLServerSocket) serverContext.getServerSocketFactory()
        .createServerSocket(0, 50, InetAddress.getLoopbackAddress());
    server.setNeedClientAuth(true);
    server.setEnabledProtocols(new String[] {"TLSv1.2", "TLSv1.3"});
    return new FakeKmipServer(server, session);
  }

  /** A plain TCP server, for peers that are not TLS at all. */
  static FakeKmipServer plain(Session session) throws IOException {
    return new FakeKmipServer(new ServerSocket(0, 50, InetAddress.getLoopbackAddress()), session);
  }

  String endpoint() {
    return "127.0.0.1:" + socket.getLocalPort();
  }

  int connections() {
    return connections.get();
  }

  /** Every request read with {@link #readRequest}, in order. */
  List<byte[]> requests() {
    return List.copyOf(requests);
  }

  List<String> operations() {
    return requests.stream().map(RecordingTransport::operationName).toList();
  }

  /** Reads one framed request, or returns null when the client closed the connection. */
  byte[] readRequest(InputStream in) throws IOException {
    byte[] header = in.readNBytes(8);
    if (header.length < 8) {
      return null;
    }
    int length = ByteBuffer.wrap(header, 4, 4).getInt();
    byte[] body = in.readNBytes(length);
    if (body.length < length) {
      throw new EOFException("truncated request");
    }
    byte[] request = ByteBuffer.allocate(8 + length).put(header).put(body).array();
    requests.add(request);
    return request;
  }

  private void acceptLoop() {
    while (!socket.isClosed()) {
      Socket client;
      try {
        client = socket.accept();
      } catch (IOException e) {
        return;
      }
      accepted.add(client);
      int index = connections.getAndIncrement();
      Thread handler = new Thread(() -> {
        try (Socket s = client) {
          s.setSoTimeout(20_000);
          session.run(index, this, s.getInputStream(), s.getOutputStream());
        } catch (Exception e) {
          // the test looks at what the client saw
        }
      }, "fake-kmip-session-" + index);
      handler.setDaemon(true);
      handler.start();
    }
  }

  @Override
  public void close() throws IOException {
    socket.close();
    for (Socket s : accepted) {
      s.close();
    }
  }
}
