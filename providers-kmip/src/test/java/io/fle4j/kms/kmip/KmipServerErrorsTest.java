package io.fle4j.kms.kmip;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fle4j.kms.KmsProviderException;
import io.fle4j.testkit.kms.kmip.PyKmipCertificates;
import io.fle4j.testkit.kms.kmip.PyKmipServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.List;
import java.util.Optional;
import javax.net.ssl.SSLContext;
import org.bson.BsonBoolean;
import org.bson.BsonDocument;
import org.bson.BsonString;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Each way a real KMIP server (PyKMIP) or its TLS can say no gives its own exception, naming the
 * endpoint and the key, and never showing key material.
 */
class KmipServerErrorsTest {
  @TempDir static Path dir;
  static Optional<PyKmipServer> started = Optional.empty();
  static PyKmipServer kmip;
  static KmipClient admin;
  static KmipEndpoint endpoint;

  @BeforeAll
  static void startServer() {
    started = PyKmipServer.startIfInstalled(dir);
    started.ifPresent(server -> {
      kmip = server;
      admin = PyKmipFixture.adminClient(server);
      endpoint = PyKmipFixture.endpoint(server);
    });
  }

  @BeforeEach
  void requireServer() {
    PyKmipServer.orAbort(started); // each test shows as skipped when it is not installed
  }

  @AfterAll
  static void stopServer() {
    if (admin != null) {
      admin.close();
    }
    started.ifPresent(PyKmipServer::close);
  }

  private static BsonDocument keyId(String id) {
    return new BsonDocument("keyId", new BsonString(id));
  }

  private static byte[] dataKey() {
    byte[] key = new byte[96];
    new SecureRandom().nextBytes(key);
    return key;
  }

  @Test
  void decryptDataKey_unknownKeyId_throwsKeyNotFoundNamingEndpointAndKeyId() {
    try (KmipKmsProvider provider = PyKmipFixture.provider(kmip, kmip.clientSslContext())) {
      assertThatThrownBy(() -> provider.decryptDataKey(keyId("no-such-key"), new byte[160]))
          .isInstanceOf(KmipKeyNotFoundException.class)
          .hasMessageContaining("KMIP server " + kmip.endpoint())
          .hasMessageContaining("no object with keyId 'no-such-key'")
          .hasMessageContaining("ITEM_NOT_FOUND")
          .satisfies(e -> assertThat(((KmipKeyNotFoundException) e).keyId())
              .contains("no-such-key"));
    }
  }

  @Test
  void decryptDataKey_revokedDelegatedKey_throwsKeyStateException() {
    try (KmipKmsProvider provider = PyKmipFixture.provider(kmip, kmip.clientSslContext())) {
      BsonDocument masterKey = provider.masterKey(new BsonDocument("delegated", BsonBoolean.TRUE));
      byte[] dataKey = dataKey();
      byte[] material = provider.encryptDataKey(masterKey, dataKey);
      String id = masterKey.getString("keyId").getValue();

      admin.revoke(endpoint, id);

      assertThatThrownBy(() -> provider.decryptDataKey(masterKey, material))
          .isInstanceOf(KmipKeyStateException.class)
          .hasMessageContaining("KMIP key '" + id + "' at " + kmip.endpoint()
              + " is not in a state that allows Decrypt")
          .hasMessageContaining("Active state")
          .satisfies(e -> assertNoKeyMaterial(e.getMessage(), dataKey, material));
      assertThatThrownBy(() -> provider.encryptDataKey(masterKey, dataKey))
          .isInstanceOf(KmipKeyStateException.class)
          .hasMessageContaining("allows Encrypt");
    }
  }

  @Test
  void encryptDataKey_neverActivatedKey_throwsKeyStateException() {
    String preActive = admin.create(endpoint);
    try (KmipKmsProvider provider = PyKmipFixture.provider(kmip, kmip.clientSslContext())) {
      BsonDocument masterKey = provider.masterKey(
          keyId(preActive).append("delegated", BsonBoolean.TRUE));

      assertThatThrownBy(() -> provider.encryptDataKey(masterKey, dataKey()))
          .isInstanceOf(KmipKeyStateException.class)
          .hasMessageContaining("'" + preActive + "'")
          .hasMessageContaining("never activated");
    }
  }

  @Test
  void encryptDataKey_delegatedKeyUsedWithoutDelegated_explainsTheMode() {
    try (KmipKmsProvider provider = PyKmipFixture.provider(kmip, kmip.clientSslContext())) {
      String aesKey = provider.masterKey(new BsonDocument("delegated", BsonBoolean.TRUE))
          .getString("keyId").getValue();

      assertThatThrownBy(() -> provider.encryptDataKey(keyId(aesKey), dataKey()))
          .isInstanceOf(KmsProviderException.class)
          .hasMessageContaining("is a SymmetricKey, not a SecretData")
          .hasMessageContaining("'delegated: true'");
    }
  }

  @Test
  void encryptDataKey_secretDataUsedAsDelegated_reportsTheServersRefusal() {
    try (KmipKmsProvider provider = PyKmipFixture.provider(kmip, kmip.clientSslContext())) {
      String secretData = provider.masterKey(new BsonDocument()).getString("keyId").getValue();

      assertThatThrownBy(() -> provider.encryptDataKey(
          keyId(secretData).append("delegated", BsonBoolean.TRUE), dataKey()))
          .isExactlyInstanceOf(KmipServerException.class)
          .hasMessageContaining("Encrypt of key '" + secretData + "'")
          .hasMessageContaining("PERMISSION_DENIED")
          .hasMessageContaining("not a symmetric key");
    }
  }

