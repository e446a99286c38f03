package io.fle4j.testkit.kms.azure;

import io.fle4j.testkit.kms.http.EmulatorBuilder;
import io.fle4j.testkit.kms.http.EmulatorHttpsServer;
import io.fle4j.testkit.kms.http.HttpsKmsEmulator;
import io.fle4j.testkit.kms.http.Faults;
import io.fle4j.testkit.kms.http.Jwts;

import io.fle4j.testkit.kms.http.EmulatorHttpsServer.EmulatorError;
import io.fle4j.testkit.kms.http.EmulatorHttpsServer.Reply;
import io.fle4j.testkit.kms.http.EmulatorHttpsServer.Request;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.MGF1ParameterSpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import javax.crypto.Cipher;
import javax.crypto.spec.OAEPParameterSpec;
import javax.crypto.spec.PSource;
import org.bson.BsonArray;
import org.bson.BsonBoolean;
import org.bson.BsonDocument;
import org.bson.BsonInt32;
import org.bson.BsonInt64;
import org.bson.BsonString;
import org.bson.BsonValue;
import org.bson.json.JsonParseException;

/**
 * An Azure Key Vault emulator for tests, with its own Microsoft identity platform: HTTPS on
 * {@code 127.0.0.1} with a certificate made at start, serving on one port
 *
 * <ul>
 *   <li>the OAuth2 token endpoint {@code POST /<tenant>/oauth2/v2.0/token}: the client-credentials
 *       grant with a client secret or a federated client assertion (workload identity). It issues
 *       RS256-signed JWT access tokens ({@code aud} from the {@code scope}, {@code tid}, {@code
 *       appid}, {@code exp}) and answers errors as the identity platform does ({@code
 *       AADSTS90002} unknown tenant, {@code AADSTS700016} unknown application, {@code
 *       AADSTS7000215} wrong secret);</li>
 *   <li>Key Vault keys: {@code POST /keys/<name>/create}, {@code GET} and {@code PATCH
 *       /keys/<name>/<version>}, and {@code POST /keys/<name>/<version or empty>/wrapkey} and
 *       {@code unwrapkey} with RSA-OAEP-256 (also RSA-OAEP and RSA1_5), {@code api-version} 7.0 to
 *       7.6. Every vault request must carry a bearer token this emulator signed, unexpired, for
 *       this vault's tenant and for its audience: {@code https://vault.azure.net} or {@code
 *       https://<the vault host minus its first label>} (what libmongocrypt and fle4j request;
 *       {@code https://0.0.1} for {@code 127.0.0.1}). Errors are Key Vault's JSON ({@code
 *       {"error":{"code":"KeyNotFound","message":...}}}), with {@code 401} plus a {@code
 *       WWW-Authenticate} challenge, {@code 403} for a disabled key or a missing permission, and
 *       {@code 404} for an unknown key or version.</li>
 * </ul>
 *
 * <p>As in Azure, a key has versions (each a 2048-bit or larger RSA key pair); a request without
 * a version uses the newest version, so after a rotation only data keys whose {@code masterKey}
 * names a {@code keyVersion}, or that were wrapped by the newest version, unwrap.
 *
 * <p>It accepts what azure-identity/MSAL and azure-core send and what libmongocrypt (through the
 * official driver) sends: {@code Name:value} headers, {@code Connection:close}, form values that
 * are not URL-encoded, {@code /keys/name//wrapkey} and base64url with {@code =} padding. Point
 * libmongocrypt at it with {@code kmsProviders.azure.identityPlatformEndpoint} and {@code
 * masterKey.keyVaultEndpoint} both set to {@link #endpoint()}, and {@link #clientSslContext()} in
 * {@code kmsProviderSslContextMap}.
 *
 * <p>Knobs: {@link #faults()} (the same on every emulator), {@link #tokenLifetime};
 * counters: {@link #requestCount(String)} (operations {@code token}, {@code wrapkey}, {@code
 * unwrapkey}, {@code createKey}, {@code getKey}, {@code updateKey}, {@code
 * managedIdentityToken}), {@link #requests()}.
 *
 * <pre>{@code
 * try (AzureKeyVaultEmulator azure = AzureKeyVaultEmulator.start()) {
 *   azure.createKey("fle4j-kek");
 *   Map<String, Object> entry = azure.registerApplication().asKmsProviderProperties();
 *   // masterKey: {keyVaultEndpoint: azure.endpoint(), keyName: "fle4j-kek"}
 *   // TLS: kmsProviderSslContextMap {azure: azure.clientSslContext()}
 * }
 * }</pre>
 *
 * <p>Thread-safe. Not a security boundary: secrets live in memory in clear.
 *
 * <p>Operations, as {@link #requestCount(String)} and {@link #requests()} name them: {@code
 * token}, {@code wrapkey}, {@code unwrapkey}, {@code createKey}, {@code getKey}, {@code
 * updateKey}, {@code unknown}.
 */
public final class AzureKeyVaultEmulator extends HttpsKmsEmulator {
  /** Audience of Key Vault access tokens in Azure's public cloud. */
  public static final String PUBLIC_CLOUD_AUDIENCE = "https://vault.azure.net";
  /** Audience federated tokens must have (workload identity). */
  public static final String FEDERATED_TOKEN_AUDIENCE = "api://AzureADTokenExchange";

