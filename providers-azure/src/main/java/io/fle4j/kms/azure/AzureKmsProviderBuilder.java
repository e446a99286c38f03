package io.fle4j.kms.azure;

import com.azure.core.credential.TokenCredential;
import com.azure.core.http.HttpClient;
import io.fle4j.ConfigurationException;
import io.fle4j.kms.KmsFailures;
import io.fle4j.kms.RemoteKmsProviderBuilder;
import java.util.Objects;
import javax.net.ssl.SSLContext;

/** Builder for {@link AzureKmsProvider}. Not thread-safe; {@link #build()} copies it. */
public final class AzureKmsProviderBuilder extends RemoteKmsProviderBuilder<AzureKmsProviderBuilder> {
  /** Where tokens come from. */
  enum Source { DEFAULT_CHAIN, CLIENT_SECRET, ACCESS_TOKEN, TOKEN_CREDENTIAL }

  Source source = Source.DEFAULT_CHAIN;
  String tenantId;
  String clientId;
  String clientSecret;
  String identityPlatformEndpoint = AzureKmsProvider.DEFAULT_IDENTITY_PLATFORM_ENDPOINT;
  String accessToken;
  TokenCredential tokenCredential;
  com.azure.core.util.Configuration configuration;
  SSLContext sslContext;
  HttpClient httpClient;

  AzureKmsProviderBuilder() {
    super("azure");
  }

  @Override
  protected AzureKmsProviderBuilder self() {
    return this;
  }

  AzureKmsProviderBuilder copy() {
    AzureKmsProviderBuilder copy = copyTo(new AzureKmsProviderBuilder());
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
    return copy;
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
  public AzureKmsProviderBuilder clientSecret(String tenantId, String clientId, String clientSecret) {
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
   * AzureKmsProvider#DEFAULT_IDENTITY_PLATFORM_ENDPOINT} by default): {@code login.microsoftonline.us} for
   * Azure Government, {@code login.chinacloudapi.cn} for Azure China.
   *
   * @param endpoint {@code host[:port]}, optionally with {@code https://}
   * @return this builder
   */
  public AzureKmsProviderBuilder identityPlatformEndpoint(String endpoint) {
    requireText(endpoint, "identityPlatformEndpoint");
    this.identityPlatformEndpoint =
        AzureMasterKey.vaultEndpoint(endpoint, "identityPlatformEndpoint").authority();
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
  public AzureKmsProviderBuilder accessToken(String token) {
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
  public AzureKmsProviderBuilder tokenCredential(TokenCredential credential) {
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
  public AzureKmsProviderBuilder defaultCredential() {
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
  public AzureKmsProviderBuilder defaultCredential(com.azure.core.util.Configuration configuration) {
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
  public AzureKmsProviderBuilder sslContext(SSLContext sslContext) {
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
  public AzureKmsProviderBuilder httpClient(HttpClient client) {
    this.httpClient = Objects.requireNonNull(client, "client");
    return this;
  }

  /**
   * Builds the provider. No request is made until the first wrap or unwrap.
   *
   * @return a new provider
   */
  public AzureKmsProvider build() {
    if (httpClient != null && (sslContext != null || connectTimeoutSet() || attemptTimeoutSet())) {
      throw new ConfigurationException("httpClient", "a given HTTP client carries its own TLS"
          + " and timeouts; do not also set sslContext, connectTimeout or attemptTimeout");
    }
    return new AzureKmsProvider(this);
  }

  String describeSource() {
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

  KmsFailures.Redactor redactor() {
    return KmsFailures.redactor(clientSecret, accessToken);
  }


  private static String requireText(String value, String field) {
    if (value == null || value.isEmpty()) {
      throw new ConfigurationException(field, "must be a non-empty string");
    }
    return value;
  }

}
