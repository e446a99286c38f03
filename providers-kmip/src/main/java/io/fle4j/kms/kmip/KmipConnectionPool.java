package io.fle4j.kms.kmip;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.security.cert.CertPathBuilderException;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;

/**
 * Mutual-TLS connections to KMIP servers, kept open between calls: a few idle connections per
 * endpoint are reused, and are checked before reuse.
 *
 * <p>Retries never risk doing a thing twice. Opening a connection (TCP connect and TLS handshake)
 * is retried with a short backoff, up to {@link Settings#maxConnectAttempts()}, because nothing
 * has been sent yet; a handshake refused on certificate grounds is not retried, as it will not
 * change. Once a request has been written it is never sent again, except when it went out on a
 * reused connection that then turned out to be closed before any byte of an answer came back, and
 * the operation is {@link KmipOperation#idempotent idempotent} (Get, Encrypt, Decrypt): a server
 * that closed an idle connection has not processed what arrived on it, and doing one of those
 * twice is harmless anyway. Register, Create and Activate are never repeated.
 *
 * <p>TLS 1.2 or 1.3 only, with host name verification ({@code HTTPS} endpoint identification:
 * the server certificate's subjectAltName must list the host name or IP address connected to).
 */
final class KmipConnectionPool implements KmipTransport {
  /** The largest response accepted; answers to this client's requests are a few hundred bytes. */
  static final int MAX_MESSAGE_BYTES = 1 << 20;
  private static final List<String> PROTOCOLS = List.of("TLSv1.3", "TLSv1.2");
  private static final Pattern ALERT = Pattern.compile("Received fatal alert: (\\w+)");
  /** Alerts a server sends when it will not accept the client's certificate, or the lack of one. */
  private static final Set<String> REFUSAL_ALERTS = Set.of("handshake_failure", "bad_certificate",
      "unsupported_certificate", "certificate_revoked", "certificate_expired",
      "certificate_unknown", "unknown_ca", "access_denied", "certificate_required");

  /** How connections are made and kept. */
  record Settings(Duration connectTimeout, Duration readTimeout, int maxConnectAttempts,
      Duration retryBackoff, int maxIdlePerEndpoint, Duration maxIdleTime) {}

  private final SSLSocketFactory socketFactory;
  private final Settings settings;
  private final LongSupplier nanoTime;
  private final Map<KmipEndpoint, Deque<Connection>> idle = new ConcurrentHashMap<>();
  private final AtomicInteger opened = new AtomicInteger();
  private volatile boolean closed;

  KmipConnectionPool(SSLSocketFactory socketFactory, Settings settings) {
    this(socketFactory, settings, System::nanoTime);
  }

  KmipConnectionPool(SSLSocketFactory socketFactory, Settings settings, LongSupplier nanoTime) {
    this.socketFactory = socketFactory;
    this.settings = settings;
    this.nanoTime = nanoTime;
  }

  @Override
  public byte[] exchange(KmipEndpoint endpoint, byte[] request, boolean idempotent)
      throws KmipTransportException {
    if (closed) {
      throw new IllegalStateException("the KMIP provider is closed");
    }
    Connection reused = takeIdle(endpoint);
    if (reused != null) {
      try {
        return exchangeAndKeep(endpoint, reused, request);
      } catch (IOException e) {
        reused.close();
        boolean peerHadClosed = !reused.answerStarted && !(e instanceof SocketTimeoutException)
            && classifyTls(e) == null;
        if (!(idempotent && peerHadClosed)) {
          throw afterSend(endpoint, e);
        }
        // The server had dropped this idle connection; a repeat is harmless for this operation.
      }
    }
    Connection fresh = connect(endpoint);
    try {
      return exchangeAndKeep(endpoint, fresh, request);
    } catch (IOException e) {
      fresh.close();
      throw afterSend(endpoint, e);
    }
  }

