package io.fle4j.kms.azure;

import com.azure.core.credential.AccessToken;
import com.azure.core.credential.TokenCredential;
import com.azure.core.credential.TokenRequestContext;
import com.azure.core.http.HttpClient;
import com.azure.core.http.HttpHeaderName;
import com.azure.core.http.HttpMethod;
import com.azure.core.http.HttpPipeline;
import com.azure.core.http.HttpPipelineBuilder;
import com.azure.core.http.HttpRequest;
import com.azure.core.http.HttpResponse;
import com.azure.core.exception.HttpResponseException;
import com.azure.core.http.jdk.httpclient.JdkHttpClientBuilder;
import com.azure.core.util.Context;
import com.azure.identity.ClientSecretCredentialBuilder;
import com.azure.identity.DefaultAzureCredentialBuilder;
import io.fle4j.ConfigurationException;
import io.fle4j.kms.KmsAttempts;
import io.fle4j.kms.KmsProvider;
import io.fle4j.kms.JsonReplies;
import io.fle4j.kms.KmsProviderException;
import io.fle4j.kms.KmsProviderName;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import org.bson.BsonDocument;
import org.bson.BsonString;
import org.bson.BsonValue;

/**
 * The {@code azure} KMS provider: data keys are wrapped by Azure Key Vault {@code wrapkey} and
 * unwrapped by {@code unwrapkey} with RSA-OAEP-256, exactly as libmongocrypt does, so keys move
 * freely between fle4j and every official driver: {@code keyMaterial} is the raw {@code value}
 * Key Vault returns, the stored {@code masterKey} is {@code {provider, keyVaultEndpoint,
 * keyName, keyVersion?}} with the endpoint as {@code host[:port]}, requests go to {@code
 * POST https://<vault>/keys/<name>/<version or empty>/wrapkey?api-version=7.1} and tokens are
 * asked for scope {@code https://<vault host minus its first label>/.default} (formats.md §2.2,
 * §4.3).
 *
 * <pre>{@code
 * KmsProvider azure = AzureKmsProvider.builder()
 *     .name("azure:prod")                                   // optional; "azure" by default
 *     .clientSecret(tenantId, clientId, clientSecret)      // or .accessToken(..), .tokenCredential(..)
 *     .build();                                             // or nothing: DefaultAzureCredential
 * // createDataKey("azure:prod", new DataKeyOptions().masterKey(new BsonDocument()
 * //     .append("keyVaultEndpoint", new BsonString("myvault.vault.azure.net"))
 * //     .append("keyName", new BsonString("fle4j-kek"))))
 * }</pre>
 *
 * <p><b>Credentials</b> (one of): a client secret, through azure-identity's {@code
 * ClientSecretCredential} with the authority host {@code https://<identityPlatformEndpoint>}
 * ({@code login.microsoftonline.com} by default; {@code login.microsoftonline.us}, {@code
 * login.chinacloudapi.cn}... for sovereign clouds); a fixed {@linkplain Builder#accessToken access
 * token} obtained elsewhere; any azure-identity {@link TokenCredential}; or, by default, {@code
 * DefaultAzureCredential} (environment variables, workload identity, managed identity, Azure
 * CLI, Azure PowerShell, Azure Developer CLI, IntelliJ). MSAL's instance discovery is turned off:
 * the authority is taken as given, as libmongocrypt does, so no request leaves for {@code
 * login.microsoftonline.com} when another identity endpoint is configured.
 *
 * <p><b>Tokens</b> are cached per scope until {@code min(tokenRefreshMargin, lifetime/2)} before
 * they expire (1 minute by default); a token the vault refuses with 401 is dropped and a new one
 * fetched once.
 *
 * <p><b>Failures.</b> Each attempt has a connect and a response timeout, each call an overall
 * timeout. HTTP 408, 429, 500, 502, 503 and 504 and network errors are retried (at most {@link
 * Builder#maxAttempts} attempts, exponential backoff with full jitter), waiting what {@code
 * Retry-After} asks when the service says so, up to the backoff's maximum. 401, 403 and 404 give
 * a {@link KmsProviderException} that names the vault and the key and says what to check; no
 * message ever holds a secret or a token.
 *
 * <p>Why azure-core HTTP and not azure-security-keyvault-keys: the Key Vault SDK would add 345 KB
 * and, more to the point, behave differently from libmongocrypt: it speaks a newer api-version,
 * needs a key identifier with a version (or first reads the key, which needs the {@code get}
 * permission libmongocrypt does not), and checks that a challenge's resource matches the vault's
 * domain. Two small JSON calls through azure-core's HTTP client (java.net.http underneath) give
 * the exact request shapes of formats.md §4.3 with no extra jar.
 *
 * <p>Thread-safe; {@link #close()} is a no-op beyond dropping cached tokens.
 */
