package io.fle4j.cli;

import io.fle4j.ConfigurationException;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bson.BsonDocument;

/**
 * Builds the TLS context of a KMS provider from PEM files named in the configuration's {@code
 * tls} section: {@code caFile} (trusted certificates) and {@code certificateKeyFile} (the client
 * certificate and its private key, PKCS#1 or PKCS#8, as KMIP servers require).
 */
final class TlsContexts {
  private TlsContexts() {}

  /** A private key readable by other users is refused, as a master key in the configuration is. */
  private static void requirePrivate(Path file, String where) throws java.io.IOException {
    if (!java.nio.file.Files.exists(file)
        || !file.getFileSystem().supportedFileAttributeViews().contains("posix")) {
      return;
    }
    var permissions = java.nio.file.Files.getPosixFilePermissions(file);
    if (permissions.stream().anyMatch(p -> p.name().startsWith("GROUP")
        || p.name().startsWith("OTHERS"))) {
      throw new ConfigurationException(where, file + " holds a private key and can be read by"
          + " other users (mode " + java.nio.file.attribute.PosixFilePermissions.toString(permissions)
          + "). Make it private with: chmod 600 " + file);
    }
  }

  static SSLContext fromConfig(String provider, BsonDocument tls, Path baseDir) {
    String where = "tls." + provider;
    try {
      KeyStore trust = null;
      if (tls.containsKey("caFile")) {
        trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        int i = 0;
        for (Object item : pemObjects(baseDir.resolve(tls.getString("caFile").getValue()))) {
          if (item instanceof X509CertificateHolder holder) {
            trust.setCertificateEntry("ca" + i++, certificate(holder));
          }
        }
        if (i == 0) {
          throw new ConfigurationException(where + ".caFile", "holds no certificate");
        }
      }
      KeyStore keys = null;
      char[] password = new char[0];
      if (tls.containsKey("certificateKeyFile")) {
        List<X509Certificate> chain = new ArrayList<>();
        PrivateKey key = null;
        JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
        Path keyFile = baseDir.resolve(tls.getString("certificateKeyFile").getValue());
        requirePrivate(keyFile, where + ".certificateKeyFile");
        for (Object item : pemObjects(keyFile)) {
          if (item instanceof X509CertificateHolder holder) {
            chain.add(certificate(holder));
          } else if (item instanceof PEMKeyPair pair) {
            key = converter.getKeyPair(pair).getPrivate();
          } else if (item instanceof PrivateKeyInfo info) {
            key = converter.getPrivateKey(info);
          }
        }
        if (key == null || chain.isEmpty()) {
          throw new ConfigurationException(where + ".certificateKeyFile",
              "must hold a certificate and its unencrypted private key");
        }
        keys = KeyStore.getInstance("PKCS12");
        keys.load(null, null);
        keys.setKeyEntry("client", key, password, chain.toArray(new X509Certificate[0]));
      }
      TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(trust);
      KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      kmf.init(keys, password);
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(keys == null ? null : kmf.getKeyManagers(), tmf.getTrustManagers(), null);
      return context;
    } catch (IOException | GeneralSecurityException e) {
      throw new ConfigurationException(where, "cannot build a TLS context: " + e.getMessage());
    }
  }

  private static List<Object> pemObjects(Path file) throws IOException {
    List<Object> objects = new ArrayList<>();
    try (Reader reader = Files.newBufferedReader(file); PEMParser parser = new PEMParser(reader)) {
      for (Object item = parser.readObject(); item != null; item = parser.readObject()) {
        objects.add(item);
      }
    }
    return objects;
  }

  private static X509Certificate certificate(X509CertificateHolder holder) throws GeneralSecurityException {
    return new JcaX509CertificateConverter().getCertificate(holder);
  }
}