  private byte[] exchangeAndKeep(KmipEndpoint endpoint, Connection connection, byte[] request)
      throws IOException, KmipTransportException {
    byte[] response;
    try {
      response = connection.exchange(request);
    } catch (TtlvException e) {
      connection.close(); // the stream is out of step with message boundaries now
      throw new KmipTransportException(KmipTransportException.Kind.MALFORMED_RESPONSE,
          e.getMessage(), null);
    }
    giveBack(endpoint, connection);
    return response;
  }

  private Connection takeIdle(KmipEndpoint endpoint) {
    Deque<Connection> queue = idle.get(endpoint);
    if (queue == null) {
      return null;
    }
    while (true) {
      Connection connection;
      synchronized (queue) {
        connection = queue.pollFirst(); // most recently used first
      }
      if (connection == null) {
        return null;
      }
      boolean stale = nanoTime.getAsLong() - connection.lastUsedNanos
          > settings.maxIdleTime().toNanos();
      if (!stale && connection.looksOpen()) {
        return connection;
      }
      connection.close();
    }
  }

  private void giveBack(KmipEndpoint endpoint, Connection connection) {
    connection.lastUsedNanos = nanoTime.getAsLong();
    connection.answerStarted = false;
    if (closed || settings.maxIdlePerEndpoint() == 0) {
      connection.close();
      return;
    }
    Deque<Connection> queue = idle.computeIfAbsent(endpoint, e -> new ArrayDeque<>());
    Connection evicted = null;
    synchronized (queue) {
      queue.offerFirst(connection);
      if (queue.size() > settings.maxIdlePerEndpoint()) {
        evicted = queue.pollLast();
      }
    }
    if (evicted != null) {
      evicted.close();
    }
    if (closed) {
      closeIdle();
    }
  }

  private Connection connect(KmipEndpoint endpoint) throws KmipTransportException {
    IOException last = null;
    int attempts = settings.maxConnectAttempts();
    int closedInHandshake = 0;
    for (int attempt = 1; attempt <= attempts; attempt++) {
      try {
        return open(endpoint);
      } catch (UnknownHostException e) {
        throw new KmipTransportException(KmipTransportException.Kind.UNKNOWN_HOST, null, attempt,
            "unknown host '" + endpoint.host() + "'", e);
      } catch (IOException e) {
        IOException cause = e instanceof HandshakeIoException h ? h.getCause() : e;
        KmipTlsException.Failure failure = classifyTls(cause);
        if (failure != null) {
          throw new KmipTransportException(KmipTransportException.Kind.TLS, failure, attempt,
              describe(cause), cause);
        }
        if (e instanceof HandshakeIoException) {
          closedInHandshake++;
        }
        last = cause;
      }
      if (attempt < attempts) {
        try {
          Thread.sleep(settings.retryBackoff().toMillis() << (attempt - 1));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new KmipTransportException(KmipTransportException.Kind.INTERRUPTED, null, attempt,
              "interrupted while waiting to connect again", e);
        }
      }
    }
    if (closedInHandshake == attempts) {
      // TCP connected every time but the server hung up mid-handshake every time. That is how
      // OpenSSL-based servers such as PyKMIP refuse a client certificate (or the lack of one):
      // their alert is often lost as the client is still writing.
      throw new KmipTransportException(KmipTransportException.Kind.TLS,
          KmipTlsException.Failure.CLIENT_CERTIFICATE_REFUSED, attempts,
          "the server closed the connection during the TLS handshake, on all " + attempts
              + " attempts; last: " + describe(last), last);
    }
    throw new KmipTransportException(KmipTransportException.Kind.CONNECT, null, attempts,
        describe(last), last);
  }

  /** An I/O failure during the TLS handshake, after the TCP connection was made. */
  private static final class HandshakeIoException extends IOException {
    private static final long serialVersionUID = 1L;

    HandshakeIoException(IOException cause) {
      super(cause.getMessage(), cause);
    }

    @Override
    public synchronized IOException getCause() {
      return (IOException) super.getCause();
    }
  }