  private static final Set<String> API_VERSIONS =
      Set.of("7.0", "7.1", "7.2", "7.3", "7.4", "7.5", "7.6");
  private static final Pattern KEY_NAME = Pattern.compile("[0-9A-Za-z-]{1,127}");
  private static final Set<String> KEY_PERMISSIONS =
      Set.of("wrapKey", "unwrapKey", "create", "get", "update");
  private static final String SECRET_CHARACTERS =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789~._-";

  private final Clock clock;
  private final String vaultTenant;
  private final KeyPair tokenSigningKey;
  private final String tokenSigningKeyId;
  private final SecureRandom random = new SecureRandom();
  private final Map<String, App> apps = new ConcurrentHashMap<>();
  private final Set<String> tenants = ConcurrentHashMap.newKeySet();
  private final Map<String, Set<String>> denied = new ConcurrentHashMap<>();
  private final Map<String, Key> keys = new ConcurrentHashMap<>();
  private final int rsaKeyBits;
  private volatile Duration tokenLifetime = Duration.ofSeconds(3599);
  private volatile EmulatorHttpsServer managedIdentity;

  private AzureKeyVaultEmulator(Builder builder) {
    super("Azure Key Vault emulator", "azure-key-vault-emulator", builder.clock(), builder.seed(),
        new Faults.Wording(429, "Throttled", "Request was not processed because too many"
            + " requests were received. Reason: VaultRequestTypeLimitReached",
            code -> "injected by the emulator: " + code));
    this.clock = builder.clock();
    this.vaultTenant = builder.tenantId;
    this.rsaKeyBits = builder.rsaKeyBits;
    this.tenants.add(vaultTenant);
    this.tokenSigningKey = rsaKeyPair(2048);
    this.tokenSigningKeyId = randomHex(20);
  }

  @Override
  protected EmulatorHttpsServer.Handler handler() {
    return new VaultHandler();
  }

  /**
   * Starts an emulator with a random tenant, the system clock and 2048-bit keys.
   *
   * @return a running emulator; close it when done
   */
  public static AzureKeyVaultEmulator start() {
    return builder().start();
  }

  /**
   * A builder for other settings.
   *
   * @return a new builder
   */
  public static Builder builder() {
    return new Builder();
  }

  // ------------------------------------------------------------------------ where it is

  /**
   * {@code 127.0.0.1:<port>}: the value for both {@code masterKey.keyVaultEndpoint} and {@code
   * kmsProviders.azure.identityPlatformEndpoint}.
   *
   * @return host and port
   */
  public String endpoint() {
    return "127.0.0.1:" + port();
  }

  /**
   * {@code https://127.0.0.1:<port>}: the authority host for azure-identity credential builders.
   *
   * @return the authority host URL
   */
  public String authorityHost() {
    return "https://" + endpoint();
  }

  /**
   * The audience that libmongocrypt and fle4j request for this vault: {@code https://} plus the
   * vault host minus its first label, so {@code https://0.0.1}.
   *
   * @return the audience
   */
  public String audience() {
    return "https://0.0.1";
  }

  // ---------------------------------------------------------------------- identities

  /**
   * The tenant that owns the vault; only its tokens are accepted by the vault.
   *
   * @return the tenant id
   */
  public String tenantId() {
    return vaultTenant;
  }

  /**
   * Registers an application (service principal) in the vault's tenant, with a new client
   * secret and every key permission.
   *
   * @return the application
   */
  public App registerApplication() {
    return registerApplication(vaultTenant);
  }

  /**
   * Registers an application in a tenant (created when first named). Tokens of a tenant other
   * than {@link #tenantId()} are refused by the vault ({@code 401}).
   *
   * @param tenantId a tenant id
   * @return the application
   */
  public App registerApplication(String tenantId) {
    Objects.requireNonNull(tenantId, "tenantId");
    tenants.add(tenantId);
    App app = new App(tenantId, UUID.randomUUID().toString(), randomSecret(40),
        UUID.randomUUID().toString(), "system:serviceaccount:fle4j:" + randomHex(6), this);
    apps.put(app.clientId, app);
    return app;
  }

  /**
   * Takes key permissions away from an application: its requests get {@code 403 Forbidden}.
   *
   * @param app the application
   * @param permissions {@code wrapKey}, {@code unwrapKey}, {@code create}, {@code get}, {@code
   *     update}
   */
  public void denyPermissions(App app, String... permissions) {
    for (String permission : permissions) {
      if (!KEY_PERMISSIONS.contains(permission)) {
        throw new IllegalArgumentException("unknown key permission '" + permission + "', expected "
            + KEY_PERMISSIONS);
      }
    }
    denied.computeIfAbsent(app.clientId, k -> ConcurrentHashMap.newKeySet())
        .addAll(List.of(permissions));
  }

  /**
   * Gives back every permission taken by {@link #denyPermissions}.
   *
   * @param app the application
   */
  public void restorePermissions(App app) {
    denied.remove(app.clientId);
  }

  /**
   * Lifetime of the access tokens issued from now on (3599 s by default, as Azure).
   *
   * @param lifetime positive
   */
  public void tokenLifetime(Duration lifetime) {
    if (lifetime == null || lifetime.isNegative() || lifetime.isZero()) {
      throw new IllegalArgumentException("lifetime must be positive, got " + lifetime);
    }
    this.tokenLifetime = lifetime;
  }

  /**
   * An access token for {@code app} with this vault's audience, as if obtained elsewhere (for
   * {@code kmsProviders.azure.accessToken}).
   *
   * @param app the application
   * @return a signed access token
   */
  public String issueAccessToken(App app) {
    return issueAccessToken(app, audience(), tokenLifetime);
  }

