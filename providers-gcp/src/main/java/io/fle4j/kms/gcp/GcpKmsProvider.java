package io.fle4j.kms.gcp;

import com.google.api.client.http.javanet.NetHttpTransport;
import com.google.auth.Retryable;
import com.google.auth.http.HttpTransportFactory;
import com.google.auth.oauth2.AccessToken;
import com.google.auth.oauth2.GoogleCredentials;
import com.google.auth.oauth2.ServiceAccountCredentials;
import io.fle4j.ConfigurationException;
import io.fle4j.kms.KmsAttempts;
import io.fle4j.kms.KmsProvider;
import io.fle4j.kms.JsonReplies;
import io.fle4j.kms.KmsProviderException;
import io.fle4j.kms.KmsProviderName;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.interfaces.RSAPrivateKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.zip.CRC32C;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import org.bson.BsonBoolean;
import org.bson.BsonDocument;
import org.bson.BsonValue;

/**
 * The {@code gcp} KMS provider: data keys are wrapped by Google Cloud KMS {@code encrypt} and
 * unwrapped by {@code decrypt}, over the v1 REST API, exactly as libmongocrypt does, so keys move
 * freely between fle4j and every official driver: {@code keyMaterial} is the raw {@code
 * ciphertext}, the stored {@code masterKey} is {@code {provider, projectId, location, keyRing,
 * keyName, keyVersion?, endpoint?}}, {@code keyVersion} is used for encrypt only (decrypt names
 * the CryptoKey; the ciphertext knows its version), and tokens are asked with the scope {@code
 * https://www.googleapis.com/auth/cloudkms}, or {@code https://www.<endpoint domain>/auth/cloudkms}
 * for a master key with an {@code endpoint} (formats.md §2.2, §4.4).
 *
 * <pre>{@code
 * KmsProvider gcp = GcpKmsProvider.builder()
 *     .name("gcp:prod")                                  // optional; "gcp" by default
 *     .serviceAccount(email, privateKeyPemOrBase64Der)   // or .accessToken(..), .credentials(..)
 *     .build();                                          // or nothing: Application Default Credentials
 * }</pre>
 *
 * <p><b>Integrity.</b> Every request carries the CRC32C of what it sends ({@code
 * plaintextCrc32c}, {@code ciphertextCrc32c}); an encrypt reply must confirm it ({@code
 * verifiedPlaintextCrc32c}), carry a {@code ciphertextCrc32c} that matches the ciphertext, and
 * name a version of the requested CryptoKey (the requested version when {@code keyVersion} is
 * set); a decrypt reply's {@code plaintextCrc32c} must match the plaintext. A checksum mismatch is
 * treated as corruption in transit and retried, as Google advises; a reply about another key is
 * refused.
 *
 * <p><b>Credentials</b> (one of): a service account's email and PKCS#8 RSA private key (base64
 * DER or PEM), exchanged for tokens by google-auth-library's {@code ServiceAccountCredentials}
 * (JWT-bearer grant) at {@code https://<tokenEndpoint>/token} ({@code oauth2.googleapis.com} by
 * default); a fixed access token; any {@link GoogleCredentials}; or, by default, Application
 * Default Credentials ({@code GOOGLE_APPLICATION_CREDENTIALS}, the gcloud well-known file, the
 * metadata server). Tokens are cached per scope until {@code min(tokenRefreshMargin,
 * lifetime/2)} before expiry; a token Cloud KMS refuses with 401 is replaced once.
 *
 * <p><b>Failures.</b> HTTP 408, 429 and 5xx, network errors and corrupted replies are retried (at
 * most {@link Builder#maxAttempts} attempts, exponential backoff with full jitter, honouring
 * {@code Retry-After} up to the backoff's maximum); each attempt and each call has a timeout.
 * 401, 403, 404 and 400 give a {@link KmsProviderException} naming the key and what to check,
 * never a secret or a token.
 *
 * <p>Only the auth library is used: the Cloud KMS client library (gRPC, protobuf, gax) would
 * add tens of megabytes for two small REST calls, made here with {@code java.net.http}.
 *
 * <p>Thread-safe.
 */
