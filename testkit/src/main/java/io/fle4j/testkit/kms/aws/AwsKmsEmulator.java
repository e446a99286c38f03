package io.fle4j.testkit.kms.aws;

import io.fle4j.testkit.kms.http.EmulatorBuilder;
import io.fle4j.testkit.kms.http.EmulatorHttpsServer;
import io.fle4j.testkit.kms.http.HttpsKmsEmulator;
import io.fle4j.testkit.kms.http.Faults;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.bson.BsonDocument;
import org.bson.BsonInt32;
import org.bson.BsonString;
import org.bson.json.JsonParseException;

/**
 * An AWS KMS emulator for tests: HTTPS on {@code 127.0.0.1} with a certificate made at start,
 * speaking the KMS JSON 1.1 protocol ({@code POST /}, {@code X-Amz-Target: TrentService.<op>},
 * {@code Content-Type: application/x-amz-json-1.1}) for CreateKey, CreateAlias, UpdateAlias,
 * ListAliases, DescribeKey, Encrypt, Decrypt (with or without {@code KeyId}), GenerateDataKey,
 * EnableKey, DisableKey, ScheduleKeyDeletion, RotateKeyOnDemand and ListKeyRotations. A rotated
 * key encrypts under its newest material and still decrypts what older material encrypted.
 *
 * <p>It checks what AWS checks and answers as AWS answers: every request must carry a valid
 * Signature Version 4 (service {@code kms}, date within 5 minutes, the right secret over the
 * canonical request and the body hash), session tokens for temporary credentials (which expire),
 * and errors come back as {@code {"__type": "InvalidSignatureException", "message": ...}} with
 * the real status codes. Ciphertext blobs are real authenticated encryption (AES-GCM under a
 * per-key material) and carry the key, and the key material's version, they belong to. Keys and aliases live per account and region;
 * key ARNs look like {@code arn:aws:kms:<region>:<account>:key/<uuid>}.
 *
 * <p>Both the AWS SDK and libmongocrypt (through the official MongoDB driver) are accepted: the
 * latter writes headers as {@code Name:value}, sends {@code Connection:close}, and signs an
 * Encrypt request whose {@code Host} header lacks the port. Replies carry AWS's exact header
 * names ({@code Content-Length}, which libmongocrypt matches case-sensitively), which is why the
 * HTTP layer is the testkit's own {@link io.fle4j.testkit.kms.http.EmulatorHttpsServer} (shared
 * with the Azure and GCP emulators) rather than the JDK's {@code HttpsServer}, which would send
 * {@code Content-length}.
 *
 * <p>Faults for tests: {@link #faults()} (the same knobs on every emulator); counters: {@link
 * #requestCount(String)}, {@link #requests()}.
 *
 * <pre>{@code
 * try (AwsKmsEmulator kms = AwsKmsEmulator.start()) {
 *   String keyArn = kms.createKey("us-east-1");
 *   Map<String, Object> aws = kms.credentials().asKmsProviderProperties();
 *   // masterKey: {region: "us-east-1", key: keyArn, endpoint: kms.endpoint()}
 *   // TLS: kmsProviderSslContextMap {aws: kms.clientSslContext()}
 * }
 * }</pre>
 *
 * <p>Thread-safe. Not a security boundary: secrets live in memory in clear.
 *
 * <p>Operations, as {@link #requestCount(String)} and {@link #requests()} name them, are the KMS
 * actions ({@code Encrypt}, {@code Decrypt}, {@code CreateKey}...); a request's principal is the
 * access key id that signed it.
 */
public final class AwsKmsEmulator extends HttpsKmsEmulator {
  /** The account of {@link #credentials()} unless the builder says otherwise. */
  public static final String DEFAULT_ACCOUNT = "111122223333";

  private static final char[] ALPHANUMERIC =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567".toCharArray();

  private final AwsKmsKeyStore store;
  private final Clock clock;
  private final Duration maxClockSkew;
  private final String accountId;
  private final SecureRandom secureRandom = new SecureRandom();
  private final Map<String, Credentials> credentialsById = new ConcurrentHashMap<>();
  private final Credentials defaultCredentials;


