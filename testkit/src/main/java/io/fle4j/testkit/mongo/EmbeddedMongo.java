package io.fle4j.testkit.mongo;

import com.mongodb.ConnectionString;
import com.mongodb.MongoClientSettings;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import de.bwaldvogel.mongo.MongoBackend;
import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.backend.h2.H2Backend;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.bson.UuidRepresentation;

/**
 * An in-process MongoDB stand-in for tests: <a
 * href="https://github.com/bwaldvogel/mongo-java-server">mongo-java-server</a> on 127.0.0.1,
 * behind a small wire-protocol relay of our own.
 *
 * <p>The relay closes two gaps of mongo-java-server 1.47.0 that matter for field-level
 * encryption: it stores binary subtypes the server rejects (notably subtype 6, encrypted values)
 * through a subtype-0 encoding and restores them in replies, and it makes the key-vault index
 * ({@code unique} with {@code partialFilterExpression: {keyAltNames: {$exists: true}}}) behave as
 * MongoDB's does. Other gaps remain: no sessions or transactions, no pipeline updates, no {@code
 * hello} (so no {@code ServerApi}), no {@code $jsonSchema} enforcement, and binaries of rewritten
 * subtypes do not sort as MongoDB sorts them.
 *
 * <p>Always connect through {@link #connectionString()}: the raw server's address is never
 * exposed, since talking to it directly would bypass the relay. Instances are thread-safe.
 */
public final class EmbeddedMongo implements AutoCloseable {

  private final MongoServer server;
  private final WireRelay relay;
  private final String backendDescription;
  private final String connectionString;
  private final AtomicBoolean closed = new AtomicBoolean();

  private EmbeddedMongo(MongoServer server, WireRelay relay, String backendDescription) {
    this.server = server;
    this.relay = relay;
    this.backendDescription = backendDescription;
    this.connectionString = "mongodb://127.0.0.1:" + relay.port();
  }

  /**
   * Starts a stand-in whose data lives in memory and is lost on {@link #close()}.
   *
   * @return a running instance; close it when done
   * @throws UncheckedIOException if the relay cannot bind a port
   */
  public static EmbeddedMongo startInMemory() {
    return start(new IdLookupMemoryBackend(), "memory");
  }

  /**
   * Starts a stand-in that keeps its data in an H2 MVStore file, so a later instance started on
   * the same file sees the same data (documents, indexes, unique constraints). Missing parent
   * folders are created. Only one instance (in any process) may have the file open at a time.
   *
   * @param h2File the store file, created if missing (for example {@code data/mongo.mv.db})
   * @return a running instance; close it when done, which flushes the file
   * @throws UncheckedIOException if the folder cannot be created or the relay cannot bind a port
   * @throws IllegalStateException if another process (or instance) has the file open, or (from
   *     H2) it is not an MVStore file
   */
  public static EmbeddedMongo startWithFile(Path h2File) {
    Path file = h2File.toAbsolutePath();
    try {
      if (file.getParent() != null) {
        Files.createDirectories(file.getParent());
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create the folder for " + file, e);
    }
    H2Backend backend;
    try {
      backend = new H2Backend(file.toString());
    } catch (RuntimeException e) {
      if (String.valueOf(e.getMessage()).contains("locked")) {
        throw new IllegalStateException("the embedded store " + file + " is in use by another"
            + " process (one at a time may open it): wait for that one to finish", e);
      }
      throw e;
    }
    return start(backend, "h2 file " + file);
  }

  private static EmbeddedMongo start(MongoBackend backend, String backendDescription) {
    MongoServer server = new MongoServer(backend);
    try {
      server.bind("127.0.0.1", 0);
      WireRelay relay = new WireRelay(server.getLocalAddress());
      return new EmbeddedMongo(server, relay, backendDescription);
    } catch (IOException e) {
      server.shutdownNow(); // also closes the backend, releasing an H2 file lock
      throw new UncheckedIOException("cannot start the relay for mongo-java-server", e);
    } catch (RuntimeException | Error e) {
      server.shutdownNow();
      throw e;
    }
  }

  /**
   * The address to connect to, {@code mongodb://127.0.0.1:<port>}; the port is the relay's.
   *
   * @return a connection string without options
   */
  public String connectionString() {
    return connectionString;
  }

  /**
   * A new client for this instance, with {@code uuidRepresentation} {@code STANDARD}. The caller
   * owns it and must close it.
   *
   * @return a new client
   */
  public MongoClient newClient() {
    return MongoClients.create(
        MongoClientSettings.builder()
            .applyConnectionString(new ConnectionString(connectionString))
            .uuidRepresentation(UuidRepresentation.STANDARD)
            .build());
  }

  /**
   * Lets a test observe the raw bytes clients send: {@code listener} receives a copy of every
   * complete wire-protocol message (16-byte header included) that any client connection sends,
   * exactly as it arrived on the socket, before the relay rewrites anything. It is called on a
   * relay thread before the message is forwarded, so a request has been observed by the time its
   * reply reaches the client. Listeners must be thread-safe and quick; an exception from one is
   * logged and ignored. Useful to prove what never leaves a client (for example the plaintext of
   * an encrypted field), which a driver {@code CommandListener} cannot show.
   *
   * @param listener the observer
   * @return a handle whose {@code close()} removes the listener
   */
  public AutoCloseable onClientMessage(Consumer<byte[]> listener) {
    relay.addClientMessageListener(listener);
    return () -> relay.removeClientMessageListener(listener);
  }

  /**
   * Stops the relay (closing every client connection) and then the server. For the H2 backend
   * this closes the store, which writes everything to the file. Calling it again does nothing.
   */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    try {
      relay.close();
    } finally {
      // shutdownNow closes the server's client channels, then the backend (H2: MVStore.close()).
      server.shutdownNow();
    }
  }

  /**
   * Describes the backend and the address, for test output.
   *
   * @return for example {@code EmbeddedMongo[memory, mongodb://127.0.0.1:40123]}
   */
  @Override
  public String toString() {
    return "EmbeddedMongo["
        + backendDescription
        + ", "
        + connectionString
        + (closed.get() ? ", closed" : "")
        + "]";
  }
}
