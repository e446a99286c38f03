package io.fle4j.kms.aws;

import io.fle4j.ConfigurationException;
import io.fle4j.kms.KmsProviderName;
import java.net.HttpURLConnection;
import java.time.Duration;
import java.util.Objects;
import javax.net.ssl.SSLContext;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.http.SdkHttpClient;
import io.fle4j.kms.KmsFailures;

/** Builder for {@link AwsKmsProvider}. Not thread-safe; {@link #build()} copies it. */
public final class AwsKmsProviderBuilder {
  KmsProviderName name = KmsProviderName.of("aws");
  AwsCredentials staticCredentials;
  AwsCredentialsProvider credentialsProvider;
  SSLContext sslContext;
  SdkHttpClient httpClient;
  Duration connectTimeout = AwsKmsProvider.DEFAULT_CONNECT_TIMEOUT;
  Duration readTimeout = AwsKmsProvider.DEFAULT_READ_TIMEOUT;
  Duration attemptTimeout = AwsKmsProvider.DEFAULT_ATTEMPT_TIMEOUT;
  Duration callTimeout = AwsKmsProvider.DEFAULT_CALL_TIMEOUT;
  int maxAttempts = AwsKmsProvider.DEFAULT_MAX_ATTEMPTS;
  Duration retryBaseDelay = AwsKmsProvider.DEFAULT_RETRY_BASE_DELAY;
  Duration retryMaxDelay = AwsKmsProvider.DEFAULT_RETRY_MAX_DELAY;
  boolean timeoutsSet;

  AwsKmsProviderBuilder() {}

  AwsKmsProviderBuilder copy() {
    AwsKmsProviderBuilder copy = new AwsKmsProviderBuilder();
    copy.name = name;
    copy.staticCredentials = staticCredentials;
    copy.credentialsProvider = credentialsProvider;
    copy.sslContext = sslContext;
    copy.httpClient = httpClient;
    copy.connectTimeout = connectTimeout;
    copy.readTimeout = readTimeout;
    copy.attemptTimeout = attemptTimeout;
    copy.callTimeout = callTimeout;
    copy.maxAttempts = maxAttempts;
    copy.retryBaseDelay = retryBaseDelay;
    copy.retryMaxDelay = retryMaxDelay;
    copy.timeoutsSet = timeoutsSet;
    return copy;
  }

  /**
   * {@code aws} (the default) or a named provider such as {@code aws:prod}.
   *
   * @param name the provider's full name
   * @return this builder
   */
  public AwsKmsProviderBuilder name(String name) {
    KmsProviderName parsed;
    try {
      parsed = KmsProviderName.parse(Objects.requireNonNull(name, "name"));
    } catch (IllegalArgumentException e) {
      throw new ConfigurationException("name", e.getMessage());
    }
    if (!parsed.type().equals("aws")) {
      throw new ConfigurationException("name",
          "an AWS provider's name is 'aws' or 'aws:<name>', got '" + name + "'");
    }
    this.name = parsed;
    return this;
  }

  /**
   * Long-term credentials (an IAM user's access key).
   *
   * @param accessKeyId the access key id
   * @param secretAccessKey the secret access key
   * @return this builder
   */
  public AwsKmsProviderBuilder credentials(String accessKeyId, String secretAccessKey) {
    return credentials(accessKeyId, secretAccessKey, null);
  }

  /**
   * Credentials, temporary ones when {@code sessionToken} is given (sent as {@code
   * X-Amz-Security-Token}). Fixed: for credentials that change, use {@link
   * #credentialsProvider}.
   *
   * @param accessKeyId the access key id
   * @param secretAccessKey the secret access key
   * @param sessionToken the session token of temporary credentials, or {@code null}
   * @return this builder
   */
  public AwsKmsProviderBuilder credentials(String accessKeyId, String secretAccessKey, String sessionToken) {
    requireText(accessKeyId, "accessKeyId");
    requireText(secretAccessKey, "secretAccessKey");
    if (sessionToken != null) {
      requireText(sessionToken, "sessionToken");
    }
    this.staticCredentials = sessionToken == null
        ? AwsBasicCredentials.create(accessKeyId, secretAccessKey)
        : AwsSessionCredentials.create(accessKeyId, secretAccessKey, sessionToken);
    this.credentialsProvider = null;
    return this;
  }

  /**
   * Where credentials come from; asked before every request, so it may return new credentials
   * at any time (rotation without a restart). The provider is not closed by {@link
   * AwsKmsProvider#close()}.
   *
   * @param provider any AWS SDK credentials provider, such as {@code
   *     ProfileCredentialsProvider.create("prod")} or a lambda
   * @return this builder
   */
  public AwsKmsProviderBuilder credentialsProvider(AwsCredentialsProvider provider) {
    this.credentialsProvider = Objects.requireNonNull(provider, "provider");
    this.staticCredentials = null;
    return this;
  }

