package io.fle4j.testkit.kms.kmip;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link PyKmipServer.Builder#certificatesFromPem} and {@link PyKmipServer.Builder#seedDatabase}. */
class PyKmipServerGivenCertificatesTest {
  @TempDir Path dir;

  @Test
  void start_withGivenCertificatesAndSeedDatabase_servesThemAndKeepsTheSeededData()
      throws Exception {
    PyKmipCertificates.Authority ca = PyKmipCertificates.Authority.create("given CA");
    PyKmipCertificates.Issued server =
        ca.issueServer("localhost", List.of("localhost"), List.of("127.0.0.1"));
    PyKmipCertificates.Issued client = ca.issueClient("client", true);
    Path files = Files.createDirectories(dir.resolve("given"));
    Path caPem = ca.writeCertificatePem(files.resolve("ca.pem"));
    // One file holding key and certificate, as drivers-evergreen-tools' x509gen/server.pem does.
    Path combined = files.resolve("server.pem");
    Files.writeString(combined,
        Files.readString(server.writeKeyPem(files.resolve("k.pem")), StandardCharsets.US_ASCII)
            + Files.readString(server.writeCertificatePem(files.resolve("c.pem")),
                StandardCharsets.US_ASCII), StandardCharsets.US_ASCII);
    Path seed = files.resolve("seed.db");
    sqlite(seed, "create table fle4j_marker (v text); insert into fle4j_marker values ('seeded')");
    Path workDir = Files.createDirectories(dir.resolve("work"));

    try (PyKmipServer kmip = PyKmipServer.builder().workDir(workDir)
        .certificatesFromPem(caPem, combined, combined).seedDatabase(seed).startOrAbort()) {
      try (SSLSocket socket = connect(PyKmipCertificates.sslContext(client, ca.certificate()),
          kmip.port())) {
        socket.startHandshake();
        OutputStream out = socket.getOutputStream();
        out.write(new byte[] {0x42, 0x00, 0x78, 0x01, 0, 0, 0, 0});
        out.flush();
        assertThat(socket.getInputStream().readNBytes(8)).startsWith(0x42, 0x00, 0x7B, 0x01);
      }
      assertThat(sqlite(workDir.resolve("pykmip.db"), "select v from fle4j_marker"))
          .isEqualTo("seeded");
      assertThat(sqlite(seed, "select count(*) from sqlite_master")).isEqualTo("1");
      assertThatThrownBy(kmip::clientSslContext).isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("certificatesFromPem");
    }
  }

  private static String sqlite(Path database, String sql) throws Exception {
    Process process = new ProcessBuilder("python3", "-c",
        "import sqlite3,sys\n"
            + "c=sqlite3.connect(sys.argv[1]);r=None\n"
            + "for s in sys.argv[2].split(';'):\n"
            + "  r=c.execute(s).fetchall()\n"
            + "c.commit();print(r[0][0] if r else '')", database.toString(), sql)
        .redirectErrorStream(true).start();
    assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.exitValue()).as(output).isZero();
    return output.trim();
  }

  private static SSLSocket connect(SSLContext context, int port) throws Exception {
    SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket("127.0.0.1", port);
    SSLParameters parameters = socket.getSSLParameters();
    parameters.setEndpointIdentificationAlgorithm("HTTPS");
    socket.setSSLParameters(parameters);
    socket.setSoTimeout(10_000);
    return socket;
  }
}