  /**
   * An access token with any audience and lifetime.
   *
   * @param app the application
   * @param audience such as {@link #audience()} or {@link #PUBLIC_CLOUD_AUDIENCE}
   * @param lifetime how long it is valid, from now (negative for an already expired one)
   * @return a signed access token
   */
  public String issueAccessToken(App app, String audience, Duration lifetime) {
    return accessToken(app, audience, lifetime);
  }

  // ----------------------------------------------------------------------------- keys

  /**
   * Creates an RSA key, or a new version of an existing one (a rotation, as in Azure).
   *
   * @param name the key name ({@code [0-9A-Za-z-]}, 1 to 127 characters)
   * @return the new version's id (32 hex digits)
   */
  public String createKey(String name) {
    return createKey(name, rsaKeyBits);
  }

  /**
   * Creates an RSA key of a given size, or a new version of an existing one.
   *
   * @param name the key name
   * @param bits 2048, 3072 or 4096
   * @return the new version's id
   */
  public String createKey(String name, int bits) {
    requireKeyName(name);
    if (bits != 2048 && bits != 3072 && bits != 4096) {
      throw new IllegalArgumentException("RSA key size must be 2048, 3072 or 4096, got " + bits);
    }
    Key key = keys.computeIfAbsent(name.toLowerCase(Locale.ROOT), k -> new Key(name));
    return key.addVersion(randomHex(16), rsaKeyPair(bits), clock.instant());
  }

  /**
   * Versions of a key, oldest first.
   *
   * @param name the key name
   * @return version ids
   */
  public List<String> keyVersions(String name) {
    return existingKey(name).versionIds();
  }

  /**
   * Enables or disables one version, or every version when {@code version} is {@code null}.
   * Operations on a disabled version get {@code 403} with inner error {@code KeyDisabled}.
   *
   * @param name the key name
   * @param version a version id, or {@code null}
   * @param enabled the new state
   */
  public void setKeyEnabled(String name, String version, boolean enabled) {
    Key key = existingKey(name);
    synchronized (key) {
      for (Version v : key.versions) {
        if (version == null || v.id.equals(version)) {
          v.enabled = enabled;
        }
      }
    }
  }

  /**
   * Deletes a key and all its versions.
   *
   * @param name the key name
   */
  public void deleteKey(String name) {
    keys.remove(name.toLowerCase(Locale.ROOT));
  }

  /**
   * Starts a managed-identity endpoint (the Azure instance metadata service's token endpoint,
   * plain HTTP like the real one) on {@code 127.0.0.1:port}, issuing tokens for {@code app}:
   * {@code GET /metadata/identity/oauth2/token?api-version=...&resource=...} with header {@code
   * Metadata: true}. Point azure-identity at it with {@code AZURE_POD_IDENTITY_AUTHORITY_HOST}.
   * Stopped by {@link #close()}.
   *
   * @param port a TCP port, or 0 for any
   * @param app the identity the endpoint hands out
   * @return {@code http://127.0.0.1:<port>}
   */
  public synchronized String startManagedIdentityEndpoint(int port, App app) {
    if (managedIdentity != null) {
      throw new IllegalStateException("the managed identity endpoint is already running");
    }
    managedIdentity = EmulatorHttpsServer.http(port, "azure-imds-emulator",
        new ManagedIdentityHandler(app), clock);
    return "http://127.0.0.1:" + managedIdentity.port();
  }

  // ---------------------------------------------------------------------------- knobs

  // ------------------------------------------------------------------------- counters

  /** Stops the servers. Idempotent. */
  @Override
  public void close() {
    super.close();
    EmulatorHttpsServer mi = managedIdentity;
    if (mi != null) {
      mi.close();
    }
  }

  @Override
  public String toString() {
    return "AzureKeyVaultEmulator{" + endpoint() + ", tenant=" + vaultTenant + ", keys="
        + keys.size() + "}";
  }

  // -------------------------------------------------------------------------- tokens

  private String accessToken(App app, String audience, Duration lifetime) {
    long now = clock.instant().getEpochSecond();
    BsonDocument claims = new BsonDocument()
        .append("aud", new BsonString(audience))
        .append("iss", new BsonString("https://sts.windows.net/" + app.tenantId + "/"))
        .append("iat", new BsonInt64(now))
        .append("nbf", new BsonInt64(now))
        .append("exp", new BsonInt64(now + lifetime.toSeconds()))
        .append("appid", new BsonString(app.clientId))
        .append("oid", new BsonString(app.objectId))
        .append("sub", new BsonString(app.objectId))
        .append("tid", new BsonString(app.tenantId))
        .append("uti", new BsonString(randomHex(11)))
        .append("ver", new BsonString("1.0"));
    BsonDocument header = new BsonDocument("typ", new BsonString("JWT"))
        .append("alg", new BsonString("RS256"))
        .append("kid", new BsonString(tokenSigningKeyId));
    return Jwts.sign(header, claims, tokenSigningKey.getPrivate());
  }

