package io.fle4j.testkit.kms.http;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.List;
import javax.net.ssl.SSLContext;

/**
 * What the AWS, Azure and Google Cloud KMS emulators share: one {@link EmulatorHttpsServer} on
 * {@code 127.0.0.1} behind its own {@link EmulatorTls} CA, its {@link Faults}, and its counters and
 * recorded requests. Each emulator adds its service's protocol, keys and credentials.
 */
public abstract class HttpsKmsEmulator implements AutoCloseable {
  private final EmulatorTls tls;
  private final EmulatorHttpsServer server;
  private final Faults faults;

  /**
   * Starts the HTTPS server. It calls {@link #handler()} once, before the subclass's own fields
   * are set.
   *
   * @param service the service's name, for the CA's subject
   * @param threadName the server threads' name
   * @param clock the clock of {@code Date} headers and rate limits
   * @param seed the seed of {@link Faults#failureRate}
   * @param wording how the service words throttling and injected failures
   */
  protected HttpsKmsEmulator(String service, String threadName, Clock clock, long seed,
      Faults.Wording wording) {
    this.tls = EmulatorTls.create(service);
    this.server = EmulatorHttpsServer.https(tls.serverContext(), threadName, handler(), clock,
        seed);
    this.faults = new Faults(server, wording, this::faultsCleared);
  }

  /**
   * The service's protocol. Called once, from the constructor: the handler may read the
   * emulator's fields only when it handles a request.
   */
  protected abstract EmulatorHttpsServer.Handler handler();

  /** Clears the emulator's own planned faults, if it has any, with {@link Faults#clear()}. */
  protected void faultsCleared() {}

  /**
   * The port it listens on, on {@code 127.0.0.1}.
   *
   * @return the TCP port
   */
  public int port() {
    return server.port();
  }

  /**
   * A new TLS context that trusts this emulator's CA (and nothing else), for {@code
   * kmsProviderSslContextMap} or an SDK HTTP client.
   *
   * @return a client TLS context
   */
  public SSLContext clientSslContext() {
    return tls.clientContext();
  }

  /**
   * The CA certificate that issued the emulator's server certificate.
   *
   * @return the CA certificate
   */
  public X509Certificate caCertificate() {
    return tls.caCertificate();
  }

  /**
   * The CA certificate as PEM ({@code -----BEGIN CERTIFICATE-----}), for clients configured with
   * a CA file, such as a driver's {@code tlsCAFile}.
   *
   * @return PEM text
   */
  public String caCertificatePem() {
    return tls.caCertificatePem();
  }

  /**
   * Writes {@link #caCertificatePem()} to a file.
   *
   * @param file where to write it
   * @return {@code file}
   */
  public Path writeCaCertificatePem(Path file) {
    try {
      return Files.writeString(file, caCertificatePem(), StandardCharsets.US_ASCII);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * The faults this emulator injects: planned failures, throttling, dropped connections, a
   * failure rate, a rate limit and latency, worded as the service words them.
   *
   * @return the faults
   */
  public Faults faults() {
    return faults;
  }

  /**
   * Requests received since start or the last {@link #resetCounters()}.
   *
   * @return the count
   */
  public int requestCount() {
    return server.requestCount();
  }

  /**
   * Requests of one operation, as the emulator names its operations (its class documentation
   * lists them), since start or the last {@link #resetCounters()}.
   *
   * @param operation the operation
   * @return the count
   */
  public int requestCount(String operation) {
    return server.requestCount(operation);
  }

  /**
   * Sets every counter to zero and forgets recorded requests; requests still in flight (delayed
   * by {@link Faults#latency}) are not recorded when they finish.
   */
  public void resetCounters() {
    server.resetCounters();
  }

  /**
   * The requests received, oldest first (at most 10,000): operation, {@code Host}, principal,
   * status, error code, and the header names as sent.
   *
   * @return a copy
   */
  public List<RecordedHttpRequest> requests() {
    return server.requests();
  }

  /** Stops the server. Idempotent. */
  @Override
  public void close() {
    server.close();
  }
}
