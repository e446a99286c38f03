package io.fle4j.testkit.kms.aws;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.regex.Pattern;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.bson.BsonArray;
import org.bson.BsonBoolean;
import org.bson.BsonDocument;
import org.bson.BsonDouble;
import org.bson.BsonInt32;
import org.bson.BsonString;
import org.bson.BsonValue;

/**
 * The emulator's keys and aliases, per account and region, and the KMS operations on them.
 *
 * <p>Ciphertext blobs are {@code version ‖ key UUID (16) ‖ nonce (12) ‖ AES-256-GCM(plaintext) ‖
 * tag (16)}, under the key material of that version (1 for a key's first material, one more per
 * rotation), with the version, the key UUID and the encryption context as associated data: any
 * altered byte, another key's material or another context fails. The key UUID in clear is what
 * lets Decrypt work without a {@code KeyId}, as with real blobs; the version is what lets it
 * decrypt under a rotated key's older material, as AWS KMS does.
 */
final class AwsKmsKeyStore {
  static final Set<String> OPERATIONS = Set.of("CreateKey", "CreateAlias", "UpdateAlias",
      "ListAliases", "DescribeKey", "Encrypt", "Decrypt", "GenerateDataKey", "EnableKey",
      "DisableKey", "ScheduleKeyDeletion", "RotateKeyOnDemand", "ListKeyRotations");

  /** AWS KMS allows this many on-demand rotations per key. */
  private static final int MAX_ON_DEMAND_ROTATIONS = 25;
  private static final int NONCE_LENGTH = 12;
  private static final int TAG_BITS = 128;
  private static final int HEADER_LENGTH = 1 + 16;
  private static final int MIN_BLOB_LENGTH = HEADER_LENGTH + NONCE_LENGTH + TAG_BITS / 8 + 1;
  private static final Pattern ALIAS_NAME = Pattern.compile("alias/[a-zA-Z0-9/_-]{1,250}");
  private static final String SYMMETRIC_DEFAULT = "SYMMETRIC_DEFAULT";

  private final Clock clock;
  private final SecureRandom random = new SecureRandom();
  private final Map<UUID, Key> keys = new LinkedHashMap<>();
  /** "account/region/alias/name" to alias. */
  private final Map<String, Alias> aliases = new TreeMap<>();

  AwsKmsKeyStore(Clock clock) {
    this.clock = clock;
  }

  private static final class Key {
    final UUID id;
    final String account;
    final String region;
    /** Key material by version - 1; the last one encrypts, all of them decrypt. */
    final List<byte[]> materials = new ArrayList<>();
    /** When each on-demand rotation happened. */
    final List<Instant> rotations = new ArrayList<>();
    final Instant created;
    final String description;
    String state = "Enabled";
    Instant deletionDate;

    Key(UUID id, String account, String region, byte[] secret, Instant created,
        String description) {
      this.id = id;
      this.account = account;
      this.region = region;
      this.materials.add(secret);
      this.created = created;
      this.description = description;
    }

    String arn() {
      return "arn:aws:kms:" + region + ":" + account + ":key/" + id;
    }
  }

  private static final class Alias {
    final String account;
    final String region;
    final String name;
    UUID target;
    final Instant created;
    Instant updated;

    Alias(String account, String region, String name, UUID target, Instant created) {
      this.account = account;
      this.region = region;
      this.name = name;
      this.target = target;
      this.created = created;
      this.updated = created;
    }

    String arn() {
      return "arn:aws:kms:" + region + ":" + account + ":" + name;
    }
  }

  // ---- administration, used by the emulator's Java API ----

  synchronized String createKey(String account, String region, String description) {
    byte[] secret = new byte[32];
    random.nextBytes(secret);
    Key key = new Key(UUID.randomUUID(), account, region, secret, clock.instant(), description);
    keys.put(key.id, key);
    return key.arn();
  }

  synchronized String createAlias(String account, String region, String aliasName, String target) {
    BsonDocument request = new BsonDocument("AliasName", new BsonString(aliasName))
        .append("TargetKeyId", new BsonString(target));
    createAlias(account, region, request);
    return aliases.get(aliasKey(account, region, aliasName)).arn();
  }

