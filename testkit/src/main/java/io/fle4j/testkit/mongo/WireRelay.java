package io.fle4j.testkit.mongo;

import io.fle4j.testkit.mongo.BinarySubtypeTunnel.Direction;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.System.Logger.Level;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * A TCP relay on 127.0.0.1 that sits between the driver and mongo-java-server and rewrites each
 * wire-protocol message on the way through ({@link WireMessages}).
 *
 * <p>Deliberately plain: one accepting thread, and per connection two daemon threads (one per
 * direction) with blocking sockets. When either side closes or a message cannot be handled, both
 * sockets are closed, which also ends the other thread; nothing waits forever.
 */
final class WireRelay implements AutoCloseable {

  private static final System.Logger LOG = System.getLogger(WireRelay.class.getName());
  private static final String THREAD_PREFIX = "fle4j-embedded-mongo-relay-";
  /** Upper bound for one message; MongoDB's own limit is 48 MB, so anything larger is garbage. */
  private static final int MAX_MESSAGE_LENGTH = 64 * 1024 * 1024;
  private static final int CONNECT_TIMEOUT_MILLIS = 5_000;

  private final InetSocketAddress upstream;
  private final ServerSocket listener;
  private final Thread acceptor;
  private final Set<Connection> connections = ConcurrentHashMap.newKeySet();
  private final AtomicInteger connectionIds = new AtomicInteger();
  private final AtomicBoolean closed = new AtomicBoolean();
  private final CollectionOptionsShim collectionOptions = new CollectionOptionsShim();
  /** Observers of what clients send, see {@link #addClientMessageListener}. */
  private final List<Consumer<byte[]>> clientMessageListeners = new CopyOnWriteArrayList<>();

  /** Binds an ephemeral port on 127.0.0.1 and starts relaying connections to {@code upstream}. */
  WireRelay(InetSocketAddress upstream) throws IOException {
    this.upstream = upstream;
    this.listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    this.acceptor = new Thread(this::acceptLoop, THREAD_PREFIX + "accept-" + port());
    acceptor.setDaemon(true);
    acceptor.start();
  }

  /** The port the relay listens on. */
  int port() {
    return listener.getLocalPort();
  }

  /**
   * Registers an observer of every complete message a client sends, exactly as it arrived on the
   * socket (before any rewriting), called on the relay thread before the message is forwarded:
   * so by the time the client has a reply, its observer has seen the request. Each call gets its
   * own copy. An observer that throws is logged and ignored; it never breaks the relay.
   */
  void addClientMessageListener(Consumer<byte[]> listener) {
    clientMessageListeners.add(listener);
  }

  void removeClientMessageListener(Consumer<byte[]> listener) {
    clientMessageListeners.remove(listener);
  }

  private void notifyClientMessage(byte[] message) {
    for (Consumer<byte[]> listener : clientMessageListeners) {
      try {
        listener.accept(message.clone());
      } catch (RuntimeException e) {
        LOG.log(Level.WARNING, "a client-message listener failed; ignored", e);
      }
    }
  }