public final class AzureKmsProvider implements KmsProvider {
  /** Default {@code identityPlatformEndpoint}. */
  public static final String DEFAULT_IDENTITY_PLATFORM_ENDPOINT = "login.microsoftonline.com";
  /** The Key Vault REST api-version libmongocrypt uses. */
  public static final String API_VERSION = "7.1";
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

  private static final Set<Integer> RETRIED_STATUS = Set.of(408, 429, 500, 502, 503, 504);

  private final KmsProviderName name;
  private final Builder settings;
  private final HttpClient httpClient;
  private final TokenCredential credential;
  private final AzureTokenCache tokens;
  private final List<String> redactions;

  private AzureKmsProvider(Builder builder) {
    this.settings = builder.copy();
    this.name = builder.name;
    this.httpClient = builder.httpClient != null ? builder.httpClient : jdkClient(builder);
    this.redactions = builder.secrets();
    HttpPipeline pipeline = new HttpPipelineBuilder().httpClient(httpClient).build();
    switch (builder.source) {
      case CLIENT_SECRET:
        this.credential = new ClientSecretCredentialBuilder()
            .tenantId(builder.tenantId)
            .clientId(builder.clientId)
            .clientSecret(builder.clientSecret)
            .authorityHost("https://" + builder.identityPlatformEndpoint)
            .disableInstanceDiscovery()
            .httpPipeline(pipeline)
            .build();
        break;
      case DEFAULT_CHAIN:
        DefaultAzureCredentialBuilder chain = new DefaultAzureCredentialBuilder()
            .disableInstanceDiscovery()
            .httpPipeline(pipeline);
        if (builder.configuration != null) {
          chain.configuration(builder.configuration);
        }
        this.credential = chain.build();
        break;
      case TOKEN_CREDENTIAL:
        this.credential = builder.tokenCredential;
        break;
      default:
        this.credential = null; // a fixed access token
    }
    this.tokens = new AzureTokenCache(this::fetchToken, builder.clock, builder.tokenRefreshMargin);
  }

  /**
   * A builder with the defaults: name {@code azure}, {@code DefaultAzureCredential}, the JDK's
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
  public static Builder builder(AzureKmsProvider existing) {
    return existing.settings.copy();
  }

  @Override
  public KmsProviderName name() {
    return name;
  }

  /**
   * Validates {@code {keyVaultEndpoint, keyName, keyVersion?}} and returns {@code {provider,
   * keyVaultEndpoint, keyName, keyVersion?}} with the endpoint reduced to {@code host[:port]}.
   *
   * @throws ConfigurationException naming the field and the rule
   */
  @Override
  public BsonDocument masterKey(BsonDocument dataKeyOptsMasterKey) {
    return AzureMasterKey.parse(name, dataKeyOptsMasterKey).toDocument(name);
  }

  /** Calls {@code wrapkey}; returns the wrapped key ({@code value}, base64url-decoded). */
  @Override
  public byte[] encryptDataKey(BsonDocument masterKey, byte[] dataKey) {
    return call("wrapkey", AzureMasterKey.parse(name, masterKey), dataKey);
  }

  /** Calls {@code unwrapkey}; returns the data key. */
  @Override
  public byte[] decryptDataKey(BsonDocument masterKey, byte[] keyMaterial) {
    return call("unwrapkey", AzureMasterKey.parse(name, masterKey), keyMaterial);
  }

  @Override
  public String toString() {
    return "AzureKmsProvider{name=" + name + ", credentials=" + settings.describeSource()
        + ", maxAttempts=" + settings.maxAttempts + "}";
  }

  // ------------------------------------------------------------------------------ calls