public final class GcpKmsProvider implements KmsProvider {
  /** The token endpoint unless configured. */
  public static final String DEFAULT_TOKEN_ENDPOINT = "oauth2.googleapis.com";
  /** Attempts per call unless configured: the first try and two retries, as libmongocrypt. */
  public static final int DEFAULT_MAX_ATTEMPTS = 3;
  /** Base of the exponential backoff unless configured (libmongocrypt's 0.2 s). */
  public static final Duration DEFAULT_RETRY_BASE_DELAY = Duration.ofMillis(200);
  /** Longest wait between attempts unless configured, also the cap on {@code Retry-After}. */
  public static final Duration DEFAULT_RETRY_MAX_DELAY = Duration.ofSeconds(20);
  /** TCP connect timeout unless configured. */
  public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(10);
  /** Limit on waiting for one response unless configured. */
  public static final Duration DEFAULT_ATTEMPT_TIMEOUT = Duration.ofSeconds(30);
  /** Limit on one call, all attempts and waits included, unless configured. */
  public static final Duration DEFAULT_CALL_TIMEOUT = Duration.ofMinutes(2);
  /** How long before expiry a cached token is replaced unless configured. */
  public static final Duration DEFAULT_TOKEN_REFRESH_MARGIN = Duration.ofMinutes(1);

  private final KmsProviderName name;
  private final Builder settings;
  private final Exchange exchange;
  private final HttpTransportFactory tokenTransport;
  private final GcpTokenCache tokens;
  private final Map<String, GoogleCredentials> scoped = new ConcurrentHashMap<>();
  private final List<String> redactions;
  private volatile GoogleCredentials base;

  private GcpKmsProvider(Builder builder) {
    this.settings = builder.copy();
    this.name = builder.name;
    this.redactions = builder.secrets();
    this.exchange = builder.exchange != null ? builder.exchange : javaNetHttp(builder);
    if (builder.transportFactory != null) {
      this.tokenTransport = builder.transportFactory;
    } else if (builder.sslContext != null && builder.source == Source.SERVICE_ACCOUNT) {
      // libmongocrypt uses the provider's TLS options for the token endpoint too.
      NetHttpTransport transport = new NetHttpTransport.Builder()
          .setSslSocketFactory(builder.sslContext.getSocketFactory()).build();
      this.tokenTransport = () -> transport;
    } else {
      this.tokenTransport = null;
    }
    this.base = builder.credentials;
    this.tokens = new GcpTokenCache(this::fetchToken, builder.clock, builder.tokenRefreshMargin);
  }

  /**
   * A builder with the defaults: name {@code gcp}, Application Default Credentials, the JDK's
   * default trust, 3 attempts per call.
   *
   * @return a new builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * A builder holding the settings of {@code existing}, to derive a variant.
   *
   * @param existing a provider
   * @return a new builder
   */
  public static Builder builder(GcpKmsProvider existing) {
    return existing.settings.copy();
  }

  @Override
  public KmsProviderName name() {
    return name;
  }

  /**
   * Validates {@code {projectId, location, keyRing, keyName, keyVersion?, endpoint?}} and returns
   * {@code {provider, projectId, location, keyRing, keyName, keyVersion?, endpoint?}}.
   *
   * @throws ConfigurationException naming the field and the rule
   */
  @Override
  public BsonDocument masterKey(BsonDocument dataKeyOptsMasterKey) {
    return GcpMasterKey.parse(name, dataKeyOptsMasterKey).toDocument(name);
  }