  @Test
  void anyCall_serverCertificateFromAnUntrustedCa_isRefusedByTheClient() {
    PyKmipCertificates.Authority otherCa = PyKmipCertificates.Authority.create("other CA");
    SSLContext trustsOtherCa =
        PyKmipCertificates.sslContext(kmip.clientIdentity(), otherCa.certificate());
    try (KmipKmsProvider provider = PyKmipFixture.provider(kmip, trustsOtherCa)) {
      assertThatThrownBy(() -> provider.decryptDataKey(keyId("1"), new byte[160]))
          .isInstanceOf(KmipTlsException.class)
          .hasMessageContaining("TLS handshake with KMIP server " + kmip.endpoint()
              + " failed before the Get of key '1' was sent")
          .hasMessageContaining("does not trust the server's certificate")
          .satisfies(e -> {
            KmipTlsException tls = (KmipTlsException) e;
            assertThat(tls.failure())
                .isEqualTo(KmipTlsException.Failure.SERVER_CERTIFICATE_UNTRUSTED);
            assertThat(tls.endpoint()).isEqualTo(kmip.endpoint());
            assertThat(tls.isRetryable()).isFalse();
          });
    }
  }

  @Test
  void anyCall_serverCertificateForAnotherHost_isRefusedByHostnameVerification() throws Exception {
    Path otherDir = Files.createDirectories(dir.resolve("wrong-host"));
    try (PyKmipServer wrongHost = PyKmipServer.builder().workDir(otherDir)
        .certificateAuthority(kmip.certificateAuthority())
        .serverSubjectAltNames(List.of("kmip.invalid"), List.of())
        .startOrAbort();
        KmipKmsProvider provider = PyKmipFixture.provider(wrongHost, kmip.clientSslContext())) {
      assertThatThrownBy(() -> provider.masterKey(new BsonDocument()))
          .isInstanceOf(KmipTlsException.class)
          .hasMessageContaining("failed before the Register was sent")
          .hasMessageContaining("the server's certificate is not issued for '127.0.0.1'")
          .satisfies(e -> assertThat(((KmipTlsException) e).failure())
              .isEqualTo(KmipTlsException.Failure.SERVER_HOSTNAME_MISMATCH));
    }
  }

  @Test
  void anyCall_clientWithoutCertificate_isRefusedByTheServer() {
    SSLContext noCertificate =
        PyKmipCertificates.sslContext(null, kmip.certificateAuthority().certificate());
    try (KmipKmsProvider provider = PyKmipFixture.provider(kmip, noCertificate)) {
      assertThatThrownBy(() -> provider.decryptDataKey(keyId("1"), new byte[160]))
          .isInstanceOf(KmipTlsException.class)
          .hasMessageContaining("KMIP server " + kmip.endpoint())
          .hasMessageContaining("Get of key '1'")
          .hasMessageContaining("the server refused this client")
          .satisfies(e -> assertThat(((KmipTlsException) e).failure())
              .isEqualTo(KmipTlsException.Failure.CLIENT_CERTIFICATE_REFUSED));
    }
  }

  @Test
  void anyCall_clientCertificateFromAnUntrustedCa_isRefusedByTheServer() {
    PyKmipCertificates.Authority otherCa = PyKmipCertificates.Authority.create("rogue CA");
    SSLContext rogue = PyKmipCertificates.sslContext(otherCa.issueClient("rogue", true),
        kmip.certificateAuthority().certificate());
    try (KmipKmsProvider provider = PyKmipFixture.provider(kmip, rogue)) {
      assertThatThrownBy(() -> provider.masterKey(new BsonDocument()))
          .isInstanceOf(KmipTlsException.class)
          .satisfies(e -> assertThat(((KmipTlsException) e).failure())
              .isEqualTo(KmipTlsException.Failure.CLIENT_CERTIFICATE_REFUSED));
    }
  }

  @Test
  void anyCall_clientCertificateWithoutExtendedKeyUsage_isRefusedByTheKmipLayer() {
    SSLContext noClientAuth = PyKmipCertificates.sslContext(
        kmip.certificateAuthority().issueClient("no-eku", false),
        kmip.certificateAuthority().certificate());
    try (KmipKmsProvider provider = PyKmipFixture.provider(kmip, noClientAuth)) {
      assertThatThrownBy(() -> provider.masterKey(new BsonDocument()))
          .isExactlyInstanceOf(KmipServerException.class)
          .hasMessageContaining("KMIP Register at " + kmip.endpoint() + " failed")
          .hasMessageContaining("AUTHENTICATION_NOT_SUCCESSFUL")
          .hasMessageContaining("clientAuth extended key usage");
    }
  }

  @Test
  void anyCall_nothingListening_failsAfterBoundedRetries() throws Exception {
    int closedPort;
    try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
      closedPort = s.getLocalPort();
    }
    try (KmipKmsProvider provider = KmipKmsProvider.builder()
        .endpoint("127.0.0.1:" + closedPort)
        .sslContext(kmip.clientSslContext())
        .retryBackoff(java.time.Duration.ofMillis(5))
        .build()) {
      assertThatThrownBy(() -> provider.decryptDataKey(keyId("1"), new byte[160]))
          .isExactlyInstanceOf(KmsProviderException.class)
          .hasMessageContaining("cannot connect to KMIP server 127.0.0.1:" + closedPort
              + " for the Get of key '1' (3 attempts)")
          .satisfies(e -> assertThat(((KmsProviderException) e).isRetryable()).isTrue());
    }
  }

  private static void assertNoKeyMaterial(String message, byte[]... secrets) {
    for (byte[] secret : secrets) {
      assertThat(message).doesNotContainIgnoringCase(KmipTestMessages.hex(secret).substring(0, 16))
          .doesNotContain(java.util.Base64.getEncoder().encodeToString(secret).substring(0, 16));
    }
  }
}