  private AwsKmsEmulator(Builder builder) {
    super("AWS KMS", "fle4j-aws-kms", builder.clock(), builder.seed(), new Faults.Wording(400,
        "ThrottlingException", "Rate exceeded", AwsKmsEmulator::faultMessage));
    this.clock = builder.clock();
    this.maxClockSkew = builder.maxClockSkew;
    this.accountId = builder.accountId;
    this.store = new AwsKmsKeyStore(clock);
    this.defaultCredentials = createAccessKey(accountId);
  }

  @Override
  protected EmulatorHttpsServer.Handler handler() {
    return new KmsHandler();
  }

  /**
   * Starts an emulator with the defaults: account {@link #DEFAULT_ACCOUNT}, the system clock,
   * 5 minutes of allowed clock skew.
   *
   * @return a running emulator; close it when done
   */
  public static AwsKmsEmulator start() {
    return builder().start();
  }

  /**
   * A builder for an emulator with other settings.
   *
   * @return a new builder
   */
  public static Builder builder() {
    return new Builder();
  }

  // ---------------------------------------------------------------- where it is, how to trust it

  /**
   * {@code 127.0.0.1:<port>}, the form of a {@code masterKey.endpoint}.
   *
   * @return host and port
   */
  public String endpoint() {
    return "127.0.0.1:" + port();
  }

  /**
   * {@code https://127.0.0.1:<port>}, for an AWS SDK client's {@code endpointOverride}.
   *
   * @return the endpoint URI
   */
  public URI endpointUri() {
    return URI.create("https://" + endpoint());
  }

  // ---------------------------------------------------------------------------- credentials

  /**
   * The account of {@link #credentials()}.
   *
   * @return a 12-digit account id
   */
  public String accountId() {
    return accountId;
  }

  /**
   * Long-term credentials of {@link #accountId()}, made at start.
   *
   * @return access key id and secret
   */
  public Credentials credentials() {
    return defaultCredentials;
  }

  /**
   * Makes new long-term credentials (an {@code AKIA...} access key) for an account.
   *
   * @param account a 12-digit account id; accounts exist as soon as they are named
   * @return the new credentials
   */
  public Credentials createAccessKey(String account) {
    requireAccount(account);
    Credentials credentials = new Credentials(account, "AKIA" + randomId(16), randomSecret(40),
        Optional.empty(), Optional.empty());
    credentialsById.put(credentials.accessKeyId(), credentials);
    return credentials;
  }

  /**
   * Issues temporary credentials (an {@code ASIA...} access key and a session token, as STS
   * does) for {@link #accountId()}. After {@code lifetime}, requests signed with them get {@code
   * ExpiredTokenException}.
   *
   * @param lifetime how long they are valid
   * @return the new credentials
   */
  public Credentials issueTemporaryCredentials(Duration lifetime) {
    return issueTemporaryCredentials(accountId, lifetime);
  }

  /**
   * Issues temporary credentials for an account.
   *
   * @param account a 12-digit account id
   * @param lifetime how long they are valid
   * @return the new credentials
   */
  public Credentials issueTemporaryCredentials(String account, Duration lifetime) {
    requireAccount(account);
    Credentials credentials = new Credentials(account, "ASIA" + randomId(16), randomSecret(40),
        Optional.of(randomSecret(120)), Optional.of(clock.instant().plus(lifetime)));
    credentialsById.put(credentials.accessKeyId(), credentials);
    return credentials;
  }

  /**
   * Expires temporary credentials now ({@code ExpiredTokenException} from then on), or deletes
   * long-term ones ({@code UnrecognizedClientException} from then on).
   *
   * @param credentials credentials this emulator issued
   */
  public void revoke(Credentials credentials) {
    if (credentials.sessionToken().isPresent()) {
      credentialsById.put(credentials.accessKeyId(), new Credentials(credentials.accountId(),
          credentials.accessKeyId(), credentials.secretAccessKey(), credentials.sessionToken(),
          Optional.of(clock.instant().minusSeconds(1))));
    } else {
      credentialsById.remove(credentials.accessKeyId());
    }
  }