  private Connection open(KmipEndpoint endpoint) throws IOException {
    Socket raw = new Socket();
    try {
      raw.setTcpNoDelay(true);
      InetSocketAddress address = new InetSocketAddress(endpoint.host(), endpoint.port());
      if (address.isUnresolved()) {
        throw new UnknownHostException(endpoint.host());
      }
      raw.connect(address, (int) settings.connectTimeout().toMillis());
      // The handshake is part of connecting: bound it by the connect timeout.
      raw.setSoTimeout((int) settings.connectTimeout().toMillis());
      SSLSocket tls =
          (SSLSocket) socketFactory.createSocket(raw, endpoint.host(), endpoint.port(), true);
      SSLParameters parameters = tls.getSSLParameters();
      parameters.setEndpointIdentificationAlgorithm("HTTPS");
      List<String> protocols = new ArrayList<>(PROTOCOLS);
      protocols.retainAll(Arrays.asList(tls.getSupportedProtocols()));
      parameters.setProtocols(protocols.toArray(String[]::new));
      tls.setSSLParameters(parameters);
      opened.incrementAndGet();
      try {
        tls.startHandshake();
      } catch (IOException e) {
        throw new HandshakeIoException(e);
      }
      tls.setSoTimeout((int) settings.readTimeout().toMillis());
      return new Connection(raw, tls);
    } catch (IOException | RuntimeException e) {
      try {
        raw.close();
      } catch (IOException ignored) {
        // already failing
      }
      throw e;
    }
  }

  private KmipTransportException afterSend(KmipEndpoint endpoint, IOException e) {
    KmipTlsException.Failure failure = classifyTls(e);
    if (failure != null && failure != KmipTlsException.Failure.HANDSHAKE_FAILED) {
      // TLS 1.3 servers check the client certificate after the client's handshake has finished,
      // so their refusal arrives with the first read. The request was not processed.
      return new KmipTransportException(KmipTransportException.Kind.TLS, failure, 1, describe(e),
          e);
    }
    if (e instanceof SocketTimeoutException) {
      return new KmipTransportException(KmipTransportException.Kind.TIMEOUT_AFTER_SEND,
          "no answer within " + settings.readTimeout().toMillis() + " ms", e);
    }
    return new KmipTransportException(KmipTransportException.Kind.LOST_AFTER_SEND, describe(e), e);
  }

  /**
   * What a TLS failure says about certificates, or {@code null} when it is not about them (a
   * connection reset or closed during the handshake, which is worth another attempt).
   */
  static KmipTlsException.Failure classifyTls(Throwable error) {
    for (Throwable t = error; t != null; t = t.getCause()) {
      if (t instanceof CertificateException || t instanceof CertPathValidatorException
          || t instanceof CertPathBuilderException) {
        String message = String.valueOf(t.getMessage());
        return message.contains("No subject alternative") || message.contains("No name matching")
            ? KmipTlsException.Failure.SERVER_HOSTNAME_MISMATCH
            : KmipTlsException.Failure.SERVER_CERTIFICATE_UNTRUSTED;
      }
    }
    for (Throwable t = error; t != null; t = t.getCause()) {
      if (t instanceof SSLException && t.getMessage() != null) {
        Matcher alert = ALERT.matcher(t.getMessage());
        if (alert.find()) {
          return REFUSAL_ALERTS.contains(alert.group(1))
              ? KmipTlsException.Failure.CLIENT_CERTIFICATE_REFUSED
              : KmipTlsException.Failure.HANDSHAKE_FAILED;
        }
      }
    }
    if (error instanceof SSLException && !causedByIo(error)) {
      // "No appropriate protocol", "Unsupported or unrecognized SSL message" (not a TLS peer)...
      return KmipTlsException.Failure.HANDSHAKE_FAILED;
    }
    return null;
  }

  private static boolean causedByIo(Throwable error) {
    for (Throwable t = error.getCause(); t != null; t = t.getCause()) {
      if ((t instanceof IOException && !(t instanceof SSLException)) || t instanceof EOFException) {
        return true;
      }
    }
    String message = String.valueOf(error.getMessage());
    return message.contains("Remote host terminated") || message.contains("Connection reset");
  }