  /** Runs an operation on a key named by its ARN, as its own account would. */
  synchronized void administer(String operation, String keyArn, BsonDocument extra) {
    String[] parts = keyArn.split(":", 6);
    if (parts.length != 6 || !parts[5].startsWith("key/")) {
      throw new IllegalArgumentException("not a key ARN: " + keyArn);
    }
    BsonDocument request = extra.clone().append("KeyId", new BsonString(keyArn));
    handle(operation, parts[4], parts[3], request);
  }

  // ---- the KMS operations ----

  /**
   * Runs one operation for a caller of {@code account} signed for {@code region}.
   *
   * @return the JSON reply body; empty for operations that return nothing
   * @throws AwsKmsError for every error AWS would report
   */
  synchronized String handle(String operation, String account, String region,
      BsonDocument request) {
    BsonDocument reply = switch (operation) {
      case "CreateKey" -> createKey(account, region, request);
      case "CreateAlias" -> createAlias(account, region, request);
      case "UpdateAlias" -> updateAlias(account, region, request);
      case "RotateKeyOnDemand" -> rotateKeyOnDemand(account, region, request);
      case "ListKeyRotations" -> listKeyRotations(account, region, request);
      case "ListAliases" -> listAliases(account, region, request);
      case "DescribeKey" -> new BsonDocument("KeyMetadata",
          metadata(resolve(operation, account, region, keyId(request), true)));
      case "Encrypt" -> encrypt(account, region, request);
      case "Decrypt" -> decrypt(account, region, request);
      case "GenerateDataKey" -> generateDataKey(account, region, request);
      case "EnableKey" -> setEnabled(operation, account, region, request, true);
      case "DisableKey" -> setEnabled(operation, account, region, request, false);
      case "ScheduleKeyDeletion" -> scheduleKeyDeletion(account, region, request);
      default -> throw AwsKmsError.badRequest("UnknownOperationException", null);
    };
    return reply == null ? "" : reply.toJson();
  }

  private BsonDocument createKey(String account, String region, BsonDocument request) {
    String usage = optionalString(request, "KeyUsage", "ENCRYPT_DECRYPT");
    if (!usage.equals("ENCRYPT_DECRYPT")) {
      throw AwsKmsError.badRequest("UnsupportedOperationException",
          "KeyUsage " + usage + " is not supported by the fle4j AWS KMS emulator");
    }
    String spec = optionalString(request, "KeySpec",
        optionalString(request, "CustomerMasterKeySpec", SYMMETRIC_DEFAULT));
    if (!spec.equals(SYMMETRIC_DEFAULT)) {
      throw AwsKmsError.badRequest("UnsupportedOperationException",
          "KeySpec " + spec + " is not supported by the fle4j AWS KMS emulator");
    }
    String origin = optionalString(request, "Origin", "AWS_KMS");
    if (!origin.equals("AWS_KMS")) {
      throw AwsKmsError.badRequest("UnsupportedOperationException",
          "Origin " + origin + " is not supported by the fle4j AWS KMS emulator");
    }
    String arn = createKey(account, region, optionalString(request, "Description", ""));
    return new BsonDocument("KeyMetadata", metadata(keys.get(uuidOf(arn))));
  }

  private BsonDocument createAlias(String account, String region, BsonDocument request) {
    String name = requiredString(request, "AliasName");
    if (!ALIAS_NAME.matcher(name).matches()) {
      throw AwsKmsError.validation("1 validation error detected: Value '" + name
          + "' at 'aliasName' failed to satisfy constraint: Member must satisfy regular"
          + " expression pattern: ^alias/[a-zA-Z0-9/_-]+$");
    }
    if (name.startsWith("alias/aws/")) {
      throw AwsKmsError.badRequest("NotAuthorizedException",
          "Alias names starting with alias/aws/ are reserved for AWS managed keys");
    }
    Key target = resolve("CreateAlias", account, region, requiredString(request, "TargetKeyId"),
        false);
    requireNotPendingDeletion(target);
    String mapKey = aliasKey(account, region, name);
    if (aliases.containsKey(mapKey)) {
      throw AwsKmsError.badRequest("AlreadyExistsException", "An alias with the name "
          + new Alias(account, region, name, null, null).arn() + " already exists");
    }
    aliases.put(mapKey, new Alias(account, region, name, target.id, clock.instant()));
    return null;
  }

