package io.fle4j.testkit.kms.kmip;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PyKmipServerTest {
  @TempDir static Path dir;
  static Optional<PyKmipServer> started = Optional.empty();
  static PyKmipServer kmip;

  @BeforeAll
  static void start() {
    started = PyKmipServer.startIfInstalled(dir);
  }

  @BeforeEach
  void requireServer() {
    kmip = PyKmipServer.orAbort(started);
  }

  @AfterAll
  static void stop() {
    started.ifPresent(PyKmipServer::close);
  }

  @Test
  void start_writesConfigurationAndPemFilesIntoTheWorkDir() {
    assertThat(dir.resolve("server.conf")).content().contains("port=" + kmip.port())
        .contains("enable_tls_client_auth=True");
    assertThat(kmip.caPem()).content().startsWith("-----BEGIN CERTIFICATE-----");
    assertThat(kmip.clientCertificatePem()).content().startsWith("-----BEGIN CERTIFICATE-----");
    assertThat(kmip.clientKeyPem()).content().startsWith("-----BEGIN PRIVATE KEY-----");
    assertThat(kmip.endpoint()).isEqualTo("127.0.0.1:" + kmip.port());
  }

  @Test
  void clientSslContext_handshakeWithHostnameVerification_succeedsAndServerAnswersKmip()
      throws Exception {
    try (SSLSocket socket = connect(kmip.clientSslContext())) {
      socket.startHandshake();
      // An empty RequestMessage: PyKMIP answers with a ResponseMessage (tag 42007B) reporting
      // the failure, which proves a KMIP server is on the other end.
      OutputStream out = socket.getOutputStream();
      out.write(new byte[] {0x42, 0x00, 0x78, 0x01, 0, 0, 0, 0});
      out.flush();
      byte[] header = socket.getInputStream().readNBytes(8);
      assertThat(header).startsWith(0x42, 0x00, 0x7B, 0x01);
    }
  }

  @Test
  void handshake_withoutClientCertificate_isRefusedByTheServer() {
    SSLContext noClientCertificate =
        PyKmipCertificates.sslContext(null, kmip.certificateAuthority().certificate());
    assertThatThrownBy(() -> {
      try (SSLSocket socket = connect(noClientCertificate)) {
        socket.startHandshake();
        InputStream in = socket.getInputStream();
        in.read();
      }
    }).isInstanceOf(java.io.IOException.class);
  }

  @Test
  void logTail_afterStart_showsTheServerLog() throws Exception {
    assertThat(Files.exists(kmip.logFile())).isTrue();
    assertThat(kmip.logTail(5)).contains("server.log");
  }

  private static SSLSocket connect(SSLContext context) throws Exception {
    SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket("127.0.0.1", kmip.port());
    SSLParameters parameters = socket.getSSLParameters();
    parameters.setEndpointIdentificationAlgorithm("HTTPS");
    socket.setSSLParameters(parameters);
    socket.setSoTimeout(10_000);
    return socket;
  }
}
