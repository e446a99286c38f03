package io.fle4j.kms.kmip;

import io.fle4j.ConfigurationException;
import io.fle4j.kms.Fle1KeyWrap;
import io.fle4j.kms.KmsProvider;
import io.fle4j.kms.KmsProviderException;
import io.fle4j.kms.KmsProviderName;
import io.fle4j.kms.SecretBytes;
import java.nio.file.Path;
import java.security.NoSuchAlgorithmException;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import javax.crypto.AEADBadTagException;
import javax.net.ssl.SSLContext;
import org.bson.BsonBoolean;
import org.bson.BsonDocument;
import org.bson.BsonString;
import org.bson.BsonValue;

/**
 * The {@code kmip} KMS provider: data keys are protected by a key held on a KMIP 1.x server,
 * reached over mutual TLS, exactly as libmongocrypt does it (formats.md §2.3, §4.5), so keys move
 * freely between fle4j and the official drivers.
 *
 * <p><b>Default mode</b> ({@code masterKey: {}} or {@code {keyId}}): the server holds a 96-byte
 * SecretData. A new key is Registered and Activated; wrapping and unwrapping Get it and use it
 * locally with the same AEAD as the {@code local} provider (160-byte keyMaterial).
 *
 * <p><b>Delegated mode</b> ({@code masterKey: {delegated: true}}): the server holds an AES-256
 * key that never leaves it. A new key is Created and Activated; the server Encrypts and Decrypts
 * with AES-CBC, and keyMaterial is the 16-byte IV followed by the ciphertext.
 *
 * <p>The stored master key is {@code {provider, endpoint?, delegated?, keyId}}: {@code endpoint}
 * only when given (else the provider's endpoint is used), {@code delegated} only when true.
 *
 * <pre>{@code
 * KmsProvider kmip = KmipKmsProvider.builder()
 *     .endpoint("kmip.example.com:5696")
 *     .clientCertificatePem(Path.of("client.pem"))
 *     .clientKeyPem(Path.of("client.key"))
 *     .trustedCaPem(Path.of("ca.pem"))
 *     .build();
 * }</pre>
 *
 * <p>Thread-safe. Close it to close its pooled connections.
 */
public final class KmipKmsProvider implements KmsProvider {
  /** Size of the SecretData registered in default mode. */
  public static final int SECRET_DATA_LENGTH = Fle1KeyWrap.KEY_LENGTH;
  private static final Set<String> MASTER_KEY_FIELDS =
      Set.of("provider", "keyId", "endpoint", "delegated");
  private static final int AES_BLOCK = 16;

  private final KmsProviderName name;
  private final KmipEndpoint endpoint;
  private final KmipClient client;
  private final String tlsSource;
  private final SecureRandom random;

  private KmipKmsProvider(KmsProviderName name, KmipEndpoint endpoint, KmipTransport transport,
      String tlsSource) {
    this.name = name;
    this.endpoint = endpoint;
    this.client = new KmipClient(name, transport);
    this.tlsSource = tlsSource;
    this.random = new SecureRandom();
  }

  /** A provider over a given transport. For tests. */
  static KmipKmsProvider withTransport(String name, String endpoint, KmipTransport transport) {
    return new KmipKmsProvider(KmsProviderName.parse(name),
        KmipEndpoint.parse(endpoint, "endpoint"), transport, "test transport");
  }

  /** A builder; {@link Builder#endpoint(String)} is required. */
  public static Builder builder() {
    return new Builder();
  }

  @Override
  public KmsProviderName name() {
    return name;
  }

  /**
   * Validates the master key options and, when they hold no {@code keyId}, makes a new key on
   * the server: Register and Activate a 96-byte SecretData, or in delegated mode Create and
   * Activate an AES-256 key. Returns {@code {provider, endpoint?, delegated?, keyId}}, in the
   * order libmongocrypt writes it.
   *
   * @throws ConfigurationException for an unknown field or a field of the wrong type
   * @throws KmsProviderException when the server cannot make the key
   */
  @Override
  public BsonDocument masterKey(BsonDocument options) {
    MasterKey requested = MasterKey.parse(options, name);
    String keyId = requested.keyId;
    if (keyId == null) {
      KmipEndpoint target = requested.endpointOr(endpoint);
      keyId = requested.delegated ? newServerKey(target) : newSecretData(target);
    }
    BsonDocument stored = new BsonDocument("provider", new BsonString(name.toString()));
    if (requested.endpoint != null) {
      stored.append("endpoint", new BsonString(requested.endpoint.hostAndPort()));
    }
    if (requested.delegated) {
      stored.append("delegated", BsonBoolean.TRUE);
    }
    return stored.append("keyId", new BsonString(keyId));
  }

  private String newSecretData(KmipEndpoint target) {
    byte[] secret = new byte[SECRET_DATA_LENGTH];
    random.nextBytes(secret);
    try {
      String keyId = client.register(target, secret);
      client.activate(target, keyId);
      return keyId;
    } finally {
      Arrays.fill(secret, (byte) 0);
    }
  }