  private byte[] call(String operation, AzureMasterKey key, byte[] value) {
    Clock clock = settings.clock;
    Instant deadline = clock.instant().plus(settings.callTimeout);
    String scope = key.scope();
    boolean refreshedAfter401 = false;
    int attempt = 0;
    String lastProblem = null;
    while (true) {
      attempt++;
      Failure failure = null;
      AzureTokenCache.Token token;
      try {
        token = tokens.get(scope);
      } catch (TokenFailure e) {
        failure = e.failure;
        token = null;
      }
      if (token != null) {
        KmsAttempts.sent();
        Outcome outcome = send(operation, key, token, value);
        if (outcome.body != null) {
          return parseValue(operation, key, outcome.body);
        }
        failure = outcome.failure;
        if (failure.status == 401 && credential != null && !refreshedAfter401) {
          // The vault refused a token we believed valid (revoked, clock skew): get a fresh one
          // once. This round does not count as an attempt.
          refreshedAfter401 = true;
          tokens.invalidate(scope, token);
          attempt--;
          continue;
        }
      }
      lastProblem = failure.message;
      Duration wait = failure.retryable && attempt < settings.maxAttempts
          ? waitBefore(attempt + 1, failure.retryAfter) : null;
      if (wait == null || clock.instant().plus(wait).isAfter(deadline)) {
        String prefix = "Azure Key Vault " + operation + " with " + key.describe() + " failed"
            + (attempt > 1 ? " after " + attempt + " attempts" : "") + ": ";
        throw new KmsProviderException(name, failure.retryable, redact(prefix + lastProblem),
            failure.cause);
      }
      sleep(wait);
    }
  }

  private Outcome send(String operation, AzureMasterKey key, AzureTokenCache.Token token,
      byte[] value) {
    String url = "https://" + key.hostAndPort() + "/keys/" + key.keyName() + "/"
        + (key.keyVersion() == null ? "" : key.keyVersion()) + "/" + operation
        + "?api-version=" + API_VERSION;
    // The same body libmongocrypt sends; base64url keeps its '=' padding there too.
    String body = "{\"alg\": \"RSA-OAEP-256\", \"value\": \""
        + Base64.getUrlEncoder().encodeToString(value) + "\"}";
    HttpRequest request = new HttpRequest(HttpMethod.POST, url)
        .setHeader(HttpHeaderName.ACCEPT, "application/json")
        .setHeader(HttpHeaderName.CONTENT_TYPE, "application/json")
        .setHeader(HttpHeaderName.AUTHORIZATION, "Bearer " + token.value)
        .setBody(body.getBytes(StandardCharsets.US_ASCII));
    try (HttpResponse response = httpClient.sendSync(request, Context.NONE)) {
      int status = response.getStatusCode();
      byte[] reply = response.getBodyAsBinaryData() == null ? new byte[0]
          : response.getBodyAsBinaryData().toBytes();
      if (status == 200) {
        return new Outcome(reply, null);
      }
      return new Outcome(null, httpFailure(operation, key, status, reply,
          response.getHeaderValue(HttpHeaderName.RETRY_AFTER)));
    } catch (RuntimeException e) {
      if (wasInterrupted(e)) {
        // azure-core's client clears the flag and wraps the interrupt: not a network failure.
        InterruptedException cause = new InterruptedException(e.getClass().getSimpleName());
        cause.initCause(e);
        throw KmsProviderException.interrupted(name, "sending an Azure Key Vault " + operation
            + " call", cause);
      }
      return new Outcome(null, networkFailure(e));
    }
  }

  private Failure httpFailure(String operation, AzureMasterKey key, int status, byte[] reply,
      String retryAfter) {
    String code = null;
    String message = null;
    String inner = null;
    try {
      BsonDocument json = JsonReplies.object(reply);
      BsonValue error = json.get("error");
      if (error != null && error.isDocument()) {
        code = text(error.asDocument().get("code"));
        message = text(error.asDocument().get("message"));
        BsonValue innerError = error.asDocument().get("innererror");
        if (innerError != null && innerError.isDocument()) {
          inner = text(innerError.asDocument().get("code"));
        }
      }
    } catch (IllegalArgumentException e) {
      // not JSON: the status alone tells
    }
    StringBuilder text = new StringBuilder("HTTP ").append(status);
    if (code != null) {
      text.append(' ').append(code);
    }
    if (inner != null) {
      text.append('/').append(inner);
    }
    if (message != null && !message.isBlank()) {
      text.append(": ").append(message);
    }
    String permission = operation.equals("wrapkey") ? "wrapKey" : "unwrapKey";
    switch (status) {
      case 401:
        text.append(". The vault did not accept the access token: check that the credentials"
            + " belong to the vault's tenant and that the token is for scope ")
            .append(key.scope()).append(" and not expired");
        break;
      case 403:
        if ("KeyDisabled".equals(inner) || (message != null && message.contains("disabled"))) {
          text.append(". The key (version) is disabled in the vault");
        } else {
          text.append(". The identity lacks the '").append(permission)
              .append("' key permission (access policy) or the Key Vault Crypto User role"
                  + " (RBAC) on this vault");
        }
        break;
      case 404:
        text.append(". No such key")
            .append(key.keyVersion() == null ? "" : " or key version")
            .append(" in this vault: check keyVaultEndpoint, keyName and keyVersion");
        break;
      default:
        break;
    }
    return new Failure(RETRIED_STATUS.contains(status), status, text.toString(),
        parseRetryAfter(retryAfter), null);
  }

