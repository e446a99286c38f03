package io.fle4j.kms.kmip;

import io.fle4j.ConfigurationException;
import io.fle4j.kms.KmsProviderName;
import java.nio.file.Path;
import java.security.NoSuchAlgorithmException;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import javax.net.ssl.SSLContext;

/**
 * Builder for {@link KmipKmsProvider}. The TLS context comes from exactly one of: {@link
 * #sslContext(SSLContext)}; PEM files ({@link #clientCertificatePem(Path)}, {@link
 * #clientKeyPem(Path)}, {@link #trustedCaPem(Path)}); or, with neither, the JDK's default
 * context (its {@code javax.net.ssl.*} system properties).
 */
public final class KmipKmsProviderBuilder {
  private KmsProviderName name = KmsProviderName.of("kmip");
  private String endpoint;
  private SSLContext sslContext;
  private Path clientCertificatePem;
  private Path clientKeyPem;
  private char[] clientKeyPassword;
  private Path trustedCaPem;
  private Duration connectTimeout = Duration.ofSeconds(10);
  private Duration readTimeout = Duration.ofSeconds(30);
  private int maxConnectAttempts = 3;
  private Duration retryBackoff = Duration.ofMillis(100);
  private int maxIdleConnections = 4;
  private Duration maxIdleTime = Duration.ofSeconds(60);

  KmipKmsProviderBuilder() {}

  /** {@code kmip} (the default) or a named one such as {@code kmip:backup}. */
  public KmipKmsProviderBuilder name(String name) {
    KmsProviderName parsed;
    try {
      parsed = KmsProviderName.parse(Objects.requireNonNull(name, "name"));
    } catch (IllegalArgumentException e) {
      throw new ConfigurationException("name", e.getMessage());
    }
    if (!parsed.type().equals("kmip")) {
      throw new ConfigurationException("name",
          "a KMIP provider's name is 'kmip' or 'kmip:<name>', got '" + name + "'");
    }
    this.name = parsed;
    return this;
  }

  /**
   * The KMIP server, {@code host[:port]} (port 5696 by default). Required; a key's {@code
   * masterKey.endpoint} overrides it for that key.
   */
  public KmipKmsProviderBuilder endpoint(String endpoint) {
    this.endpoint = Objects.requireNonNull(endpoint, "endpoint");
    return this;
  }

  /**
   * The TLS context: its key manager presents the client certificate, its trust manager checks
   * the server's. Exclusive with the PEM options.
   */
  public KmipKmsProviderBuilder sslContext(SSLContext sslContext) {
    this.sslContext = Objects.requireNonNull(sslContext, "sslContext");
    return this;
  }

  /** A PEM file holding the client certificate (then any intermediate CAs). */
  public KmipKmsProviderBuilder clientCertificatePem(Path file) {
    this.clientCertificatePem = Objects.requireNonNull(file, "file");
    return this;
  }

  /**
   * A PEM file holding the client certificate's private key: PKCS#8, PKCS#1 (RSA) or SEC1
   * (EC), plain or encrypted. May be the same file as the certificate.
   */
  public KmipKmsProviderBuilder clientKeyPem(Path file) {
    this.clientKeyPem = Objects.requireNonNull(file, "file");
    return this;
  }

  /** The password of an encrypted {@link #clientKeyPem(Path)}; copied, and wiped by build. */
  public KmipKmsProviderBuilder clientKeyPassword(char[] password) {
    this.clientKeyPassword = Objects.requireNonNull(password, "password").clone();
    return this;
  }

  /** A PEM file of CA certificates to trust instead of the JDK's default trust store. */
  public KmipKmsProviderBuilder trustedCaPem(Path file) {
    this.trustedCaPem = Objects.requireNonNull(file, "file");
    return this;
  }

  /** Time allowed for the TCP connection and the TLS handshake; 10 s by default. */
  public KmipKmsProviderBuilder connectTimeout(Duration timeout) {
    this.connectTimeout = positive(timeout, "connectTimeout");
    return this;
  }

  /** Time allowed for the server to answer a request; 30 s by default. */
  public KmipKmsProviderBuilder readTimeout(Duration timeout) {
    this.readTimeout = positive(timeout, "readTimeout");
    return this;
  }

