package io.fle4j.kms.azure;

import com.azure.core.credential.TokenCredential;
import com.azure.core.http.HttpClient;
import com.azure.core.http.HttpHeaderName;
import com.azure.core.http.HttpMethod;
import com.azure.core.http.HttpPipeline;
import com.azure.core.http.HttpPipelineBuilder;
import com.azure.core.http.HttpRequest;
import com.azure.core.http.HttpResponse;
import com.azure.core.http.jdk.httpclient.JdkHttpClientBuilder;
import com.azure.identity.ClientSecretCredentialBuilder;
import com.azure.identity.DefaultAzureCredentialBuilder;
import io.fle4j.ConfigurationException;
import io.fle4j.kms.JsonReplies;
import io.fle4j.kms.KmsFailures;
import io.fle4j.kms.KmsProvider;
import io.fle4j.kms.KmsProviderException;
import io.fle4j.kms.KmsProviderName;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import org.bson.BsonDocument;
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
 * login.chinacloudapi.cn}... for sovereign clouds); a fixed {@linkplain AzureKmsProviderBuilder#accessToken access
 * token} obtained elsewhere; any azure-identity {@link TokenCredential}; or, by default, {@code
 * DefaultAzureCredential} (environment variables, workload identity, managed identity, Azure
 * CLI, Azure PowerShell, Azure Developer CLI, IntelliJ). MSAL's instance discovery is turned off:
 * the authority is taken as given, as libmongocrypt does, so no request leaves for {@code
 * login.microsoftonline.com} when another identity endpoint is configured.
 *
 * <p><b>Tokens</b> are cached per scope by azure-core's {@code BearerTokenAuthenticationPolicy},
 * which renews them before they expire (five minutes before, or at the token's own refresh time);
 * a token the vault refuses with 401 is dropped and a new one fetched once.
 *
 * <p><b>Failures.</b> Each attempt has a connect and a response timeout, each call an overall
 * timeout. HTTP 408, 429, 500, 502, 503 and 504 and network errors are retried (at most {@link
 * AzureKmsProviderBuilder#maxAttempts} attempts, exponential backoff with full jitter), waiting
 * what {@code Retry-After} asks when the service says so, up to the backoff's maximum; azure-core's
 * {@code RetryPolicy} runs the retries (see {@code AzureKeyVaultPipelines}). 401, 403 and 404 give
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
 * <p>Thread-safe; {@link #close()} is a no-op.
 */
public final class AzureKmsProvider implements KmsProvider {
  /** Default {@code identityPlatformEndpoint}. */
  public static final String DEFAULT_IDENTITY_PLATFORM_ENDPOINT = "login.microsoftonline.com";
  /** The Key Vault REST api-version libmongocrypt uses. */
  public static final String API_VERSION = "7.1";

  private final KmsProviderName name;
  private final AzureKmsProviderBuilder settings;
  private final AzureKeyVaultPipelines pipelines;
  private final boolean tokenRenewable;
  private final KmsFailures.Redactor redactor;

  AzureKmsProvider(AzureKmsProviderBuilder builder) {
    this.settings = builder.copy();
    this.name = builder.name();
    this.redactor = builder.redactor();
    HttpClient httpClient = builder.httpClient != null ? builder.httpClient : jdkClient(builder);
    this.tokenRenewable = builder.source != AzureKmsProviderBuilder.Source.ACCESS_TOKEN;
    TokenCredential credential = AzureFailures.reporting(credential(builder, httpClient),
        builder.describeSource(), redactor);
    this.pipelines = new AzureKeyVaultPipelines(httpClient, credential,
        builder.retryBackoff(), builder.maxAttempts());
  }

  /**
   * A builder with the defaults: name {@code azure}, {@code DefaultAzureCredential}, the JDK's
   * default trust, 3 attempts per call.
   *
   * @return a new builder
   */
  public static AzureKmsProviderBuilder builder() {
    return new AzureKmsProviderBuilder();
  }

  /**
   * A builder holding the settings of {@code existing}, to derive a variant.
   *
   * @param existing a provider
   * @return a new builder
   */
  public static AzureKmsProviderBuilder builder(AzureKmsProvider existing) {
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
        + ", maxAttempts=" + settings.maxAttempts() + "}";
  }

  // ------------------------------------------------------------------------------ calls

  private byte[] call(String operation, AzureMasterKey key, byte[] value) {
    String scope = key.scope();
    AzureKeyVaultPipelines.Call call = new AzureKeyVaultPipelines.Call(
        Instant.now().plus(settings.callTimeout()));
    boolean renewedToken = false;
    while (true) {
      HttpPipeline pipeline = pipelines.forScope(scope);
      int status;
      byte[] reply;
      try (HttpResponse response = pipelines.send(pipeline, request(operation, key, value),
          call)) {
        status = response.getStatusCode();
        reply = response.getBodyAsBinaryData() == null ? new byte[0]
            : response.getBodyAsBinaryData().toBytes();
      } catch (RuntimeException e) {
        throw failed(operation, key, call, e);
      }
      if (status == 200) {
        return parseValue(operation, key, reply);
      }
      if (status == 401 && tokenRenewable && !renewedToken) {
        // The vault refused a token we believed valid (revoked, clock skew): drop the scope's
        // pipeline with its token cache and try once more with a fresh token. This round does
        // not count as an attempt.
        renewedToken = true;
        pipelines.dropTokenOf(scope, pipeline);
        call.sent--;
        continue;
      }
      boolean retryable = AzureKeyVaultPipelines.RETRIED_STATUS.contains(status);
      throw new KmsProviderException(name, retryable, redactor.apply(prefix(operation, key,
          call.attempts()) + AzureFailures.httpFailure(operation, key, status, reply)));
    }
  }

  private static HttpRequest request(String operation, AzureMasterKey key, byte[] value) {
    String url = "https://" + key.hostAndPort() + "/keys/" + key.keyName() + "/"
        + (key.keyVersion() == null ? "" : key.keyVersion()) + "/" + operation
        + "?api-version=" + API_VERSION;
    // The same body libmongocrypt sends; base64url keeps its '=' padding there too.
    String body = "{\"alg\": \"RSA-OAEP-256\", \"value\": \""
        + Base64.getUrlEncoder().encodeToString(value) + "\"}";
    return new HttpRequest(HttpMethod.POST, url)
        .setHeader(HttpHeaderName.ACCEPT, "application/json")
        .setHeader(HttpHeaderName.CONTENT_TYPE, "application/json")
        .setBody(body.getBytes(StandardCharsets.US_ASCII));
  }

  /** The exception for a call that ended with {@code e} instead of an answer. */
  private KmsProviderException failed(String operation, AzureMasterKey key,
      AzureKeyVaultPipelines.Call call, RuntimeException e) {
    if (KmsFailures.wasInterrupted(e)) {
      // azure-core clears the flag and wraps the interrupt: not a network failure.
      return KmsFailures.interrupted(name, "sending an Azure Key Vault " + operation + " call", e);
    }
    // RetryPolicy throws the last failure with the earlier ones attached as suppressed.
    Throwable last = e;
    if (e instanceof AzureKeyVaultPipelines.NoAttemptLeft && e.getSuppressed().length > 0) {
      last = e.getSuppressed()[e.getSuppressed().length - 1];
    }
    Throwable cause = last;
    if (last instanceof AzureKeyVaultPipelines.TokenFailure token) {
      call.tokenFailed(token); // the last one, on which RetryPolicy asked nobody
      cause = token.source;
    }
    return new KmsProviderException(name, AzureKeyVaultPipelines.retryable(last),
        redactor.apply(prefix(operation, key, call.attempts()) + describe(last)), cause);
  }

  private static String describe(Throwable e) {
    return e instanceof AzureKeyVaultPipelines.TokenFailure ? e.getMessage()
        : AzureFailures.networkFailure(e);
  }

  private static String prefix(String operation, AzureMasterKey key, int attempts) {
    return "Azure Key Vault " + operation + " with " + key.describe() + " failed"
        + (attempts > 1 ? " after " + attempts + " attempts" : "") + ": ";
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

  // ------------------------------------------------------------------------------ setup

  private static TokenCredential credential(AzureKmsProviderBuilder builder,
      HttpClient httpClient) {
    HttpPipeline pipeline = new HttpPipelineBuilder().httpClient(httpClient).build();
    switch (builder.source) {
      case CLIENT_SECRET:
        return new ClientSecretCredentialBuilder()
            .tenantId(builder.tenantId)
            .clientId(builder.clientId)
            .clientSecret(builder.clientSecret)
            .authorityHost("https://" + builder.identityPlatformEndpoint)
            .disableInstanceDiscovery()
            .httpPipeline(pipeline)
            .build();
      case DEFAULT_CHAIN:
        DefaultAzureCredentialBuilder chain = new DefaultAzureCredentialBuilder()
            .disableInstanceDiscovery()
            .httpPipeline(pipeline);
        if (builder.configuration != null) {
          chain.configuration(builder.configuration);
        }
        return chain.build();
      case TOKEN_CREDENTIAL:
        return builder.tokenCredential;
      default:
        return AzureKeyVaultPipelines.fixed(builder.accessToken);
    }
  }

  private static HttpClient jdkClient(AzureKmsProviderBuilder builder) {
    java.net.http.HttpClient.Builder jdk = java.net.http.HttpClient.newBuilder();
    if (builder.sslContext != null) {
      jdk.sslContext(builder.sslContext);
    }
    return new JdkHttpClientBuilder(jdk)
        .connectionTimeout(builder.connectTimeout())
        .responseTimeout(builder.attemptTimeout())
        .readTimeout(builder.attemptTimeout())
        .build();
  }
}