  private BsonDocument updateAlias(String account, String region, BsonDocument request) {
    String name = requiredString(request, "AliasName");
    if (name.startsWith("alias/aws/")) {
      throw AwsKmsError.badRequest("NotAuthorizedException",
          "Alias names starting with alias/aws/ are reserved for AWS managed keys");
    }
    Alias alias = aliases.get(aliasKey(account, region, name));
    if (alias == null) {
      throw AwsKmsError.notFound("Alias arn:aws:kms:" + region + ":" + account + ":" + name
          + " is not found.");
    }
    Key target = resolve("UpdateAlias", account, region, requiredString(request, "TargetKeyId"),
        false);
    requireNotPendingDeletion(target);
    alias.target = target.id;
    alias.updated = clock.instant();
    return null;
  }

  private BsonDocument rotateKeyOnDemand(String account, String region, BsonDocument request) {
    Key key = resolve("RotateKeyOnDemand", account, region, keyId(request), false);
    requireUsable(key);
    if (key.rotations.size() >= MAX_ON_DEMAND_ROTATIONS) {
      throw AwsKmsError.badRequest("LimitExceededException", "The key " + key.arn()
          + " has reached the maximum of " + MAX_ON_DEMAND_ROTATIONS + " on-demand rotations.");
    }
    byte[] secret = new byte[32];
    random.nextBytes(secret);
    key.materials.add(secret);
    key.rotations.add(clock.instant());
    return new BsonDocument("KeyId", new BsonString(key.id.toString()));
  }

  private BsonDocument listKeyRotations(String account, String region, BsonDocument request) {
    Key key = resolve("ListKeyRotations", account, region, keyId(request), false);
    BsonArray rotations = new BsonArray();
    for (Instant at : key.rotations) {
      rotations.add(new BsonDocument("KeyId", new BsonString(key.id.toString()))
          .append("RotationDate", epochSeconds(at))
          .append("RotationType", new BsonString("ON_DEMAND")));
    }
    return new BsonDocument("Rotations", rotations).append("Truncated", BsonBoolean.FALSE);
  }

  /** How many key materials a key has had (1 plus its rotations); for tests. */
  synchronized int materialCount(String keyArn) {
    String[] parts = keyArn.split(":", 6);
    Key key = parts.length == 6 && parts[5].startsWith("key/")
        ? keys.get(parseUuid(parts[5].substring(4), keyArn)) : null;
    if (key == null) {
      throw new IllegalArgumentException("no key " + keyArn);
    }
    return key.materials.size();
  }

  /** The material version (1 = first) a blob was sealed under; for tests. */
  static int materialVersionOf(byte[] blob) {
    if (blob.length < MIN_BLOB_LENGTH) {
      throw new IllegalArgumentException("not an emulator ciphertext blob");
    }
    return blob[0] & 0xff;
  }

  /** The key id an alias points at, or null; for tests. */
  synchronized String aliasTarget(String account, String region, String aliasName) {
    Alias alias = aliases.get(aliasKey(account, region, aliasName));
    return alias == null ? null : keys.get(alias.target).arn();
  }