  /** Calls {@code :encrypt}; returns the {@code ciphertext}. */
  @Override
  public byte[] encryptDataKey(BsonDocument masterKey, byte[] dataKey) {
    GcpMasterKey key = GcpMasterKey.parse(name, masterKey);
    String resource = key.keyResource()
        + (key.keyVersion() == null ? "" : "/cryptoKeyVersions/" + key.keyVersion());
    String body = "{\"plaintext\": \"" + Base64.getEncoder().encodeToString(dataKey)
        + "\", \"plaintextCrc32c\": \"" + crc32c(dataKey) + "\"}";
    return call("encrypt", key, resource + ":encrypt", body);
  }

  /** Calls {@code :decrypt} on the CryptoKey; returns the {@code plaintext}. */
  @Override
  public byte[] decryptDataKey(BsonDocument masterKey, byte[] keyMaterial) {
    GcpMasterKey key = GcpMasterKey.parse(name, masterKey);
    String body = "{\"ciphertext\": \"" + Base64.getEncoder().encodeToString(keyMaterial)
        + "\", \"ciphertextCrc32c\": \"" + crc32c(keyMaterial) + "\"}";
    return call("decrypt", key, key.keyResource() + ":decrypt", body);
  }

  @Override
  public String toString() {
    return "GcpKmsProvider{name=" + name + ", credentials=" + settings.describeSource()
        + ", maxAttempts=" + settings.maxAttempts + "}";
  }

  // ----------------------------------------------------------------------------- calls

  private byte[] call(String operation, GcpMasterKey key, String path, String body) {
    Clock clock = settings.clock;
    Instant deadline = clock.instant().plus(settings.callTimeout);
    String scope = key.scope();
    boolean refreshedAfter401 = false;
    int attempt = 0;
    while (true) {
      attempt++;
      Failure failure = null;
      GcpTokenCache.Token token;
      try {
        token = tokens.get(scope);
      } catch (TokenFailure e) {
        failure = e.failure;
        token = null;
      }
      if (token != null) {
        KmsAttempts.sent();
        Object outcome = send(operation, key, token, path, body);
        if (outcome instanceof byte[] result) {
          return result;
        }
        failure = (Failure) outcome;
        if (failure.status == 401 && settings.source != Source.ACCESS_TOKEN && !refreshedAfter401) {
          refreshedAfter401 = true;
          tokens.invalidate(scope, token);
          attempt--;
          continue;
        }
      }
      Duration wait = failure.retryable && attempt < settings.maxAttempts
          ? waitBefore(attempt + 1, failure.retryAfter) : null;
      if (wait == null || clock.instant().plus(wait).isAfter(deadline)) {
        String prefix = "Cloud KMS " + operation + " with " + key.describe() + " failed"
            + (attempt > 1 ? " after " + attempt + " attempts" : "") + ": ";
        throw new KmsProviderException(name, failure.retryable, redact(prefix + failure.message),
            failure.cause);
      }
      sleep(wait);
    }
  }

  /** The real {@link Exchange}: a {@code java.net.http} client with the builder's settings. */
  private static Exchange javaNetHttp(Builder builder) {
    HttpClient.Builder client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(builder.connectTimeout);
    if (builder.sslContext != null) {
      client.sslContext(builder.sslContext);
    }
    HttpClient http = client.build();
    return request -> {
      HttpResponse<byte[]> response = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
      return new Reply(response.statusCode(), response.body(),
          response.headers().firstValue("Retry-After").orElse(null));
    };
  }

  /**
   * One request to Cloud KMS and its reply: {@code java.net.http} unless a test substitutes its
   * own (the fuzz target for replies does).
   */
  interface Exchange {
    Reply send(HttpRequest request) throws IOException, InterruptedException;
  }

  /** What {@link #send} needs of a reply. */
  record Reply(int status, byte[] body, String retryAfter) {}

