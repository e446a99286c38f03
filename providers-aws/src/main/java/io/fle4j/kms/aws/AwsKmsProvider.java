package io.fle4j.kms.aws;

import io.fle4j.ConfigurationException;
import io.fle4j.kms.KmsFailures;
import io.fle4j.kms.KmsProvider;
import io.fle4j.kms.KmsProviderException;
import io.fle4j.kms.KmsProviderName;
import java.net.HttpURLConnection;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import javax.net.ssl.HttpsURLConnection;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocketFactory;
import org.bson.BsonDocument;
import software.amazon.awssdk.auth.credentials.AwsCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.core.exception.ApiCallTimeoutException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.retries.api.RetryStrategy;
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.awssdk.services.kms.model.DecryptResponse;
import software.amazon.awssdk.services.kms.model.EncryptResponse;
import software.amazon.awssdk.utils.SdkAutoCloseable;

/**
 * The {@code aws} KMS provider: data keys are wrapped by AWS KMS {@code Encrypt} and unwrapped by
 * {@code Decrypt}, through the AWS SDK for Java v2, exactly as libmongocrypt does: {@code
 * keyMaterial} is the raw {@code CiphertextBlob}, and the stored {@code masterKey} is {@code
 * {provider, region, key, endpoint?}} (formats.md §2.2–2.3, §4.2).
 *
 * <pre>{@code
 * KmsProvider aws = AwsKmsProvider.builder()
 *     .name("aws:prod")                       // optional; "aws" by default
 *     .credentialsProvider(myRotatingProvider) // or .credentials(id, secret), or the default chain
 *     .build();
 * // createDataKey("aws:prod", new DataKeyOptions().masterKey(new BsonDocument("key",
 * //     new BsonString("arn:aws:kms:eu-west-1:111122223333:key/..."))))
 * }</pre>
 *
 * <p><b>master keys.</b> {@code key} is a key id, key ARN, alias name ({@code alias/...}) or
 * alias ARN. {@code region} is taken from an ARN when absent and must match it when present;
 * it is required for ids and alias names. {@code endpoint} ({@code host[:port]}) sends requests
 * to a VPC or FIPS endpoint, or an emulator, instead of {@code kms.<region>.amazonaws.com}.
 * Decrypt sends no {@code KeyId} (the blob names its key, as with libmongocrypt); when the master
 * key is a key id or key ARN, the key KMS reports having used must be that key, so a key document
 * whose {@code masterKey} was swapped cannot redirect decryption unnoticed.
 *
 * <p><b>credentials.</b> Explicit keys ({@link AwsKmsProviderBuilder#credentials}), any
 * {@link AwsCredentialsProvider} ({@link AwsKmsProviderBuilder#credentialsProvider}), or by
 * default the SDK's default chain (system properties, environment, web identity, shared
 * credentials and config files, container and instance roles), which refreshes temporary credentials before they expire. The
 * credentials provider is asked on every request, so credentials it returns can change while the
 * application runs.
 *
 * <p><b>failures.</b> Each call has a per-attempt and an overall timeout, and is retried (at most
 * {@link AwsKmsProviderBuilder#maxAttempts} attempts, exponential backoff with full jitter) on
 * throttling, HTTP
 * 408/429/5xx and network errors; never on access denied, not found, disabled key, invalid
 * ciphertext or bad credentials. Failures are {@link KmsProviderException}s naming the key and
 * the AWS error code, never a credential.
 *
 * <p>Thread-safe. One SDK client per region and endpoint, made on first use; {@link #close()}
 * closes them.
 */
public final class AwsKmsProvider implements KmsProvider {
  /** Socket read timeout unless configured. */
  public static final Duration DEFAULT_READ_TIMEOUT = Duration.ofSeconds(30);

