package io.fle4j.cli;

import io.fle4j.ConfigurationException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.bson.BsonDocument;
import org.bson.BsonString;
import org.bson.BsonValue;
import org.bson.json.JsonParseException;

/**
 * The command's configuration file (JSON):
 *
 * <pre>
 * {
 *   "uri": "mongodb://db.example.com:27017",          // or "embedded:DIR"
 *   "keyVault": {"uri": "...", "namespace": "encryption.__keyVault"},
 *   "kmsProviders": {
 *     "local": {"keyFile": "fle4j-data/local-master-key.txt"},
 *     "aws:prod": {"accessKeyId": "${AWS_ACCESS_KEY_ID}", "secretAccessKey": "${AWS_SECRET_ACCESS_KEY}"}
 *   },
 *   "tls": {"kmip": {"caFile": "ca.pem", "certificateKeyFile": "client.pem"}},
 *   "schemas": {"clinic.patients": { ...CSFLE JSON schema... }},
 *   "currentProvider": {"name": "aws:prod", "masterKey": {"region": "...", "key": "arn:..."}},
 *   "readOnly": false
 * }
 * </pre>
 *
 * <p>{@code currentProvider} (or just its name, {@code "currentProvider": "local"}) is where new
 * keys go and where {@code --to-current} moves old ones; {@code readOnly} refuses every
 * key-vault write.
 *
 * <p>{@code ${NAME}} anywhere in a string is replaced by that environment variable, so secrets
 * need not live in the file. A file that does hold a secret literally and can be read by other
 * users is refused, with the fix spelled out.
 */