  /** Stops accepting and closes every open connection. Idempotent. */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    closeQuietly(listener);
    for (Connection connection : connections) {
      connection.close();
    }
    try {
      acceptor.join(CONNECT_TIMEOUT_MILLIS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void acceptLoop() {
    while (!closed.get()) {
      Socket client;
      try {
        client = listener.accept();
      } catch (IOException e) {
        if (!closed.get()) {
          LOG.log(Level.WARNING, "relay stopped accepting connections", e);
        }
        return;
      }
      Socket server = new Socket();
      try {
        server.connect(upstream, CONNECT_TIMEOUT_MILLIS);
      } catch (IOException e) {
        if (!closed.get()) {
          LOG.log(Level.WARNING, "relay could not reach mongo-java-server at " + upstream + ": "
              + e);
        }
        closeQuietly(client);
        closeQuietly(server);
        continue;
      }
      Connection connection = null;
      try {
        connection = new Connection(connectionIds.incrementAndGet(), client, server);
        connection.start();
      } catch (IOException e) {
        // The client hung up (or reset) before its connection was set up: nothing to relay.
        LOG.log(Level.DEBUG, "relay connection closed before it started", e);
        if (connection != null) {
          connection.close(); // also forgets it
        }
        closeQuietly(client);
        closeQuietly(server);
      }
    }
  }

  /** One driver connection and its twin connection to mongo-java-server. */
  private final class Connection {
    private final int id;
    private final Socket client;
    private final Socket server;
    private final AtomicBoolean connectionClosed = new AtomicBoolean();
    private final CollectionOptionsShim.Pending pending = new CollectionOptionsShim.Pending();

    Connection(int id, Socket client, Socket server) throws IOException {
      this.id = id;
      this.client = client;
      this.server = server;
      // Request/response traffic: don't let Nagle's algorithm add latency.
      client.setTcpNoDelay(true);
      server.setTcpNoDelay(true);
    }

    void start() throws IOException {
      connections.add(this);
      if (closed.get()) { // the relay closed while we were connecting
        close();
        return;
      }
      // Both pairs of streams first: a pump that ends at once (a client that reset) closes the
      // sockets, and a stream asked for after that would throw.
      InputStream fromClient = client.getInputStream();
      OutputStream toServer = server.getOutputStream();
      InputStream fromServer = server.getInputStream();
      OutputStream toClient = client.getOutputStream();
      startPump(fromClient, toServer, Direction.TO_SERVER, "c2s");
      startPump(fromServer, toClient, Direction.TO_CLIENT, "s2c");
    }

    private void startPump(InputStream in, OutputStream out, Direction direction, String suffix) {
      Thread thread =
          new Thread(
              () -> pump(in, out, direction), THREAD_PREFIX + port() + "-" + id + "-" + suffix);
      thread.setDaemon(true);
      thread.start();
    }

    private void pump(InputStream in, OutputStream out, Direction direction) {
      try {
        byte[] message;
        while ((message = readMessage(in)) != null) {
          if (direction == Direction.TO_SERVER) {
            notifyClientMessage(message);
          }
          byte[] shimmed = direction == Direction.TO_SERVER
              ? collectionOptions.toServer(message, pending)
              : message;
          byte[] rewritten = WireMessages.rewrite(shimmed, direction);
          out.write(direction == Direction.TO_CLIENT
              ? collectionOptions.toClient(rewritten, pending)
              : rewritten);
          out.flush();
        }
      } catch (IOException e) {
        // Usually one side hung up mid-message, or we closed the socket ourselves.
        if (!connectionClosed.get()) {
          LOG.log(Level.DEBUG, "relay connection " + id + " " + direction + " ended", e);
        }
      } catch (RuntimeException e) {
        LOG.log(
            Level.WARNING,
            "relay connection " + id + ": cannot relay a message " + direction + ", closing",
            e);
      } finally {
        close();
      }
    }

    void close() {
      if (connectionClosed.compareAndSet(false, true)) {
        closeQuietly(client);
        closeQuietly(server);
        connections.remove(this);
      }
    }
  }

  /** Reads one complete message, or returns {@code null} on a clean end of stream. */
  private static byte[] readMessage(InputStream in) throws IOException {
    byte[] header = new byte[WireMessages.HEADER_LENGTH];
    int n = in.readNBytes(header, 0, header.length);
    if (n == 0) {
      return null;
    }
    if (n < header.length) {
      throw new EOFException("stream ended inside a message header");
    }
    int length = ByteBuffer.wrap(header).order(ByteOrder.LITTLE_ENDIAN).getInt(0);
    if (length < WireMessages.HEADER_LENGTH || length > MAX_MESSAGE_LENGTH) {
      throw new IllegalStateException("implausible message length " + length);
    }
    byte[] message = new byte[length];
    System.arraycopy(header, 0, message, 0, header.length);
    int bodyLength = length - header.length;
    if (in.readNBytes(message, header.length, bodyLength) < bodyLength) {
      throw new EOFException("stream ended inside a message");
    }
    return message;
  }

  private static void closeQuietly(AutoCloseable closeable) {
    try {
      closeable.close();
    } catch (Exception e) {
      LOG.log(Level.DEBUG, "ignored error while closing " + closeable, e);
    }
  }
}