  private final KmsProviderName name;
  private final AwsKmsProviderBuilder settings;
  private final AwsCredentialsProvider credentials;
  private final SdkHttpClient httpClient;
  private final RetryStrategy retryStrategy;
  /** Reports each HTTP attempt the SDK makes (first try and retries) for fle4j's KMS events. */
  private static final software.amazon.awssdk.core.interceptor.ExecutionInterceptor COUNT_ATTEMPTS =
      new software.amazon.awssdk.core.interceptor.ExecutionInterceptor() {
        @Override
        public void beforeTransmission(
            software.amazon.awssdk.core.interceptor.Context.BeforeTransmission context,
            software.amazon.awssdk.core.interceptor.ExecutionAttributes attributes) {
          io.fle4j.kms.KmsAttempts.sent();
        }
      };
  private final KmsFailures.Redactor redactor;
  private final Map<String, KmsClient> clients = new ConcurrentHashMap<>();
  private volatile boolean closed;

  AwsKmsProvider(AwsKmsProviderBuilder builder) {
    this.settings = builder.copy();
    this.name = builder.name();
    this.redactor = builder.redactor();
    this.credentials = builder.credentialsProvider != null ? builder.credentialsProvider
        : builder.staticCredentials != null ? new StaticCredentials(builder.staticCredentials)
        // The profile files are read again once they change (the SDK looks about once a second),
        // so credentials written to the shared file are used without a restart.
        : DefaultCredentialsProvider.builder()
            .profileFile(software.amazon.awssdk.profiles.ProfileFileSupplier.defaultSupplier())
            .build();
    this.httpClient = builder.httpClient != null ? builder.httpClient : urlConnectionClient(builder);
    this.retryStrategy = AwsRetries.strategy(builder.maxAttempts(),
        builder.retryBackoff());
  }

  /**
   * A builder with the defaults: name {@code aws}, the SDK's default credential chain, the JDK's
   * default TLS trust, 3 attempts per call.
   *
   * @return a new builder
   */
  public static AwsKmsProviderBuilder builder() {
    return new AwsKmsProviderBuilder();
  }

  /**
   * A builder holding the settings of {@code existing} (not its clients), to derive a variant.
   *
   * @param existing a provider
   * @return a new builder
   */
  public static AwsKmsProviderBuilder builder(AwsKmsProvider existing) {
    return existing.settings.copy();
  }

  @Override
  public KmsProviderName name() {
    return name;
  }

  /**
   * Validates {@code {region?, key, endpoint?}} and returns {@code {provider, region, key,
   * endpoint?}}, with the region filled in from a key or alias ARN.
   *
   * @throws ConfigurationException naming the field and the rule
   */
  @Override
  public BsonDocument masterKey(BsonDocument dataKeyOptsMasterKey) {
    return AwsMasterKey.parse(name, dataKeyOptsMasterKey).toDocument(name);
  }

  /** Calls KMS {@code Encrypt} with the master key; returns the {@code CiphertextBlob}. */
  @Override
  public byte[] encryptDataKey(BsonDocument masterKey, byte[] dataKey) {
    AwsMasterKey key = AwsMasterKey.parse(name, masterKey);
    EncryptResponse response;
    try {
      // fromByteArrayUnsafe: no extra copy of the data key that the caller could not wipe.
      response = client(key).encrypt(request -> request.keyId(key.key())
          .plaintext(SdkBytes.fromByteArrayUnsafe(dataKey)));
    } catch (SdkException e) {
      throw failure("Encrypt", key, e);
    }
    // Checked here: a key document with no keyMaterial would be written and never readable.
    if (response.ciphertextBlob() == null || response.ciphertextBlob().asByteArray().length == 0) {
      throw new KmsProviderException(name, false, "AWS KMS Encrypt with " + key.describe()
          + " answered without a CiphertextBlob");
    }
    return response.ciphertextBlob().asByteArray();
  }

