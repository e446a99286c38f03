package io.fle4j.it.unified;

import io.fle4j.testing.SpecData;
import io.fle4j.testkit.kms.kmip.PyKmipServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.Collection;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.Assumptions;

/**
 * The KMIP server the CSFLE spec tests expect (tests README: "Start a KMIP test server"): PyKMIP
 * started from MongoDB's seed database ({@code csfle/pykmip.db.bak}, whose SecretData "1" wraps
 * the kmip key documents of the test files) with the {@code x509gen} certificates: {@code
 * server.pem} served, {@code ca.pem} trusted on both sides, and {@code client.pem} (CN {@code
 * client}, which owns the seeded objects) presented by fle4j. Started once per JVM, on first use.
 */
final class SpecKmipServer {
  private static PyKmipServer server; // guarded by SpecKmipServer.class
  private static SSLContext clientSslContext;

  private SpecKmipServer() {}

  /**
   * The running server; when PyKMIP is not installed the calling test is aborted (failed when
   * {@code CI=true}).
   */
  static synchronized PyKmipServer get() {
    if (server == null) {
      if (PyKmipServer.executable().isEmpty()) {
        if ("true".equalsIgnoreCase(System.getenv("CI"))) {
          throw new IllegalStateException(PyKmipServer.INSTALL_HINT + " (required when CI=true)");
        }
        Assumptions.abort("needs the KMIP test server: " + PyKmipServer.INSTALL_HINT);
      }
      Path tools = SpecData.root().resolve("drivers-evergreen-tools");
      Path x509 = tools.resolve("x509gen");
      try {
        Path workDir = Files.createTempDirectory("fle4j-unified-kmip");
        PyKmipServer started = PyKmipServer.builder().workDir(workDir)
            .certificatesFromPem(x509.resolve("ca.pem"), x509.resolve("server.pem"),
                x509.resolve("server.pem"))
            .seedDatabase(tools.resolve("csfle").resolve("pykmip.db.bak"))
            .start();
        clientSslContext = sslContext(x509.resolve("client-pkcs8-unencrypted.pem"),
            x509.resolve("ca.pem"));
        Runtime.getRuntime().addShutdownHook(new Thread(started::close, "unified-kmip-stop"));
        server = started;
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return server;
  }

  /** {@code 127.0.0.1:<port>}: the x509gen server certificate lists IP 127.0.0.1. */
  static String endpoint() {
    return get().endpoint();
  }

  /** Presents x509gen's client certificate and trusts only x509gen's CA. */
  static synchronized SSLContext clientSslContext() {
    get();
    return clientSslContext;
  }

  private static SSLContext sslContext(Path clientPem, Path caPem) {
    try {
      String pem = Files.readString(clientPem, StandardCharsets.US_ASCII);
      Matcher key = Pattern.compile(
          "-----BEGIN PRIVATE KEY-----(.*?)-----END PRIVATE KEY-----", Pattern.DOTALL).matcher(pem);
      if (!key.find()) {
        throw new IllegalStateException("no PKCS#8 private key in " + clientPem);
      }
      PrivateKey privateKey = KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(
          Base64.getMimeDecoder().decode(key.group(1))));
      CertificateFactory certificates = CertificateFactory.getInstance("X.509");
      // The file holds the key first; CertificateFactory wants certificate blocks only.
      Matcher blocks = Pattern.compile(
          "-----BEGIN CERTIFICATE-----.*?-----END CERTIFICATE-----", Pattern.DOTALL).matcher(pem);
      StringBuilder certificatePem = new StringBuilder();
      while (blocks.find()) {
        certificatePem.append(blocks.group()).append('\n');
      }
      Collection<? extends Certificate> chain = certificates.generateCertificates(
          new java.io.ByteArrayInputStream(
              certificatePem.toString().getBytes(StandardCharsets.US_ASCII)));
      char[] password = "unified".toCharArray();
      KeyStore identity = KeyStore.getInstance("PKCS12");
      identity.load(null, null);
      identity.setKeyEntry("client", privateKey, password, chain.toArray(Certificate[]::new));
      KeyManagerFactory keyManagers =
          KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      keyManagers.init(identity, password);
      KeyStore trust = KeyStore.getInstance("PKCS12");
      trust.load(null, null);
      try (var in = Files.newInputStream(caPem)) {
        int i = 0;
        for (Certificate ca : certificates.generateCertificates(in)) {
          trust.setCertificateEntry("ca" + i++, (X509Certificate) ca);
        }
      }
      TrustManagerFactory trustManagers =
          TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      trustManagers.init(trust);
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(keyManagers.getKeyManagers(), trustManagers.getTrustManagers(), null);
      return context;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot load the x509gen client identity: " + e, e);
    }
  }
}
