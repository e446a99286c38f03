package io.fle4j.kms.aws;

import io.fle4j.ConfigurationException;
import io.fle4j.kms.RemoteKmsProviderBuilder;
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
public final class AwsKmsProviderBuilder extends RemoteKmsProviderBuilder<AwsKmsProviderBuilder> {
  AwsCredentials staticCredentials;
  AwsCredentialsProvider credentialsProvider;
  SSLContext sslContext;
  SdkHttpClient httpClient;
  Duration readTimeout = AwsKmsProvider.DEFAULT_READ_TIMEOUT;
  boolean readTimeoutSet;

  AwsKmsProviderBuilder() {
    super("aws");
  }

  @Override
  protected AwsKmsProviderBuilder self() {
    return this;
  }

  AwsKmsProviderBuilder copy() {
    AwsKmsProviderBuilder copy = copyTo(new AwsKmsProviderBuilder());
    copy.staticCredentials = staticCredentials;
    copy.credentialsProvider = credentialsProvider;
    copy.sslContext = sslContext;
    copy.httpClient = httpClient;
    copy.readTimeout = readTimeout;
    copy.readTimeoutSet = readTimeoutSet;
    return copy;
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
   * Socket read timeout: the longest silence while waiting for a reply (30 s by default).
   *
   * @param timeout positive
   * @return this builder
   */
  public AwsKmsProviderBuilder readTimeout(Duration timeout) {
    this.readTimeout = positive(timeout, "readTimeout");
    this.readTimeoutSet = true;
    return this;
  }

  /**
   * Builds the provider. SDK clients are made on first use, one per region and endpoint.
   *
   * @return a new provider; close it when done
   */
  public AwsKmsProvider build() {
    if (httpClient != null && (sslContext != null || connectTimeoutSet() || readTimeoutSet)) {
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

}