  private Failure networkFailure(RuntimeException e) {
    if (hasCause(e, SSLHandshakeException.class)) {
      return new Failure(false, 0, "TLS handshake failed (is the vault's certificate trusted by"
          + " this provider's SSLContext, such as the one in kmsProviderSslContextMap?): "
          + rootMessage(e), null, e);
    }
    boolean network = hasCause(e, IOException.class)
        || hasCause(e, java.util.concurrent.TimeoutException.class);
    return new Failure(network, 0, (network ? "network error: " : "")
        + e.getClass().getSimpleName() + ": " + rootMessage(e), null, e);
  }

  private byte[] parseValue(String operation, AzureMasterKey key, byte[] reply) {
    BsonDocument json;
    try {
      json = JsonReplies.object(reply);
    } catch (IllegalArgumentException e) {
      throw new KmsProviderException(name, true, "Azure Key Vault " + operation + " with "
          + key.describe() + " answered 200 with a body that is not JSON");
    }
    String value = text(json.get("value"));
    if (value == null) {
      throw new KmsProviderException(name, false, "Azure Key Vault " + operation + " with "
          + key.describe() + " answered 200 without 'value'");
    }
    String kid = text(json.get("kid"));
    if (kid != null && !kidMatches(kid, key)) {
      throw new KmsProviderException(name, false, "Azure Key Vault " + operation + " was asked"
          + " for " + key.describe() + " but answered for key '" + kid + "'; refusing the reply");
    }
    try {
      return Base64.getUrlDecoder().decode(stripPadding(value));
    } catch (IllegalArgumentException e) {
      throw new KmsProviderException(name, false, "Azure Key Vault " + operation + " with "
          + key.describe() + " answered a 'value' that is not base64url");
    }
  }

  /** A {@code kid} is {@code https://<vault>/keys/<name>/<version>}: the name (and version) must match. */
  private static boolean kidMatches(String kid, AzureMasterKey key) {
    int keys = kid.indexOf("/keys/");
    if (keys < 0) {
      return false;
    }
    String[] parts = kid.substring(keys + "/keys/".length()).split("/");
    if (parts.length == 0 || !parts[0].equalsIgnoreCase(key.keyName())) {
      return false;
    }
    return key.keyVersion() == null || (parts.length > 1 && parts[1].equalsIgnoreCase(key.keyVersion()));
  }

  // ----------------------------------------------------------------------------- tokens

  private AzureTokenCache.Token fetchToken(String scope) {
    Instant now = settings.clock.instant();
    if (credential == null) {
      // A fixed token: its expiry is the user's business; a 401 tells them.
      return new AzureTokenCache.Token(settings.accessToken, now, Instant.MAX.minusSeconds(1));
    }
    AccessToken token;
    try {
      token = credential.getTokenSync(new TokenRequestContext().addScopes(scope));
    } catch (RuntimeException e) {
      throw new TokenFailure(tokenFailure(scope, e));
    }
    if (token == null || token.getToken() == null) {
      throw new TokenFailure(new Failure(false, 0, "the credential returned no access token for"
          + " scope " + scope, null, null));
    }
    Instant expires = token.getExpiresAt() == null ? now.plus(Duration.ofMinutes(5))
        : token.getExpiresAt().toInstant();
    return new AzureTokenCache.Token(token.getToken(), now, expires);
  }

