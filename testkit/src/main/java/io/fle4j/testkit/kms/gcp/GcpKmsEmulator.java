package io.fle4j.testkit.kms.gcp;

import io.fle4j.testkit.kms.http.EmulatorBuilder;
import io.fle4j.testkit.kms.http.EmulatorHttpsServer;
import io.fle4j.testkit.kms.http.HttpsKmsEmulator;
import io.fle4j.testkit.kms.http.Faults;
import io.fle4j.testkit.kms.http.Jwts;

import io.fle4j.testkit.kms.http.EmulatorHttpsServer.EmulatorError;
import io.fle4j.testkit.kms.http.EmulatorHttpsServer.Reply;
import io.fle4j.testkit.kms.http.EmulatorHttpsServer.Request;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.CRC32C;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.KeyGenerator;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;
import org.bson.BsonBoolean;
import org.bson.BsonDocument;
import org.bson.BsonInt64;
import org.bson.BsonString;
import org.bson.BsonValue;
import org.bson.json.JsonParseException;

/**
 * A Google Cloud KMS emulator for tests, with its own OAuth2 token endpoint: HTTPS on {@code
 * 127.0.0.1} with a certificate made at start, serving on one port
 *
 * <ul>
 *   <li>{@code POST /token}: the JWT-bearer grant ({@code
 *       urn:ietf:params:oauth:grant-type:jwt-bearer}). The assertion must be RS256-signed by a
 *       registered service account's private key ({@code iss} is its email), have an {@code aud}
 *       naming this token endpoint, a Cloud KMS scope, and an {@code iat}/{@code exp} at most an
 *       hour apart around now. Errors are Google's ({@code invalid_grant "Invalid JWT
 *       Signature."}, {@code invalid_scope}...);</li>
 *   <li>Cloud KMS v1 REST: {@code :encrypt} on a CryptoKey (its primary version) or a
 *       CryptoKeyVersion, {@code :decrypt} on a CryptoKey, with CRC32C integrity fields checked
 *       ({@code plaintextCrc32c}, {@code ciphertextCrc32c}) and returned ({@code
 *       ciphertextCrc32c}, {@code verifiedPlaintextCrc32c}, {@code plaintextCrc32c}); plus key
 *       ring, CryptoKey and version creation, {@code :updatePrimaryVersion} and version state
 *       changes. Ciphertexts are real AES-256-GCM under a per-version key, bound to the CryptoKey
 *       name and the additional authenticated data, and name the version that made them, so a
 *       CryptoKey decrypts what any of its enabled versions encrypted. Errors are Google's JSON
 *       ({@code {"error":{"code":404,"message":...,"status":"NOT_FOUND"}}}).</li>
 * </ul>
 *
 * <p>Scopes accepted: {@code https://www.googleapis.com/auth/cloudkms}, {@code .../cloud-platform}
 * and {@code https://www.<host minus first label>/auth/cloudkms}, the custom-endpoint scope
 * libmongocrypt requests ({@code https://www.0.0.1/auth/cloudkms} for {@code 127.0.0.1}). It
 * accepts what google-auth-library sends and what libmongocrypt sends through the official
 * driver (a padded base64url JWT, an {@code aud} without the port, {@code Name:value} headers).
 * Point libmongocrypt at it with {@code kmsProviders.gcp.endpoint} and {@code masterKey.endpoint}
 * both {@link #endpoint()}, and {@link #clientSslContext()} in {@code kmsProviderSslContextMap}.
 *
 * <p>A plain-HTTP metadata server ({@link #startMetadataServer}) hands out tokens as a Compute
 * Engine instance's would. Knobs: {@link #faults()} (the same on every emulator), {@link
 * #corruptNextResponses}, {@link #tokenLifetime}; counters by operation ({@code token}, {@code
 * encrypt}, {@code decrypt}, {@code admin}, {@code unknown}).
 *
 * <pre>{@code
 * try (GcpKmsEmulator gcp = GcpKmsEmulator.start()) {
 *   GcpKmsEmulator.CryptoKey key = gcp.createKey("global", "ring", "kek");
 *   Map<String, Object> entry = gcp.serviceAccount().asKmsProviderProperties();
 *   BsonDocument masterKey = key.masterKey(); // projectId, location, keyRing, keyName, endpoint
 * }
 * }</pre>
 *
 * <p>Thread-safe. Not a security boundary.
 *
 * <p>Operations, as {@link #requestCount(String)} and {@link #requests()} name them: {@code
 * token}, {@code encrypt}, {@code decrypt}, {@code admin}, {@code unknown}.
 */
public final class GcpKmsEmulator extends HttpsKmsEmulator {
  /** The project of {@link #serviceAccount()} and of keys made without one. */
  public static final String DEFAULT_PROJECT = "fle4j-test-project";
  /** The Cloud KMS OAuth scope. */
  public static final String CLOUDKMS_SCOPE = "https://www.googleapis.com/auth/cloudkms";
  /** The broad Cloud Platform OAuth scope, which includes Cloud KMS. */
  public static final String CLOUD_PLATFORM_SCOPE =
      "https://www.googleapis.com/auth/cloud-platform";

  /** How the emulator can misbehave in a reply, for clients' integrity checks. */
  public enum Corruption {
    /** One bit of the returned ciphertext or plaintext flips; its CRC32C stays the original's. */
    PAYLOAD_BIT_FLIP,
    /** An encrypt reply names a version of another CryptoKey. */
    WRONG_KEY_NAME,
    /** An encrypt reply omits {@code verifiedPlaintextCrc32c}, as if the checksum was lost. */
    UNVERIFIED_PLAINTEXT_CHECKSUM
  }

  private static final String JWT_BEARER = "urn:ietf:params:oauth:grant-type:jwt-bearer";
  private static final Pattern IDENTIFIER = Pattern.compile("[A-Za-z0-9_-]{1,63}");
  private static final Pattern KMS_PATH = Pattern.compile(
      "/v1/projects/([^/]+)/locations/([^/]+)/keyRings/([^/:]+)(?:/cryptoKeys/([^/:]+)"
          + "(?:/cryptoKeyVersions/([^/:]+))?)?(?:/(cryptoKeys|cryptoKeyVersions))?(?::([A-Za-z]+))?");