  private BsonDocument listAliases(String account, String region, BsonDocument request) {
    UUID onlyFor = request.containsKey("KeyId")
        ? resolve("ListAliases", account, region, keyId(request), false).id : null;
    int limit = request.containsKey("Limit") ? intValue(request, "Limit") : 50;
    if (limit < 1 || limit > 100) {
      throw AwsKmsError.validation("1 validation error detected: Value '" + limit
          + "' at 'limit' failed to satisfy constraint: Member must have value between 1 and 100");
    }
    int start = 0;
    if (request.containsKey("Marker")) {
      try {
        start = Integer.parseInt(requiredString(request, "Marker"));
      } catch (NumberFormatException e) {
        throw AwsKmsError.badRequest("InvalidMarkerException", "Invalid marker");
      }
    }
    List<Alias> matching = new ArrayList<>();
    for (Alias alias : aliases.values()) {
      if (alias.account.equals(account) && alias.region.equals(region)
          && (onlyFor == null || alias.target.equals(onlyFor))) {
        matching.add(alias);
      }
    }
    BsonArray page = new BsonArray();
    for (int i = start; i < Math.min(matching.size(), start + limit); i++) {
      Alias alias = matching.get(i);
      page.add(new BsonDocument("AliasName", new BsonString(alias.name))
          .append("AliasArn", new BsonString(alias.arn()))
          .append("TargetKeyId", new BsonString(alias.target.toString()))
          .append("CreationDate", epochSeconds(alias.created))
          .append("LastUpdatedDate", epochSeconds(alias.updated)));
    }
    boolean truncated = start + limit < matching.size();
    BsonDocument reply = new BsonDocument("Aliases", page)
        .append("Truncated", BsonBoolean.valueOf(truncated));
    if (truncated) {
      reply.append("NextMarker", new BsonString(Integer.toString(start + limit)));
    }
    return reply;
  }

  private BsonDocument encrypt(String account, String region, BsonDocument request) {
    Key key = resolve("Encrypt", account, region, keyId(request), true);
    requireUsable(key);
    checkAlgorithm(request);
    byte[] plaintext = base64(request, "Plaintext");
    if (plaintext.length < 1 || plaintext.length > 4096) {
      throw AwsKmsError.validation("1 validation error detected: Value at 'plaintext' failed to"
          + " satisfy constraint: Member must have length between 1 and 4096");
    }
    byte[] blob = seal(key, plaintext, encryptionContext(request));
    return new BsonDocument("CiphertextBlob", b64(blob))
        .append("KeyId", new BsonString(key.arn()))
        .append("EncryptionAlgorithm", new BsonString(SYMMETRIC_DEFAULT));
  }

  private BsonDocument decrypt(String account, String region, BsonDocument request) {
    byte[] blob = base64(request, "CiphertextBlob");
    checkAlgorithm(request);
    if (blob.length < MIN_BLOB_LENGTH || blob[0] < 1) {
      throw AwsKmsError.badRequest("InvalidCiphertextException", null);
    }
    ByteBuffer header = ByteBuffer.wrap(blob, 1, 16);
    Key key = keys.get(new UUID(header.getLong(), header.getLong()));
    if (key == null || !key.region.equals(region)) {
      throw AwsKmsError.badRequest("InvalidCiphertextException", null);
    }
    if (!key.account.equals(account)) {
      throw accessDenied(account, "Decrypt", key.arn());
    }
    if (request.containsKey("KeyId")) {
      Key named = resolve("Decrypt", account, region, keyId(request), true);
      if (!named.id.equals(key.id)) {
        throw AwsKmsError.badRequest("IncorrectKeyException", "The key ID in the request does"
            + " not identify a CMK that can perform this operation.");
      }
    }
    requireUsable(key);
    byte[] plaintext = open(key, blob, encryptionContext(request));
    return new BsonDocument("KeyId", new BsonString(key.arn()))
        .append("Plaintext", b64(plaintext))
        .append("EncryptionAlgorithm", new BsonString(SYMMETRIC_DEFAULT));
  }

  private BsonDocument generateDataKey(String account, String region, BsonDocument request) {
    Key key = resolve("GenerateDataKey", account, region, keyId(request), true);
    requireUsable(key);
    int length;
    if (request.containsKey("NumberOfBytes")) {
      length = intValue(request, "NumberOfBytes");
      if (length < 1 || length > 1024) {
        throw AwsKmsError.validation("1 validation error detected: Value '" + length
            + "' at 'numberOfBytes' failed to satisfy constraint: Member must have value between"
            + " 1 and 1024");
      }
    } else if (request.containsKey("KeySpec")) {
      String spec = requiredString(request, "KeySpec");
      length = switch (spec) {
        case "AES_256" -> 32;
        case "AES_128" -> 16;
        default -> throw AwsKmsError.validation("1 validation error detected: Value '" + spec
            + "' at 'keySpec' failed to satisfy constraint: Member must satisfy enum value set:"
            + " [AES_256, AES_128]");
      };
    } else {
      throw AwsKmsError.validation("Please specify either number of bytes or key spec.");
    }
    byte[] plaintext = new byte[length];
    random.nextBytes(plaintext);
    byte[] blob = seal(key, plaintext, encryptionContext(request));
    return new BsonDocument("CiphertextBlob", b64(blob))
        .append("Plaintext", b64(plaintext))
        .append("KeyId", new BsonString(key.arn()));
  }

