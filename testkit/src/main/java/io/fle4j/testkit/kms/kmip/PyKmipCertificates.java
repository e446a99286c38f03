package io.fle4j.testkit.kms.kmip;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Objects;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * Throwaway X.509 certificates for TLS tests, made in memory with Bouncy Castle: a CA, server
 * certificates with the subjectAltNames a client checks, and client certificates with (or
 * deliberately without) the clientAuth extended key usage KMIP servers require. Keys are EC
 * P-256, quick to generate. Valid from an hour ago for one day. Not for production.
 *
 * <pre>{@code
 * PyKmipCertificates.Authority ca = PyKmipCertificates.Authority.create("test CA");
 * PyKmipCertificates.Issued server =
 *     ca.issueServer("localhost", List.of("localhost"), List.of("127.0.0.1"));
 * PyKmipCertificates.Issued client = ca.issueClient("client", true);
 * SSLContext tls = PyKmipCertificates.sslContext(client, ca.certificate());
 * }</pre>
 */
public final class PyKmipCertificates {
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final Duration VALIDITY = Duration.ofDays(1);

  private PyKmipCertificates() {}

  /**
   * A TLS context presenting {@code keyOwner}'s certificate (none when {@code null}) and trusting
   * exactly the given certificates.
   *
   * @param keyOwner the client (or server) identity to present, or {@code null} for none
   * @param trusted the CA certificates to trust; none means trust nothing
   * @return a new TLS context
   */
  public static SSLContext sslContext(Issued keyOwner, X509Certificate... trusted) {
    try {
      KeyManager[] keyManagers = null;
      if (keyOwner != null) {
        char[] password = "testkit".toCharArray();
        KeyStore keys = KeyStore.getInstance("PKCS12");
        keys.load(null, null);
        keys.setKeyEntry("identity", keyOwner.privateKey(), password,
            keyOwner.chain().toArray(X509Certificate[]::new));
        KeyManagerFactory kmf =
            KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(keys, password);
        keyManagers = kmf.getKeyManagers();
      }
      KeyStore trust = KeyStore.getInstance("PKCS12");
      trust.load(null, null);
      for (int i = 0; i < trusted.length; i++) {
        trust.setCertificateEntry("trusted-" + i, trusted[i]);
      }
      TrustManagerFactory tmf =
          TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(trust);
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(keyManagers, tmf.getTrustManagers(), RANDOM);
      return context;
    } catch (GeneralSecurityException | IOException e) {
      throw new IllegalStateException("cannot build a TLS context: " + e.getMessage(), e);
    }
  }

  /** A certificate authority that issues server and client certificates. */
  public static final class Authority {
    private final Issued identity;

    private Authority(Issued identity) {
      this.identity = identity;
    }

    /**
     * Creates a self-signed CA.
     *
     * @param commonName the CA's CN
     * @return a new CA
     */
    public static Authority create(String commonName) {
      KeyPair keys = newKeyPair();
      X500Name name = new X500Name("CN=" + Objects.requireNonNull(commonName, "commonName"));
      X509Certificate certificate = sign(name, keys.getPrivate(), name, keys, true, cert -> {
        cert.addExtension(Extension.keyUsage, true,
            new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
      }, null);
      return new Authority(new Issued(certificate, keys.getPrivate(), List.of(certificate)));
    }

    /**
     * The CA's certificate, to put in a trust store.
     *
     * @return the self-signed certificate
     */
    public X509Certificate certificate() {
      return identity.certificate();
    }

    /**
     * Issues a server certificate (extended key usage serverAuth).
     *
     * @param commonName the subject's CN
     * @param dnsNames subjectAltName DNS names, such as {@code localhost}
     * @param ipAddresses subjectAltName IP addresses, such as {@code 127.0.0.1}
     * @return the certificate and its key
     */
    public Issued issueServer(String commonName, List<String> dnsNames, List<String> ipAddresses) {
      return issue(commonName, KeyPurposeId.id_kp_serverAuth, dnsNames, ipAddresses);
    }

    /**
     * Issues a client certificate.
     *
     * @param commonName the subject's CN; PyKMIP uses it as the owner of the objects the client
     *     creates
     * @param clientAuth whether to include the extended key usage extension with clientAuth,
     *     which KMIP servers require; {@code false} leaves the extension out altogether (TLS
     *     accepts such a certificate, and PyKMIP then refuses it at the KMIP level)
     * @return the certificate and its key
     */
    public Issued issueClient(String commonName, boolean clientAuth) {
      return issue(commonName, clientAuth ? KeyPurposeId.id_kp_clientAuth : null, List.of(),
          List.of());
    }

    private Issued issue(String commonName, KeyPurposeId purpose, List<String> dnsNames,
        List<String> ipAddresses) {
      KeyPair keys = newKeyPair();
      X500Name issuer = X500Name.getInstance(
          identity.certificate().getSubjectX500Principal().getEncoded());
      X500Name subject = new X500Name("CN=" + Objects.requireNonNull(commonName, "commonName"));
      X509Certificate certificate = sign(issuer, identity.privateKey(), subject, keys, false,
          cert -> {
            cert.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
            if (purpose != null) {
              cert.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(purpose));
            }
            List<GeneralName> names = new ArrayList<>();
            dnsNames.forEach(dns -> names.add(new GeneralName(GeneralName.dNSName, dns)));
            ipAddresses.forEach(ip -> names.add(new GeneralName(GeneralName.iPAddress, ip)));
            if (!names.isEmpty()) {
              cert.addExtension(Extension.subjectAlternativeName, false,
                  new GeneralNames(names.toArray(GeneralName[]::new)));
            }
          }, identity.certificate());
      return new Issued(certificate, keys.getPrivate(), List.of(certificate));
    }

