package io.fle4j.kms.kmip;

import io.fle4j.ConfigurationException;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1Null;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.sec.ECPrivateKey;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.x9.X9ObjectIdentifiers;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.openssl.PEMEncryptedKeyPair;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.openssl.jcajce.JceOpenSSLPKCS8DecryptorProviderBuilder;
import org.bouncycastle.openssl.jcajce.JcePEMDecryptorProviderBuilder;
import org.bouncycastle.operator.InputDecryptorProvider;
import org.bouncycastle.pkcs.PKCS8EncryptedPrivateKeyInfo;

/**
 * Builds an {@link SSLContext} from PEM files, as KMIP servers' administrators hand them out: a
 * client certificate (chain), its private key (PKCS#8, PKCS#1 RSA or SEC1 EC, optionally
 * encrypted) and the CA certificates to trust. A certificate and its key may share one file.
 * Errors name the file and the problem, never a key's content.
 */
final class PemTls {
  /**
   * Bouncy Castle as an object, not registered globally: it decrypts encrypted keys and reads key
   * types the JDK does not know.
   */
  private static final BouncyCastleProvider BC = new BouncyCastleProvider();

  private PemTls() {}

  /**
   * The TLS context for a KMIP client.
   *
   * @param clientChain the client certificate first, then its issuers; empty for no client
   *     certificate
   * @param clientKey the client certificate's key, or {@code null} with an empty chain
   * @param trusted the CA certificates to trust, or {@code null} for the JDK's default trust store
   */
  static SSLContext sslContext(List<X509Certificate> clientChain, PrivateKey clientKey,
      List<X509Certificate> trusted) {
    try {
      KeyManager[] keyManagers = null;
      if (clientKey != null) {
        char[] password = randomPassword();
        KeyStore keys = KeyStore.getInstance("PKCS12");
        keys.load(null, null);
        keys.setKeyEntry("kmip-client", clientKey, password,
            clientChain.toArray(X509Certificate[]::new));
        KeyManagerFactory kmf =
            KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(keys, password);
        Arrays.fill(password, '\0');
        keyManagers = kmf.getKeyManagers();
      }
      TrustManagerFactory tmf =
          TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      if (trusted == null) {
        tmf.init((KeyStore) null);
      } else {
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        for (int i = 0; i < trusted.size(); i++) {
          trust.setCertificateEntry("kmip-ca-" + i, trusted.get(i));
        }
        tmf.init(trust);
      }
      TrustManager[] trustManagers = tmf.getTrustManagers();
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(keyManagers, trustManagers, new SecureRandom());
      return context;
    } catch (GeneralSecurityException | IOException e) {
      throw new ConfigurationException("tls", "cannot build the TLS context: " + e.getMessage(), e);
    }
  }

  /**
   * Every certificate in a PEM file (other blocks, such as a private key, are skipped).
   *
   * @throws ConfigurationException when the file cannot be read or holds no certificate
   */
  static List<X509Certificate> readCertificates(Path file, String field) {
    List<X509Certificate> certificates = new ArrayList<>();
    JcaX509CertificateConverter converter = new JcaX509CertificateConverter();
    try (Reader reader = Files.newBufferedReader(file, StandardCharsets.US_ASCII);
        PEMParser parser = new PEMParser(reader)) {
      Object block;
      while ((block = parser.readObject()) != null) {
        if (block instanceof X509CertificateHolder holder) {
          certificates.add(converter.getCertificate(holder));
        }
      }
    } catch (IOException | GeneralSecurityException | RuntimeException e) {
      throw new ConfigurationException(field, "cannot read certificates from " + file + ": "
          + e.getClass().getSimpleName() + (e.getMessage() == null ? "" : " " + e.getMessage()));
    }
    if (certificates.isEmpty()) {
      throw new ConfigurationException(field, file + " holds no PEM certificate"
          + " (-----BEGIN CERTIFICATE-----)");
    }
    return certificates;
  }