  private String federatedToken(App app) {
    long now = clock.instant().getEpochSecond();
    BsonDocument claims = new BsonDocument()
        .append("aud", new BsonArray(List.of(new BsonString(FEDERATED_TOKEN_AUDIENCE))))
        .append("iss", new BsonString(authorityHost() + "/federation"))
        .append("sub", new BsonString(app.federatedSubject))
        .append("iat", new BsonInt64(now))
        .append("exp", new BsonInt64(now + 3600));
    BsonDocument header = new BsonDocument("typ", new BsonString("JWT"))
        .append("alg", new BsonString("RS256"))
        .append("kid", new BsonString(tokenSigningKeyId));
    return Jwts.sign(header, claims, tokenSigningKey.getPrivate());
  }

  private Reply tokenEndpoint(String tenant, Request request) {
    if (!"POST".equals(request.method)) {
      throw aadError(405, "invalid_request", 900561,
          "The endpoint only accepts POST requests. Received a " + request.method + " request.");
    }
    if (!tenants.contains(tenant)) {
      throw aadError(400, "invalid_request", 90002, "Tenant '" + tenant + "' not found. Check to"
          + " make sure you have the correct tenant ID and are signing into the correct cloud.");
    }
    Map<String, String> form = request.form();
    String grant = form.get("grant_type");
    if (!"client_credentials".equals(grant)) {
      throw aadError(400, "unsupported_grant_type", 70003,
          "The app requested an unsupported grant type '" + grant + "'.");
    }
    String clientId = form.get("client_id");
    if (clientId == null || clientId.isEmpty()) {
      throw aadError(400, "invalid_request", 900144,
          "The request body must contain the following parameter: 'client_id'.");
    }
    App app = apps.get(clientId);
    if (app == null || !app.tenantId.equals(tenant)) {
      throw aadError(400, "unauthorized_client", 700016, "Application with identifier '"
          + clientId + "' was not found in the directory '" + tenant + "'. This can happen if the"
          + " application has not been installed by the administrator of the tenant or consented"
          + " to by any user in the tenant. You may have sent your authentication request to the"
          + " wrong tenant.");
    }
    String secret = form.get("client_secret");
    String assertion = form.get("client_assertion");
    if (secret != null) {
      if (!MessageDigest.isEqual(secret.getBytes(StandardCharsets.UTF_8),
          app.clientSecret.getBytes(StandardCharsets.UTF_8))) {
        throw aadError(401, "invalid_client", 7000215, "Invalid client secret provided. Ensure"
            + " the secret being sent in the request is the client secret value, not the client"
            + " secret ID, for a secret added to app '" + clientId + "'.");
      }
    } else if (assertion != null) {
      checkFederatedAssertion(app, form.get("client_assertion_type"), assertion);
    } else {
      throw aadError(401, "invalid_client", 7000218, "The request body must contain the following"
          + " parameter: 'client_assertion' or 'client_secret'.");
    }
    String resource = resourceOf(form.get("scope"));
    Duration lifetime = tokenLifetime;
    String token = accessToken(app, resource, lifetime);
    BsonDocument body = new BsonDocument("token_type", new BsonString("Bearer"))
        .append("expires_in", new BsonInt64(lifetime.toSeconds()))
        .append("ext_expires_in", new BsonInt64(lifetime.toSeconds()))
        .append("access_token", new BsonString(token));
    return new Reply(200, body.toJson()).header("Cache-Control", "no-store, no-cache");
  }

  private void checkFederatedAssertion(App app, String type, String assertion) {
    if (!"urn:ietf:params:oauth:client-assertion-type:jwt-bearer".equals(type)) {
      throw aadError(400, "invalid_request", 50027, "client_assertion_type must be"
          + " urn:ietf:params:oauth:client-assertion-type:jwt-bearer");
    }
    Jwts.Parsed jwt;
    try {
      jwt = Jwts.parse(assertion);
    } catch (IllegalArgumentException e) {
      throw aadError(400, "invalid_request", 50027, "Invalid JWT token. " + e.getMessage());
    }
    long now = clock.instant().getEpochSecond();
    BsonValue aud = jwt.claims.get("aud");
    boolean audienceOk = aud != null && (aud.isArray()
        ? aud.asArray().contains(new BsonString(FEDERATED_TOKEN_AUDIENCE))
        : aud.equals(new BsonString(FEDERATED_TOKEN_AUDIENCE)));
    if (!jwt.verifiedBy(tokenSigningKey.getPublic()) || !audienceOk
        || !app.federatedSubject.equals(jwt.string("sub"))) {
      throw aadError(400, "invalid_client", 70021, "No matching federated identity record found"
          + " for presented assertion.");
    }
    if (jwt.seconds("exp") <= now) {
      throw aadError(400, "invalid_client", 700024, "Client assertion is not within its valid"
          + " time range.");
    }
  }

  private static String resourceOf(String scope) {
    if (scope == null || scope.isBlank()) {
      throw aadError(400, "invalid_request", 90014, "The request body must contain the following"
          + " parameter: 'scope'.");
    }
    String resource = null;
    for (String part : scope.trim().split(" +")) {
      if (Set.of("openid", "profile", "offline_access").contains(part)) {
        continue;
      }
      if (!part.endsWith("/.default") || resource != null) {
        throw aadError(400, "invalid_scope", 1002012, "The provided value for scope " + scope
            + " is not valid. Client credential flows must have a scope value with /.default"
            + " suffixed to the resource identifier (application ID URI).");
      }
      resource = part.substring(0, part.length() - "/.default".length());
    }
    if (resource == null) {
      throw aadError(400, "invalid_scope", 1002012, "The provided value for scope " + scope
          + " is not valid.");
    }
    return resource;
  }