    /**
     * Writes the CA certificate as PEM.
     *
     * @param file where to write it
     * @return {@code file}
     */
    public Path writeCertificatePem(Path file) {
      return identity.writeCertificatePem(file);
    }
  }

  /** An issued certificate with its private key. */
  public static final class Issued {
    private final X509Certificate certificate;
    private final PrivateKey privateKey;
    private final List<X509Certificate> chain;

    private Issued(X509Certificate certificate, PrivateKey privateKey,
        List<X509Certificate> chain) {
      this.certificate = certificate;
      this.privateKey = privateKey;
      this.chain = chain;
    }

    /**
     * The certificate.
     *
     * @return the certificate
     */
    public X509Certificate certificate() {
      return certificate;
    }

    /**
     * The certificate's private key.
     *
     * @return the key
     */
    public PrivateKey privateKey() {
      return privateKey;
    }

    /**
     * The certificate, then its issuers up to (excluding) the CA.
     *
     * @return the chain to present in a handshake
     */
    public List<X509Certificate> chain() {
      return chain;
    }

    /**
     * Writes the certificate as PEM.
     *
     * @param file where to write it
     * @return {@code file}
     */
    public Path writeCertificatePem(Path file) {
      return writePem(file, certificate);
    }

    /**
     * Writes the private key as unencrypted PKCS#8 PEM ({@code BEGIN PRIVATE KEY}).
     *
     * @param file where to write it
     * @return {@code file}
     */
    public Path writeKeyPem(Path file) {
      try {
        return writePem(file, new JcaPKCS8Generator(privateKey, null).generate());
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    @Override
    public String toString() {
      return "Issued{" + certificate.getSubjectX500Principal().getName() + ", key=redacted}";
    }
  }

  private interface Extensions {
    void add(X509v3CertificateBuilder builder) throws IOException;
  }

  private static X509Certificate sign(X500Name issuer, PrivateKey issuerKey, X500Name subject,
      KeyPair subjectKeys, boolean ca, Extensions extensions, X509Certificate issuerCertificate) {
    try {
      Instant now = Instant.now();
      X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(issuer,
          new BigInteger(64, RANDOM).add(BigInteger.ONE), Date.from(now.minus(Duration.ofHours(1))),
          Date.from(now.plus(VALIDITY)), subject, subjectKeys.getPublic());
      JcaX509ExtensionUtils utils = new JcaX509ExtensionUtils();
      builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(ca));
      builder.addExtension(Extension.subjectKeyIdentifier, false,
          utils.createSubjectKeyIdentifier(subjectKeys.getPublic()));
      if (issuerCertificate != null) {
        builder.addExtension(Extension.authorityKeyIdentifier, false,
            utils.createAuthorityKeyIdentifier(issuerCertificate));
      }
      extensions.add(builder);
      ContentSigner signer = new JcaContentSignerBuilder("SHA256withECDSA").build(issuerKey);
      return new JcaX509CertificateConverter().getCertificate(builder.build(signer));
    } catch (IOException | GeneralSecurityException | OperatorCreationException e) {
      throw new IllegalStateException("cannot make a test certificate: " + e.getMessage(), e);
    }
  }

  private static KeyPair newKeyPair() {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
      generator.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
      return generator.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("EC P-256 is not available: " + e.getMessage(), e);
    }
  }

  private static Path writePem(Path file, Object object) {
    try (Writer out = Files.newBufferedWriter(file, StandardCharsets.US_ASCII);
        JcaPEMWriter pem = new JcaPEMWriter(out)) {
      pem.writeObject(object);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return file;
  }
}
