package io.fle4j.kms.gcp;

import com.google.auth.http.HttpTransportFactory;
import com.google.auth.oauth2.GoogleCredentials;
import io.fle4j.ConfigurationException;
import io.fle4j.kms.KmsFailures;
import io.fle4j.kms.RemoteKmsProviderBuilder;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.interfaces.RSAPrivateKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Arrays;
import java.util.Base64;
import java.util.Objects;
import javax.net.ssl.SSLContext;

/** Builder for {@link GcpKmsProvider}. Not thread-safe; {@link #build()} copies it. */
public final class GcpKmsProviderBuilder extends RemoteKmsProviderBuilder<GcpKmsProviderBuilder> {
  /** Where tokens come from. */
  enum Source { DEFAULT_CREDENTIALS, SERVICE_ACCOUNT, ACCESS_TOKEN, CREDENTIALS }

  Source source = Source.DEFAULT_CREDENTIALS;
  String email;
  RSAPrivateKey privateKey;
  String tokenEndpoint = GcpKmsProvider.DEFAULT_TOKEN_ENDPOINT;
  String accessToken;
  GoogleCredentials credentials;
  SSLContext sslContext;
  HttpTransportFactory transportFactory;
  GcpKmsProvider.Exchange exchange;

  GcpKmsProviderBuilder() {
    super("gcp");
  }

  @Override
  protected GcpKmsProviderBuilder self() {
    return this;
  }

  GcpKmsProviderBuilder copy() {
    GcpKmsProviderBuilder copy = copyTo(new GcpKmsProviderBuilder());
    copy.source = source;
    copy.email = email;
    copy.privateKey = privateKey;
    copy.tokenEndpoint = tokenEndpoint;
    copy.accessToken = accessToken;
    copy.credentials = credentials;
    copy.sslContext = sslContext;
    copy.transportFactory = transportFactory;
    copy.exchange = exchange;
    return copy;
  }

  /**
   * A service account (the {@code kmsProviders.gcp} fields {@code email} and {@code
   * privateKey}).
   *
   * @param email the service account's email
   * @param privateKey its PKCS#8 RSA private key, PEM or base64 of the DER bytes
   * @return this builder
   * @throws ConfigurationException when the key does not parse (the message never holds it)
   */
  public GcpKmsProviderBuilder serviceAccount(String email, String privateKey) {
    return serviceAccount(email, parsePrivateKey(privateKey, "privateKey"));
  }

  /**
   * A service account with a key already read.
   *
   * @param email the service account's email
   * @param privateKey its RSA private key
   * @return this builder
   */
  public GcpKmsProviderBuilder serviceAccount(String email, PrivateKey privateKey) {
    if (email == null || email.isEmpty()) {
      throw new ConfigurationException("email", "must be a non-empty string");
    }
    if (!(privateKey instanceof RSAPrivateKey rsa)) {
      throw new ConfigurationException("privateKey", "must be an RSA private key");
    }
    this.email = email;
    this.privateKey = rsa;
    this.source = Source.SERVICE_ACCOUNT;
    return this;
  }

  /**
   * Where service-account tokens are asked for: {@code https://<endpoint>/token} ({@value
   * GcpKmsProvider#DEFAULT_TOKEN_ENDPOINT} by default); the {@code kmsProviders.gcp.endpoint} field.
   *
   * @param endpoint {@code host[:port]}, optionally with {@code https://}
   * @return this builder
   */
  public GcpKmsProviderBuilder tokenEndpoint(String endpoint) {
    if (endpoint == null || endpoint.isEmpty()) {
      throw new ConfigurationException("endpoint", "must be a non-empty string");
    }
    this.tokenEndpoint = GcpMasterKey.endpoint(endpoint, "endpoint").authority();
    return this;
  }

  /**
   * A fixed access token obtained elsewhere (the {@code kmsProviders.gcp.accessToken} field),
   * used until Cloud KMS refuses it.
   *
   * @param token an OAuth2 access token with a Cloud KMS scope
   * @return this builder
   */
  public GcpKmsProviderBuilder accessToken(String token) {
    if (token == null || token.isEmpty()) {
      throw new ConfigurationException("accessToken", "must be a non-empty string");
    }
    this.accessToken = token;
    this.source = Source.ACCESS_TOKEN;
    return this;
  }

  /**
   * Any google-auth-library credentials (service account, user, impersonated, external
   * account...); scoped to Cloud KMS when they need scopes.
   *
   * @param credentials the credentials
   * @return this builder
   */
  public GcpKmsProviderBuilder credentials(GoogleCredentials credentials) {
    this.credentials = Objects.requireNonNull(credentials, "credentials");
    this.source = Source.CREDENTIALS;
    return this;
  }