  private String newServerKey(KmipEndpoint target) {
    String keyId = client.create(target);
    client.activate(target, keyId);
    return keyId;
  }

  /**
   * Wraps a data key: Get the SecretData and wrap locally, or in delegated mode Encrypt on the
   * server.
   */
  @Override
  public byte[] encryptDataKey(BsonDocument masterKey, byte[] dataKey) {
    MasterKey key = MasterKey.parseStored(masterKey, name);
    KmipEndpoint target = key.endpointOr(endpoint);
    if (key.delegated) {
      return client.encrypt(target, key.keyId, dataKey);
    }
    SecretBytes kek = getKek(target, key.keyId);
    try {
      return Fle1KeyWrap.wrap(kek, dataKey);
    } finally {
      kek.destroy();
    }
  }

  /**
   * Unwraps a data key: Get the SecretData and unwrap locally, or in delegated mode Decrypt on
   * the server with the IV stored in front of the ciphertext.
   */
  @Override
  public byte[] decryptDataKey(BsonDocument masterKey, byte[] keyMaterial) {
    MasterKey key = MasterKey.parseStored(masterKey, name);
    KmipEndpoint target = key.endpointOr(endpoint);
    if (key.delegated) {
      int dataLength = keyMaterial.length - AES_BLOCK;
      if (dataLength < AES_BLOCK || dataLength % AES_BLOCK != 0) {
        throw new KmsProviderException(name, false, "keyMaterial of a delegated KMIP key must be"
            + " a 16-byte IV followed by AES-CBC blocks, got " + keyMaterial.length + " bytes"
            + " (key '" + key.keyId + "' at " + target + ")");
      }
      byte[] iv = Arrays.copyOfRange(keyMaterial, 0, AES_BLOCK);
      byte[] data = Arrays.copyOfRange(keyMaterial, AES_BLOCK, keyMaterial.length);
      return client.decrypt(target, key.keyId, iv, data);
    }
    SecretBytes kek = getKek(target, key.keyId);
    try {
      return Fle1KeyWrap.unwrap(kek, keyMaterial);
    } catch (AEADBadTagException e) {
      throw new KmsProviderException(name, false, "the KMIP SecretData '" + key.keyId + "' at "
          + target + " cannot unwrap this data key (" + e.getMessage() + "): it was wrapped"
          + " under another KMIP object, or its keyMaterial was altered");
    } finally {
      kek.destroy();
    }
  }

  /**
   * Retires the KMIP object a master key names: Revoke (cessation of operation), then Destroy.
   * For operators, once no data key is wrapped under it any more; whatever it wrapped becomes
   * unreadable for good. An object that was never activated is destroyed without the revoke.
   *
   * @param masterKey a key document's {@code masterKey} ({@code keyId}, optional {@code
   *     endpoint})
   * @throws KmipKeyNotFoundException when the server has no such object (already destroyed)
   */
  public void destroyObject(BsonDocument masterKey) {
    MasterKey key = MasterKey.parseStored(masterKey, name);
    KmipEndpoint target = key.endpointOr(endpoint);
    try {
      client.revoke(target, key.keyId);
    } catch (KmipKeyStateException e) {
      // Pre-Active or already Deactivated: nothing to revoke, Destroy decides.
    }
    client.destroy(target, key.keyId);
  }

  private SecretBytes getKek(KmipEndpoint target, String keyId) {
    SecretBytes secret = client.getSecretData(target, keyId);
    if (secret.length() != SECRET_DATA_LENGTH) {
      int length = secret.length();
      secret.destroy();
      throw new KmsProviderException(name, false, "KMIP SecretData '" + keyId + "' at " + target
          + " is " + length + " bytes; a key-encryption key is " + SECRET_DATA_LENGTH + " bytes");
    }
    return secret;
  }

  /** Closes the pooled connections. */
  @Override
  public void close() {
    client.close();
  }

  @Override
  public String toString() {
    return "KmipKmsProvider{name=" + name + ", endpoint=" + endpoint + ", tls=" + tlsSource + "}";
  }

  /** A master key document, read leniently as options or strictly as stored. */
  private static final class MasterKey {
    final KmipEndpoint endpoint;
    final String keyId;
    final boolean delegated;

    private MasterKey(KmipEndpoint endpoint, String keyId, boolean delegated) {
      this.endpoint = endpoint;
      this.keyId = keyId;
      this.delegated = delegated;
    }

    KmipEndpoint endpointOr(KmipEndpoint fallback) {
      return endpoint != null ? endpoint : fallback;
    }

    static MasterKey parseStored(BsonDocument document, KmsProviderName name) {
      MasterKey key = parse(document, name);
      if (key.keyId == null) {
        throw new ConfigurationException("masterKey.keyId",
            "is required in a stored KMIP master key");
      }
      return key;
    }