  /**
   * Calls KMS {@code Decrypt} on {@code keyMaterial}; checks the key KMS used is the master
   * key's when that is a key id or key ARN.
   */
  @Override
  public byte[] decryptDataKey(BsonDocument masterKey, byte[] keyMaterial) {
    AwsMasterKey key = AwsMasterKey.parse(name, masterKey);
    DecryptResponse response;
    try {
      response = client(key).decrypt(request ->
          request.ciphertextBlob(SdkBytes.fromByteArrayUnsafe(keyMaterial)));
    } catch (SdkException e) {
      throw failure("Decrypt", key, e);
    }
    if (response.plaintext() == null) {
      throw new KmsProviderException(name, false, "AWS KMS Decrypt with " + key.describe()
          + " answered without a Plaintext");
    }
    byte[] plaintext = response.plaintext().asByteArray();
    if (!key.matchesReportedKey(response.keyId())) {
      Arrays.fill(plaintext, (byte) 0);
      throw new KmsProviderException(name, false, "AWS KMS decrypted this data key with key '"
          + response.keyId() + "', but its masterKey names " + key.describe()
          + ": the key document's masterKey does not belong to its keyMaterial; refusing it");
    }
    return plaintext;
  }

  /** Closes the SDK clients, the HTTP client and the default chain if this provider made them. */
  @Override
  public void close() {
    closed = true;
    for (KmsClient client : clients.values()) {
      client.close();
    }
    clients.clear();
    if (settings.httpClient == null) {
      httpClient.close();
    }
    if (settings.credentialsProvider == null && credentials instanceof SdkAutoCloseable closeable) {
      closeable.close();
    }
  }

  @Override
  public String toString() {
    String source = settings.credentialsProvider != null
        ? "provider " + settings.credentialsProvider.getClass().getSimpleName()
        : settings.staticCredentials != null ? "static (redacted)" : "default chain";
    return "AwsKmsProvider{name=" + name + ", credentials=" + source + ", maxAttempts="
        + settings.maxAttempts() + ", clients=" + new ArrayList<>(clients.keySet()) + "}";
  }

  /**
   * Administration of this provider's master keys (find, create, re-point aliases, rotate), with
   * its credentials and clients. Closing the provider closes it too.
   */
  public AwsMasterKeyAdmin admin() {
    return new AwsMasterKeyAdmin(this, name, this::client);
  }

  private KmsClient client(AwsMasterKey key) {
    if (closed) {
      throw new IllegalStateException("AWS KMS provider '" + name + "' is closed");
    }
    String clientKey = key.region() + (key.endpoint() == null ? "" : "@" + key.endpoint());
    return clients.computeIfAbsent(clientKey, k -> {
      var builder = KmsClient.builder()
          .region(Region.of(key.region()))
          .credentialsProvider(credentials)
          .httpClient(httpClient)
          .overrideConfiguration(o -> o.retryStrategy(retryStrategy)
              .addExecutionInterceptor(COUNT_ATTEMPTS)
              .apiCallAttemptTimeout(settings.attemptTimeout())
              .apiCallTimeout(settings.callTimeout()));
      if (key.endpoint() != null) {
        builder.endpointOverride(URI.create("https://" + key.endpoint()));
      }
      return builder.build();
    });
  }