  /**
   * The AWS SDK's default credential chain (the default): system properties {@code
   * aws.accessKeyId}/{@code aws.secretAccessKey}, environment {@code AWS_ACCESS_KEY_ID}/{@code
   * AWS_SECRET_ACCESS_KEY}/{@code AWS_SESSION_TOKEN}, web identity, the shared credentials and
   * config files, container credentials, then the EC2 instance role.
   *
   * @return this builder
   */
  public AwsKmsProviderBuilder defaultCredentials() {
    this.credentialsProvider = null;
    this.staticCredentials = null;
    return this;
  }

  /**
   * The TLS context for connections to KMS, such as one from {@code
   * kmsProviderSslContextMap}; the JDK's default trust otherwise.
   *
   * @param sslContext the context
   * @return this builder
   */
  public AwsKmsProviderBuilder sslContext(SSLContext sslContext) {
    this.sslContext = Objects.requireNonNull(sslContext, "sslContext");
    return this;
  }

  /**
   * An HTTP client to use instead of the one this provider makes (JDK {@code
   * HttpURLConnection}); it is not closed by {@link AwsKmsProvider#close()}. Exclusive with
   * {@link #sslContext}, {@link #connectTimeout} and {@link #readTimeout}, which configure the
   * provider's own client.
   *
   * @param client an AWS SDK HTTP client
   * @return this builder
   */
  public AwsKmsProviderBuilder httpClient(SdkHttpClient client) {
    this.httpClient = Objects.requireNonNull(client, "client");
    return this;
  }

  /**
   * TCP connect timeout (10 s by default).
   *
   * @param timeout positive
   * @return this builder
   */
  public AwsKmsProviderBuilder connectTimeout(Duration timeout) {
    this.connectTimeout = positive(timeout, "connectTimeout");
    this.timeoutsSet = true;
    return this;
  }

  /**
   * Socket read timeout: the longest silence while waiting for a reply (30 s by default).
   *
   * @param timeout positive
   * @return this builder
   */
  public AwsKmsProviderBuilder readTimeout(Duration timeout) {
    this.readTimeout = positive(timeout, "readTimeout");
    this.timeoutsSet = true;
    return this;
  }

  /**
   * Limit on one attempt; an attempt that takes longer is abandoned and retried (30 s by
   * default).
   *
   * @param timeout positive
   * @return this builder
   */
  public AwsKmsProviderBuilder attemptTimeout(Duration timeout) {
    this.attemptTimeout = positive(timeout, "attemptTimeout");
    return this;
  }

  /**
   * Limit on one call, retries and backoff included (2 min by default).
   *
   * @param timeout positive
   * @return this builder
   */
  public AwsKmsProviderBuilder callTimeout(Duration timeout) {
    this.callTimeout = positive(timeout, "callTimeout");
    return this;
  }

  /**
   * Attempts per call, the first included: 1 disables retries (3 by default, at most 10).
   *
   * @param attempts 1 to 10
   * @return this builder
   */
  public AwsKmsProviderBuilder maxAttempts(int attempts) {
    if (attempts < 1 || attempts > 10) {
      throw new ConfigurationException("maxAttempts", "must be 1 to 10, got " + attempts);
    }
    this.maxAttempts = attempts;
    return this;
  }

  /**
   * Exponential backoff with full jitter between attempts: before retry {@code n} the provider
   * waits a random time up to {@code min(maxDelay, baseDelay * 2^(n-1))} (0.2 s and 20 s by
   * default).
   *
   * @param baseDelay positive
   * @param maxDelay at least {@code baseDelay}
   * @return this builder
   */
  public AwsKmsProviderBuilder retryBackoff(Duration baseDelay, Duration maxDelay) {
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
   * Builds the provider. SDK clients are made on first use, one per region and endpoint.
   *
   * @return a new provider; close it when done
   */
  public AwsKmsProvider build() {
    if (httpClient != null && (sslContext != null || timeoutsSet)) {
      throw new ConfigurationException("httpClient", "a given HTTP client carries its own TLS"
          + " and socket timeouts; do not also set sslContext, connectTimeout or readTimeout");
    }
    return new AwsKmsProvider(this);
  }

  KmsFailures.Redactor redactor() {
    if (staticCredentials == null) {
      return KmsFailures.redactor();
    }
    return KmsFailures.redactor(staticCredentials.secretAccessKey(),
        staticCredentials.accessKeyId(), staticCredentials instanceof AwsSessionCredentials s
            ? s.sessionToken() : null);
  }


  private static void requireText(String value, String field) {
    if (value == null || value.isEmpty()) {
      throw new ConfigurationException(field, "must be a non-empty string");
    }
  }

  private static Duration positive(Duration value, String field) {
    if (value == null || value.isNegative() || value.isZero()) {
      throw new ConfigurationException(field, "must be a positive duration, got " + value);
    }
    return value;
  }
}