    static MasterKey parse(BsonDocument document, KmsProviderName name) {
      for (String field : document.keySet()) {
        if (!MASTER_KEY_FIELDS.contains(field)) {
          throw new ConfigurationException("masterKey." + field, "unexpected field; a '"
              + name.type() + "' master key takes provider, keyId, endpoint and delegated");
        }
      }
      BsonValue provider = document.get("provider");
      if (provider != null && !provider.equals(new BsonString(name.toString()))) {
        throw new ConfigurationException("masterKey.provider", "is " + provider
            + " but the KMS provider is '" + name + "'");
      }
      String keyId = string(document, "keyId");
      if (keyId != null && keyId.isEmpty()) {
        throw new ConfigurationException("masterKey.keyId", "must not be empty");
      }
      String endpointText = string(document, "endpoint");
      KmipEndpoint endpoint =
          endpointText == null ? null : KmipEndpoint.parse(endpointText, "masterKey.endpoint");
      BsonValue delegated = document.get("delegated");
      if (delegated != null && !delegated.isBoolean()) {
        throw new ConfigurationException("masterKey.delegated",
            "must be a boolean, got " + delegated.getBsonType());
      }
      return new MasterKey(endpoint, keyId,
          delegated != null && delegated.asBoolean().getValue());
    }

    private static String string(BsonDocument document, String field) {
      BsonValue value = document.get(field);
      if (value == null) {
        return null;
      }
      if (!value.isString()) {
        throw new ConfigurationException("masterKey." + field,
            "must be a string, got " + value.getBsonType());
      }
      return value.asString().getValue();
    }
  }

  /**
   * Builder for {@link KmipKmsProvider}. The TLS context comes from exactly one of: {@link
   * #sslContext(SSLContext)}; PEM files ({@link #clientCertificatePem(Path)}, {@link
   * #clientKeyPem(Path)}, {@link #trustedCaPem(Path)}); or, with neither, the JDK's default
   * context (its {@code javax.net.ssl.*} system properties).
   */
  public static final class Builder {
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

    private Builder() {}

    /** {@code kmip} (the default) or a named one such as {@code kmip:backup}. */
    public Builder name(String name) {
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
    public Builder endpoint(String endpoint) {
      this.endpoint = Objects.requireNonNull(endpoint, "endpoint");
      return this;
    }

    /**
     * The TLS context: its key manager presents the client certificate, its trust manager checks
     * the server's. Exclusive with the PEM options.
     */
    public Builder sslContext(SSLContext sslContext) {
      this.sslContext = Objects.requireNonNull(sslContext, "sslContext");
      return this;
    }

    /** A PEM file holding the client certificate (then any intermediate CAs). */
    public Builder clientCertificatePem(Path file) {
      this.clientCertificatePem = Objects.requireNonNull(file, "file");
      return this;
    }

    /**
     * A PEM file holding the client certificate's private key: PKCS#8, PKCS#1 (RSA) or SEC1
     * (EC), plain or encrypted. May be the same file as the certificate.
     */
    public Builder clientKeyPem(Path file) {
      this.clientKeyPem = Objects.requireNonNull(file, "file");
      return this;
    }

    /** The password of an encrypted {@link #clientKeyPem(Path)}; copied, and wiped by build. */
    public Builder clientKeyPassword(char[] password) {
      this.clientKeyPassword = Objects.requireNonNull(password, "password").clone();
      return this;
    }

    /** A PEM file of CA certificates to trust instead of the JDK's default trust store. */
    public Builder trustedCaPem(Path file) {
      this.trustedCaPem = Objects.requireNonNull(file, "file");
      return this;
    }

    /** Time allowed for the TCP connection and the TLS handshake; 10 s by default. */
    public Builder connectTimeout(Duration timeout) {
      this.connectTimeout = positive(timeout, "connectTimeout");
      return this;
    }

    /** Time allowed for the server to answer a request; 30 s by default. */
    public Builder readTimeout(Duration timeout) {
      this.readTimeout = positive(timeout, "readTimeout");
      return this;
    }

    /**
     * Connection attempts per call, 1 to 10 (3 by default). Only opening a connection is
     * retried, never a request the server may have processed.
     */
    public Builder maxConnectAttempts(int attempts) {
      if (attempts < 1 || attempts > 10) {
        throw new ConfigurationException("maxConnectAttempts",
            "must be from 1 to 10, got " + attempts);
      }
      this.maxConnectAttempts = attempts;
      return this;
    }

    /** The first pause between connection attempts, doubled each time; 100 ms by default. */
    public Builder retryBackoff(Duration backoff) {
      Objects.requireNonNull(backoff, "retryBackoff");
      if (backoff.isNegative() || backoff.toMillis() > 10_000) {
        throw new ConfigurationException("retryBackoff", "must be from 0 to 10 s, got " + backoff);
      }
      this.retryBackoff = backoff;
      return this;
    }

    /** Idle connections kept per server, 0 to 64 (4 by default); 0 opens one per call. */
    public Builder maxIdleConnections(int connections) {
      if (connections < 0 || connections > 64) {
        throw new ConfigurationException("maxIdleConnections",
            "must be from 0 to 64, got " + connections);
      }
      this.maxIdleConnections = connections;
      return this;
    }

    /** How long an unused connection is kept before it is closed; 60 s by default. */
    public Builder maxIdleTime(Duration time) {
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
}