  private static EmulatorError aadError(int status, String error, int code, String description) {
    return new EmulatorError(status, error, "AADSTS" + code + ": " + description);
  }

  /** The application a vault request's bearer token belongs to, after checking the token. */
  private App authenticate(Request request) {
    String authorization = request.header("authorization");
    if (authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
      throw unauthorized("AKV10000: Request is missing a Bearer or PoP token.");
    }
    Jwts.Parsed jwt;
    try {
      jwt = Jwts.parse(authorization.substring(7).trim());
    } catch (IllegalArgumentException e) {
      throw unauthorized("AKV10001: Unable to parse the token. " + e.getMessage());
    }
    if (!jwt.verifiedBy(tokenSigningKey.getPublic())) {
      throw unauthorized("AKV10031: Token signature validation failed.");
    }
    long now = clock.instant().getEpochSecond();
    if (jwt.seconds("exp") <= now) {
      throw unauthorized("AKV10021: Token is expired.");
    }
    if (jwt.seconds("nbf") > now + 300) {
      throw unauthorized("AKV10021: Token is not yet valid.");
    }
    String audience = stripSlash(jwt.string("aud"));
    String expected = "https://" + domainOf(request.hostName());
    if (audience == null || !(audience.equals(PUBLIC_CLOUD_AUDIENCE) || audience.equals(expected))) {
      throw unauthorized("AKV10022: Invalid audience. Expected " + expected + " or "
          + PUBLIC_CLOUD_AUDIENCE + ", found: " + audience + ".");
    }
    String tenant = jwt.string("tid");
    if (!vaultTenant.equals(tenant)) {
      throw unauthorized("AKV10032: Invalid issuer. Expected one of https://sts.windows.net/"
          + vaultTenant + "/, found https://sts.windows.net/" + tenant + "/.");
    }
    App app = apps.get(jwt.string("appid"));
    if (app == null) {
      throw unauthorized("AKV10046: Unknown application.");
    }
    return app;
  }

  private EmulatorError unauthorized(String message) {
    return new EmulatorError(401, "Unauthorized", message).header("WWW-Authenticate",
        "Bearer authorization=\"" + authorityHost() + "/" + vaultTenant + "\", resource=\""
            + PUBLIC_CLOUD_AUDIENCE + "\"");
  }

  private void authorize(App app, String permission) {
    Set<String> taken = denied.get(app.clientId);
    if (taken != null && taken.contains(permission)) {
      throw new EmulatorError(403, "Forbidden", "The user, group or application 'appid="
          + app.clientId + ";oid=" + app.objectId + ";iss=https://sts.windows.net/" + app.tenantId
          + "/' does not have keys " + permission + " permission on key vault 'fle4j-emulator;"
          + "location=local'. For help resolving this issue, please see"
          + " https://go.microsoft.com/fwlink/?linkid=2125287")
          .header("x-ms-keyvault-service-version", "1.9.0.0");
    }
  }

  // ---------------------------------------------------------------------------- vault

  private Reply wrapOrUnwrap(Request request, String operation, String name, String version) {
    App app = authenticate(request);
    authorize(app, operation.equals("wrapkey") ? "wrapKey" : "unwrapKey");
    BsonDocument body = jsonBody(request);
    String alg = stringField(body, "alg");
    String value = stringField(body, "value");
    Version v = version(name, version);
    if (!v.enabled) {
      throw new EmulatorError(403, "Forbidden", "Operation " + (operation.equals("wrapkey")
          ? "wrapKey" : "unwrapKey") + " is not allowed on a disabled key.");
    }
    byte[] input;
    try {
      input = Jwts.decode(value);
    } catch (IllegalArgumentException e) {
      throw badParameter("Property 'value' is not valid base64url.");
    }
    byte[] output;
    try {
      Cipher cipher = cipher(alg);
      if (operation.equals("wrapkey")) {
        cipher.init(Cipher.ENCRYPT_MODE, v.keyPair.getPublic(), parameters(alg), random);
      } else {
        cipher.init(Cipher.DECRYPT_MODE, v.keyPair.getPrivate(), parameters(alg));
      }
      output = cipher.doFinal(input);
    } catch (GeneralSecurityException e) {
      throw badParameter(operation.equals("wrapkey")
          ? "The value is too long for the key size and algorithm."
          : "Error while decrypting: the value was not produced by this key version with " + alg
              + ".");
    }
    BsonDocument reply = new BsonDocument("kid", new BsonString(kid(request, v.key.name, v.id)))
        .append("value", new BsonString(Jwts.base64Url(output)));
    return new Reply(200, reply.toJson());
  }

  private Reply createKey(Request request, String name) {
    App app = authenticate(request);
    authorize(app, "create");
    BsonDocument body = jsonBody(request);
    String kty = body.getString("kty", new BsonString("")).getValue();
    if (!kty.equals("RSA") && !kty.equals("RSA-HSM")) {
      throw badParameter("Property 'kty' must be RSA or RSA-HSM for this emulator, got '" + kty
          + "'.");
    }
    int bits = body.containsKey("key_size") && body.get("key_size").isNumber()
        ? body.get("key_size").asNumber().intValue() : 2048;
    String version;
    try {
      version = createKey(name, bits);
    } catch (IllegalArgumentException e) {
      throw badParameter(e.getMessage());
    }
    return new Reply(200, bundle(request, version(name, version)).toJson());
  }

