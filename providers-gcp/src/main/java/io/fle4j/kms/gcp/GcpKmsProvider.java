package io.fle4j.kms.gcp;

import com.google.api.client.http.javanet.NetHttpTransport;
import com.google.auth.http.HttpTransportFactory;
import com.google.auth.oauth2.AccessToken;
import com.google.auth.oauth2.GoogleCredentials;
import com.google.auth.oauth2.ServiceAccountCredentials;
import io.fle4j.ConfigurationException;
import io.fle4j.kms.JsonReplies;
import io.fle4j.kms.KmsAttempts;
import io.fle4j.kms.KmsFailures;
import io.fle4j.kms.KmsProvider;
import io.fle4j.kms.KmsProviderException;
import io.fle4j.kms.KmsProviderName;
import io.fle4j.kms.RetryBackoff;
import io.fle4j.kms.gcp.GcpFailures.Failure;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.zip.CRC32C;
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
 * metadata server). Tokens come from the credentials' own request metadata, cached and
 * renewed before expiry by google-auth-library; a token Cloud KMS refuses with 401 is renewed
 * once.
 *
 * <p><b>Failures.</b> HTTP 408, 429 and 5xx, network errors and corrupted replies are retried (at
 * most {@link GcpKmsProviderBuilder#maxAttempts} attempts, exponential backoff with full jitter, honouring
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

  private final KmsProviderName name;
  private final GcpKmsProviderBuilder settings;
  private final Exchange exchange;
  private final HttpTransportFactory tokenTransport;
  private final RetryBackoff backoff;
  private final Map<String, GoogleCredentials> scoped = new ConcurrentHashMap<>();
  private final KmsFailures.Redactor redactor;
  private volatile GoogleCredentials base;

  GcpKmsProvider(GcpKmsProviderBuilder builder) {
    this.settings = builder.copy();
    this.name = builder.name();
    this.redactor = builder.redactor();
    this.exchange = builder.exchange != null ? builder.exchange : javaNetHttp(builder);
    this.backoff = builder.retryBackoff();
    if (builder.transportFactory != null) {
      this.tokenTransport = builder.transportFactory;
    } else if (builder.sslContext != null
        && builder.source == GcpKmsProviderBuilder.Source.SERVICE_ACCOUNT) {
      // libmongocrypt uses the provider's TLS options for the token endpoint too.
      NetHttpTransport transport = new NetHttpTransport.Builder()
          .setSslSocketFactory(builder.sslContext.getSocketFactory()).build();
      this.tokenTransport = () -> transport;
    } else {
      this.tokenTransport = null;
    }
    this.base = builder.source == GcpKmsProviderBuilder.Source.ACCESS_TOKEN
        ? GoogleCredentials.newBuilder().setAccessToken(new AccessToken(builder.accessToken, null))
            .build()
        : builder.credentials;
  }

  /**
   * A builder with the defaults: name {@code gcp}, Application Default Credentials, the JDK's
   * default trust, 3 attempts per call.
   *
   * @return a new builder
   */
  public static GcpKmsProviderBuilder builder() {
    return new GcpKmsProviderBuilder();
  }

  /**
   * A builder holding the settings of {@code existing}, to derive a variant.
   *
   * @param existing a provider
   * @return a new builder
   */
  public static GcpKmsProviderBuilder builder(GcpKmsProvider existing) {
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
        + ", maxAttempts=" + settings.maxAttempts() + "}";
  }

  // ----------------------------------------------------------------------------- calls

  private byte[] call(String operation, GcpMasterKey key, String path, String body) {
    Instant deadline = Instant.now().plus(settings.callTimeout());
    String scope = key.scope();
    boolean renewedToken = false;
    int attempt = 0;
    while (true) {
      attempt++;
      Failure failure = null;
      String authorization = null;
      try {
        authorization = authorization(key, scope);
      } catch (IOException | RuntimeException e) {
        failure = tokenFailure(scope, e);
      }
      if (authorization != null) {
        KmsAttempts.sent();
        Object outcome = send(operation, key, authorization, path, body);
        if (outcome instanceof byte[] result) {
          return result;
        }
        failure = (Failure) outcome;
        if (failure.status() == 401 && !renewedToken
            && settings.source != GcpKmsProviderBuilder.Source.ACCESS_TOKEN) {
          // Cloud KMS refused a token the credentials believed valid (revoked, clock skew):
          // renew it once. This round does not count as an attempt; a failed renewal does.
          try {
            credentialsFor(scope).refresh();
            renewedToken = true;
            attempt--;
            continue;
          } catch (IOException | RuntimeException e) {
            failure = tokenFailure(scope, e);
          }
        }
      }
      Duration wait = failure.retryable() && attempt < settings.maxAttempts()
          ? backoff.delayBefore(attempt, failure.retryAfter()) : null;
      if (wait == null || Instant.now().plus(wait).isAfter(deadline)) {
        String prefix = "Cloud KMS " + operation + " with " + key.describe() + " failed"
            + (attempt > 1 ? " after " + attempt + " attempts" : "") + ": ";
        throw new KmsProviderException(name, failure.retryable(),
            redactor.apply(prefix + failure.message()), failure.cause());
      }
      try {
        Thread.sleep(wait.toMillis());
      } catch (InterruptedException e) {
        throw KmsProviderException.interrupted(name, "waiting to retry a Cloud KMS call", e);
      }
    }
  }

  /** The real {@link Exchange}: a {@code java.net.http} client with the builder's settings. */
  private static Exchange javaNetHttp(GcpKmsProviderBuilder builder) {
    HttpClient.Builder client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(builder.connectTimeout());
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
  private Object send(String operation, GcpMasterKey key, String authorization, String path,
      String body) {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("https://"
            + key.kmsHostAndPort() + "/v1/" + path))
        .timeout(settings.attemptTimeout())
        .header("Content-Type", "application/json")
        .header("Accept", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.US_ASCII));
    request.header("Authorization", authorization);
    Reply response;
    try {
      response = exchange.send(request.build());
    } catch (IOException e) {
      return GcpFailures.networkFailure(e, settings.attemptTimeout());
    } catch (InterruptedException e) {
      throw KmsProviderException.interrupted(name, "sending a Cloud KMS " + operation + " call", e);
    }
    if (response.status() != 200) {
      return GcpFailures.httpFailure(operation, key, response);
    }
    BsonDocument json;
    try {
      json = JsonReplies.object(response.body());
    } catch (IllegalArgumentException e) {
      return Failure.of(true, "Cloud KMS answered 200 with a body that is not JSON");
    }
    return operation.equals("encrypt") ? checkEncrypt(key, json) : checkDecrypt(json);
  }

  private Object checkEncrypt(GcpMasterKey key, BsonDocument json) {
    byte[] ciphertext = bytes(json, "ciphertext");
    if (ciphertext == null) {
      return Failure.of(false, "the reply has no 'ciphertext'");
    }
    if (!BsonBoolean.TRUE.equals(json.get("verifiedPlaintextCrc32c"))) {
      return Failure.of(true, "Cloud KMS did not confirm the plaintext's CRC32C"
          + " (verifiedPlaintextCrc32c is not true): the request may have been corrupted in"
          + " transit");
    }
    Long crc = crc(json, "ciphertextCrc32c");
    if (crc == null || crc != crc32c(ciphertext)) {
      return Failure.of(true, "the ciphertext does not match its ciphertextCrc32c: the"
          + " reply was corrupted in transit");
    }
    String used = GcpFailures.text(json.get("name"));
    String expected = key.keyResource() + "/cryptoKeyVersions/";
    boolean nameOk = used != null && used.startsWith(expected)
        && used.indexOf('/', expected.length()) < 0
        && (key.keyVersion() == null || used.equals(expected + key.keyVersion()));
    if (!nameOk) {
      return Failure.of(false, "Cloud KMS answered for key version '" + used + "', not for "
          + key.describe() + "; refusing the reply");
    }
    return ciphertext;
  }

  private Object checkDecrypt(BsonDocument json) {
    byte[] plaintext = bytes(json, "plaintext");
    if (plaintext == null) {
      return Failure.of(false, "the reply has no 'plaintext'");
    }
    Long crc = crc(json, "plaintextCrc32c");
    if (crc == null || crc != crc32c(plaintext)) {
      Arrays.fill(plaintext, (byte) 0);
      return Failure.of(true, "the plaintext does not match its plaintextCrc32c: the reply"
          + " was corrupted in transit");
    }
    return plaintext;
  }

  // ----------------------------------------------------------------------------- tokens

  /**
   * The {@code Authorization} header for {@code scope}, from the credentials' own request
   * metadata: google-auth-library's cache, which renews the token before it expires. Only that
   * header is sent, as libmongocrypt does: a quota project ({@code x-goog-user-project}) would
   * ask for a permission on that project that key users need not have.
   */
  private String authorization(GcpMasterKey key, String scope) throws IOException {
    Map<String, List<String>> metadata = credentialsFor(scope).getRequestMetadata(
        URI.create("https://" + key.kmsHostAndPort() + "/"));
    List<String> values = metadata == null ? null : metadata.get("Authorization");
    if (values == null || values.isEmpty() || values.get(0) == null) {
      throw new IOException("the credentials gave no Authorization header");
    }
    return values.get(0);
  }

  /** A token failure; an interrupt while google-auth waited for a refresh is reported as one. */
  private Failure tokenFailure(String scope, Exception e) {
    if (KmsFailures.wasInterrupted(e)) {
      throw KmsFailures.interrupted(name, "getting a Cloud KMS access token", e);
    }
    return GcpFailures.tokenFailure(scope, settings.describeSource(), e);
  }

  private GoogleCredentials credentialsFor(String scope) throws IOException {
    GoogleCredentials credentials = scoped.get(scope);
    if (credentials != null) {
      return credentials;
    }
    if (settings.source == GcpKmsProviderBuilder.Source.SERVICE_ACCOUNT) {
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

  // ---------------------------------------------------------------------------- helpers

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
    String text = GcpFailures.text(json.get(field));
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
}