  private Failure tokenFailure(String scope, RuntimeException e) {
    boolean retryable = false;
    for (Throwable cause = e; cause != null; cause = cause.getCause()) {
      if (cause instanceof HttpResponseException http && http.getResponse() != null) {
        retryable = RETRIED_STATUS.contains(http.getResponse().getStatusCode());
        break;
      }
      if (cause instanceof IOException && !(cause instanceof SSLHandshakeException)) {
        retryable = true;
        break;
      }
    }
    String message = "could not get an access token for scope " + scope + " from "
        + settings.describeSource() + ": " + e.getClass().getSimpleName() + ": " + rootMessage(e);
    if (hasCause(e, SSLHandshakeException.class)) {
      message += " (is the identity endpoint's certificate trusted by this provider's"
          + " SSLContext?)";
    }
    return new Failure(retryable, 0, message, null, e);
  }

  // ---------------------------------------------------------------------------- helpers

  /** Full jitter; a server's Retry-After wins when it asks for longer, capped at the maximum. */
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
    if (value == null || value.isBlank()) {
      return null;
    }
    String text = value.trim();
    try {
      return Duration.ofSeconds(Math.max(0, Long.parseLong(text)));
    } catch (NumberFormatException e) {
      try {
        ZonedDateTime at = ZonedDateTime.parse(text, DateTimeFormatter.RFC_1123_DATE_TIME);
        Duration d = Duration.between(Instant.now(), at.toInstant());
        return d.isNegative() ? Duration.ZERO : d;
      } catch (DateTimeParseException ignored) {
        return null;
      }
    }
  }

  private void sleep(Duration wait) {
    try {
      Thread.sleep(wait.toMillis());
    } catch (InterruptedException e) {
      throw KmsProviderException.interrupted(name, "waiting to retry an Azure Key Vault call", e);
    }
  }

  private static String text(BsonValue value) {
    return value != null && value.isString() ? value.asString().getValue() : null;
  }

  private static String stripPadding(String value) {
    int end = value.length();
    while (end > 0 && value.charAt(end - 1) == '=') {
      end--;
    }
    return value.substring(0, end);
  }

  private static boolean wasInterrupted(Throwable e) {
    return Thread.currentThread().isInterrupted() || hasCause(e, InterruptedException.class)
        || hasCause(e, java.io.InterruptedIOException.class)
        || hasCause(e, java.nio.channels.ClosedByInterruptException.class);
  }

  private static boolean hasCause(Throwable e, Class<? extends Throwable> type) {
    for (Throwable cause = e; cause != null; cause = cause.getCause()) {
      if (type.isInstance(cause)) {
        return true;
      }
    }
    return false;
  }

  private static String rootMessage(Throwable e) {
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    String message = e.getMessage() != null ? e.getMessage() : root.getMessage();
    return message == null ? root.getClass().getSimpleName() : message;
  }

  /** Defence in depth: no message ever repeats a secret this provider was given. */
  private String redact(String text) {
    String out = text;
    for (String secret : redactions) {
      out = out.replace(secret, "<redacted>");
    }
    return out;
  }

  private static HttpClient jdkClient(Builder builder) {
    java.net.http.HttpClient.Builder jdk = java.net.http.HttpClient.newBuilder();
    if (builder.sslContext != null) {
      jdk.sslContext(builder.sslContext);
    }
    return new JdkHttpClientBuilder(jdk)
        .connectionTimeout(builder.connectTimeout)
        .responseTimeout(builder.attemptTimeout)
        .readTimeout(builder.attemptTimeout)
        .build();
  }

  private static final class Outcome {
    final byte[] body;
    final Failure failure;

    Outcome(byte[] body, Failure failure) {
      this.body = body;
      this.failure = failure;
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

  private enum Source { DEFAULT_CHAIN, CLIENT_SECRET, ACCESS_TOKEN, TOKEN_CREDENTIAL }

  /** Builder for {@link AzureKmsProvider}. Not thread-safe; {@link #build()} copies it. */
  public static final class Builder {
    private KmsProviderName name = KmsProviderName.of("azure");
    private Source source = Source.DEFAULT_CHAIN;
    private String tenantId;
    private String clientId;
    private String clientSecret;
    private String identityPlatformEndpoint = DEFAULT_IDENTITY_PLATFORM_ENDPOINT;
    private String accessToken;
    private TokenCredential tokenCredential;
    private com.azure.core.util.Configuration configuration;
    private SSLContext sslContext;
    private HttpClient httpClient;
    private Duration connectTimeout = DEFAULT_CONNECT_TIMEOUT;
    private Duration attemptTimeout = DEFAULT_ATTEMPT_TIMEOUT;
    private Duration callTimeout = DEFAULT_CALL_TIMEOUT;
    private int maxAttempts = DEFAULT_MAX_ATTEMPTS;
    private Duration retryBaseDelay = DEFAULT_RETRY_BASE_DELAY;
    private Duration retryMaxDelay = DEFAULT_RETRY_MAX_DELAY;
    private Duration tokenRefreshMargin = DEFAULT_TOKEN_REFRESH_MARGIN;
    private Clock clock = Clock.systemUTC();
    private boolean timeoutsSet;

    private Builder() {}

    private Builder copy() {
      Builder copy = new Builder();
      copy.name = name;
      copy.source = source;
      copy.tenantId = tenantId;
      copy.clientId = clientId;
      copy.clientSecret = clientSecret;
      copy.identityPlatformEndpoint = identityPlatformEndpoint;
      copy.accessToken = accessToken;
      copy.tokenCredential = tokenCredential;
      copy.configuration = configuration;
      copy.sslContext = sslContext;
      copy.httpClient = httpClient;
      copy.connectTimeout = connectTimeout;
      copy.attemptTimeout = attemptTimeout;
      copy.callTimeout = callTimeout;
      copy.maxAttempts = maxAttempts;
      copy.retryBaseDelay = retryBaseDelay;
      copy.retryMaxDelay = retryMaxDelay;
      copy.tokenRefreshMargin = tokenRefreshMargin;
      copy.clock = clock;
      copy.timeoutsSet = timeoutsSet;
      return copy;
    }

    /**
     * {@code azure} (the default) or a named provider such as {@code azure:prod}.
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
      if (!parsed.type().equals("azure")) {
        throw new ConfigurationException("name",
            "an Azure provider's name is 'azure' or 'azure:<name>', got '" + name + "'");
      }
      this.name = parsed;
      return this;
    }

    /**
     * A service principal's client secret (the {@code kmsProviders.azure} fields {@code
     * tenantId}, {@code clientId}, {@code clientSecret}).
     *
     * @param tenantId the directory (tenant) id
     * @param clientId the application (client) id
     * @param clientSecret the client secret
     * @return this builder
     */
    public Builder clientSecret(String tenantId, String clientId, String clientSecret) {
      this.tenantId = requireText(tenantId, "tenantId");
      if (!tenantId.matches("[A-Za-z0-9.-]+")) {
        throw new ConfigurationException("tenantId", "must be a tenant id (a GUID) or a domain of"
            + " [A-Za-z0-9.-], got '" + tenantId + "'");
      }
      this.clientId = requireText(clientId, "clientId");
      this.clientSecret = requireText(clientSecret, "clientSecret");
      this.source = Source.CLIENT_SECRET;
      return this;
    }

    /**
     * Where client-secret tokens are asked for, {@code host[:port]} ({@value
     * #DEFAULT_IDENTITY_PLATFORM_ENDPOINT} by default): {@code login.microsoftonline.us} for
     * Azure Government, {@code login.chinacloudapi.cn} for Azure China.
     *
     * @param endpoint {@code host[:port]}, optionally with {@code https://}
     * @return this builder
     */
    public Builder identityPlatformEndpoint(String endpoint) {
      requireText(endpoint, "identityPlatformEndpoint");
      this.identityPlatformEndpoint =
          AzureMasterKey.hostAndPort(endpoint, "identityPlatformEndpoint")[0];
      return this;
    }

    /**
     * A fixed access token obtained elsewhere (the {@code kmsProviders.azure.accessToken}
     * field). It is used until the vault refuses it; for tokens that change, use {@code
     * kmsProviderPropertySuppliers} or {@link #tokenCredential}.
     *
     * @param token a bearer token for scope {@code https://<vault domain>/.default}
     * @return this builder
     */
    public Builder accessToken(String token) {
      this.accessToken = requireText(token, "accessToken");
      this.source = Source.ACCESS_TOKEN;
      return this;
    }

    /**
     * Any azure-identity credential, such as a {@code ManagedIdentityCredential} for a
     * user-assigned identity or a {@code WorkloadIdentityCredential}; asked for a token whenever
     * the cached one nears expiry.
     *
     * @param credential the credential
     * @return this builder
     */
    public Builder tokenCredential(TokenCredential credential) {
      this.tokenCredential = Objects.requireNonNull(credential, "credential");
      this.source = Source.TOKEN_CREDENTIAL;
      return this;
    }

    /**
     * {@code DefaultAzureCredential} (the default): environment ({@code AZURE_CLIENT_ID}, {@code
     * AZURE_TENANT_ID}, {@code AZURE_CLIENT_SECRET}...), workload identity, managed identity,
     * Azure CLI, Azure PowerShell, Azure Developer CLI, IntelliJ.
     *
     * @return this builder
     */
    public Builder defaultCredential() {
      this.source = Source.DEFAULT_CHAIN;
      this.configuration = null;
      return this;
    }

    /**
     * {@code DefaultAzureCredential} reading its {@code AZURE_*} settings from {@code
     * configuration} instead of the environment and system properties.
     *
     * @param configuration an azure-core configuration
     * @return this builder
     */
    public Builder defaultCredential(com.azure.core.util.Configuration configuration) {
      this.source = Source.DEFAULT_CHAIN;
      this.configuration = Objects.requireNonNull(configuration, "configuration");
      return this;
    }

    /**
     * The TLS context for the vault and the identity endpoint, such as one from {@code
     * kmsProviderSslContextMap}; the JDK's default trust otherwise.
     *
     * @param sslContext the context
     * @return this builder
     */
    public Builder sslContext(SSLContext sslContext) {
      this.sslContext = Objects.requireNonNull(sslContext, "sslContext");
      return this;
    }

    /**
     * An azure-core HTTP client to use instead of the one this provider makes (java.net.http);
     * exclusive with {@link #sslContext}, {@link #connectTimeout} and {@link #attemptTimeout}.
     *
     * @param client the client
     * @return this builder
     */
    public Builder httpClient(HttpClient client) {
      this.httpClient = Objects.requireNonNull(client, "client");
      return this;
    }

    /**
     * TCP connect timeout (10 s by default).
     *
     * @param timeout positive
     * @return this builder
     */
    public Builder connectTimeout(Duration timeout) {
      this.connectTimeout = positive(timeout, "connectTimeout");
      this.timeoutsSet = true;
      return this;
    }

    /**
     * Limit on waiting for one response; a slower attempt is abandoned and retried (30 s by
     * default).
     *
     * @param timeout positive
     * @return this builder
     */
    public Builder attemptTimeout(Duration timeout) {
      this.attemptTimeout = positive(timeout, "attemptTimeout");
      this.timeoutsSet = true;
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
     * Builds the provider. No request is made until the first wrap or unwrap.
     *
     * @return a new provider
     */
    public AzureKmsProvider build() {
      if (httpClient != null && (sslContext != null || timeoutsSet)) {
        throw new ConfigurationException("httpClient", "a given HTTP client carries its own TLS"
            + " and timeouts; do not also set sslContext, connectTimeout or attemptTimeout");
      }
      return new AzureKmsProvider(this);
    }

    private String describeSource() {
      switch (source) {
        case CLIENT_SECRET:
          return "client secret of app " + clientId + " in tenant " + tenantId + " via "
              + identityPlatformEndpoint;
        case ACCESS_TOKEN:
          return "access token (redacted)";
        case TOKEN_CREDENTIAL:
          return "credential " + tokenCredential.getClass().getSimpleName();
        default:
          return "DefaultAzureCredential";
      }
    }

    private List<String> secrets() {
      List<String> secrets = new ArrayList<>();
      if (clientSecret != null) {
        secrets.add(clientSecret);
      }
      if (accessToken != null) {
        secrets.add(accessToken);
      }
      secrets.removeIf(secret -> secret.length() < 8);
      return List.copyOf(secrets);
    }

    private static String requireText(String value, String field) {
      if (value == null || value.isEmpty()) {
        throw new ConfigurationException(field, "must be a non-empty string");
      }
      return value;
    }

    private static Duration positive(Duration value, String field) {
      if (value == null || value.isNegative() || value.isZero()) {
        throw new ConfigurationException(field, "must be a positive duration, got " + value);
      }
      return value;
    }
  }
}