  // ---------------------------------------------------------------------------- keys

  /**
   * Creates a symmetric key in {@link #accountId()} (as CreateKey does).
   *
   * @param region the key's region, such as {@code us-east-1}
   * @return the key ARN
   */
  public String createKey(String region) {
    return createKey(accountId, region);
  }

  /**
   * Creates a symmetric key.
   *
   * @param account the owning account
   * @param region the key's region
   * @return the key ARN, {@code arn:aws:kms:<region>:<account>:key/<uuid>}
   */
  public String createKey(String account, String region) {
    requireAccount(account);
    return store.createKey(account, Objects.requireNonNull(region, "region"), "");
  }

  /**
   * Creates an alias in {@link #accountId()}.
   *
   * @param region the region of the alias and its key
   * @param aliasName {@code alias/<name>}
   * @param target the key's id or ARN
   * @return the alias ARN
   */
  public String createAlias(String region, String aliasName, String target) {
    return createAlias(accountId, region, aliasName, target);
  }

  /**
   * Creates an alias.
   *
   * @param account the owning account
   * @param region the region of the alias and its key
   * @param aliasName {@code alias/<name>}
   * @param target the key's id or ARN
   * @return the alias ARN
   */
  public String createAlias(String account, String region, String aliasName, String target) {
    return adminCall(() -> store.createAlias(account, region, aliasName, target));
  }

  /**
   * The key ARN an alias of {@link #accountId()} points at, or {@code null} when there is no
   * such alias.
   */
  public String aliasTarget(String region, String aliasName) {
    return store.aliasTarget(accountId, region, aliasName);
  }

  /** How many key materials a key has had: 1, plus one per on-demand rotation. */
  public int keyMaterialCount(String keyArn) {
    return store.materialCount(keyArn);
  }

  /**
   * Which of its key's materials a ciphertext blob of this emulator was made under (1 is the
   * key's first), to check that a rewrap after a rotation used the new material.
   */
  public static int keyMaterialVersion(byte[] ciphertextBlob) {
    return AwsKmsKeyStore.materialVersionOf(ciphertextBlob);
  }

  /**
   * Disables a key: Encrypt and Decrypt then fail with {@code DisabledException}.
   *
   * @param keyArn the key ARN
   */
  public void disableKey(String keyArn) {
    adminCall(() -> {
      store.administer("DisableKey", keyArn, new BsonDocument());
      return null;
    });
  }

  /**
   * Enables a disabled key.
   *
   * @param keyArn the key ARN
   */
  public void enableKey(String keyArn) {
    adminCall(() -> {
      store.administer("EnableKey", keyArn, new BsonDocument());
      return null;
    });
  }

  /**
   * Schedules a key's deletion (7 days): it then fails with {@code KMSInvalidStateException}.
   *
   * @param keyArn the key ARN
   */
  public void scheduleKeyDeletion(String keyArn) {
    adminCall(() -> {
      store.administer("ScheduleKeyDeletion", keyArn,
          new BsonDocument("PendingWindowInDays", new BsonInt32(7)));
      return null;
    });
  }

  // ---------------------------------------------------------------------------- knobs

  // ---------------------------------------------------------------------------- counters

  @Override
  public String toString() {
    return "AwsKmsEmulator{" + endpoint() + ", account=" + accountId + "}";
  }

  // ---------------------------------------------------------------------------- serving

  /** The KMS JSON 1.1 protocol on top of the shared HTTPS server. */
  private final class KmsHandler implements EmulatorHttpsServer.Handler {
    @Override
    public String operation(EmulatorHttpsServer.Request request) {
      String target = request.header("X-Amz-Target");
      return target == null ? "(none)"
          : target.startsWith("TrentService.") ? target.substring("TrentService.".length())
              : target;
    }