  private Reply getOrUpdateKey(Request request, String name, String version, boolean update) {
    App app = authenticate(request);
    authorize(app, update ? "update" : "get");
    Version v = version(name, version);
    if (update) {
      BsonDocument body = jsonBody(request);
      BsonValue attributes = body.get("attributes");
      if (attributes != null && attributes.isDocument()
          && attributes.asDocument().containsKey("enabled")) {
        v.enabled = attributes.asDocument().getBoolean("enabled").getValue();
      }
    }
    return new Reply(200, bundle(request, v).toJson());
  }

  private BsonDocument bundle(Request request, Version v) {
    RSAPublicKey publicKey = (RSAPublicKey) v.keyPair.getPublic();
    BsonDocument jwk = new BsonDocument("kid", new BsonString(kid(request, v.key.name, v.id)))
        .append("kty", new BsonString("RSA"))
        .append("key_ops", new BsonArray(List.of(new BsonString("encrypt"),
            new BsonString("decrypt"), new BsonString("wrapKey"), new BsonString("unwrapKey"))))
        .append("n", new BsonString(Jwts.base64Url(unsigned(publicKey.getModulus()))))
        .append("e", new BsonString(Jwts.base64Url(
            unsigned(publicKey.getPublicExponent()))));
    long created = v.created.getEpochSecond();
    BsonDocument attributes = new BsonDocument("enabled", BsonBoolean.valueOf(v.enabled))
        .append("created", new BsonInt64(created))
        .append("updated", new BsonInt64(created))
        .append("recoveryLevel", new BsonString("Recoverable+Purgeable"))
        .append("recoverableDays", new BsonInt32(90));
    return new BsonDocument("key", jwk).append("attributes", attributes);
  }

  private static byte[] unsigned(java.math.BigInteger value) {
    byte[] bytes = value.toByteArray();
    return bytes[0] == 0 && bytes.length > 1 ? java.util.Arrays.copyOfRange(bytes, 1, bytes.length)
        : bytes;
  }

  private static String kid(Request request, String name, String version) {
    String host = request.header("host");
    return "https://" + (host == null ? "127.0.0.1" : host) + "/keys/" + name + "/" + version;
  }

  private Version version(String name, String version) {
    Key key = keys.get(name.toLowerCase(Locale.ROOT));
    if (key == null) {
      throw new EmulatorError(404, "KeyNotFound", "A key with (name/id) " + name + " was not"
          + " found in this key vault. If you recently deleted this key you may be able to recover"
          + " it using the correct recovery command. For help resolving this issue, please see"
          + " https://go.microsoft.com/fwlink/?linkid=2125182");
    }
    Version v = key.find(version);
    if (v == null) {
      throw new EmulatorError(404, "KeyNotFound", "A key with (name/id) " + name + "/" + version
          + " was not found in this key vault. If you recently deleted this key you may be able"
          + " to recover it using the correct recovery command. For help resolving this issue,"
          + " please see https://go.microsoft.com/fwlink/?linkid=2125182");
    }
    return v;
  }

  private Key existingKey(String name) {
    Key key = keys.get(name.toLowerCase(Locale.ROOT));
    if (key == null) {
      throw new IllegalArgumentException("no key named '" + name + "'");
    }
    return key;
  }

  private static Cipher cipher(String alg) throws GeneralSecurityException {
    switch (alg) {
      case "RSA-OAEP-256":
      case "RSA-OAEP":
        return Cipher.getInstance("RSA/ECB/OAEPPadding");
      case "RSA1_5":
        return Cipher.getInstance("RSA/ECB/PKCS1Padding");
      default:
        throw badParameter("Invalid algorithm '" + alg + "'. Supported: RSA-OAEP-256, RSA-OAEP,"
            + " RSA1_5.");
    }
  }

  private static OAEPParameterSpec parameters(String alg) {
    switch (alg) {
      case "RSA-OAEP-256":
        return new OAEPParameterSpec("SHA-256", "MGF1", MGF1ParameterSpec.SHA256,
            PSource.PSpecified.DEFAULT);
      case "RSA-OAEP":
        return new OAEPParameterSpec("SHA-1", "MGF1", MGF1ParameterSpec.SHA1,
            PSource.PSpecified.DEFAULT);
      default:
        return null;
    }
  }

  private static BsonDocument jsonBody(Request request) {
    String text = request.bodyText().trim();
    if (text.isEmpty()) {
      throw badParameter("The request body is empty.");
    }
    try {
      return BsonDocument.parse(text);
    } catch (JsonParseException | org.bson.BsonInvalidOperationException e) {
      throw badParameter("The request body is not valid JSON.");
    }
  }

  private static String stringField(BsonDocument body, String field) {
    BsonValue value = body.get(field);
    if (value == null || !value.isString()) {
      throw badParameter("Property '" + field + "' is required and must be a string.");
    }
    return value.asString().getValue();
  }

  private static EmulatorError badParameter(String message) {
    return new EmulatorError(400, "BadParameter", message);
  }

  private static String stripSlash(String text) {
    return text != null && text.endsWith("/") ? text.substring(0, text.length() - 1) : text;
  }

  /** libmongocrypt's "domain": the host minus its first label ({@code 0.0.1} for 127.0.0.1). */
  private static String domainOf(String host) {
    int dot = host.indexOf('.');
    return dot < 0 ? host : host.substring(dot + 1);
  }

  private static void requireKeyName(String name) {
    if (name == null || !KEY_NAME.matcher(name).matches()) {
      throw new IllegalArgumentException("a Key Vault key name is 1 to 127 of [0-9A-Za-z-], got '"
          + name + "'");
    }
  }