  /**
   * The first private key in a PEM file.
   *
   * @param password for an encrypted key, else {@code null}
   * @throws ConfigurationException when the file cannot be read, holds no key, or the key is
   *     encrypted and no (or a wrong) password was given
   */
  static PrivateKey readPrivateKey(Path file, char[] password, String field) {
    try (Reader reader = Files.newBufferedReader(file, StandardCharsets.US_ASCII);
        PEMParser parser = new PEMParser(reader)) {
      Object block;
      while ((block = parser.readObject()) != null) {
        if (block instanceof PrivateKeyInfo info) {
          return jdkKey(info);
        }
        if (block instanceof PEMKeyPair pair) {
          return jdkKey(pair.getPrivateKeyInfo());
        }
        if (block instanceof PKCS8EncryptedPrivateKeyInfo encrypted) {
          requirePassword(password, field, file);
          InputDecryptorProvider decryptor =
              new JceOpenSSLPKCS8DecryptorProviderBuilder().setProvider(BC).build(password);
          return jdkKey(encrypted.decryptPrivateKeyInfo(decryptor));
        }
        if (block instanceof PEMEncryptedKeyPair encrypted) {
          requirePassword(password, field, file);
          return jdkKey(encrypted.decryptKeyPair(
              new JcePEMDecryptorProviderBuilder().setProvider(BC).build(password))
              .getPrivateKeyInfo());
        }
      }
    } catch (ConfigurationException e) {
      throw e;
    } catch (Exception e) {
      // Messages of PEM and crypto libraries never quote key bytes, but keep them short anyway.
      throw new ConfigurationException(field, "cannot read the private key in " + file + ": "
          + e.getClass().getSimpleName()
          + " (a wrong clientKeyPassword, or not a PEM private key)", e);
    }
    throw new ConfigurationException(field, file + " holds no PEM private key (-----BEGIN"
        + " PRIVATE KEY-----, RSA PRIVATE KEY, EC PRIVATE KEY or ENCRYPTED PRIVATE KEY)");
  }

  /**
   * The key as the JDK's own key factories make it (JSSE knows those best); Bouncy Castle for a
   * key type the JDK does not know.
   */
  private static PrivateKey jdkKey(PrivateKeyInfo info)
      throws IOException, GeneralSecurityException {
    String oid = info.getPrivateKeyAlgorithm().getAlgorithm().getId();
    String algorithm = switch (oid) {
      case "1.2.840.113549.1.1.1" -> "RSA";
      case "1.2.840.113549.1.1.10" -> "RSASSA-PSS";
      case "1.2.840.10045.2.1" -> "EC";
      case "1.3.101.112" -> "Ed25519";
      case "1.3.101.113" -> "Ed448";
      default -> null;
    };
    if (algorithm == null) {
      return new JcaPEMKeyConverter().setProvider(BC).getPrivateKey(info);
    }
    ASN1Encodable outer = info.getPrivateKeyAlgorithm().getParameters();
    if (algorithm.equals("EC") && (outer == null || outer instanceof ASN1Null)) {
      // SEC1 ("EC PRIVATE KEY") keeps the curve inside the key; the JDK wants it outside.
      ASN1Encodable curve = ECPrivateKey.getInstance(info.parsePrivateKey()).getParametersObject();
      if (curve != null) {
        info = new PrivateKeyInfo(
            new AlgorithmIdentifier(X9ObjectIdentifiers.id_ecPublicKey, curve),
            info.parsePrivateKey());
      }
    }
    byte[] encoded = info.getEncoded();
    try {
      return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(encoded));
    } finally {
      Arrays.fill(encoded, (byte) 0);
    }
  }

  /**
   * Checks that {@code key} belongs to {@code certificate} by signing with one and verifying with
   * the other, so a mismatch fails at start-up instead of as a baffling handshake alert.
   */
  static void checkKeyMatches(PrivateKey key, X509Certificate certificate, String field) {
    String algorithm = switch (key.getAlgorithm()) {
      case "RSA" -> "SHA256withRSA";
      case "EC" -> "SHA256withECDSA";
      case "Ed25519", "Ed448", "EdDSA" -> "EdDSA";
      default -> null;
    };
    if (algorithm == null) {
      return; // no cheap check for this key type; the handshake will tell
    }
    byte[] probe = new byte[32];
    new SecureRandom().nextBytes(probe);
    try {
      Signature signer = Signature.getInstance(algorithm);
      signer.initSign(key);
      signer.update(probe);
      byte[] signature = signer.sign();
      Signature verifier = Signature.getInstance(algorithm);
      verifier.initVerify(certificate.getPublicKey());
      verifier.update(probe);
      if (verifier.verify(signature)) {
        return;
      }
    } catch (GeneralSecurityException e) {
      // a key of another type than the certificate's: reported below
    }
    throw new ConfigurationException(field, "the private key does not belong to the client"
        + " certificate " + certificate.getSubjectX500Principal().getName());
  }

  private static void requirePassword(char[] password, String field, Path file) {
    if (password == null) {
      throw new ConfigurationException(field, "the private key in " + file
          + " is encrypted; give its password with clientKeyPassword");
    }
  }

  private static char[] randomPassword() {
    SecureRandom random = new SecureRandom();
    char[] password = new char[24];
    for (int i = 0; i < password.length; i++) {
      password[i] = (char) ('a' + random.nextInt(26));
    }
    return password;
  }
}