  /** The result bytes, or a {@link Failure}. */
  private Object send(String operation, GcpMasterKey key, GcpTokenCache.Token token, String path,
      String body) {
    HttpRequest request = HttpRequest.newBuilder(URI.create("https://" + key.kmsHostAndPort()
            + "/v1/" + path))
        .timeout(settings.attemptTimeout)
        .header("Authorization", "Bearer " + token.value)
        .header("Content-Type", "application/json")
        .header("Accept", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.US_ASCII))
        .build();
    Reply response;
    try {
      response = exchange.send(request);
    } catch (IOException e) {
      return networkFailure(e);
    } catch (InterruptedException e) {
      throw KmsProviderException.interrupted(name, "sending a Cloud KMS " + operation + " call", e);
    }
    if (response.status() != 200) {
      return httpFailure(operation, key, response);
    }
    BsonDocument json;
    try {
      json = JsonReplies.object(response.body());
    } catch (IllegalArgumentException e) {
      return new Failure(true, 200, "Cloud KMS answered 200 with a body that is not JSON", null,
          null);
    }
    return operation.equals("encrypt") ? checkEncrypt(key, json) : checkDecrypt(json);
  }

  private Object checkEncrypt(GcpMasterKey key, BsonDocument json) {
    byte[] ciphertext = bytes(json, "ciphertext");
    if (ciphertext == null) {
      return new Failure(false, 200, "the reply has no 'ciphertext'", null, null);
    }
    if (!BsonBoolean.TRUE.equals(json.get("verifiedPlaintextCrc32c"))) {
      return new Failure(true, 200, "Cloud KMS did not confirm the plaintext's CRC32C"
          + " (verifiedPlaintextCrc32c is not true): the request may have been corrupted in"
          + " transit", null, null);
    }
    Long crc = crc(json, "ciphertextCrc32c");
    if (crc == null || crc != crc32c(ciphertext)) {
      return new Failure(true, 200, "the ciphertext does not match its ciphertextCrc32c: the"
          + " reply was corrupted in transit", null, null);
    }
    String used = text(json.get("name"));
    String expected = key.keyResource() + "/cryptoKeyVersions/";
    boolean nameOk = used != null && used.startsWith(expected)
        && used.indexOf('/', expected.length()) < 0
        && (key.keyVersion() == null || used.equals(expected + key.keyVersion()));
    if (!nameOk) {
      return new Failure(false, 200, "Cloud KMS answered for key version '" + used + "', not for "
          + key.describe() + "; refusing the reply", null, null);
    }
    return ciphertext;
  }

  private Object checkDecrypt(BsonDocument json) {
    byte[] plaintext = bytes(json, "plaintext");
    if (plaintext == null) {
      return new Failure(false, 200, "the reply has no 'plaintext'", null, null);
    }
    Long crc = crc(json, "plaintextCrc32c");
    if (crc == null || crc != crc32c(plaintext)) {
      Arrays.fill(plaintext, (byte) 0);
      return new Failure(true, 200, "the plaintext does not match its plaintextCrc32c: the reply"
          + " was corrupted in transit", null, null);
    }
    return plaintext;
  }

  private Failure httpFailure(String operation, GcpMasterKey key, Reply response) {
    int status = response.status();
    String code = null;
    String message = null;
    try {
      BsonDocument json = JsonReplies.object(response.body());
      BsonValue error = json.get("error");
      if (error != null && error.isDocument()) {
        code = text(error.asDocument().get("status"));
        message = text(error.asDocument().get("message"));
      }
    } catch (IllegalArgumentException e) {
      // not JSON: the status alone tells
    }
    StringBuilder text = new StringBuilder("HTTP ").append(status);
    if (code != null) {
      text.append(' ').append(code);
    }
    if (message != null && !message.isBlank()) {
      text.append(": ").append(message);
    }
    String permission = operation.equals("encrypt") ? "cloudkms.cryptoKeyVersions.useToEncrypt"
        : "cloudkms.cryptoKeyVersions.useToDecrypt";
    switch (status) {
      case 401:
        text.append(". Cloud KMS did not accept the access token: check the credentials, that the"
            + " token has scope ").append(key.scope()).append(" and is not expired");
        break;
      case 403:
        text.append(". The identity lacks ").append(permission).append(" (role Cloud KMS"
            + " CryptoKey Encrypter/Decrypter) on this key, or the key does not exist");
        break;
      case 404:
        text.append(". No such key").append(key.keyVersion() == null ? "" : " or key version")
            .append(": check projectId, location, keyRing, keyName")
            .append(key.keyVersion() == null ? "" : " and keyVersion");
        break;
      default:
        break;
    }
    boolean retryable = status == 408 || status == 429 || status >= 500;
    Duration retryAfter = response.retryAfter() == null ? null
        : parseRetryAfter(response.retryAfter());
    return new Failure(retryable, status, text.toString(), retryAfter, null);
  }

  private Failure networkFailure(IOException e) {
    if (hasCause(e, SSLHandshakeException.class)) {
      return new Failure(false, 0, "TLS handshake failed (is the Cloud KMS endpoint's certificate"
          + " trusted by this provider's SSLContext, such as the one in"
          + " kmsProviderSslContextMap?): " + e.getMessage(), null, e);
    }
    String what = e instanceof HttpTimeoutException ? "no answer within the attempt timeout of "
        + settings.attemptTimeout : "network error: " + e.getClass().getSimpleName() + ": "
        + e.getMessage();
    return new Failure(true, 0, what, null, e);
  }

  // ----------------------------------------------------------------------------- tokens

  private GcpTokenCache.Token fetchToken(String scope) {
    Instant now = settings.clock.instant();
    if (settings.source == Source.ACCESS_TOKEN) {
      return new GcpTokenCache.Token(settings.accessToken, now, Instant.MAX.minusSeconds(1));
    }
    AccessToken token;
    try {
      token = credentialsFor(scope).refreshAccessToken();
    } catch (IOException | RuntimeException e) {
      throw new TokenFailure(tokenFailure(scope, e));
    }
    if (token == null || token.getTokenValue() == null) {
      throw new TokenFailure(new Failure(false, 0, "the credentials returned no access token for"
          + " scope " + scope, null, null));
    }
    Instant expires = token.getExpirationTime() == null ? now.plus(Duration.ofMinutes(5))
        : token.getExpirationTime().toInstant();
    return new GcpTokenCache.Token(token.getTokenValue(), now, expires);
  }

  private GoogleCredentials credentialsFor(String scope) throws IOException {
    GoogleCredentials credentials = scoped.get(scope);
    if (credentials != null) {
      return credentials;
    }
    if (settings.source == Source.SERVICE_ACCOUNT) {
      ServiceAccountCredentials.Builder builder = ServiceAccountCredentials.newBuilder()
          .setClientEmail(settings.email)
          .setPrivateKey(settings.privateKey)
          .setScopes(List.of(scope))
          .setTokenServerUri(URI.create("https://" + settings.tokenEndpoint + "/token"));
      if (tokenTransport != null) {
        builder.setHttpTransportFactory(tokenTransport);
      }
      credentials = builder.build();
    } else {
      GoogleCredentials unscoped = base;
      if (unscoped == null) {
        // Application Default Credentials, looked up on first use only: building a provider
        // for an empty kmsProviders entry must not touch the environment or the network.
        unscoped = tokenTransport != null ? GoogleCredentials.getApplicationDefault(tokenTransport)
            : GoogleCredentials.getApplicationDefault();
        base = unscoped;
      }
      credentials = unscoped.createScopedRequired() ? unscoped.createScoped(List.of(scope))
          : unscoped;
    }
    GoogleCredentials raced = scoped.putIfAbsent(scope, credentials);
    return raced != null ? raced : credentials;
  }

  private Failure tokenFailure(String scope, Exception e) {
    boolean retryable;
    if (e instanceof Retryable r) {
      retryable = r.isRetryable();
    } else {
      retryable = e instanceof IOException && !hasCause(e, SSLHandshakeException.class)
          && !(e.getMessage() != null && e.getMessage().contains("Application Default Credentials"));
    }
    String message = "could not get an access token for scope " + scope + " from "
        + settings.describeSource() + ": " + e.getClass().getSimpleName() + ": "
        + firstLine(e.getMessage());
    if (hasCause(e, SSLHandshakeException.class)) {
      message += " (is the token endpoint's certificate trusted by this provider's SSLContext?)";
    }
    return new Failure(retryable, 0, message, null, e);
  }

  // ---------------------------------------------------------------------------- helpers

  private Duration waitBefore(int attempt, Duration retryAfter) {
    long cap = Math.min(settings.retryMaxDelay.toMillis(),
        settings.retryBaseDelay.toMillis() << Math.min(attempt - 2, 30));
    long jitter = cap <= 0 ? 0 : ThreadLocalRandom.current().nextLong(cap + 1);
    if (retryAfter != null) {
      long asked = Math.min(retryAfter.toMillis(), settings.retryMaxDelay.toMillis());
      return Duration.ofMillis(Math.max(asked, jitter));
    }
    return Duration.ofMillis(jitter);
  }

  static Duration parseRetryAfter(String value) {
    try {
      return Duration.ofSeconds(Math.max(0, Long.parseLong(value.trim())));
    } catch (NumberFormatException e) {
      try {
        Instant at = java.time.ZonedDateTime.parse(value.trim(),
            java.time.format.DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
        Duration d = Duration.between(Instant.now(), at);
        return d.isNegative() ? Duration.ZERO : d;
      } catch (java.time.format.DateTimeParseException ignored) {
        return null;
      }
    }
  }

  private void sleep(Duration wait) {
    try {
      Thread.sleep(wait.toMillis());
    } catch (InterruptedException e) {
      throw KmsProviderException.interrupted(name, "waiting to retry a Cloud KMS call", e);
    }
  }

  static long crc32c(byte[] data) {
    CRC32C crc = new CRC32C();
    crc.update(data);
    return crc.getValue();
  }

  private static Long crc(BsonDocument json, String field) {
    BsonValue value = json.get(field);
    try {
      if (value != null && value.isString()) {
        return Long.parseLong(value.asString().getValue());
      }
      if (value != null && value.isNumber()) {
        return value.asNumber().longValue();
      }
    } catch (NumberFormatException e) {
      return null;
    }
    return null;
  }

  private static byte[] bytes(BsonDocument json, String field) {
    String text = text(json.get(field));
    if (text == null) {
      return null;
    }
    try {
      // proto3 JSON bytes: standard base64, but URL-safe and unpadded forms are legal too.
      String standard = text.replace('-', '+').replace('_', '/');
      int end = standard.length();
      while (end > 0 && standard.charAt(end - 1) == '=') {
        end--;
      }
      return Base64.getDecoder().decode(standard.substring(0, end));
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  private static String text(BsonValue value) {
    return value != null && value.isString() ? value.asString().getValue() : null;
  }

  private static String firstLine(String text) {
    if (text == null) {
      return "";
    }
    String trimmed = text.strip();
    return trimmed.length() > 600 ? trimmed.substring(0, 600) + "..." : trimmed;
  }

  private static boolean hasCause(Throwable e, Class<? extends Throwable> type) {
    for (Throwable cause = e; cause != null; cause = cause.getCause()) {
      if (type.isInstance(cause)) {
        return true;
      }
    }
    return false;
  }

  private String redact(String text) {
    String out = text;
    for (String secret : redactions) {
      out = out.replace(secret, "<redacted>");
    }
    return out;
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

  private static final class Failure {
    final boolean retryable;
    final int status;
    final String message;
    final Duration retryAfter;
    final Throwable cause;

    Failure(boolean retryable, int status, String message, Duration retryAfter, Throwable cause) {
      this.retryable = retryable;
      this.status = status;
      this.message = message;
      this.retryAfter = retryAfter;
      this.cause = cause;
    }
  }

  private static final class TokenFailure extends RuntimeException {
    private static final long serialVersionUID = 1L;
    final transient Failure failure;

    TokenFailure(Failure failure) {
      super(null, null, false, false);
      this.failure = failure;
    }
  }

  private enum Source { DEFAULT_CREDENTIALS, SERVICE_ACCOUNT, ACCESS_TOKEN, CREDENTIALS }

  /** Builder for {@link GcpKmsProvider}. Not thread-safe; {@link #build()} copies it. */
  public static final class Builder {
    private KmsProviderName name = KmsProviderName.of("gcp");
    private Source source = Source.DEFAULT_CREDENTIALS;
    private String email;
    private RSAPrivateKey privateKey;
    private String tokenEndpoint = DEFAULT_TOKEN_ENDPOINT;
    private String accessToken;
    private GoogleCredentials credentials;
    private SSLContext sslContext;
    private HttpTransportFactory transportFactory;
    private Exchange exchange;
    private Duration connectTimeout = DEFAULT_CONNECT_TIMEOUT;
    private Duration attemptTimeout = DEFAULT_ATTEMPT_TIMEOUT;
    private Duration callTimeout = DEFAULT_CALL_TIMEOUT;
    private int maxAttempts = DEFAULT_MAX_ATTEMPTS;
    private Duration retryBaseDelay = DEFAULT_RETRY_BASE_DELAY;
    private Duration retryMaxDelay = DEFAULT_RETRY_MAX_DELAY;
    private Duration tokenRefreshMargin = DEFAULT_TOKEN_REFRESH_MARGIN;
    private Clock clock = Clock.systemUTC();

    private Builder() {}

    private Builder copy() {
      Builder copy = new Builder();
      copy.name = name;
      copy.source = source;
      copy.email = email;
      copy.privateKey = privateKey;
      copy.tokenEndpoint = tokenEndpoint;
      copy.accessToken = accessToken;
      copy.credentials = credentials;
      copy.sslContext = sslContext;
      copy.transportFactory = transportFactory;
      copy.exchange = exchange;
      copy.connectTimeout = connectTimeout;
      copy.attemptTimeout = attemptTimeout;
      copy.callTimeout = callTimeout;
      copy.maxAttempts = maxAttempts;
      copy.retryBaseDelay = retryBaseDelay;
      copy.retryMaxDelay = retryMaxDelay;
      copy.tokenRefreshMargin = tokenRefreshMargin;
      copy.clock = clock;
      return copy;
    }

    /**
     * {@code gcp} (the default) or a named provider such as {@code gcp:prod}.
     *
     * @param name the provider's full name
     * @return this builder
     */
    public Builder name(String name) {
      KmsProviderName parsed;
      try {
        parsed = KmsProviderName.parse(Objects.requireNonNull(name, "name"));
      } catch (IllegalArgumentException e) {
        throw new ConfigurationException("name", e.getMessage());
      }
      if (!parsed.type().equals("gcp")) {
        throw new ConfigurationException("name",
            "a GCP provider's name is 'gcp' or 'gcp:<name>', got '" + name + "'");
      }
      this.name = parsed;
      return this;
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
    public Builder serviceAccount(String email, String privateKey) {
      return serviceAccount(email, parsePrivateKey(privateKey, "privateKey"));
    }

    /**
     * A service account with a key already read.
     *
     * @param email the service account's email
     * @param privateKey its RSA private key
     * @return this builder
     */
    public Builder serviceAccount(String email, PrivateKey privateKey) {
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
     * #DEFAULT_TOKEN_ENDPOINT} by default); the {@code kmsProviders.gcp.endpoint} field.
     *
     * @param endpoint {@code host[:port]}, optionally with {@code https://}
     * @return this builder
     */
    public Builder tokenEndpoint(String endpoint) {
      if (endpoint == null || endpoint.isEmpty()) {
        throw new ConfigurationException("endpoint", "must be a non-empty string");
      }
      this.tokenEndpoint = GcpMasterKey.hostAndPort(endpoint, "endpoint")[0];
      return this;
    }

    /**
     * A fixed access token obtained elsewhere (the {@code kmsProviders.gcp.accessToken} field),
     * used until Cloud KMS refuses it.
     *
     * @param token an OAuth2 access token with a Cloud KMS scope
     * @return this builder
     */
    public Builder accessToken(String token) {
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
    public Builder credentials(GoogleCredentials credentials) {
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
    public Builder defaultCredentials() {
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
    public Builder sslContext(SSLContext sslContext) {
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
    public Builder httpTransportFactory(HttpTransportFactory factory) {
      this.transportFactory = Objects.requireNonNull(factory, "factory");
      return this;
    }

    /**
     * TCP connect timeout for Cloud KMS (10 s by default).
     *
     * @param timeout positive
     * @return this builder
     */
    public Builder connectTimeout(Duration timeout) {
      this.connectTimeout = positive(timeout, "connectTimeout");
      return this;
    }

    /**
     * Limit on waiting for one Cloud KMS response; a slower attempt is abandoned and retried (30
     * s by default).
     *
     * @param timeout positive
     * @return this builder
     */
    public Builder attemptTimeout(Duration timeout) {
      this.attemptTimeout = positive(timeout, "attemptTimeout");
      return this;
    }

    /**
     * Limit on one call, retries and waits included (2 min by default).
     *
     * @param timeout positive
     * @return this builder
     */
    public Builder callTimeout(Duration timeout) {
      this.callTimeout = positive(timeout, "callTimeout");
      return this;
    }

    /**
     * Attempts per call, the first included: 1 disables retries (3 by default, at most 10).
     *
     * @param attempts 1 to 10
     * @return this builder
     */
    public Builder maxAttempts(int attempts) {
      if (attempts < 1 || attempts > 10) {
        throw new ConfigurationException("maxAttempts", "must be 1 to 10, got " + attempts);
      }
      this.maxAttempts = attempts;
      return this;
    }

    /**
     * Exponential backoff with full jitter: before retry {@code n} the provider waits a random
     * time up to {@code min(maxDelay, baseDelay * 2^(n-1))}, or what {@code Retry-After} asks
     * if longer, never more than {@code maxDelay} (0.2 s and 20 s by default).
     *
     * @param baseDelay positive
     * @param maxDelay at least {@code baseDelay}
     * @return this builder
     */
    public Builder retryBackoff(Duration baseDelay, Duration maxDelay) {
      positive(baseDelay, "retryBackoff.baseDelay");
      positive(maxDelay, "retryBackoff.maxDelay");
      if (maxDelay.compareTo(baseDelay) < 0) {
        throw new ConfigurationException("retryBackoff.maxDelay",
            "must not be shorter than baseDelay (" + baseDelay + "), got " + maxDelay);
      }
      this.retryBaseDelay = baseDelay;
      this.retryMaxDelay = maxDelay;
      return this;
    }

    /**
     * How long before expiry a cached token is replaced (1 min by default; half the token's
     * lifetime when that is shorter).
     *
     * @param margin zero or positive
     * @return this builder
     */
    public Builder tokenRefreshMargin(Duration margin) {
      if (margin == null || margin.isNegative()) {
        throw new ConfigurationException("tokenRefreshMargin", "must be zero or positive, got "
            + margin);
      }
      this.tokenRefreshMargin = margin;
      return this;
    }

    /**
     * The clock for token expiry and call deadlines (the system clock by default); for tests.
     *
     * @param clock the clock
     * @return this builder
     */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
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
    Builder exchange(Exchange exchange) {
      this.exchange = Objects.requireNonNull(exchange, "exchange");
      return this;
    }

    private String describeSource() {
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

    private List<String> secrets() {
      List<String> secrets = new ArrayList<>();
      if (accessToken != null && accessToken.length() >= 8) {
        secrets.add(accessToken);
      }
      return List.copyOf(secrets);
    }

    private static Duration positive(Duration value, String field) {
      if (value == null || value.isNegative() || value.isZero()) {
        throw new ConfigurationException(field, "must be a positive duration, got " + value);
      }
      return value;
    }
  }
}