    /** The access key id that signed the request, read whether or not it authenticates. */
    @Override
    public String principal(EmulatorHttpsServer.Request request) {
      return AwsSigV4.parseAuthorization(request.header("Authorization")).accessKeyId();
    }

    /** AWS's content type and request id header on every reply, errors included. */
    @Override
    public void decorate(EmulatorHttpsServer.Reply reply) {
      reply.header("Content-Type", "application/x-amz-json-1.1");
      reply.header("x-amzn-RequestId", java.util.UUID.randomUUID().toString());
    }

    @Override
    public String errorBody(int status, String code, String message) {
      BsonDocument error = new BsonDocument("__type", new BsonString(code));
      if (message != null) {
        error.append("message", new BsonString(message));
      }
      return error.toJson();
    }

    @Override
    public EmulatorHttpsServer.Reply handle(EmulatorHttpsServer.Request received) {
      try {
        String reply = serve(operation(received), received);
        return new EmulatorHttpsServer.Reply(200, reply);
      } catch (AwsKmsError e) {
        throw new EmulatorHttpsServer.EmulatorError(e.status(), e.type(), e.getMessage());
      } catch (RuntimeException e) {
        throw new EmulatorHttpsServer.EmulatorError(500, "KMSInternalException",
            "emulator failure: " + e.getClass().getSimpleName());
      }
    }
  }

  private String serve(String operation, EmulatorHttpsServer.Request received) {
    if (!received.method.equals("POST")) {
      throw new AwsKmsError(404, "UnknownOperationException", null);
    }
    Map<String, List<String>> lowerCase = new LinkedHashMap<>();
    received.headers.forEach((name, value) -> lowerCase.put(name, List.of(value)));
    AwsSigV4.Request request = new AwsSigV4.Request(received.method, received.path,
        received.rawQuery, lowerCase, received.body);
    AwsSigV4.Authorization auth = AwsSigV4.parseAuthorization(request.header("authorization"));
    Credentials caller = authenticate(auth, request);
    if (!AwsKmsKeyStore.OPERATIONS.contains(operation)) {
      throw AwsKmsError.badRequest("UnknownOperationException", null);
    }
    String contentType = request.header("content-type");
    if (contentType == null || !contentType.startsWith("application/x-amz-json-1.")) {
      throw AwsKmsError.badRequest("SerializationException",
          "Content-Type must be application/x-amz-json-1.1");
    }
    return store.handle(operation, caller.accountId(), auth.region(), parse(received.body));
  }

  private Credentials authenticate(AwsSigV4.Authorization auth, AwsSigV4.Request request) {
    Credentials known = credentialsById.get(auth.accessKeyId());
    if (known == null) {
      throw AwsKmsError.badRequest("UnrecognizedClientException",
          "The security token included in the request is invalid.");
    }
    Instant now = clock.instant();
    AwsSigV4.checkScopeAndDate(auth, request, now, maxClockSkew, "kms");
    String token = request.header("x-amz-security-token");
    String knownToken = known.sessionToken().orElse(null);
    if (knownToken == null ? token != null
        : token == null || !MessageDigest.isEqual(token.getBytes(StandardCharsets.UTF_8),
            knownToken.getBytes(StandardCharsets.UTF_8))) {
      throw AwsKmsError.badRequest("UnrecognizedClientException",
          "The security token included in the request is invalid.");
    }
    if (known.expiration().isPresent() && !now.isBefore(known.expiration().get())) {
      throw AwsKmsError.badRequest("ExpiredTokenException",
          "The security token included in the request is expired");
    }
    if (!AwsSigV4.signatureMatches(auth, request, known.secretAccessKey())) {
      throw AwsKmsError.badRequest("InvalidSignatureException",
          "The request signature we calculated does not match the signature you provided."
              + " Check your AWS Secret Access Key and signing method. Consult the service"
              + " documentation for details.");
    }
    return known;
  }