  private final Clock clock;
  private final String projectId;
  private final SecureRandom random = new SecureRandom();
  private final Map<String, ServiceAccount> accounts = new ConcurrentHashMap<>();
  private final Set<String> deniedAccounts = ConcurrentHashMap.newKeySet();
  private final Map<String, TokenGrant> tokens = new ConcurrentHashMap<>();
  private final Map<String, Instant> keyRings = new ConcurrentHashMap<>();
  private final Map<String, KeyState> keys = new ConcurrentHashMap<>();
  private final Deque<Corruption> corruptions = new ArrayDeque<>();
  private final ServiceAccount defaultAccount;
  private volatile Duration tokenLifetime = Duration.ofSeconds(3599);
  private volatile EmulatorHttpsServer metadata;

  private GcpKmsEmulator(Builder builder) {
    super("Google Cloud KMS emulator", "gcp-kms-emulator", builder.clock(), builder.seed(),
        new Faults.Wording(429, "RESOURCE_EXHAUSTED", "Quota exceeded for quota metric"
            + " 'Cryptographic requests' of service 'cloudkms.googleapis.com'.",
            code -> "injected by the emulator: " + code));
    this.clock = builder.clock();
    this.projectId = builder.projectId;
    this.defaultAccount = createServiceAccount("fle4j-kms");
  }

  @Override
  protected EmulatorHttpsServer.Handler handler() {
    return new KmsHandler();
  }

  /** {@link Faults#clear()} also cancels planned corruptions. */
  @Override
  protected void faultsCleared() {
    synchronized (corruptions) {
      corruptions.clear();
    }
  }