final class Fle4jConfig {
  /** kmsProviders fields that hold secrets, across provider types. */
  private static final Set<String> SECRET_FIELDS = Set.of("key", "secretAccessKey", "sessionToken",
      "clientSecret", "privateKey", "accessToken");
  private static final Set<PosixFilePermission> GROUP_OR_OTHERS = EnumSet.of(
      PosixFilePermission.GROUP_READ, PosixFilePermission.OTHERS_READ);
  private static final List<String> TOP_LEVEL = List.of("uri", "keyVault", "kmsProviders", "tls",
      "schemas", "currentProvider", "readOnly");
  private static final Pattern VARIABLE = Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*)}");

  final String uri;
  final String keyVaultUri;
  final String keyVaultNamespace;
  final BsonDocument kmsProviders;
  final BsonDocument tls;
  final BsonDocument schemas;
  /** Where new keys go; null when not configured. */
  final CurrentProvider currentProvider;
  /** Refuse every key-vault write. */
  final boolean readOnly;
  /** The folder relative file names in the configuration are resolved against. */
  final Path baseDir;

  private Fle4jConfig(String uri, String keyVaultUri, String keyVaultNamespace,
      BsonDocument kmsProviders, BsonDocument tls, BsonDocument schemas,
      CurrentProvider currentProvider, boolean readOnly, Path baseDir) {
    this.currentProvider = currentProvider;
    this.readOnly = readOnly;
    this.uri = uri;
    this.keyVaultUri = keyVaultUri;
    this.keyVaultNamespace = keyVaultNamespace;
    this.kmsProviders = kmsProviders;
    this.tls = tls;
    this.schemas = schemas;
    this.baseDir = baseDir;
  }

  /** No file: everything from flags and defaults. */
  static Fle4jConfig empty() {
    return new Fle4jConfig(null, null, null, new BsonDocument(), new BsonDocument(),
        new BsonDocument(), null, false, Path.of(""));
  }

  /**
   * Reads a configuration file.
   *
   * @param env the environment for {@code ${NAME}} substitution
   */
  static Fle4jConfig load(Path file, Function<String, String> env) throws IOException {
    String text = Files.readString(file, StandardCharsets.UTF_8);
    BsonDocument raw;
    try {
      raw = BsonDocument.parse(text);
    } catch (JsonParseException | org.bson.BsonInvalidOperationException e) {
      // Never e's message: it quotes the offending token, which may be a secret.
      throw new ConfigurationException(file.toString(), JsonErrors.describe(text, "JSON"));
    }
    checkSecretsArePrivate(file, raw);
    BsonDocument doc = substitute(raw, env, "").asDocument();
    for (String key : doc.keySet()) {
      if (!TOP_LEVEL.contains(key)) {
        throw new ConfigurationException(file + ": " + key,
            "unknown setting; expected one of " + TOP_LEVEL);
      }
    }
    BsonDocument keyVault = document(doc, "keyVault", file);
    // A mistyped setting silently ignored could put keys in the wrong vault: refuse it.
    onlyKnown(keyVault, "keyVault", Set.of("uri", "namespace"), file);
    BsonDocument tls = document(doc, "tls", file);
    for (Map.Entry<String, BsonValue> provider : tls.entrySet()) {
      if (!provider.getValue().isDocument()) {
        throw new ConfigurationException(file + ": tls." + provider.getKey(), "must be an object");
      }
      BsonDocument settings = provider.getValue().asDocument();
      onlyKnown(settings, "tls." + provider.getKey(), Set.of("caFile", "certificateKeyFile"), file);
      for (String key : settings.keySet()) {
        string(settings, key, file, "tls." + provider.getKey() + ".");
      }
    }
    BsonDocument kmsProviders = document(doc, "kmsProviders", file);
    BsonValue readOnly = doc.get("readOnly");
    if (readOnly != null && !readOnly.isBoolean()) {
      throw new ConfigurationException(file + ": readOnly", "must be true or false, got "
          + readOnly.getBsonType().name().toLowerCase(java.util.Locale.ROOT));
    }
    return new Fle4jConfig(string(doc, "uri", file), string(keyVault, "uri", file),
        string(keyVault, "namespace", file), kmsProviders,
        document(doc, "tls", file), document(doc, "schemas", file),
        CurrentProvider.fromConfig(doc.get("currentProvider"), kmsProviders, file),
        readOnly != null && readOnly.asBoolean().getValue(), file.toAbsolutePath().getParent());
  }

  /** The kmsProviders map the driver's settings take, with {@code keyFile} read for local keys. */
  Map<String, Map<String, Object>> kmsProvidersMap() throws IOException {
    Map<String, Map<String, Object>> map = new LinkedHashMap<>();
    for (Map.Entry<String, BsonValue> provider : kmsProviders.entrySet()) {
      if (!provider.getValue().isDocument()) {
        throw new ConfigurationException("kmsProviders." + provider.getKey(), "must be an object");
      }
      Map<String, Object> fields = new LinkedHashMap<>();
      for (Map.Entry<String, BsonValue> field : provider.getValue().asDocument().entrySet()) {
        if (field.getKey().equals("keyFile") && provider.getKey().startsWith("local")) {
          if (!field.getValue().isString()) {
            throw new ConfigurationException("kmsProviders." + provider.getKey() + ".keyFile",
                "must be a string (a file path), got "
                    + field.getValue().getBsonType().name().toLowerCase(java.util.Locale.ROOT));
          }
          Path keyFile = baseDir.resolve(field.getValue().asString().getValue());
          fields.put("key", LocalMasterKeyFile.load(keyFile).key().copy());
        } else {
          fields.put(field.getKey(), javaValue(field.getValue()));
        }
      }
      map.put(provider.getKey(), fields);
    }
    return map;
  }

  private static Object javaValue(BsonValue value) {
    if (value.isString()) {
      return value.asString().getValue();
    }
    if (value.isBinary()) {
      return value.asBinary().getData();
    }
    if (value.isBoolean()) {
      return value.asBoolean().getValue();
    }
    if (value.isNumber()) {
      return value.asNumber().longValue();
    }
    return value;
  }

  /** Whether a connection string carries a password other than a ${NAME} reference. */
  private static boolean hasLiteralPassword(String uri) {
    int scheme = uri.indexOf("://");
    int at = uri.lastIndexOf('@');
    if (scheme < 0 || at < scheme) {
      return false;
    }
    String userInfo = uri.substring(scheme + 3, at);
    int colon = userInfo.indexOf(':');
    if (colon < 0) {
      return false;
    }
    String password = userInfo.substring(colon + 1);
    return !password.isEmpty() && !VARIABLE.matcher(password).replaceAll("").isEmpty();
  }

  private static void checkSecretsArePrivate(Path file, BsonDocument raw) throws IOException {
    List<String> literalSecrets = new ArrayList<>();
    BsonValue providers = raw.get("kmsProviders");
    if (providers != null && providers.isDocument()) {
      for (Map.Entry<String, BsonValue> provider : providers.asDocument().entrySet()) {
        if (!provider.getValue().isDocument()) {
          continue;
        }
        for (Map.Entry<String, BsonValue> field : provider.getValue().asDocument().entrySet()) {
          BsonValue value = field.getValue();
          boolean fromEnvironment = value.isString()
              && VARIABLE.matcher(value.asString().getValue()).replaceAll("").isEmpty();
          if (SECRET_FIELDS.contains(field.getKey()) && !fromEnvironment) {
            literalSecrets.add("kmsProviders." + provider.getKey() + "." + field.getKey());
          }
        }
      }
    }
    // A password written into a connection string is as secret as a master key.
    for (String uriField : List.of("uri", "keyVault.uri")) {
      BsonValue uri = uriField.equals("uri") ? raw.get("uri")
          : raw.get("keyVault") != null && raw.get("keyVault").isDocument()
              ? raw.getDocument("keyVault").get("uri") : null;
      if (uri != null && uri.isString() && hasLiteralPassword(uri.asString().getValue())) {
        literalSecrets.add(uriField + " (its password)");
      }
    }
    if (literalSecrets.isEmpty()) {
      return;
    }
    Set<PosixFilePermission> permissions = Files.getPosixFilePermissions(file);
    if (permissions.stream().anyMatch(GROUP_OR_OTHERS::contains)) {
      throw new ConfigurationException(file.toString(), "holds secrets (" + String.join(", ",
          literalSecrets) + ") and can be read by other users (mode "
          + PosixFilePermissions.toString(permissions) + "). Make it private with: chmod 600 "
          + file + " — or put the secrets in environment variables and write \"${NAME}\" instead");
    }
  }

  private static BsonValue substitute(BsonValue value, Function<String, String> env, String path) {
    if (value.isString()) {
      Matcher matcher = VARIABLE.matcher(value.asString().getValue());
      StringBuilder out = new StringBuilder();
      while (matcher.find()) {
        String replacement = env.apply(matcher.group(1));
        if (replacement == null) {
          throw new ConfigurationException(path.isEmpty() ? "configuration" : path,
              "refers to the environment variable " + matcher.group(1) + ", which is not set");
        }
        matcher.appendReplacement(out, Matcher.quoteReplacement(replacement));
      }
      matcher.appendTail(out);
      return new BsonString(out.toString());
    }
    if (value.isDocument()) {
      BsonDocument out = new BsonDocument();
      for (Map.Entry<String, BsonValue> entry : value.asDocument().entrySet()) {
        out.put(entry.getKey(), substitute(entry.getValue(), env,
            path.isEmpty() ? entry.getKey() : path + "." + entry.getKey()));
      }
      return out;
    }
    if (value.isArray()) {
      org.bson.BsonArray out = new org.bson.BsonArray();
      for (BsonValue element : value.asArray()) {
        out.add(substitute(element, env, path));
      }
      return out;
    }
    return value;
  }

  private static String string(BsonDocument doc, String key, Path file) {
    return string(doc, key, file, "");
  }

  private static String string(BsonDocument doc, String key, Path file, String prefix) {
    BsonValue value = doc.get(key);
    if (value == null) {
      return null;
    }
    if (!value.isString()) {
      throw new ConfigurationException(file + ": " + prefix + key, "must be a string, got "
          + value.getBsonType().name().toLowerCase(java.util.Locale.ROOT));
    }
    return value.asString().getValue();
  }

  private static void onlyKnown(BsonDocument section, String path, Set<String> known, Path file) {
    for (String key : section.keySet()) {
      if (!known.contains(key)) {
        throw new ConfigurationException(file + ": " + path + "." + key,
            "unknown setting; expected one of " + new java.util.TreeSet<>(known));
      }
    }
  }

  private static BsonDocument document(BsonDocument doc, String key, Path file) {
    BsonValue value = doc.get(key);
    if (value == null) {
      return new BsonDocument();
    }
    if (!value.isDocument()) {
      throw new ConfigurationException(file + ": " + key, "must be an object");
    }
    return value.asDocument();
  }
}