  private BsonDocument setEnabled(String operation, String account, String region,
      BsonDocument request, boolean enabled) {
    Key key = resolve(operation, account, region, keyId(request), false);
    requireNotPendingDeletion(key);
    key.state = enabled ? "Enabled" : "Disabled";
    return null;
  }

  private BsonDocument scheduleKeyDeletion(String account, String region, BsonDocument request) {
    Key key = resolve("ScheduleKeyDeletion", account, region, keyId(request), false);
    int days = request.containsKey("PendingWindowInDays")
        ? intValue(request, "PendingWindowInDays") : 30;
    if (days < 7 || days > 30) {
      throw AwsKmsError.validation("1 validation error detected: Value '" + days
          + "' at 'pendingWindowInDays' failed to satisfy constraint: Member must have value"
          + " between 7 and 30");
    }
    requireNotPendingDeletion(key);
    key.state = "PendingDeletion";
    key.deletionDate = clock.instant().plus(Duration.ofDays(days));
    return new BsonDocument("KeyId", new BsonString(key.arn()))
        .append("DeletionDate", epochSeconds(key.deletionDate))
        .append("KeyState", new BsonString(key.state))
        .append("PendingWindowInDays", new BsonInt32(days));
  }

  // ---- key resolution ----

  /**
   * Finds the key a {@code KeyId} names: a key id, a key ARN, an alias name ({@code alias/...})
   * or an alias ARN. Keys are regional: an ARN of another region is not found here; an ARN of
   * another account is denied (the emulator has no cross-account key policies).
   */
  private Key resolve(String operation, String account, String region, String keyId,
      boolean aliasAllowed) {
    if (keyId.startsWith("arn:")) {
      String[] parts = keyId.split(":", 6);
      if (parts.length != 6 || !parts[2].equals("kms")) {
        throw AwsKmsError.notFound("Invalid arn " + keyId);
      }
      String arnRegion = parts[3];
      String arnAccount = parts[4];
      String resource = parts[5];
      if (resource.startsWith("key/")) {
        Key key = keys.get(parseUuid(resource.substring(4), keyId));
        if (key == null || !key.region.equals(arnRegion) || !key.account.equals(arnAccount)
            || !arnRegion.equals(region)) {
          throw AwsKmsError.notFound("Key '" + keyId + "' does not exist");
        }
        if (!arnAccount.equals(account)) {
          throw accessDenied(account, operation, keyId);
        }
        return key;
      }
      if (resource.startsWith("alias/") && aliasAllowed) {
        if (!arnRegion.equals(region) || !arnAccount.equals(account)) {
          throw AwsKmsError.notFound("Alias " + keyId + " is not found.");
        }
        return alias(account, region, resource, keyId);
      }
      throw AwsKmsError.notFound("Invalid arn " + keyId);
    }
    if (keyId.startsWith("alias/")) {
      if (!aliasAllowed) {
        throw AwsKmsError.notFound("Invalid keyId " + keyId);
      }
      return alias(account, region, keyId, "arn:aws:kms:" + region + ":" + account + ":" + keyId);
    }
    Key key = keys.get(parseUuid(keyId, keyId));
    if (key == null || !key.account.equals(account) || !key.region.equals(region)) {
      throw AwsKmsError.notFound(
          "Key 'arn:aws:kms:" + region + ":" + account + ":key/" + keyId + "' does not exist");
    }
    return key;
  }

  private Key alias(String account, String region, String name, String shownAs) {
    Alias alias = aliases.get(aliasKey(account, region, name));
    if (alias == null) {
      throw AwsKmsError.notFound("Alias " + shownAs + " is not found.");
    }
    return keys.get(alias.target);
  }