  /**
   * Application Default Credentials (the default), looked up on first use:
   * {@code GOOGLE_APPLICATION_CREDENTIALS}, the gcloud well-known file, then the metadata
   * server.
   *
   * @return this builder
   */
  public GcpKmsProviderBuilder defaultCredentials() {
    this.credentials = null;
    this.source = Source.DEFAULT_CREDENTIALS;
    return this;
  }

  /**
   * The TLS context for Cloud KMS and a service account's token endpoint, such as one from
   * {@code kmsProviderSslContextMap}; the JDK's default trust otherwise.
   *
   * @param sslContext the context
   * @return this builder
   */
  public GcpKmsProviderBuilder sslContext(SSLContext sslContext) {
    this.sslContext = Objects.requireNonNull(sslContext, "sslContext");
    return this;
  }

  /**
   * The google-http-client transport for token requests (service account exchange, Application
   * Default Credentials, metadata server), instead of the default one.
   *
   * @param factory a transport factory
   * @return this builder
   */
  public GcpKmsProviderBuilder httpTransportFactory(HttpTransportFactory factory) {
    this.transportFactory = Objects.requireNonNull(factory, "factory");
    return this;
  }

  /**
   * Builds the provider. No request is made, and Application Default Credentials are not looked
   * up, until the first encrypt or decrypt.
   *
   * @return a new provider
   */
  public GcpKmsProvider build() {
    return new GcpKmsProvider(this);
  }

  /** Sends Cloud KMS requests through {@code exchange} instead of the network. For tests. */
  GcpKmsProviderBuilder exchange(GcpKmsProvider.Exchange exchange) {
    this.exchange = Objects.requireNonNull(exchange, "exchange");
    return this;
  }

  String describeSource() {
    switch (source) {
      case SERVICE_ACCOUNT:
        return "service account " + email + " via " + tokenEndpoint;
      case ACCESS_TOKEN:
        return "access token (redacted)";
      case CREDENTIALS:
        return "credentials " + credentials.getClass().getSimpleName();
      default:
        return "Application Default Credentials";
    }
  }

  KmsFailures.Redactor redactor() {
    return KmsFailures.redactor(accessToken);
  }

  /**
   * Reads a PKCS#8 RSA private key given as PEM ({@code -----BEGIN PRIVATE KEY-----}) or as
   * base64 of the DER bytes, as in {@code kmsProviders.gcp.privateKey} and service account key
   * files.
   *
   * @throws ConfigurationException naming {@code field}, never repeating the key
   */
  static RSAPrivateKey parsePrivateKey(String text, String field) {
    if (text == null || text.isBlank()) {
      throw new ConfigurationException(field, "must be a non-empty PKCS#8 RSA private key");
    }
    String body = text.strip();
    if (body.contains("BEGIN RSA PRIVATE KEY")) {
      throw new ConfigurationException(field, "is a PKCS#1 key ('BEGIN RSA PRIVATE KEY'); give it"
          + " as PKCS#8 ('BEGIN PRIVATE KEY'), for example converted with 'openssl pkcs8 -topk8"
          + " -nocrypt'");
    }
    if (body.contains("-----BEGIN")) {
      int start = body.indexOf("-----BEGIN PRIVATE KEY-----");
      int end = body.indexOf("-----END PRIVATE KEY-----");
      if (start < 0 || end < start) {
        throw new ConfigurationException(field, "is PEM but not an unencrypted PKCS#8 private key"
            + " ('-----BEGIN PRIVATE KEY-----')");
      }
      body = body.substring(start + "-----BEGIN PRIVATE KEY-----".length(), end);
    }
    byte[] der;
    try {
      der = Base64.getMimeDecoder().decode(body.replace("\\n", "\n"));
    } catch (IllegalArgumentException e) {
      throw new ConfigurationException(field, "is neither PEM nor base64 of a PKCS#8 private key");
    }
    return parsePrivateKey(der, field);
  }

  /** Reads a PKCS#8 RSA private key from its DER bytes. */
  static RSAPrivateKey parsePrivateKey(byte[] der, String field) {
    try {
      PrivateKey key = KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(der));
      return (RSAPrivateKey) key;
    } catch (GeneralSecurityException | ClassCastException | IllegalArgumentException e) {
      throw new ConfigurationException(field, "is not a PKCS#8 RSA private key (" + der.length
          + " bytes that do not parse as one)");
    } finally {
      Arrays.fill(der, (byte) 0);
    }
  }
}
