package io.fle4j.testkit.kms.kmip;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;

/**
 * A real KMIP server for tests: Debian's PyKMIP ({@code apt-get install python3-pykmip}) started
 * on a free loopback port with throwaway certificates (reference/servers.md §2.4). It requires a
 * client certificate with the clientAuth extended key usage; its own certificate lists {@code
 * DNS:localhost} and {@code IP:127.0.0.1} unless told otherwise. Objects belong to the CN of the
 * client certificate that made them, and live in a SQLite file in the work folder.
 *
 * <pre>{@code
 * @TempDir static Path dir;
 * static Optional<PyKmipServer> started;
 * PyKmipServer kmip;
 *
 * @BeforeAll static void start() { started = PyKmipServer.startIfInstalled(dir); }
 * @BeforeEach void server() { kmip = PyKmipServer.orAbort(started); } // else: skipped, with why
 * @AfterAll static void stop() { started.ifPresent(PyKmipServer::close); }
 *
 * // kmsProviders {"kmip": {"endpoint": kmip.endpoint()}}
 * // kmsProviderSslContextMap {"kmip": kmip.clientSslContext()}
 * }</pre>
 *
 * <p>Starting takes about a second. The server is stopped by {@link #close()}, or when the JVM
 * exits.
 */
public final class PyKmipServer implements AutoCloseable {
  /** What to do when the server is not installed. */
  public static final String INSTALL_HINT =
      "pykmip-server not found: apt-get install python3-pykmip";
  /** The common name of {@link #clientIdentity()}, which owns the objects tests create. */
  public static final String CLIENT_COMMON_NAME = "fle4j-test-client";
  private static final Duration START_TIMEOUT = Duration.ofSeconds(30);

  private final Process process;
  private final int port;
  private final Path workDir;
  private final PyKmipCertificates.Authority authority;
  private final PyKmipCertificates.Issued client;
  private final Path caPem;
  private final Path clientCertificatePem;
  private final Path clientKeyPem;
  private final Thread shutdownHook;

  private PyKmipServer(Process process, int port, Path workDir,
      PyKmipCertificates.Authority authority, PyKmipCertificates.Issued client) {
    this.process = process;
    this.port = port;
    this.workDir = workDir;
    this.authority = authority;
    this.client = client;
    this.caPem = workDir.resolve("ca.pem");
    this.clientCertificatePem = workDir.resolve("client.pem");
    this.clientKeyPem = workDir.resolve("client.key");
    this.shutdownHook = new Thread(this::stopProcess, "pykmip-server-stop-" + port);
    Runtime.getRuntime().addShutdownHook(shutdownHook);
  }

  /**
   * Starts a server with default certificates in {@code workDir}; when {@code pykmip-server} is
   * not installed, aborts the calling JUnit test (it shows as skipped) with {@link #INSTALL_HINT},
   * except when the environment variable {@code CI} is {@code true}, where it fails instead.
   *
   * @param workDir an empty folder for certificates, configuration, database and log
   * @return the running server
   */
  public static PyKmipServer startOrAbort(Path workDir) {
    return builder().workDir(workDir).startOrAbort();
  }

  /**
   * Starts a server with default certificates in {@code workDir}, or returns empty when {@code
   * pykmip-server} is not installed; when the environment variable {@code CI} is {@code true} a
   * missing server is an error instead. Call it in {@code @BeforeAll} and pass the result to
   * {@link #orAbort(Optional)} in each test, so that every test shows as skipped with {@link
   * #INSTALL_HINT} (an abort in {@code @BeforeAll} hides the tests altogether).
   *
   * @param workDir an empty folder for certificates, configuration, database and log
   * @return the running server, or empty
   */
  public static Optional<PyKmipServer> startIfInstalled(Path workDir) {
    if (executable().isEmpty()) {
      requireUnlessCi();
      return Optional.empty();
    }
    return Optional.of(builder().workDir(workDir).start());
  }

  /**
   * The server, or aborts the calling JUnit test (it shows as skipped) with {@link
   * #INSTALL_HINT}.
   *
   * @param server what {@link #startIfInstalled(Path)} returned
   * @return the running server
   */
  public static PyKmipServer orAbort(Optional<PyKmipServer> server) {
    if (server == null || server.isEmpty()) {
      org.junit.jupiter.api.Assumptions.abort(INSTALL_HINT);
    }
    return server.get();
  }