  /**
   * Starts an emulator with project {@link #DEFAULT_PROJECT} and the system clock.
   *
   * @return a running emulator; close it when done
   */
  public static GcpKmsEmulator start() {
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
   * {@code 127.0.0.1:<port>}: the value for {@code kmsProviders.gcp.endpoint} (token endpoint)
   * and {@code masterKey.endpoint} (Cloud KMS).
   *
   * @return host and port
   */
  public String endpoint() {
    return "127.0.0.1:" + port();
  }

  /**
   * {@code https://127.0.0.1:<port>/token}, the token server URI of a service account.
   *
   * @return the token endpoint
   */
  public URI tokenUri() {
    return URI.create("https://" + endpoint() + "/token");
  }

  /**
   * The project of {@link #serviceAccount()}.
   *
   * @return the project id
   */
  public String projectId() {
    return projectId;
  }

  // -------------------------------------------------------------------- service accounts

  /**
   * The service account made at start ({@code fle4j-kms@<project>.iam.gserviceaccount.com}).
   *
   * @return the default service account
   */
  public ServiceAccount serviceAccount() {
    return defaultAccount;
  }

  /**
   * Registers a service account of {@link #projectId()} with a new 2048-bit RSA key.
   *
   * @param accountId the part before {@code @}, 6 to 30 of {@code [a-z0-9-]}
   * @return the account
   */
  public ServiceAccount createServiceAccount(String accountId) {
    if (accountId == null || !accountId.matches("[a-z][a-z0-9-]{4,28}[a-z0-9]")) {
      throw new IllegalArgumentException("a service account id is 6 to 30 of [a-z0-9-], got '"
          + accountId + "'");
    }
    String email = accountId + "@" + projectId + ".iam.gserviceaccount.com";
    ServiceAccount account = new ServiceAccount(email, rsaKeyPair(), randomHex(20), this);
    accounts.put(email, account);
    return account;
  }

  /**
   * Takes away a service account's permission to use keys: its encrypt and decrypt calls get
   * {@code 403 PERMISSION_DENIED}.
   *
   * @param account the account
   */
  public void denyAccess(ServiceAccount account) {
    deniedAccounts.add(account.email);
  }

  /**
   * Gives back what {@link #denyAccess} took.
   *
   * @param account the account
   */
  public void restoreAccess(ServiceAccount account) {
    deniedAccounts.remove(account.email);
  }

  /**
   * Lifetime of access tokens issued from now on (3599 s by default, as Google).
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
   * An access token for {@code account} with the Cloud KMS scope, as if obtained elsewhere (for
   * {@code kmsProviders.gcp.accessToken}).
   *
   * @param account the account
   * @param lifetime how long it is valid from now (negative for an expired one)
   * @return an opaque access token
   */
  public String issueAccessToken(ServiceAccount account, Duration lifetime) {
    return grant(account.email, Set.of(CLOUDKMS_SCOPE), lifetime);
  }

  // --------------------------------------------------------------------------- keys

  /**
   * Creates a CryptoKey (purpose ENCRYPT_DECRYPT) in {@link #projectId()}, and its key ring if
   * needed, with version 1 as primary.
   *
   * @param location such as {@code global}
   * @param keyRing the key ring id
   * @param keyName the CryptoKey id
   * @return the key
   */
  public CryptoKey createKey(String location, String keyRing, String keyName) {
    return createKey(projectId, location, keyRing, keyName);
  }

  /**
   * Creates a CryptoKey in any project, and its key ring if needed, with version 1 as primary.
   *
   * @param project the project id
   * @param location the location
   * @param keyRing the key ring id
   * @param keyName the CryptoKey id
   * @return the key
   * @throws IllegalArgumentException if the key exists or an id is malformed
   */
  public CryptoKey createKey(String project, String location, String keyRing, String keyName) {
    for (String id : List.of(project, location, keyRing, keyName)) {
      if (id == null || !IDENTIFIER.matcher(id).matches()) {
        throw new IllegalArgumentException("ids are 1 to 63 of [A-Za-z0-9_-], got '" + id + "'");
      }
    }
    CryptoKey key = new CryptoKey(project, location, keyRing, keyName, this);
    keyRings.putIfAbsent(key.keyRingName(), clock.instant());
    KeyState state = new KeyState(key);
    if (keys.putIfAbsent(key.resourceName(), state) != null) {
      throw new IllegalArgumentException("CryptoKey " + key.resourceName() + " already exists");
    }
    state.addVersion(aesKey(), clock.instant());
    return key;
  }

  /**
   * Adds a version (enabled, not primary).
   *
   * @param key the key
   * @return the new version number, such as {@code "2"}
   */
  public String createKeyVersion(CryptoKey key) {
    return state(key).addVersion(aesKey(), clock.instant()).number;
  }

  /**
   * Makes a version the primary one, used by {@code :encrypt} on the CryptoKey.
   *
   * @param key the key
   * @param version a version number
   */
  public void setPrimaryVersion(CryptoKey key, String version) {
    KeyState state = state(key);
    synchronized (state) {
      KeyVersion v = state.find(version);
      if (v == null) {
        throw new IllegalArgumentException("no version " + version + " of " + key.resourceName());
      }
      state.primary = v;
    }
  }

  /**
   * The primary version's number.
   *
   * @param key the key
   * @return such as {@code "1"}
   */
  public String primaryVersion(CryptoKey key) {
    KeyState state = state(key);
    synchronized (state) {
      return state.primary.number;
    }
  }

  /**
   * Enables or disables a version. Using a disabled version gets {@code 400
   * FAILED_PRECONDITION}.
   *
   * @param key the key
   * @param version a version number
   * @param enabled the new state
   */
  public void setVersionEnabled(CryptoKey key, String version, boolean enabled) {
    KeyState state = state(key);
    synchronized (state) {
      KeyVersion v = state.find(version);
      if (v == null) {
        throw new IllegalArgumentException("no version " + version + " of " + key.resourceName());
      }
      v.enabled = enabled;
    }
  }

  /**
   * Starts a Compute Engine metadata server (plain HTTP, like the real one at {@code
   * 169.254.169.254}) on {@code 127.0.0.1:port} whose default service account is {@code
   * account}: {@code GET /computeMetadata/v1/instance/service-accounts/default/token} with
   * {@code Metadata-Flavor: Google}. Point google-auth-library at it with {@code
   * GCE_METADATA_HOST}. Stopped by {@link #close()}.
   *
   * @param port a TCP port, or 0 for any
   * @param account the instance's service account
   * @return {@code 127.0.0.1:<port>}
   */
  public synchronized String startMetadataServer(int port, ServiceAccount account) {
    if (metadata != null) {
      throw new IllegalStateException("the metadata server is already running");
    }
    metadata = EmulatorHttpsServer.http(port, "gcp-metadata-emulator",
        new MetadataHandler(account), clock);
    return "127.0.0.1:" + metadata.port();
  }

  // ---------------------------------------------------------------------------- knobs

  /**
   * The next {@code count} successful encrypt or decrypt replies are corrupted this way.
   *
   * @param count how many
   * @param corruption what goes wrong
   */
  public void corruptNextResponses(int count, Corruption corruption) {
    synchronized (corruptions) {
      for (int i = 0; i < count; i++) {
        corruptions.add(Objects.requireNonNull(corruption, "corruption"));
      }
    }
  }

  // ------------------------------------------------------------------------- counters

  /** Stops the servers. Idempotent. */
  @Override
  public void close() {
    super.close();
    EmulatorHttpsServer md = metadata;
    if (md != null) {
      md.close();
    }
  }

  @Override
  public String toString() {
    return "GcpKmsEmulator{" + endpoint() + ", project=" + projectId + ", keys=" + keys.size()
        + "}";
  }

  // --------------------------------------------------------------------------- tokens

  private String grant(String email, Set<String> scopes, Duration lifetime) {
    String token = "ya29.emu-" + randomToken(48);
    tokens.put(token, new TokenGrant(email, Set.copyOf(scopes), clock.instant().plus(lifetime)));
    return token;
  }

  private Reply tokenEndpoint(Request request) {
    Map<String, String> form = request.form();
    String grantType = form.get("grant_type");
    if (!JWT_BEARER.equals(grantType)) {
      throw oauthError(400, "unsupported_grant_type", "Invalid grant_type: "
          + (grantType == null ? "" : grantType));
    }
    Jwts.Parsed jwt;
    try {
      jwt = Jwts.parse(form.get("assertion"));
    } catch (IllegalArgumentException e) {
      throw oauthError(400, "invalid_grant", "Invalid JWT: " + e.getMessage());
    }
    String email = jwt.string("iss");
    ServiceAccount account = email == null ? null : accounts.get(email);
    if (account == null) {
      throw oauthError(400, "invalid_grant", "Invalid grant: account not found");
    }
    if (!jwt.verifiedBy(account.keyPair.getPublic())) {
      throw oauthError(400, "invalid_grant", "Invalid JWT Signature.");
    }
    long now = clock.instant().getEpochSecond();
    long iat = jwt.seconds("iat");
    long exp = jwt.seconds("exp");
    if (iat == Long.MIN_VALUE || exp == Long.MIN_VALUE || exp <= now || iat > now + 300
        || exp - iat > 3600 || exp <= iat) {
      throw oauthError(400, "invalid_grant", "Invalid JWT: Token must be a short-lived token"
          + " (60 minutes) and in a reasonable timeframe. Check your iat and exp values in the"
          + " JWT claim.");
    }
    String audience = jwt.string("aud");
    if (!audienceMatches(audience, request)) {
      throw oauthError(400, "invalid_grant", "Invalid JWT: Failed audience check. The right"
          + " audience is " + tokenUri());
    }
    String scope = jwt.string("scope");
    if (scope == null || scope.isBlank()) {
      throw oauthError(400, "invalid_scope", "Empty or missing scope not allowed.");
    }
    Set<String> scopes = Set.of(scope.trim().split(" +"));
    for (String s : scopes) {
      if (!acceptedScope(s, request) && !s.startsWith("https://www.googleapis.com/auth/")) {
        throw oauthError(400, "invalid_scope", "Invalid OAuth scope or ID token audience"
            + " provided.");
      }
    }
    Duration lifetime = tokenLifetime;
    String token = grant(account.email, scopes, lifetime);
    BsonDocument body = new BsonDocument("access_token", new BsonString(token))
        .append("expires_in", new BsonInt64(lifetime.toSeconds()))
        .append("token_type", new BsonString("Bearer"));
    return new Reply(200, body.toJson()).header("Cache-Control", "no-cache, no-store, max-age=0");
  }

  private boolean audienceMatches(String audience, Request request) {
    if (audience == null) {
      return false;
    }
    if (audience.equals("https://oauth2.googleapis.com/token")) {
      return true;
    }
    try {
      URI uri = URI.create(audience);
      String host = uri.getHost();
      boolean hostOk = host != null && (host.equals(request.hostName()) || host.equals("127.0.0.1")
          || host.equals("localhost"));
      boolean portOk = uri.getPort() == -1 || uri.getPort() == port();
      return "https".equals(uri.getScheme()) && hostOk && portOk && "/token".equals(uri.getPath());
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  private static boolean acceptedScope(String scope, Request request) {
    if (scope.equals(CLOUDKMS_SCOPE) || scope.equals(CLOUD_PLATFORM_SCOPE)) {
      return true;
    }
    // libmongocrypt's scope for a custom masterKey.endpoint: https://www.<domain>/auth/cloudkms
    String host = request.hostName();
    int dot = host.indexOf('.');
    String domain = dot < 0 ? host : host.substring(dot + 1);
    return scope.equals("https://www." + domain + "/auth/cloudkms");
  }

  private TokenGrant authenticate(Request request) {
    String authorization = request.header("authorization");
    if (authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
      throw unauthenticated();
    }
    TokenGrant grant = tokens.get(authorization.substring(7).trim());
    if (grant == null || !clock.instant().isBefore(grant.expiresAt)) {
      throw unauthenticated();
    }
    boolean kmsScope = false;
    for (String scope : grant.scopes) {
      kmsScope |= acceptedScope(scope, request);
    }
    if (!kmsScope) {
      throw new EmulatorError(403, "PERMISSION_DENIED", "Request had insufficient authentication"
          + " scopes.").header("WWW-Authenticate", "Bearer realm=\"https://accounts.google.com/\","
          + " error=\"insufficient_scope\", scope=\"" + CLOUDKMS_SCOPE + "\"");
    }
    return grant;
  }

  private static EmulatorError unauthenticated() {
    return new EmulatorError(401, "UNAUTHENTICATED", "Request had invalid authentication"
        + " credentials. Expected OAuth 2 access token, login cookie or other valid authentication"
        + " credential. See"
        + " https://developers.google.com/identity/sign-in/web/devconsole-project.")
        .header("WWW-Authenticate", "Bearer realm=\"https://accounts.google.com/\","
            + " error=\"invalid_token\"");
  }

  private static EmulatorError oauthError(int status, String error, String description) {
    return new EmulatorError(status, error, description);
  }

  // ---------------------------------------------------------------------------- KMS

  private Reply encrypt(Request request, TokenGrant grant, String keyName, String version) {
    KeyState state = existing(keyName);
    checkAccess(grant, keyName + (version == null ? "" : "/cryptoKeyVersions/" + version),
        "cloudkms.cryptoKeyVersions.useToEncrypt");
    BsonDocument body = jsonBody(request);
    byte[] plaintext = bytesField(body, "plaintext", true);
    byte[] aad = bytesField(body, "additionalAuthenticatedData", false);
    Long plaintextCrc = crcField(body, "plaintextCrc32c");
    Long aadCrc = crcField(body, "additionalAuthenticatedDataCrc32c");
    if (plaintextCrc != null && plaintextCrc != crc32c(plaintext)) {
      throw invalidArgument("The checksum in field plaintext_crc32c did not match the data in"
          + " field plaintext.");
    }
    if (aadCrc != null && aadCrc != crc32c(aad)) {
      throw invalidArgument("The checksum in field additional_authenticated_data_crc32c did not"
          + " match the data in field additional_authenticated_data.");
    }
    if (plaintext.length > 64 * 1024) {
      throw invalidArgument("The plaintext is too large (max 64 KiB).");
    }
    KeyVersion v;
    synchronized (state) {
      v = version == null ? state.primary : state.find(version);
    }
    if (v == null) {
      throw notFound("CryptoKeyVersion " + keyName + "/cryptoKeyVersions/" + version
          + " not found.");
    }
    requireEnabled(keyName, v);
    byte[] ciphertext = seal(keyName, v, plaintext, aad);
    Corruption corruption = nextCorruption();
    String name = keyName + "/cryptoKeyVersions/" + v.number;
    long ciphertextCrc = crc32c(ciphertext);
    if (corruption == Corruption.PAYLOAD_BIT_FLIP) {
      ciphertext[ciphertext.length / 2] ^= 0x04;
    } else if (corruption == Corruption.WRONG_KEY_NAME) {
      name = keyName + "-other/cryptoKeyVersions/" + v.number;
    }
    BsonDocument reply = new BsonDocument("name", new BsonString(name))
        .append("ciphertext", new BsonString(Base64.getEncoder().encodeToString(ciphertext)))
        .append("ciphertextCrc32c", new BsonString(Long.toString(ciphertextCrc)));
    // proto3 JSON leaves out false booleans, as Cloud KMS does.
    if (plaintextCrc != null && corruption != Corruption.UNVERIFIED_PLAINTEXT_CHECKSUM) {
      reply.append("verifiedPlaintextCrc32c", BsonBoolean.TRUE);
    }
    if (aadCrc != null) {
      reply.append("verifiedAdditionalAuthenticatedDataCrc32c", BsonBoolean.TRUE);
    }
    reply.append("protectionLevel", new BsonString("SOFTWARE"));
    return new Reply(200, reply.toJson());
  }

  private Reply decrypt(Request request, TokenGrant grant, String keyName) {
    KeyState state = existing(keyName);
    checkAccess(grant, keyName, "cloudkms.cryptoKeyVersions.useToDecrypt");
    BsonDocument body = jsonBody(request);
    byte[] ciphertext = bytesField(body, "ciphertext", true);
    byte[] aad = bytesField(body, "additionalAuthenticatedData", false);
    Long ciphertextCrc = crcField(body, "ciphertextCrc32c");
    Long aadCrc = crcField(body, "additionalAuthenticatedDataCrc32c");
    if (ciphertextCrc != null && ciphertextCrc != crc32c(ciphertext)) {
      throw invalidArgument("The checksum in field ciphertext_crc32c did not match the data in"
          + " field ciphertext.");
    }
    if (aadCrc != null && aadCrc != crc32c(aad)) {
      throw invalidArgument("The checksum in field additional_authenticated_data_crc32c did not"
          + " match the data in field additional_authenticated_data.");
    }
    Sealed sealed = Sealed.parse(ciphertext);
    KeyVersion v;
    boolean primary;
    synchronized (state) {
      v = sealed == null ? null : state.byUid(sealed.versionUid);
      primary = v != null && v == state.primary;
    }
    if (v == null) {
      throw invalidArgument("Decryption failed: the ciphertext is invalid.");
    }
    requireEnabled(keyName, v);
    byte[] plaintext = open(keyName, v, sealed, aad);
    long plaintextCrc = crc32c(plaintext);
    if (nextCorruption() == Corruption.PAYLOAD_BIT_FLIP) {
      plaintext[0] ^= 0x04;
    }
    BsonDocument reply = new BsonDocument("plaintext",
        new BsonString(Base64.getEncoder().encodeToString(plaintext)))
        .append("plaintextCrc32c", new BsonString(Long.toString(plaintextCrc)));
    if (primary) {
      reply.append("usedPrimary", BsonBoolean.TRUE);
    }
    reply.append("protectionLevel", new BsonString("SOFTWARE"));
    return new Reply(200, reply.toJson());
  }

  private void checkAccess(TokenGrant grant, String resource, String permission) {
    if (deniedAccounts.contains(grant.email)) {
      throw new EmulatorError(403, "PERMISSION_DENIED", "Permission '" + permission
          + "' denied on resource '" + resource + "' (or it may not exist).");
    }
  }

  private static void requireEnabled(String keyName, KeyVersion v) {
    if (!v.enabled) {
      throw new EmulatorError(400, "FAILED_PRECONDITION", keyName + "/cryptoKeyVersions/"
          + v.number + " is not enabled, current state is: DISABLED.");
    }
  }

  private byte[] seal(String keyName, KeyVersion v, byte[] plaintext, byte[] aad) {
    try {
      byte[] nonce = new byte[12];
      random.nextBytes(nonce);
      Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
      cipher.init(Cipher.ENCRYPT_MODE, v.secret, new GCMParameterSpec(128, nonce));
      cipher.updateAAD(associatedData(keyName, aad));
      byte[] sealed = cipher.doFinal(plaintext);
      byte[] payload = new byte[nonce.length + sealed.length];
      System.arraycopy(nonce, 0, payload, 0, nonce.length);
      System.arraycopy(sealed, 0, payload, nonce.length, sealed.length);
      // A protobuf-like envelope: field 1 = the version's uid, field 2 = nonce ‖ AES-GCM output.
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      byte[] uid = v.uid.getBytes(StandardCharsets.US_ASCII);
      out.write(0x0a);
      writeVarint(out, uid.length);
      out.writeBytes(uid);
      out.write(0x12);
      writeVarint(out, payload.length);
      out.writeBytes(payload);
      return out.toByteArray();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private static byte[] open(String keyName, KeyVersion v, Sealed sealed, byte[] aad) {
    try {
      Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
      cipher.init(Cipher.DECRYPT_MODE, v.secret, new GCMParameterSpec(128, sealed.nonce));
      cipher.updateAAD(associatedData(keyName, aad));
      return cipher.doFinal(sealed.sealed);
    } catch (AEADBadTagException e) {
      throw invalidArgument("Decryption failed: the ciphertext is invalid.");
    } catch (GeneralSecurityException e) {
      throw invalidArgument("Decryption failed: the ciphertext is invalid.");
    }
  }

  private static byte[] associatedData(String keyName, byte[] aad) {
    byte[] name = keyName.getBytes(StandardCharsets.UTF_8);
    byte[] out = new byte[name.length + 1 + aad.length];
    System.arraycopy(name, 0, out, 0, name.length);
    System.arraycopy(aad, 0, out, name.length + 1, aad.length);
    return out;
  }

  private static void writeVarint(ByteArrayOutputStream out, int value) {
    int v = value;
    while ((v & ~0x7f) != 0) {
      out.write((v & 0x7f) | 0x80);
      v >>>= 7;
    }
    out.write(v);
  }

  private Corruption nextCorruption() {
    synchronized (corruptions) {
      return corruptions.poll();
    }
  }

  // -------------------------------------------------------------------------- admin

  private Reply admin(Request request, Matcher path) {
    String project = path.group(1);
    String location = path.group(2);
    String ring = path.group(3);
    String key = path.group(4);
    String version = path.group(5);
    String collection = path.group(6);
    String verb = path.group(7);
    String ringName = "projects/" + project + "/locations/" + location + "/keyRings/" + ring;
    if (key == null && collection == null && verb == null) {
      if (!request.method.equals("GET") || !keyRings.containsKey(ringName)) {
        throw notFound("KeyRing " + ringName + " not found.");
      }
      return new Reply(200, new BsonDocument("name", new BsonString(ringName))
          .append("createTime", new BsonString(keyRings.get(ringName).toString())).toJson());
    }
    if (key == null && "cryptoKeys".equals(collection) && request.method.equals("POST")) {
      String id = request.query.get("cryptoKeyId");
      try {
        CryptoKey created = createKey(project, location, ring, id);
        return new Reply(200, cryptoKeyJson(state(created)).toJson());
      } catch (IllegalArgumentException e) {
        if (e.getMessage().contains("already exists")) {
          throw new EmulatorError(409, "ALREADY_EXISTS", e.getMessage());
        }
        throw invalidArgument(e.getMessage());
      }
    }
    String keyName = ringName + "/cryptoKeys/" + key;
    KeyState state = existing(keyName);
    if (version == null && "cryptoKeyVersions".equals(collection)
        && request.method.equals("POST")) {
      KeyVersion v = state.addVersion(aesKey(), clock.instant());
      return new Reply(200, versionJson(keyName, v).toJson());
    }
    if (version == null && "updatePrimaryVersion".equals(verb)) {
      String id = jsonBody(request).getString("cryptoKeyVersionId", new BsonString("")).getValue();
      synchronized (state) {
        KeyVersion v = state.find(id);
        if (v == null) {
          throw notFound("CryptoKeyVersion " + keyName + "/cryptoKeyVersions/" + id
              + " not found.");
        }
        if (!v.enabled) {
          throw new EmulatorError(400, "FAILED_PRECONDITION", "CryptoKeyVersion must be enabled"
              + " to become primary.");
        }
        state.primary = v;
      }
      return new Reply(200, cryptoKeyJson(state).toJson());
    }
    if (version != null && collection == null && verb == null) {
      KeyVersion v;
      synchronized (state) {
        v = state.find(version);
      }
      if (v == null) {
        throw notFound("CryptoKeyVersion " + keyName + "/cryptoKeyVersions/" + version
            + " not found.");
      }
      if (request.method.equals("PATCH")) {
        String newState = jsonBody(request).getString("state", new BsonString("")).getValue();
        if (!newState.equals("ENABLED") && !newState.equals("DISABLED")) {
          throw invalidArgument("state must be ENABLED or DISABLED here, got '" + newState + "'.");
        }
        v.enabled = newState.equals("ENABLED");
      }
      return new Reply(200, versionJson(keyName, v).toJson());
    }
    if (version == null && collection == null && verb == null && request.method.equals("GET")) {
      return new Reply(200, cryptoKeyJson(state).toJson());
    }
    throw new EmulatorError(404, "NOT_FOUND", "Method not found.");
  }

  private static BsonDocument versionJson(String keyName, KeyVersion v) {
    return new BsonDocument("name", new BsonString(keyName + "/cryptoKeyVersions/" + v.number))
        .append("state", new BsonString(v.enabled ? "ENABLED" : "DISABLED"))
        .append("createTime", new BsonString(v.created.toString()))
        .append("protectionLevel", new BsonString("SOFTWARE"))
        .append("algorithm", new BsonString("GOOGLE_SYMMETRIC_ENCRYPTION"));
  }

  private static BsonDocument cryptoKeyJson(KeyState state) {
    synchronized (state) {
      return new BsonDocument("name", new BsonString(state.key.resourceName()))
          .append("primary", versionJson(state.key.resourceName(), state.primary))
          .append("purpose", new BsonString("ENCRYPT_DECRYPT"))
          .append("versionTemplate", new BsonDocument("protectionLevel",
              new BsonString("SOFTWARE")).append("algorithm",
              new BsonString("GOOGLE_SYMMETRIC_ENCRYPTION")));
    }
  }

  // ------------------------------------------------------------------------ helpers

  private KeyState existing(String keyName) {
    KeyState state = keys.get(keyName);
    if (state == null) {
      throw notFound("CryptoKey " + keyName + " not found.");
    }
    return state;
  }

  private KeyState state(CryptoKey key) {
    KeyState state = keys.get(key.resourceName());
    if (state == null) {
      throw new IllegalArgumentException("no CryptoKey " + key.resourceName());
    }
    return state;
  }

  private static EmulatorError notFound(String message) {
    return new EmulatorError(404, "NOT_FOUND", message);
  }

  private static EmulatorError invalidArgument(String message) {
    return new EmulatorError(400, "INVALID_ARGUMENT", message);
  }

  private static BsonDocument jsonBody(Request request) {
    String text = request.bodyText().trim();
    if (text.isEmpty()) {
      return new BsonDocument();
    }
    try {
      return BsonDocument.parse(text);
    } catch (JsonParseException | org.bson.BsonInvalidOperationException e) {
      throw invalidArgument("Invalid JSON payload received.");
    }
  }

  private static byte[] bytesField(BsonDocument body, String field, boolean required) {
    BsonValue value = body.get(field);
    if (value == null) {
      if (required) {
        throw invalidArgument("Request is missing required field " + field + ".");
      }
      return new byte[0];
    }
    if (!value.isString()) {
      throw invalidArgument("Invalid value at '" + field + "' (TYPE_BYTES), expected base64.");
    }
    try {
      return Jwts.decode(value.asString().getValue());
    } catch (IllegalArgumentException e) {
      throw invalidArgument("Invalid value at '" + field + "' (TYPE_BYTES), Base64 decoding"
          + " failed.");
    }
  }

  private static Long crcField(BsonDocument body, String field) {
    BsonValue value = body.get(field);
    if (value == null) {
      return null;
    }
    try {
      long crc = value.isString() ? Long.parseLong(value.asString().getValue())
          : value.asNumber().longValue();
      if (crc < 0 || crc > 0xFFFFFFFFL) {
        throw invalidArgument("Invalid value at '" + field + "', a CRC32C is a uint32.");
      }
      return crc;
    } catch (NumberFormatException | org.bson.BsonInvalidOperationException e) {
      throw invalidArgument("Invalid value at '" + field + "' (TYPE_INT64).");
    }
  }

  private static long crc32c(byte[] data) {
    CRC32C crc = new CRC32C();
    crc.update(data);
    return crc.getValue();
  }

  private static SecretKey aesKey() {
    try {
      KeyGenerator generator = KeyGenerator.getInstance("AES");
      generator.init(256);
      return generator.generateKey();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private static KeyPair rsaKeyPair() {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
      generator.initialize(2048);
      return generator.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private String randomHex(int bytes) {
    byte[] raw = new byte[bytes];
    random.nextBytes(raw);
    return java.util.HexFormat.of().formatHex(raw);
  }

  private String randomToken(int bytes) {
    byte[] raw = new byte[bytes];
    random.nextBytes(raw);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(raw);
  }

  // -------------------------------------------------------------------------- routing

  private final class KmsHandler implements EmulatorHttpsServer.Handler {
    @Override
    public String operation(Request request) {
      String path = decodePath(request.path);
      if (request.method.equals("POST") && path.endsWith("/token")) {
        return "token";
      }
      Matcher m = KMS_PATH.matcher(path);
      if (!m.matches()) {
        return "unknown";
      }
      String verb = m.group(7);
      if ("encrypt".equals(verb) && m.group(4) != null && m.group(6) == null) {
        return "encrypt";
      }
      if ("decrypt".equals(verb) && m.group(4) != null && m.group(5) == null
          && m.group(6) == null) {
        return "decrypt";
      }
      return "admin";
    }

    @Override
    public Reply handle(Request request) {
      String operation = operation(request);
      if (operation.equals("token")) {
        return tokenEndpoint(request);
      }
      if (operation.equals("unknown")) {
        throw new EmulatorError(404, "NOT_FOUND", "The requested URL " + request.path
            + " was not found on this server.");
      }
      if (!request.method.equals("POST") && !operation.equals("admin")) {
        throw new EmulatorError(405, "METHOD_NOT_ALLOWED", "Method not allowed.");
      }
      TokenGrant grant = authenticate(request);
      Matcher m = KMS_PATH.matcher(decodePath(request.path));
      if (!m.matches()) {
        throw new IllegalStateException("path changed");
      }
      String keyName = "projects/" + m.group(1) + "/locations/" + m.group(2) + "/keyRings/"
          + m.group(3) + "/cryptoKeys/" + m.group(4);
      switch (operation) {
        case "encrypt":
          return encrypt(request, grant, keyName, m.group(5));
        case "decrypt":
          return decrypt(request, grant, keyName);
        default:
          return admin(request, m);
      }
    }

    @Override
    public String errorBody(int status, String code, String message) {
      if (code != null && Character.isLowerCase(code.charAt(0))) {
        return new BsonDocument("error", new BsonString(code))
            .append("error_description", new BsonString(message == null ? "" : message)).toJson();
      }
      return new BsonDocument("error", new BsonDocument("code", new BsonInt64(status))
          .append("message", new BsonString(message == null ? "" : message))
          .append("status", new BsonString(code == null ? "UNKNOWN" : code))).toJson();
    }

    private String decodePath(String raw) {
      return URLDecoder.decode(raw.replace("+", "%2B"), StandardCharsets.UTF_8);
    }
  }

  private final class MetadataHandler implements EmulatorHttpsServer.Handler {
    private final ServiceAccount account;

    MetadataHandler(ServiceAccount account) {
      this.account = account;
    }

    @Override
    public String operation(Request request) {
      return request.path.endsWith("/token") ? "metadataToken" : "metadata";
    }

    @Override
    public Reply handle(Request request) {
      String path = request.path;
      if (path.equals("/") || path.isEmpty()) {
        return text("");
      }
      if (!"Google".equals(request.header("metadata-flavor"))) {
        throw new EmulatorError(403, "forbidden", "Missing Metadata-Flavor: Google header.");
      }
      String prefix = "/computeMetadata/v1/";
      if (!path.startsWith(prefix)) {
        throw new EmulatorError(404, "not_found", "Not found");
      }
      String rest = path.substring(prefix.length());
      switch (rest) {
        case "instance/service-accounts/default/token": {
          String scopes = request.query.get("scopes");
          Set<String> granted = scopes == null || scopes.isBlank() ? Set.of(CLOUD_PLATFORM_SCOPE)
              : Set.of(scopes.split(","));
          Duration lifetime = tokenLifetime;
          BsonDocument body = new BsonDocument("access_token",
              new BsonString(grant(account.email, granted, lifetime)))
              .append("expires_in", new BsonInt64(lifetime.toSeconds()))
              .append("token_type", new BsonString("Bearer"));
          Reply reply = new Reply(200, body.toJson());
          reply.header("Metadata-Flavor", "Google");
          return reply;
        }
        case "instance/service-accounts/default/email":
          return text(account.email);
        case "project/project-id":
          return text(projectId);
        case "universe/universe-domain":
          return text("googleapis.com");
        default:
          throw new EmulatorError(404, "not_found", "Not found");
      }
    }

    private Reply text(String value) {
      return new Reply(200, value).header("Metadata-Flavor", "Google")
          .header("Content-Type", "application/text");
    }

    @Override
    public String errorBody(int status, String code, String message) {
      return message == null ? "" : message;
    }
  }

  // ---------------------------------------------------------------------------- model

  private static final class TokenGrant {
    final String email;
    final Set<String> scopes;
    final Instant expiresAt;

    TokenGrant(String email, Set<String> scopes, Instant expiresAt) {
      this.email = email;
      this.scopes = scopes;
      this.expiresAt = expiresAt;
    }
  }

  private static final class KeyState {
    final CryptoKey key;
    final List<KeyVersion> versions = new ArrayList<>();
    KeyVersion primary;

    KeyState(CryptoKey key) {
      this.key = key;
    }

    synchronized KeyVersion addVersion(SecretKey secret, Instant created) {
      KeyVersion v = new KeyVersion(Integer.toString(versions.size() + 1),
          UUID.randomUUID().toString(), secret, created);
      versions.add(v);
      if (primary == null) {
        primary = v;
      }
      return v;
    }

    synchronized KeyVersion find(String number) {
      for (KeyVersion v : versions) {
        if (v.number.equals(number)) {
          return v;
        }
      }
      return null;
    }

    synchronized KeyVersion byUid(String uid) {
      for (KeyVersion v : versions) {
        if (v.uid.equals(uid)) {
          return v;
        }
      }
      return null;
    }
  }

  private static final class KeyVersion {
    final String number;
    final String uid;
    final SecretKey secret;
    final Instant created;
    volatile boolean enabled = true;

    KeyVersion(String number, String uid, SecretKey secret, Instant created) {
      this.number = number;
      this.uid = uid;
      this.secret = secret;
      this.created = created;
    }
  }

  /** A parsed ciphertext envelope. */
  private static final class Sealed {
    final String versionUid;
    final byte[] nonce;
    final byte[] sealed;

    private Sealed(String versionUid, byte[] nonce, byte[] sealed) {
      this.versionUid = versionUid;
      this.nonce = nonce;
      this.sealed = sealed;
    }

    static Sealed parse(byte[] data) {
      int[] pos = {0};
      if (data.length < 2 || data[pos[0]++] != 0x0a) {
        return null;
      }
      int uidLength = readVarint(data, pos);
      if (uidLength < 0 || pos[0] + uidLength > data.length) {
        return null;
      }
      String uid = new String(data, pos[0], uidLength, StandardCharsets.US_ASCII);
      pos[0] += uidLength;
      if (pos[0] >= data.length || data[pos[0]++] != 0x12) {
        return null;
      }
      int payloadLength = readVarint(data, pos);
      if (payloadLength < 12 + 16 || pos[0] + payloadLength != data.length) {
        return null;
      }
      byte[] nonce = Arrays.copyOfRange(data, pos[0], pos[0] + 12);
      byte[] sealed = Arrays.copyOfRange(data, pos[0] + 12, data.length);
      return new Sealed(uid, nonce, sealed);
    }

    private static int readVarint(byte[] data, int[] pos) {
      int result = 0;
      for (int shift = 0; shift < 32 && pos[0] < data.length; shift += 7) {
        int b = data[pos[0]++] & 0xff;
        result |= (b & 0x7f) << shift;
        if ((b & 0x80) == 0) {
          return result;
        }
      }
      return -1;
    }
  }

  /** Builder for {@link GcpKmsEmulator}. */
  public static final class Builder extends EmulatorBuilder<Builder> {
    private String projectId = DEFAULT_PROJECT;

    private Builder() {}

    @Override
    protected Builder self() {
      return this;
    }

    /**
     * The project of the default service account and of keys made without a project.
     *
     * @param projectId a project id
     * @return this builder
     */
    public Builder projectId(String projectId) {
      this.projectId = Objects.requireNonNull(projectId, "projectId");
      return this;
    }

    /**
     * Starts the emulator.
     *
     * @return a running emulator
     */
    public GcpKmsEmulator start() {
      return new GcpKmsEmulator(this);
    }
  }

  /** A CryptoKey of the emulator. */
  public static final class CryptoKey {
    private final String projectId;
    private final String location;
    private final String keyRing;
    private final String keyName;
    private final GcpKmsEmulator emulator;

    private CryptoKey(String projectId, String location, String keyRing, String keyName,
        GcpKmsEmulator emulator) {
      this.projectId = projectId;
      this.location = location;
      this.keyRing = keyRing;
      this.keyName = keyName;
      this.emulator = emulator;
    }

    /** @return the project id */
    public String projectId() {
      return projectId;
    }

    /** @return the location */
    public String location() {
      return location;
    }

    /** @return the key ring id */
    public String keyRing() {
      return keyRing;
    }

    /** @return the CryptoKey id */
    public String keyName() {
      return keyName;
    }

    String keyRingName() {
      return "projects/" + projectId + "/locations/" + location + "/keyRings/" + keyRing;
    }

    /**
     * {@code projects/<p>/locations/<l>/keyRings/<r>/cryptoKeys/<k>}.
     *
     * @return the resource name
     */
    public String resourceName() {
      return keyRingName() + "/cryptoKeys/" + keyName;
    }

    /**
     * Master key options for this key on this emulator: {@code {projectId, location, keyRing,
     * keyName, endpoint}}.
     *
     * @return a new document
     */
    public BsonDocument masterKey() {
      return new BsonDocument("projectId", new BsonString(projectId))
          .append("location", new BsonString(location))
          .append("keyRing", new BsonString(keyRing))
          .append("keyName", new BsonString(keyName))
          .append("endpoint", new BsonString(emulator.endpoint()));
    }

    /**
     * {@link #masterKey()} naming a version: {@code {..., keyVersion, endpoint}}.
     *
     * @param version a version number
     * @return a new document
     */
    public BsonDocument masterKey(String version) {
      BsonDocument doc = masterKey();
      doc.remove("endpoint");
      return doc.append("keyVersion", new BsonString(version))
          .append("endpoint", new BsonString(emulator.endpoint()));
    }

    @Override
    public String toString() {
      return resourceName();
    }
  }

  /** A service account of the emulator. {@link #toString()} shows only its email. */
  public static final class ServiceAccount {
    private final String email;
    private final KeyPair keyPair;
    private final String privateKeyId;
    private final GcpKmsEmulator emulator;

    private ServiceAccount(String email, KeyPair keyPair, String privateKeyId,
        GcpKmsEmulator emulator) {
      this.email = email;
      this.keyPair = keyPair;
      this.privateKeyId = privateKeyId;
      this.emulator = emulator;
    }

    /** @return the account's email */
    public String email() {
      return email;
    }

    /** @return the id of its key ({@code private_key_id} in a key file) */
    public String privateKeyId() {
      return privateKeyId;
    }

    /** @return its private key, PKCS#8 DER */
    public byte[] privateKeyPkcs8() {
      return keyPair.getPrivate().getEncoded();
    }

    /** @return its private key, PKCS#8 DER in standard base64 (as {@code kmsProviders} take it) */
    public String privateKeyBase64() {
      return Base64.getEncoder().encodeToString(privateKeyPkcs8());
    }

    /** @return its private key as PEM ({@code -----BEGIN PRIVATE KEY-----}) */
    public String privateKeyPem() {
      return "-----BEGIN PRIVATE KEY-----\n"
          + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
              .encodeToString(privateKeyPkcs8())
          + "\n-----END PRIVATE KEY-----\n";
    }

    /**
     * A {@code kmsProviders.gcp} entry: {@code email}, {@code privateKey} (base64 DER) and
     * {@code endpoint} (the emulator's token endpoint).
     *
     * @return a new mutable map
     */
    public Map<String, Object> asKmsProviderProperties() {
      Map<String, Object> map = new LinkedHashMap<>();
      map.put("email", email);
      map.put("privateKey", privateKeyBase64());
      map.put("endpoint", emulator.endpoint());
      return map;
    }

    /**
     * A service account key file ({@code "type": "service_account"}) whose {@code token_uri} is
     * the emulator, as {@code GOOGLE_APPLICATION_CREDENTIALS} or {@code
     * GoogleCredentials.fromStream} read it.
     *
     * @return JSON text
     */
    public String keyFileJson() {
      return new BsonDocument("type", new BsonString("service_account"))
          .append("project_id", new BsonString(emulator.projectId))
          .append("private_key_id", new BsonString(privateKeyId))
          .append("private_key", new BsonString(privateKeyPem()))
          .append("client_email", new BsonString(email))
          .append("client_id", new BsonString("1" + Math.abs((long) email.hashCode())))
          .append("token_uri", new BsonString(emulator.tokenUri().toString()))
          .toJson();
    }

    @Override
    public String toString() {
      return "ServiceAccount{" + email + ", key=redacted}";
    }
  }
}