  /**
   * Connection attempts per call, 1 to 10 (3 by default). Only opening a connection is
   * retried, never a request the server may have processed.
   */
  public KmipKmsProviderBuilder maxConnectAttempts(int attempts) {
    if (attempts < 1 || attempts > 10) {
      throw new ConfigurationException("maxConnectAttempts",
          "must be from 1 to 10, got " + attempts);
    }
    this.maxConnectAttempts = attempts;
    return this;
  }

  /** The first pause between connection attempts, doubled each time; 100 ms by default. */
  public KmipKmsProviderBuilder retryBackoff(Duration backoff) {
    Objects.requireNonNull(backoff, "retryBackoff");
    if (backoff.isNegative() || backoff.toMillis() > 10_000) {
      throw new ConfigurationException("retryBackoff", "must be from 0 to 10 s, got " + backoff);
    }
    this.retryBackoff = backoff;
    return this;
  }

  /** Idle connections kept per server, 0 to 64 (4 by default); 0 opens one per call. */
  public KmipKmsProviderBuilder maxIdleConnections(int connections) {
    if (connections < 0 || connections > 64) {
      throw new ConfigurationException("maxIdleConnections",
          "must be from 0 to 64, got " + connections);
    }
    this.maxIdleConnections = connections;
    return this;
  }

  /** How long an unused connection is kept before it is closed; 60 s by default. */
  public KmipKmsProviderBuilder maxIdleTime(Duration time) {
    this.maxIdleTime = positive(time, "maxIdleTime");
    return this;
  }

  /**
   * Reads the PEM files, if any, and builds the provider.
   *
   * @throws ConfigurationException when the endpoint is missing or malformed, TLS options
   *     conflict, or a PEM file cannot be used
   */
  public KmipKmsProvider build() {
    try {
      if (endpoint == null) {
        throw new ConfigurationException("endpoint",
            "is required: the KMIP server's host[:port]");
      }
      KmipEndpoint parsed = KmipEndpoint.parse(endpoint, "endpoint");
      boolean pem = clientCertificatePem != null || clientKeyPem != null || trustedCaPem != null;
      if (sslContext != null && pem) {
        throw new ConfigurationException("sslContext",
            "give either an SSLContext or PEM files, not both");
      }
      if ((clientCertificatePem == null) != (clientKeyPem == null)) {
        throw new ConfigurationException(clientKeyPem == null ? "clientKeyPem"
            : "clientCertificatePem", "clientCertificatePem and clientKeyPem go together");
      }
      if (clientKeyPassword != null && clientKeyPem == null) {
        throw new ConfigurationException("clientKeyPassword", "is set but clientKeyPem is not");
      }
      SSLContext context;
      String source;
      if (sslContext != null) {
        context = sslContext;
        source = "sslContext";
      } else if (pem) {
        context = pemContext();
        source = "pem";
      } else {
        context = defaultContext();
        source = "default";
      }
      KmipConnectionPool pool = new KmipConnectionPool(context.getSocketFactory(),
          new KmipConnectionPool.Settings(connectTimeout, readTimeout, maxConnectAttempts,
              retryBackoff, maxIdleConnections, maxIdleTime));
      return new KmipKmsProvider(name, parsed, pool, source);
    } finally {
      if (clientKeyPassword != null) {
        Arrays.fill(clientKeyPassword, '\0');
        clientKeyPassword = null;
      }
    }
  }

  private SSLContext pemContext() {
    List<X509Certificate> chain = List.of();
    PrivateKey key = null;
    if (clientCertificatePem != null) {
      chain = PemTls.readCertificates(clientCertificatePem, "clientCertificatePem");
      key = PemTls.readPrivateKey(clientKeyPem, clientKeyPassword, "clientKeyPem");
      PemTls.checkKeyMatches(key, chain.get(0), "clientKeyPem");
    }
    List<X509Certificate> trusted = trustedCaPem == null
        ? null : PemTls.readCertificates(trustedCaPem, "trustedCaPem");
    return PemTls.sslContext(chain, key, trusted);
  }

  private static SSLContext defaultContext() {
    try {
      return SSLContext.getDefault();
    } catch (NoSuchAlgorithmException e) {
      throw new ConfigurationException("sslContext", "the JDK has no default TLS context", e);
    }
  }

  private static Duration positive(Duration value, String field) {
    Objects.requireNonNull(value, field);
    if (value.isZero() || value.isNegative() || value.toMillis() > Integer.MAX_VALUE) {
      throw new ConfigurationException(field, "must be a positive duration, got " + value);
    }
    return value;
  }
}