  private static UUID parseUuid(String text, String keyId) {
    try {
      UUID uuid = UUID.fromString(text);
      if (uuid.toString().equals(text.toLowerCase())) {
        return uuid;
      }
    } catch (IllegalArgumentException e) {
      // fall through
    }
    throw AwsKmsError.notFound("Invalid keyId '" + keyId + "'");
  }

  private static String aliasKey(String account, String region, String name) {
    return account + "/" + region + "/" + name;
  }

  private static AwsKmsError accessDenied(String account, String operation, String resource) {
    return AwsKmsError.badRequest("AccessDeniedException", "User: arn:aws:iam::" + account
        + ":user/emulator is not authorized to perform: kms:" + operation + " on resource: "
        + resource + " because no resource-based policy allows the kms:" + operation + " action");
  }

  private static void requireUsable(Key key) {
    requireNotPendingDeletion(key);
    if (key.state.equals("Disabled")) {
      throw AwsKmsError.badRequest("DisabledException", key.arn() + " is disabled.");
    }
  }

  private static void requireNotPendingDeletion(Key key) {
    if (key.state.equals("PendingDeletion")) {
      throw AwsKmsError.badRequest("KMSInvalidStateException", key.arn() + " is pending deletion.");
    }
  }

  private BsonDocument metadata(Key key) {
    BsonDocument metadata = new BsonDocument("AWSAccountId", new BsonString(key.account))
        .append("KeyId", new BsonString(key.id.toString()))
        .append("Arn", new BsonString(key.arn()))
        .append("CreationDate", epochSeconds(key.created))
        .append("Enabled", BsonBoolean.valueOf(key.state.equals("Enabled")))
        .append("Description", new BsonString(key.description))
        .append("KeyUsage", new BsonString("ENCRYPT_DECRYPT"))
        .append("KeyState", new BsonString(key.state))
        .append("Origin", new BsonString("AWS_KMS"))
        .append("KeyManager", new BsonString("CUSTOMER"))
        .append("CustomerMasterKeySpec", new BsonString(SYMMETRIC_DEFAULT))
        .append("KeySpec", new BsonString(SYMMETRIC_DEFAULT))
        .append("EncryptionAlgorithms", new BsonArray(List.of(new BsonString(SYMMETRIC_DEFAULT))))
        .append("MultiRegion", BsonBoolean.FALSE);
    if (key.deletionDate != null) {
      metadata.append("DeletionDate", epochSeconds(key.deletionDate));
    }
    return metadata;
  }

  // ---- blobs ----

