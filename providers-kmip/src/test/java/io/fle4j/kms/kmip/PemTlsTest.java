package io.fle4j.kms.kmip;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fle4j.ConfigurationException;
import io.fle4j.testkit.kms.kmip.PyKmipCertificates;
import java.io.IOException;
import java.io.Writer;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.X509Certificate;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.sec.ECPrivateKey;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.PKCS8Generator;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.openssl.jcajce.JceOpenSSLPKCS8EncryptorBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.util.io.pem.PemObject;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Client certificates and keys in the PEM shapes administrators hand out. */
class PemTlsTest {
  @TempDir Path dir;
  static PyKmipCertificates.Authority ca;
  static PyKmipCertificates.Issued ecClient;

  @BeforeAll
  static void issue() {
    ca = PyKmipCertificates.Authority.create("pem test CA");
    ecClient = ca.issueClient("pem-client", true);
  }

  @Test
  void readPrivateKey_pkcs8AndSec1EcKeys_matchTheCertificate() throws Exception {
    Path pkcs8 = ecClient.writeKeyPem(dir.resolve("pkcs8.key"));
    Path sec1 = write("sec1.key", sec1(ecClient.privateKey()));
    assertThat(Files.readString(sec1)).startsWith("-----BEGIN EC PRIVATE KEY-----");

    for (Path file : List.of(pkcs8, sec1)) {
      var key = PemTls.readPrivateKey(file, null, "clientKeyPem");
      PemTls.checkKeyMatches(key, ecClient.certificate(), "clientKeyPem");
      assertThat(((java.security.interfaces.ECPrivateKey) key).getS())
          .isEqualTo(((java.security.interfaces.ECPrivateKey) ecClient.privateKey()).getS());
    }
  }

  @Test
  void readPrivateKey_pkcs1RsaKey_matchesItsCertificate() throws Exception {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
    generator.initialize(2048);
    KeyPair rsa = generator.generateKeyPair();
    X509Certificate certificate = selfSigned(rsa, "SHA256withRSA");
    Path file = write("rsa.key", rsa.getPrivate());
    assertThat(Files.readString(file)).startsWith("-----BEGIN RSA PRIVATE KEY-----");

    var key = PemTls.readPrivateKey(file, null, "clientKeyPem");

    PemTls.checkKeyMatches(key, certificate, "clientKeyPem");
  }

  @Test
  void readPrivateKey_encryptedPkcs8_needsTheRightPassword() throws Exception {
    Path file = dir.resolve("encrypted.key");
    try (Writer out = Files.newBufferedWriter(file, StandardCharsets.US_ASCII);
        JcaPEMWriter pem = new JcaPEMWriter(out)) {
      pem.writeObject(new JcaPKCS8Generator(ecClient.privateKey(),
          new JceOpenSSLPKCS8EncryptorBuilder(PKCS8Generator.AES_256_CBC)
              .setProvider(new org.bouncycastle.jce.provider.BouncyCastleProvider())
              .setPassword("s3cret-pass".toCharArray()).build()));
    }

    assertThat(PemTls.readPrivateKey(file, "s3cret-pass".toCharArray(), "clientKeyPem")
        .getEncoded()).isEqualTo(ecClient.privateKey().getEncoded());
    assertThatThrownBy(() -> PemTls.readPrivateKey(file, null, "clientKeyPem"))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("is encrypted; give its password with clientKeyPassword");
    assertThatThrownBy(() -> PemTls.readPrivateKey(file, "wrong".toCharArray(), "clientKeyPem"))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("cannot read the private key in " + file)
        .hasMessageNotContaining("s3cret");
  }

  @Test
  void readCertificatesAndKey_oneCombinedFile_bothAreFound() throws IOException {
    Path cert = ecClient.writeCertificatePem(dir.resolve("c.pem"));
    Path key = ecClient.writeKeyPem(dir.resolve("k.pem"));
    Path combined = dir.resolve("combined.pem");
    Files.writeString(combined, Files.readString(key) + Files.readString(cert));

    assertThat(PemTls.readCertificates(combined, "clientCertificatePem"))
        .containsExactly(ecClient.certificate());
    assertThat(PemTls.readPrivateKey(combined, null, "clientKeyPem").getEncoded())
        .isEqualTo(ecClient.privateKey().getEncoded());
  }

  @Test
  void checkKeyMatches_keyOfAnotherCertificate_isRefused() {
    PyKmipCertificates.Issued other = ca.issueClient("other", true);
    assertThatThrownBy(() -> PemTls.checkKeyMatches(other.privateKey(), ecClient.certificate(),
        "clientKeyPem"))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("clientKeyPem: the private key does not belong to the client"
            + " certificate CN=pem-client");
  }