  private static void requireUnlessCi() {
    if ("true".equalsIgnoreCase(System.getenv("CI"))) {
      throw new IllegalStateException(INSTALL_HINT + " (required when CI=true)");
    }
  }

  /**
   * A builder for a server with custom certificates.
   *
   * @return a new builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Where {@code pykmip-server} is installed, looked up on {@code PATH} then in {@code /usr/bin}.
   *
   * @return its path, or empty when it is not installed
   */
  public static Optional<Path> executable() {
    List<Path> candidates = new ArrayList<>();
    String path = System.getenv("PATH");
    if (path != null) {
      for (String dir : path.split(java.io.File.pathSeparator)) {
        if (!dir.isEmpty()) {
          candidates.add(Paths.get(dir, "pykmip-server"));
        }
      }
    }
    candidates.add(Paths.get("/usr/bin/pykmip-server"));
    return candidates.stream().filter(Files::isExecutable).findFirst();
  }

  /**
   * The endpoint to configure, {@code 127.0.0.1:<port>}.
   *
   * @return host and port
   */
  public String endpoint() {
    return "127.0.0.1:" + port;
  }

  /**
   * The loopback port the server listens on.
   *
   * @return the port
   */
  public int port() {
    return port;
  }

  /**
   * The CA that issued the server's and the client's certificates; it can issue more.
   *
   * @return the CA
   */
  public PyKmipCertificates.Authority certificateAuthority() {
    requireGeneratedCertificates("certificateAuthority()");
    return authority;
  }

  /**
   * The client certificate (CN {@value #CLIENT_COMMON_NAME}, clientAuth) and its key.
   *
   * @return the client identity
   */
  public PyKmipCertificates.Issued clientIdentity() {
    requireGeneratedCertificates("clientIdentity()");
    return client;
  }

  /**
   * A TLS context presenting {@link #clientIdentity()} and trusting only the server's CA, for
   * {@code kmsProviderSslContextMap}.
   *
   * @return a new TLS context
   */
  public SSLContext clientSslContext() {
    requireGeneratedCertificates("clientSslContext()");
    return PyKmipCertificates.sslContext(client, authority.certificate());
  }

  /**
   * The CA certificate as a PEM file.
   *
   * @return its path
   */
  public Path caPem() {
    return caPem;
  }

  /**
   * The client certificate as a PEM file.
   *
   * @return its path
   */
  public Path clientCertificatePem() {
    requireGeneratedCertificates("clientCertificatePem()");
    return clientCertificatePem;
  }

  /**
   * The client's private key as an unencrypted PKCS#8 PEM file.
   *
   * @return its path
   */
  public Path clientKeyPem() {
    requireGeneratedCertificates("clientKeyPem()");
    return clientKeyPem;
  }

  private void requireGeneratedCertificates(String accessor) {
    if (authority == null) {
      throw new IllegalStateException(accessor + " is not available: this server was started with"
          + " certificates given to Builder.certificatesFromPem, so the client identity is the"
          + " caller's");
    }
  }

  /**
   * The server's log file.
   *
   * @return its path
   */
  public Path logFile() {
    return workDir.resolve("server.log");
  }

  /**
   * The end of the server's log, for failure messages.
   *
   * @param lines how many lines
   * @return the last lines of the log, or a note when there is none
   */
  public String logTail(int lines) {
    return tail(workDir, lines);
  }

  /** Stops the server and waits for it to exit. */
  @Override
  public void close() {
    stopProcess();
    try {
      Runtime.getRuntime().removeShutdownHook(shutdownHook);
    } catch (IllegalStateException e) {
      // the JVM is already shutting down
    }
  }