  private byte[] seal(Key key, byte[] plaintext, byte[] context) {
    byte[] nonce = new byte[NONCE_LENGTH];
    random.nextBytes(nonce);
    // The newest material encrypts; its version goes first so Decrypt finds it again.
    int version = key.materials.size();
    ByteBuffer header = ByteBuffer.allocate(HEADER_LENGTH).put((byte) version)
        .putLong(key.id.getMostSignificantBits()).putLong(key.id.getLeastSignificantBits());
    try {
      Cipher gcm = Cipher.getInstance("AES/GCM/NoPadding");
      gcm.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key.materials.get(version - 1), "AES"),
          new GCMParameterSpec(TAG_BITS, nonce));
      gcm.updateAAD(header.array());
      gcm.updateAAD(context);
      byte[] sealed = gcm.doFinal(plaintext);
      return ByteBuffer.allocate(HEADER_LENGTH + NONCE_LENGTH + sealed.length)
          .put(header.array()).put(nonce).put(sealed).array();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-GCM is not available", e);
    }
  }

  private static byte[] open(Key key, byte[] blob, byte[] context) {
    int version = blob[0] & 0xff;
    if (version < 1 || version > key.materials.size()) {
      throw AwsKmsError.badRequest("InvalidCiphertextException", null);
    }
    try {
      Cipher gcm = Cipher.getInstance("AES/GCM/NoPadding");
      gcm.init(Cipher.DECRYPT_MODE, new SecretKeySpec(key.materials.get(version - 1), "AES"),
          new GCMParameterSpec(TAG_BITS, blob, HEADER_LENGTH, NONCE_LENGTH));
      gcm.updateAAD(blob, 0, HEADER_LENGTH);
      gcm.updateAAD(context);
      int offset = HEADER_LENGTH + NONCE_LENGTH;
      return gcm.doFinal(blob, offset, blob.length - offset);
    } catch (GeneralSecurityException e) {
      throw AwsKmsError.badRequest("InvalidCiphertextException", null);
    }
  }

  /** The encryption context as bytes: sorted {@code key=value} pairs, NUL-separated. */
  private static byte[] encryptionContext(BsonDocument request) {
    BsonValue value = request.get("EncryptionContext");
    if (value == null || value.isNull()) {
      return new byte[0];
    }
    if (!value.isDocument()) {
      throw AwsKmsError.badRequest("SerializationException", "EncryptionContext must be a map");
    }
    TreeMap<String, String> sorted = new TreeMap<>();
    for (Map.Entry<String, BsonValue> entry : value.asDocument().entrySet()) {
      if (!entry.getValue().isString()) {
        throw AwsKmsError.badRequest("SerializationException",
            "EncryptionContext values must be strings");
      }
      sorted.put(entry.getKey(), entry.getValue().asString().getValue());
    }
    StringBuilder out = new StringBuilder();
    sorted.forEach((k, v) -> out.append(k).append('=').append(v).append('\0'));
    return out.toString().getBytes(StandardCharsets.UTF_8);
  }

  private static void checkAlgorithm(BsonDocument request) {
    String algorithm = optionalString(request, "EncryptionAlgorithm", SYMMETRIC_DEFAULT);
    if (!algorithm.equals(SYMMETRIC_DEFAULT)) {
      throw AwsKmsError.badRequest("InvalidKeyUsageException",
          "Encryption algorithm " + algorithm + " is not supported by this key");
    }
  }

  // ---- JSON helpers ----

  private static String keyId(BsonDocument request) {
    return requiredString(request, "KeyId");
  }

  private static String requiredString(BsonDocument request, String field) {
    BsonValue value = request.get(field);
    if (value == null || value.isNull()) {
      throw AwsKmsError.validation("1 validation error detected: Value null at '"
          + Character.toLowerCase(field.charAt(0)) + field.substring(1)
          + "' failed to satisfy constraint: Member must not be null");
    }
    if (!value.isString()) {
      throw AwsKmsError.badRequest("SerializationException",
          "Start of structure or map found where not expected. (" + field + ")");
    }
    String text = value.asString().getValue();
    if (text.isEmpty()) {
      throw AwsKmsError.validation("1 validation error detected: Value '' at '"
          + Character.toLowerCase(field.charAt(0)) + field.substring(1)
          + "' failed to satisfy constraint: Member must have length greater than or equal to 1");
    }
    return text;
  }

  private static String optionalString(BsonDocument request, String field, String otherwise) {
    return request.containsKey(field) && !request.get(field).isNull()
        ? requiredString(request, field) : otherwise;
  }

  private static int intValue(BsonDocument request, String field) {
    BsonValue value = request.get(field);
    if (value == null || !value.isNumber()) {
      throw AwsKmsError.badRequest("SerializationException", field + " must be a number");
    }
    return value.asNumber().intValue();
  }

  private static byte[] base64(BsonDocument request, String field) {
    String text = requiredString(request, field);
    try {
      return Base64.getDecoder().decode(text);
    } catch (IllegalArgumentException e) {
      throw AwsKmsError.badRequest("SerializationException",
          "Base64 encoded value of " + field + " is invalid");
    }
  }

  private static BsonString b64(byte[] bytes) {
    return new BsonString(Base64.getEncoder().encodeToString(bytes));
  }

  private static BsonDouble epochSeconds(Instant instant) {
    return new BsonDouble(instant.toEpochMilli() / 1000.0);
  }

  private static UUID uuidOf(String keyArn) {
    return UUID.fromString(keyArn.substring(keyArn.lastIndexOf('/') + 1));
  }
}