  private static String describe(Throwable e) {
    if (e == null) {
      return "no attempt was made";
    }
    String message = e.getMessage();
    return e.getClass().getSimpleName() + (message == null ? "" : ": " + message);
  }

  /** How many connections were opened (TLS handshakes started) so far. For tests. */
  int connectionsOpened() {
    return opened.get();
  }

  /** How many idle connections are kept for an endpoint now. For tests. */
  int idleConnections(KmipEndpoint endpoint) {
    Deque<Connection> queue = idle.get(endpoint);
    if (queue == null) {
      return 0;
    }
    synchronized (queue) {
      return queue.size();
    }
  }

  @Override
  public void close() {
    closed = true;
    closeIdle();
  }

  private void closeIdle() {
    for (Deque<Connection> queue : idle.values()) {
      List<Connection> toClose;
      synchronized (queue) {
        toClose = new ArrayList<>(queue);
        queue.clear();
      }
      toClose.forEach(Connection::close);
    }
  }

  /** One TLS connection; used by one thread at a time (it is either idle or checked out). */
  private final class Connection {
    private final Socket raw;
    private final SSLSocket tls;
    private final InputStream in;
    private final OutputStream out;
    long lastUsedNanos;
    boolean answerStarted;

    Connection(Socket raw, SSLSocket tls) throws IOException {
      this.raw = raw;
      this.tls = tls;
      this.in = tls.getInputStream();
      this.out = tls.getOutputStream();
      this.lastUsedNanos = nanoTime.getAsLong();
    }

    byte[] exchange(byte[] request) throws IOException {
      io.fle4j.kms.KmsAttempts.sent();
      out.write(request);
      out.flush();
      byte[] header = new byte[TtlvCodec.HEADER_LENGTH];
      readFully(header, 0, header.length);
      int bodyLength =
          TtlvCodec.messageBodyLength(header, KmipTag.RESPONSE_MESSAGE, MAX_MESSAGE_BYTES);
      // Grow with what actually arrives, so a declared length alone allocates little.
      byte[] message = new byte[TtlvCodec.HEADER_LENGTH + Math.min(bodyLength, 16 * 1024)];
      System.arraycopy(header, 0, message, 0, header.length);
      int total = TtlvCodec.HEADER_LENGTH + bodyLength;
      int filled = header.length;
      while (filled < total) {
        if (filled == message.length) {
          byte[] bigger = Arrays.copyOf(message, Math.min(total, message.length * 2));
          Arrays.fill(message, (byte) 0);
          message = bigger;
        }
        int n = in.read(message, filled, message.length - filled);
        if (n < 0) {
          Arrays.fill(message, (byte) 0);
          throw new EOFException("the server closed the connection after " + (filled)
              + " of " + total + " response bytes");
        }
        filled += n;
      }
      return message;
    }

    private void readFully(byte[] buffer, int offset, int length) throws IOException {
      int filled = 0;
      while (filled < length) {
        int n = in.read(buffer, offset + filled, length - filled);
        if (n < 0) {
          throw new EOFException(filled == 0 && !answerStarted
              ? "the server closed the connection without answering"
              : "the server closed the connection in the middle of a response");
        }
        if (n > 0) {
          answerStarted = true;
        }
        filled += n;
      }
    }

    /**
     * Whether the server seems to have kept this idle connection open: nothing, not even the end
     * of the stream, is waiting to be read. Peeks at the TCP socket below TLS for a millisecond;
     * any byte there (a close_notify alert) also means the connection is done for.
     */
    boolean looksOpen() {
      try {
        raw.setSoTimeout(1);
        raw.getInputStream().read();
        return false; // the end of the stream, or bytes nobody asked for

      } catch (SocketTimeoutException e) {
        try {
          tls.setSoTimeout((int) settings.readTimeout().toMillis());
          return true;
        } catch (SocketException other) {
          return false;
        }
      } catch (IOException e) {
        return false;
      }
    }

    void close() {
      try {
        tls.close();
      } catch (IOException ignored) {
        // closing anyway
      }
      try {
        raw.close();
      } catch (IOException ignored) {
        // closing anyway
      }
    }
  }
}