  private void stopProcess() {
    if (!process.isAlive()) {
      return;
    }
    // PyKMIP notices SIGTERM only when its 10-second accept timeout expires; its state is
    // throwaway, so give it a moment and then kill it.
    process.descendants().forEach(ProcessHandle::destroy);
    process.destroy();
    try {
      if (!process.waitFor(200, TimeUnit.MILLISECONDS)) {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
    }
  }

  @Override
  public String toString() {
    return "PyKmipServer{endpoint=" + endpoint() + ", workDir=" + workDir + "}";
  }

  private static String tail(Path workDir, int lines) {
    StringBuilder out = new StringBuilder();
    for (String name : List.of("server.log", "stdout.log")) {
      Path file = workDir.resolve(name);
      if (!Files.isRegularFile(file)) {
        continue;
      }
      try {
        List<String> all = Files.readAllLines(file, StandardCharsets.UTF_8);
        out.append("--- ").append(name).append(" ---\n");
        all.subList(Math.max(0, all.size() - lines), all.size())
            .forEach(line -> out.append(line).append('\n'));
      } catch (IOException | UncheckedIOException e) {
        out.append("(cannot read ").append(name).append(": ").append(e.getMessage()).append(")\n");
      }
    }
    return out.length() == 0 ? "(no log written)" : out.toString();
  }

  /** Options for a {@link PyKmipServer}. */
  public static final class Builder {
    private Path workDir;
    private PyKmipCertificates.Authority authority;
    private List<String> serverDnsNames = List.of("localhost");
    private List<String> serverIpAddresses = List.of("127.0.0.1");
    private Path givenCaPem;
    private Path givenServerCertificatePem;
    private Path givenServerKeyPem;
    private Path seedDatabase;

    private Builder() {}

    /**
     * Serves with certificates made elsewhere instead of generating them, for example those of
     * MongoDB's drivers-evergreen-tools ({@code x509gen/ca.pem} and {@code x509gen/server.pem},
     * which holds both the certificate and its key). The files are copied into the work folder.
     * The client identity is then the caller's: {@link #clientIdentity()}, {@link
     * #clientSslContext()}, {@link #certificateAuthority()} and the client PEM accessors throw.
     *
     * @param caPem the CA certificate(s) that client certificates must chain to
     * @param serverCertificatePem the server certificate (PEM; may also hold the key)
     * @param serverKeyPem the server's private key (PEM; may be the same file)
     * @return this builder
     */
    public Builder certificatesFromPem(Path caPem, Path serverCertificatePem, Path serverKeyPem) {
      this.givenCaPem = Objects.requireNonNull(caPem, "caPem");
      this.givenServerCertificatePem =
          Objects.requireNonNull(serverCertificatePem, "serverCertificatePem");
      this.givenServerKeyPem = Objects.requireNonNull(serverKeyPem, "serverKeyPem");
      return this;
    }

    /**
     * Starts from a copy of an existing PyKMIP SQLite database instead of an empty one, such as
     * the seed {@code csfle/pykmip.db.bak} of MongoDB's mock KMIP server, whose objects belong to
     * the client certificate CN {@code client}. The file itself is never modified.
     *
     * @param sqliteFile the database to copy
     * @return this builder
     */
    public Builder seedDatabase(Path sqliteFile) {
      this.seedDatabase = Objects.requireNonNull(sqliteFile, "sqliteFile");
      return this;
    }

    /**
     * An empty folder for certificates, configuration, database and log. Required.
     *
     * @param dir the folder
     * @return this builder
     */
    public Builder workDir(Path dir) {
      this.workDir = Objects.requireNonNull(dir, "dir");
      return this;
    }

    /**
     * The CA to issue the server's and the client's certificates with; a new one by default.
     * Share one CA between servers to use one client TLS context with all of them.
     *
     * @param authority the CA
     * @return this builder
     */
    public Builder certificateAuthority(PyKmipCertificates.Authority authority) {
      this.authority = Objects.requireNonNull(authority, "authority");
      return this;
    }

    /**
     * The server certificate's subjectAltNames; {@code DNS:localhost} and {@code IP:127.0.0.1}
     * by default. Give others to test host name verification.
     *
     * @param dnsNames DNS names
     * @param ipAddresses IP addresses
     * @return this builder
     */
    public Builder serverSubjectAltNames(List<String> dnsNames, List<String> ipAddresses) {
      this.serverDnsNames = List.copyOf(dnsNames);
      this.serverIpAddresses = List.copyOf(ipAddresses);
      return this;
    }

    /**
     * Starts the server, or aborts the calling JUnit test when it is not installed (fails
     * instead when the environment variable {@code CI} is {@code true}).
     *
     * @return the running server
     */
    public PyKmipServer startOrAbort() {
      if (executable().isEmpty()) {
        requireUnlessCi();
        org.junit.jupiter.api.Assumptions.abort(INSTALL_HINT);
      }
      return start();
    }

    /**
     * Starts the server and waits until it accepts connections.
     *
     * @return the running server
     * @throws IllegalStateException when it is not installed, or does not start (with its log)
     */
    public PyKmipServer start() {
      Objects.requireNonNull(workDir, "workDir is required");
      Path executable = executable().orElseThrow(() -> new IllegalStateException(INSTALL_HINT));
      boolean generate = givenCaPem == null;
      PyKmipCertificates.Authority ca = !generate ? null
          : authority != null ? authority : PyKmipCertificates.Authority.create("fle4j test KMIP CA");
      PyKmipCertificates.Issued client = generate ? ca.issueClient(CLIENT_COMMON_NAME, true) : null;
      try {
        Files.createDirectories(workDir.resolve("policies"));
        if (generate) {
          PyKmipCertificates.Issued server =
              ca.issueServer("localhost", serverDnsNames, serverIpAddresses);
          ca.writeCertificatePem(workDir.resolve("ca.pem"));
          server.writeCertificatePem(workDir.resolve("server.pem"));
          server.writeKeyPem(workDir.resolve("server.key"));
          client.writeCertificatePem(workDir.resolve("client.pem"));
          client.writeKeyPem(workDir.resolve("client.key"));
        } else {
          Files.copy(givenCaPem, workDir.resolve("ca.pem"));
          Files.copy(givenServerCertificatePem, workDir.resolve("server.pem"));
          Files.copy(givenServerKeyPem, workDir.resolve("server.key"));
        }
        if (seedDatabase != null) {
          // PyKMIP creates missing tables only, so a copied database keeps its objects.
          Files.copy(seedDatabase, workDir.resolve("pykmip.db"));
        }
        int port = freePort();
        Path config = workDir.resolve("server.conf");
        Files.writeString(config, String.join("\n",
            "[server]",
            "hostname=127.0.0.1",
            "port=" + port,
            "certificate_path=" + workDir.resolve("server.pem"),
            "key_path=" + workDir.resolve("server.key"),
            "ca_path=" + workDir.resolve("ca.pem"),
            "auth_suite=TLS1.2",
            "policy_path=" + workDir.resolve("policies"),
            "enable_tls_client_auth=True",
            "logging_level=INFO",
            "database_path=" + workDir.resolve("pykmip.db"),
            ""), StandardCharsets.UTF_8);
        List<String> command = new ArrayList<>();
        // PyKMIP 0.10 runs only on Debian's own Python 3.11; another python3 may come first.
        Path debianPython = Paths.get("/usr/bin/python3");
        if (Files.isExecutable(debianPython)) {
          command.add(debianPython.toString());
        }
        command.addAll(List.of(executable.toString(), "-f", config.toString(),
            "-l", workDir.resolve("server.log").toString()));
        Process process = new ProcessBuilder(command)
            .directory(workDir.toFile())
            .redirectErrorStream(true)
            .redirectOutput(workDir.resolve("stdout.log").toFile())
            .start();
        PyKmipServer started = new PyKmipServer(process, port, workDir, ca, client);
        try {
          awaitListening(process, port, workDir);
        } catch (RuntimeException e) {
          started.close();
          throw e;
        }
        return started;
      } catch (IOException e) {
        throw new UncheckedIOException("cannot start pykmip-server in " + workDir, e);
      }
    }

    private static int freePort() throws IOException {
      try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
        return socket.getLocalPort();
      }
    }

    private static void awaitListening(Process process, int port, Path workDir) {
      long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
      while (System.nanoTime() < deadline) {
        if (!process.isAlive()) {
          throw new IllegalStateException("pykmip-server exited with code " + process.exitValue()
              + " before listening on port " + port + ":\n" + tail(workDir, 40));
        }
        try (Socket probe = new Socket()) {
          probe.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 250);
          return;
        } catch (IOException notYet) {
          try {
            Thread.sleep(50);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for pykmip-server", e);
          }
        }
      }
      throw new IllegalStateException("pykmip-server did not listen on port " + port + " within "
          + START_TIMEOUT.toSeconds() + " s:\n" + tail(workDir, 40));
    }
  }
}