  private static BsonDocument parse(byte[] body) {
    String text = new String(body, StandardCharsets.UTF_8).trim();
    if (text.isEmpty()) {
      return new BsonDocument();
    }
    try {
      return BsonDocument.parse(text);
    } catch (JsonParseException | org.bson.BsonInvalidOperationException e) {
      throw AwsKmsError.badRequest("SerializationException", "Malformed JSON request body");
    }
  }

  private static String faultMessage(String errorType) {
    return switch (errorType) {
      case "ThrottlingException" -> "Rate exceeded";
      case "AccessDeniedException" -> "User is not authorized to perform this operation";
      case "KMSInternalException" -> "An internal error occurred";
      case "DependencyTimeoutException" -> "The system timed out while trying to fulfill the request.";
      default -> "injected by the emulator";
    };
  }

  private static <T> T adminCall(java.util.function.Supplier<T> call) {
    try {
      return call.get();
    } catch (AwsKmsError e) {
      throw new IllegalArgumentException(e.type() + ": " + e.getMessage());
    }
  }

  private static void requireAccount(String account) {
    if (account == null || !account.matches("[0-9]{12}")) {
      throw new IllegalArgumentException("an AWS account id is 12 digits, got " + account);
    }
  }

  private String randomId(int length) {
    char[] out = new char[length];
    for (int i = 0; i < length; i++) {
      out[i] = ALPHANUMERIC[secureRandom.nextInt(ALPHANUMERIC.length)];
    }
    return new String(out);
  }

  private String randomSecret(int length) {
    byte[] bytes = new byte[length];
    secureRandom.nextBytes(bytes);
    return java.util.Base64.getEncoder().encodeToString(bytes).substring(0, length);
  }

  /** Builder for {@link AwsKmsEmulator}. */
  public static final class Builder extends EmulatorBuilder<Builder> {
    private String accountId = DEFAULT_ACCOUNT;
    private Duration maxClockSkew = Duration.ofMinutes(5);

    private Builder() {}

    @Override
    protected Builder self() {
      return this;
    }

    /**
     * The account of {@link AwsKmsEmulator#credentials()}.
     *
     * @param accountId 12 digits
     * @return this builder
     */
    public Builder accountId(String accountId) {
      requireAccount(accountId);
      this.accountId = accountId;
      return this;
    }

    /**
     * How far a request's {@code X-Amz-Date} may be from the clock (5 minutes by default).
     *
     * @param skew the allowed difference
     * @return this builder
     */
    public Builder maxClockSkew(Duration skew) {
      this.maxClockSkew = Objects.requireNonNull(skew, "skew");
      return this;
    }

    /**
     * Starts the emulator.
     *
     * @return a running emulator
     */
    public AwsKmsEmulator start() {
      return new AwsKmsEmulator(this);
    }
  }

  /**
   * AWS credentials the emulator accepts. {@link #toString()} shows only the account.
   *
   * @param accountId the owning account, 12 digits
   * @param accessKeyId the access key id ({@code AKIA...} or, for temporary credentials, {@code
   *     ASIA...})
   * @param secretAccessKey the secret access key
   * @param sessionToken the session token of temporary credentials, empty for long-term ones
   * @param expiration when temporary credentials expire, empty for long-term ones
   */
  public record Credentials(String accountId, String accessKeyId, String secretAccessKey,
      Optional<String> sessionToken, Optional<Instant> expiration) {
    /**
     * These credentials as a {@code kmsProviders.aws} entry: {@code accessKeyId}, {@code
     * secretAccessKey} and, for temporary credentials, {@code sessionToken}.
     *
     * @return a new mutable map
     */
    public Map<String, Object> asKmsProviderProperties() {
      Map<String, Object> map = new LinkedHashMap<>();
      map.put("accessKeyId", accessKeyId);
      map.put("secretAccessKey", secretAccessKey);
      sessionToken.ifPresent(token -> map.put("sessionToken", token));
      return map;
    }

    @Override
    public String toString() {
      return "Credentials{account=" + accountId + (sessionToken.isPresent() ? ", temporary" : "")
          + ", redacted}";
    }
  }


}