  @Test
  void readFiles_missingEmptyOrWrongContent_failNamingTheFileNotTheContent() throws IOException {
    Path missing = dir.resolve("missing.pem");
    Path empty = Files.writeString(dir.resolve("empty.pem"), "");
    Path keyOnly = ecClient.writeKeyPem(dir.resolve("key-only.pem"));
    String keyText = Files.readString(keyOnly);
    Path certOnly = ecClient.writeCertificatePem(dir.resolve("cert-only.pem"));

    assertThatThrownBy(() -> PemTls.readCertificates(missing, "trustedCaPem"))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("trustedCaPem: cannot read certificates from " + missing);
    assertThatThrownBy(() -> PemTls.readCertificates(empty, "trustedCaPem"))
        .hasMessageContaining("holds no PEM certificate");
    assertThatThrownBy(() -> PemTls.readCertificates(keyOnly, "clientCertificatePem"))
        .hasMessageContaining("holds no PEM certificate")
        .hasMessageNotContaining(keyText.substring(30, 60));
    assertThatThrownBy(() -> PemTls.readPrivateKey(certOnly, null, "clientKeyPem"))
        .hasMessageContaining("holds no PEM private key");
    assertThatThrownBy(() -> PemTls.readPrivateKey(missing, null, "clientKeyPem"))
        .hasMessageContaining("cannot read the private key in " + missing);
  }

  @Test
  void builder_pemOptionsMisused_areRefusedNamingTheOption() throws IOException {
    Path cert = ecClient.writeCertificatePem(dir.resolve("c.pem"));
    Path otherKey = ca.issueClient("x", true).writeKeyPem(dir.resolve("other.key"));

    assertThatThrownBy(() -> KmipKmsProvider.builder().endpoint("h").clientCertificatePem(cert)
        .build())
        .isInstanceOf(ConfigurationException.class)
        .hasMessage("clientKeyPem: clientCertificatePem and clientKeyPem go together");
    assertThatThrownBy(() -> KmipKmsProvider.builder().endpoint("h").clientCertificatePem(cert)
        .clientKeyPem(otherKey).build())
        .hasMessageContaining("does not belong to the client certificate");
    assertThatThrownBy(() -> KmipKmsProvider.builder().endpoint("h").trustedCaPem(cert)
        .sslContext(PyKmipCertificates.sslContext(null)).build())
        .hasMessage("sslContext: give either an SSLContext or PEM files, not both");
    assertThatThrownBy(() -> KmipKmsProvider.builder().endpoint("h")
        .clientKeyPassword("pw".toCharArray()).build())
        .hasMessage("clientKeyPassword: is set but clientKeyPem is not");
    assertThatThrownBy(() -> KmipKmsProvider.builder().build())
        .hasMessage("endpoint: is required: the KMIP server's host[:port]");
  }

  @Test
  void builder_trustedCaOnly_buildsWithoutAClientCertificate() throws IOException {
    Path caFile = ca.writeCertificatePem(dir.resolve("ca.pem"));
    try (KmipKmsProvider provider =
        KmipKmsProvider.builder().endpoint("kmip.example.com").trustedCaPem(caFile).build()) {
      assertThat(provider.toString()).contains("tls=pem").contains("kmip.example.com:5696");
      assertThat(provider.toString())
          .doesNotContain(Base64.getEncoder().encodeToString(ecClient.privateKey().getEncoded()));
    }
  }

  private Path write(String name, Object pemObject) throws IOException {
    Path file = dir.resolve(name);
    try (Writer out = Files.newBufferedWriter(file, StandardCharsets.US_ASCII);
        JcaPEMWriter pem = new JcaPEMWriter(out)) {
      pem.writeObject(pemObject);
    }
    return file;
  }

  /** The key as OpenSSL writes SEC1: the curve inside ECPrivateKey (the JDK puts it outside). */
  private static PemObject sec1(java.security.PrivateKey key) throws IOException {
    PrivateKeyInfo info = PrivateKeyInfo.getInstance(key.getEncoded());
    ECPrivateKey inner = ECPrivateKey.getInstance(info.parsePrivateKey());
    ECPrivateKey withCurve = new ECPrivateKey(256, inner.getKey(), inner.getPublicKey(),
        info.getPrivateKeyAlgorithm().getParameters());
    return new PemObject("EC PRIVATE KEY", withCurve.getEncoded());
  }

  private static X509Certificate selfSigned(KeyPair keys, String algorithm) throws Exception {
    X500Name name = new X500Name("CN=rsa");
    return new JcaX509CertificateConverter().getCertificate(new JcaX509v3CertificateBuilder(name,
        BigInteger.TEN, new Date(), new Date(System.currentTimeMillis() + 86_400_000L), name,
        keys.getPublic()).build(new JcaContentSignerBuilder(algorithm).build(keys.getPrivate())));
  }
}
