package io.fle4j.testkit.kms.http;

import java.io.IOException;
import java.io.StringWriter;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
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
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * Throwaway TLS material for the Azure Key Vault and Google Cloud KMS emulators, made in memory
 * when an emulator starts: a private CA and a server certificate it signs for {@code 127.0.0.1}
 * and {@code localhost} (P-256, valid from an hour ago for two days). Clients trust the CA only,
 * as they trust a public CA for the real services, so hostname verification stays on.
 */
public final class EmulatorTls {
  private static final SecureRandom RANDOM = new SecureRandom();

  private final X509Certificate ca;
  private final SSLContext server;

  private EmulatorTls(X509Certificate ca, SSLContext server) {
    this.ca = ca;
    this.server = server;
  }

  /** Makes a CA named after {@code product} and a server certificate signed by it. */
  public static EmulatorTls create(String product) {
    try {
      KeyPair caKeys = ecKeyPair();
      X500Name caName = new X500Name("CN=fle4j testkit " + product + " CA, O=fle4j");
      X509v3CertificateBuilder caBuilder = certificate(caName, caName, caKeys);
      caBuilder.addExtension(Extension.basicConstraints, true, new BasicConstraints(0));
      caBuilder.addExtension(Extension.keyUsage, true,
          new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
      X509Certificate caCertificate = signed(caBuilder, caKeys);

      KeyPair serverKeys = ecKeyPair();
      X509v3CertificateBuilder serverBuilder =
          certificate(caName, new X500Name("CN=127.0.0.1, O=fle4j"), serverKeys);
      serverBuilder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
      serverBuilder.addExtension(Extension.keyUsage, true,
          new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyAgreement));
      serverBuilder.addExtension(Extension.extendedKeyUsage, false,
          new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth));
      serverBuilder.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(
          new GeneralName[] {
              new GeneralName(GeneralName.iPAddress, "127.0.0.1"),
              new GeneralName(GeneralName.dNSName, "localhost")}));
      X509Certificate serverCertificate = signed(serverBuilder, caKeys);

      char[] password = new char[0];
      KeyStore keyStore = KeyStore.getInstance("PKCS12");
      keyStore.load(null, null);
      keyStore.setKeyEntry("server", serverKeys.getPrivate(), password,
          new X509Certificate[] {serverCertificate, caCertificate});
      KeyManagerFactory keyManagers =
          KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      keyManagers.init(keyStore, password);
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(keyManagers.getKeyManagers(), null, RANDOM);
      return new EmulatorTls(caCertificate, context);
    } catch (GeneralSecurityException | IOException | OperatorCreationException e) {
      throw new IllegalStateException("cannot make the " + product + " emulator's certificates", e);
    }
  }

  public X509Certificate caCertificate() {
    return ca;
  }

  public SSLContext serverContext() {
    return server;
  }

  /** A new client context that trusts this CA and nothing else. */
  public SSLContext clientContext() {
    try {
      KeyStore trust = KeyStore.getInstance("PKCS12");
      trust.load(null, null);
      trust.setCertificateEntry("ca", ca);
      TrustManagerFactory trustManagers =
          TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      trustManagers.init(trust);
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(null, trustManagers.getTrustManagers(), RANDOM);
      return context;
    } catch (GeneralSecurityException | IOException e) {
      throw new IllegalStateException("cannot make a client TLS context", e);
    }
  }

  public String caCertificatePem() {
    StringWriter text = new StringWriter();
    try (JcaPEMWriter writer = new JcaPEMWriter(text)) {
      writer.writeObject(ca);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    return text.toString();
  }

  private static X509v3CertificateBuilder certificate(X500Name issuer, X500Name subject,
      KeyPair keys) {
    Instant now = Instant.now();
    return new JcaX509v3CertificateBuilder(issuer, new BigInteger(64, RANDOM).abs().add(BigInteger.ONE),
        Date.from(now.minus(Duration.ofHours(1))), Date.from(now.plus(Duration.ofDays(2))), subject,
        keys.getPublic());
  }

  private static X509Certificate signed(X509v3CertificateBuilder builder, KeyPair issuer)
      throws OperatorCreationException, GeneralSecurityException {
    return new JcaX509CertificateConverter()
        .getCertificate(builder.build(new JcaContentSignerBuilder("SHA256withECDSA")
            .build(issuer.getPrivate())));
  }

  private static KeyPair ecKeyPair() throws GeneralSecurityException {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
    generator.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
    return generator.generateKeyPair();
  }
}