  KmsProviderException failure(String operation, AwsMasterKey key, SdkException e) {
    if (e instanceof software.amazon.awssdk.core.exception.AbortedException
        || KmsFailures.hasCause(e, InterruptedException.class)) {
      // The SDK stops a call whose thread was interrupted; the policy of every provider applies.
      InterruptedException cause = new InterruptedException(e.getClass().getSimpleName());
      cause.initCause(e);
      return KmsProviderException.interrupted(name, "calling AWS KMS " + operation + " with "
          + key.describe(), cause);
    }
    StringBuilder message = new StringBuilder("AWS KMS ").append(operation).append(" with ")
        .append(key.describe()).append(" failed");
    Integer attempts = e.numAttempts();
    if (attempts != null && attempts > 1) {
      message.append(" after ").append(attempts).append(" attempts");
    }
    message.append(": ");
    if (e instanceof AwsServiceException service) {
      String code = AwsRetries.errorCode(service);
      message.append(code == null ? "unknown error" : code).append(" (HTTP ")
          .append(service.statusCode()).append(')');
      String detail = service.awsErrorDetails() == null ? null
          : service.awsErrorDetails().errorMessage();
      if (detail != null && !detail.isBlank()) {
        message.append(": ").append(detail);
      }
    } else if (e instanceof ApiCallTimeoutException) {
      message.append("no answer within the call timeout of ").append(settings.callTimeout());
    } else if (KmsFailures.hasCause(e, javax.net.ssl.SSLHandshakeException.class)) {
      message.append("TLS handshake failed (is the KMS endpoint's certificate trusted by this"
          + " provider's SSLContext, such as the one in kmsProviderSslContextMap?): ")
          .append(e.getMessage());
    } else if (isTransportFailure(e) || !mayQuoteTheReply(e)) {
      message.append(e.getClass().getSimpleName()).append(": ").append(e.getMessage());
    } else {
      // The reply arrived but could not be read. The SDK's message quotes the offending token,
      // which in a Decrypt reply is the data key itself: neither message nor cause is kept.
      message.append(e.getClass().getSimpleName()).append(" reading the reply (its content is"
          + " not shown, since it may hold key material)");
      return new KmsProviderException(name, false, message.toString());
    }
    return new KmsProviderException(name, AwsRetries.isRetryable(e), redactor.apply(message.toString()), e);
  }

  /**
   * Whether a client-side failure came from reading a reply (the SDK's JSON unmarshalling), whose
   * message may quote the reply: for Decrypt, the data key. Credential and configuration failures
   * happen before any reply and are reported in full.
   */
  private static boolean mayQuoteTheReply(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      String type = t.getClass().getName().toLowerCase(java.util.Locale.ROOT);
      String text = String.valueOf(t.getMessage()).toLowerCase(java.util.Locale.ROOT);
      if (type.contains("json") || type.contains("parse") || type.contains("unmarshall")
          || text.contains("unmarshall")) {
        return true;
      }
    }
    return false;
  }

  /** A failure to reach AWS or to get an answer: no reply content can be in it. */
  private static boolean isTransportFailure(Throwable e) {
    return KmsFailures.hasCause(e, java.net.ConnectException.class)
        || KmsFailures.hasCause(e, java.net.SocketTimeoutException.class)
        || KmsFailures.hasCause(e, java.net.UnknownHostException.class)
        || KmsFailures.hasCause(e, java.net.NoRouteToHostException.class)
        || KmsFailures.hasCause(e, software.amazon.awssdk.core.exception.ApiCallAttemptTimeoutException.class)
        || KmsFailures.hasCause(e, java.net.SocketException.class);
  }

  private static SdkHttpClient urlConnectionClient(AwsKmsProviderBuilder builder) {
    // One factory for every connection: the JDK reuses a kept-alive TLS connection only for
    // the same factory instance.
    SSLSocketFactory tls = builder.sslContext == null ? null : builder.sslContext.getSocketFactory();
    int connect = (int) builder.connectTimeout().toMillis();
    int read = (int) builder.readTimeout.toMillis();
    // A connection factory rather than the client's builder: it is the only way to hand the
    // client a ready SSLContext (kmsProviderSslContextMap) instead of key and trust managers.
    return UrlConnectionHttpClient.create(uri -> {
      try {
        HttpURLConnection connection = (HttpURLConnection) uri.toURL().openConnection();
        if (tls != null && connection instanceof HttpsURLConnection https) {
          https.setSSLSocketFactory(tls);
        }
        connection.setConnectTimeout(connect);
        connection.setReadTimeout(read);
        return connection;
      } catch (java.io.IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    });
  }

  /** Fixed credentials whose {@code toString} shows nothing of them. */
  private static final class StaticCredentials implements AwsCredentialsProvider {
    private final AwsCredentials credentials;

    StaticCredentials(AwsCredentials credentials) {
      this.credentials = credentials;
    }

    @Override
    public AwsCredentials resolveCredentials() {
      return credentials;
    }

    @Override
    public String toString() {
      return "StaticCredentials(redacted)";
    }
  }
}
