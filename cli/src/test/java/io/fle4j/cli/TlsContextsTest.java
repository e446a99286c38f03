package io.fle4j.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fle4j.ConfigurationException;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import org.bson.BsonDocument;
import org.bson.BsonString;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TlsContextsTest {
  private static Path x509() {
    Path dir = Path.of("..", "..", "shared", "spec-data", "drivers-evergreen-tools", "x509gen");
    if (!Files.isDirectory(dir)) {
      if ("true".equalsIgnoreCase(System.getenv("CI"))) {
        throw new AssertionError("spec-data test certificates are required in CI: " + dir.toAbsolutePath());
      }
      Assumptions.abort("spec-data test certificates not found at " + dir.toAbsolutePath());
    }
    return dir.toAbsolutePath();
  }

  @Test
  void fromConfig_caAndClientCertificate_pkcs1AndPkcs8Keys_buildAWorkingContext(@TempDir Path dir)
      throws Exception {
    // Private copies: a private key readable by others is refused (see the next test).
    for (String name : new String[] {"ca.pem", "client.pem", "client-pkcs8-unencrypted.pem"}) {
      Files.copy(x509().resolve(name), dir.resolve(name));
      Files.setPosixFilePermissions(dir.resolve(name),
          java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
    }
    for (String clientFile : new String[] {"client.pem", "client-pkcs8-unencrypted.pem"}) {
      SSLContext context = TlsContexts.fromConfig("kmip", new BsonDocument("caFile", new BsonString("ca.pem"))
          .append("certificateKeyFile", new BsonString(clientFile)), dir);
      SSLEngine engine = context.createSSLEngine("localhost", 5696);
      engine.setUseClientMode(true);
      assertThat(engine.getSupportedProtocols()).contains("TLSv1.2");
    }
  }

  @Test
  void fromConfig_privateKeyReadableByOthers_isRefusedWithTheFix(@TempDir Path temp) throws Exception {
    // Issue 13, item 15: only kmsProviders secrets were checked for being readable by others.
    Path key = temp.resolve("client.pem");
    Files.copy(x509().resolve("client.pem"), key);
    Files.setPosixFilePermissions(key, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
    assertThatThrownBy(() -> TlsContexts.fromConfig("kmip",
        new BsonDocument("certificateKeyFile", new BsonString("client.pem")), temp))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("tls.kmip.certificateKeyFile").hasMessageContaining("chmod 600");
  }

  @Test
  void fromConfig_fileWithoutKey_isRefusedNamingTheSetting(@TempDir Path temp) throws Exception {
    Files.copy(x509().resolve("ca.pem"), temp.resolve("only-cert.pem"));
    assertThatThrownBy(() -> TlsContexts.fromConfig("kmip",
        new BsonDocument("certificateKeyFile", new BsonString("only-cert.pem")), temp))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("tls.kmip.certificateKeyFile");
  }
}