  private static KeyPair rsaKeyPair(int bits) {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
      generator.initialize(bits);
      return generator.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private String randomHex(int bytes) {
    byte[] raw = new byte[bytes];
    random.nextBytes(raw);
    return HexFormat.of().formatHex(raw);
  }

  private String randomSecret(int length) {
    StringBuilder out = new StringBuilder(length);
    for (int i = 0; i < length; i++) {
      out.append(SECRET_CHARACTERS.charAt(random.nextInt(SECRET_CHARACTERS.length())));
    }
    return out.toString();
  }

  // -------------------------------------------------------------------------- routing

  private final class VaultHandler implements EmulatorHttpsServer.Handler {
    @Override
    public String operation(Request request) {
      String[] segments = request.path.split("/", -1);
      if (segments.length == 5 && segments[2].equals("oauth2") && segments[3].equals("v2.0")
          && segments[4].equals("token")) {
        return "token";
      }
      if (segments.length >= 3 && segments[1].equals("keys")) {
        String last = segments[segments.length - 1];
        if (request.method.equals("POST") && (last.equals("wrapkey") || last.equals("unwrapkey"))) {
          return last;
        }
        if (request.method.equals("POST") && last.equals("create") && segments.length == 4) {
          return "createKey";
        }
        if (request.method.equals("GET") && segments.length <= 4) {
          return "getKey";
        }
        if (request.method.equals("PATCH") && segments.length <= 4) {
          return "updateKey";
        }
      }
      return "unknown";
    }

    @Override
    public Reply handle(Request request) {
      String operation = operation(request);
      String[] segments = request.path.split("/", -1);
      if (operation.equals("token")) {
        return tokenEndpoint(segments[1], request);
      }
      if (operation.equals("unknown")) {
        throw new EmulatorError(404, "NotFound", "The requested resource " + request.path
            + " was not found.");
      }
      String apiVersion = request.query.get("api-version");
      if (apiVersion == null) {
        throw badParameter("The api-version query parameter is required.");
      }
      if (!API_VERSIONS.contains(apiVersion)) {
        throw badParameter("The specified version (" + apiVersion + ") is not recognized."
            + " Consider using the latest supported version (7.6).");
      }
      String name = segments[2];
      switch (operation) {
        case "wrapkey":
        case "unwrapkey":
          // /keys/<name>/<version or empty>/<op>, or /keys/<name>/<op>
          String version = segments.length == 5 ? segments[3] : "";
          return wrapOrUnwrap(request, operation, name, version);
        case "createKey":
          return createKey(request, name);
        default:
          return getOrUpdateKey(request, name, segments.length == 4 ? segments[3] : "",
              operation.equals("updateKey"));
      }
    }

    @Override
    public String errorBody(int status, String code, String message) {
      if (code != null && Character.isLowerCase(code.charAt(0))) {
        // An identity platform (OAuth2) error: {"error": "invalid_client", ...}
        int space = message.indexOf(':');
        String number = message.startsWith("AADSTS") && space > 6 ? message.substring(6, space)
            : "0";
        BsonArray codes = new BsonArray();
        try {
          codes.add(new BsonInt64(Long.parseLong(number)));
        } catch (NumberFormatException e) {
          codes.add(new BsonInt64(0));
        }
        return new BsonDocument("error", new BsonString(code))
            .append("error_description", new BsonString(message))
            .append("error_codes", codes)
            .append("timestamp", new BsonString(Instant.now().toString()))
            .append("trace_id", new BsonString(UUID.randomUUID().toString()))
            .append("correlation_id", new BsonString(UUID.randomUUID().toString()))
            .toJson();
      }
      BsonDocument error = new BsonDocument("code", new BsonString(code == null ? "Unknown" : code))
          .append("message", new BsonString(message == null ? "" : message));
      if (status == 403 && message != null && message.contains("disabled key")) {
        error.append("innererror", new BsonDocument("code", new BsonString("KeyDisabled")));
      } else if (status == 403) {
        error.append("innererror", new BsonDocument("code", new BsonString("AccessDenied")));
      }
      return new BsonDocument("error", error).toJson();
    }
  }

  private final class ManagedIdentityHandler implements EmulatorHttpsServer.Handler {
    private final App app;

    ManagedIdentityHandler(App app) {
      this.app = app;
    }

    @Override
    public String operation(Request request) {
      // MSAL joins the host and the path with a doubled slash ("//metadata/identity/..."),
      // which the JDK server reads as an authority: the path it reports is then
      // "/identity/oauth2/token".
      String path = request.path.replaceAll("/+", "/");
      return path.equals("/metadata/identity/oauth2/token")
          || path.equals("/identity/oauth2/token") ? "managedIdentityToken" : "unknown";
    }

    @Override
    public Reply handle(Request request) {
      if (operation(request).equals("unknown") || !request.method.equals("GET")) {
        throw new EmulatorError(404, "not_found", "no such endpoint: " + request.method + " "
            + request.path);
      }
      if (!"true".equalsIgnoreCase(request.header("metadata"))) {
        throw new EmulatorError(400, "invalid_request", "Required metadata header not specified");
      }
      String resource = request.query.get("resource");
      if (resource == null || request.query.get("api-version") == null) {
        throw new EmulatorError(400, "invalid_request",
            "Required query variable 'resource' or 'api-version' is missing");
      }
      String audience = stripSlash(resource);
      Duration lifetime = tokenLifetime;
      long now = clock.instant().getEpochSecond();
      BsonDocument body = new BsonDocument("access_token",
          new BsonString(accessToken(app, audience, lifetime)))
          .append("client_id", new BsonString(app.clientId))
          .append("expires_in", new BsonString(Long.toString(lifetime.toSeconds())))
          .append("expires_on", new BsonString(Long.toString(now + lifetime.toSeconds())))
          .append("ext_expires_in", new BsonString(Long.toString(lifetime.toSeconds())))
          .append("not_before", new BsonString(Long.toString(now)))
          .append("resource", new BsonString(resource))
          .append("token_type", new BsonString("Bearer"));
      return new Reply(200, body.toJson());
    }

    @Override
    public String errorBody(int status, String code, String message) {
      return new BsonDocument("error", new BsonString(code == null ? "unknown" : code))
          .append("error_description", new BsonString(message == null ? "" : message)).toJson();
    }
  }

  // ------------------------------------------------------------------------- model

  private static final class Key {
    final String name;
    final List<Version> versions = new ArrayList<>();

    Key(String name) {
      this.name = name;
    }

    synchronized String addVersion(String id, KeyPair keyPair, Instant created) {
      versions.add(new Version(this, id, keyPair, created));
      return id;
    }

    synchronized List<String> versionIds() {
      List<String> ids = new ArrayList<>();
      versions.forEach(v -> ids.add(v.id));
      return ids;
    }

    /** The named version, or the newest for an empty one. */
    synchronized Version find(String version) {
      if (version == null || version.isEmpty()) {
        return versions.get(versions.size() - 1);
      }
      for (Version v : versions) {
        if (v.id.equalsIgnoreCase(version)) {
          return v;
        }
      }
      return null;
    }
  }

  private static final class Version {
    final Key key;
    final String id;
    final KeyPair keyPair;
    final Instant created;
    volatile boolean enabled = true;

    Version(Key key, String id, KeyPair keyPair, Instant created) {
      this.key = key;
      this.id = id;
      this.keyPair = keyPair;
      this.created = created;
    }
  }

  /** Builder for {@link AzureKeyVaultEmulator}. */
  public static final class Builder extends EmulatorBuilder<Builder> {
    private String tenantId = UUID.randomUUID().toString();
    private int rsaKeyBits = 2048;

    private Builder() {}

    @Override
    protected Builder self() {
      return this;
    }

    /**
     * The vault's tenant (a random UUID by default).
     *
     * @param tenantId the tenant id
     * @return this builder
     */
    public Builder tenantId(String tenantId) {
      this.tenantId = Objects.requireNonNull(tenantId, "tenantId");
      return this;
    }

    /**
     * Size of keys made by {@link AzureKeyVaultEmulator#createKey(String)} (2048 by default).
     *
     * @param bits 2048, 3072 or 4096
     * @return this builder
     */
    public Builder rsaKeyBits(int bits) {
      this.rsaKeyBits = bits;
      return this;
    }

    /**
     * Starts the emulator.
     *
     * @return a running emulator
     */
    public AzureKeyVaultEmulator start() {
      return new AzureKeyVaultEmulator(this);
    }
  }

  /**
   * An application (service principal) registered in a tenant of the emulator. {@link
   * #toString()} shows only its tenant and client id.
   */
  public static final class App {
    private final String tenantId;
    private final String clientId;
    private final String clientSecret;
    private final String objectId;
    private final String federatedSubject;
    private final AzureKeyVaultEmulator emulator;

    private App(String tenantId, String clientId, String clientSecret, String objectId,
        String federatedSubject, AzureKeyVaultEmulator emulator) {
      this.tenantId = tenantId;
      this.clientId = clientId;
      this.clientSecret = clientSecret;
      this.objectId = objectId;
      this.federatedSubject = federatedSubject;
      this.emulator = emulator;
    }

    /**
     * The tenant the application is registered in.
     *
     * @return the tenant id
     */
    public String tenantId() {
      return tenantId;
    }

    /**
     * The application (client) id.
     *
     * @return a UUID
     */
    public String clientId() {
      return clientId;
    }

    /**
     * The client secret: 40 characters of {@code [A-Za-z0-9~._-]}, which need no URL encoding
     * (libmongocrypt sends it unencoded).
     *
     * @return the secret
     */
    public String clientSecret() {
      return clientSecret;
    }

    /**
     * A federated token (as a Kubernetes service account token would be) that the token endpoint
     * accepts as this application's {@code client_assertion}: the workload identity flow.
     *
     * @return a signed JWT valid for an hour
     */
    public String federatedToken() {
      return emulator.federatedToken(this);
    }

    /**
     * A {@code kmsProviders.azure} entry: {@code tenantId}, {@code clientId}, {@code
     * clientSecret} and {@code identityPlatformEndpoint} (the emulator).
     *
     * @return a new mutable map
     */
    public Map<String, Object> asKmsProviderProperties() {
      Map<String, Object> map = new LinkedHashMap<>();
      map.put("tenantId", tenantId);
      map.put("clientId", clientId);
      map.put("clientSecret", clientSecret);
      map.put("identityPlatformEndpoint", emulator.endpoint());
      return map;
    }

    @Override
    public String toString() {
      return "App{tenant=" + tenantId + ", clientId=" + clientId + ", secret=redacted}";
    }
  }
}
