package io.fle4j.kms.azure;

import io.fle4j.ConfigurationException;
import io.fle4j.kms.HostAndPort;
import io.fle4j.kms.KmsProviderName;
import java.util.Set;
import java.util.regex.Pattern;
import org.bson.BsonDocument;
import org.bson.BsonString;
import org.bson.BsonValue;

/**
 * An Azure master key: {@code {keyVaultEndpoint, keyName, keyVersion?}}, validated the way
 * libmongocrypt does ({@code mongocrypt-kek.c}) plus a character check that keeps names out of
 * the request path's syntax. The stored form is {@code {provider, keyVaultEndpoint, keyName,
 * keyVersion?}} with the endpoint reduced to {@code host[:port]} (formats.md §2.2).
 */
final class AzureMasterKey {
  private static final Set<String> FIELDS =
      Set.of("provider", "keyVaultEndpoint", "keyName", "keyVersion");
  // Key Vault names are [0-9A-Za-z-]; versions are 32 hex digits. Anything else could rewrite
  // the request path, so refuse it here rather than let the vault answer 404.
  private static final Pattern KEY_NAME = Pattern.compile("[0-9A-Za-z-]{1,127}");
  private static final Pattern KEY_VERSION = Pattern.compile("[0-9A-Za-z]{1,64}");

  private final String hostAndPort;
  private final String host;
  private final String keyName;
  private final String keyVersion;

  private AzureMasterKey(String hostAndPort, String host, String keyName, String keyVersion) {
    this.hostAndPort = hostAndPort;
    this.host = host;
    this.keyName = keyName;
    this.keyVersion = keyVersion;
  }

  static AzureMasterKey parse(KmsProviderName name, BsonDocument document) {
    for (String field : document.keySet()) {
      if (!FIELDS.contains(field)) {
        throw new ConfigurationException("masterKey." + field, "unexpected field; an Azure master"
            + " key takes keyVaultEndpoint, keyName and keyVersion");
      }
    }
    BsonValue provider = document.get("provider");
    if (provider != null && !provider.equals(new BsonString(name.toString()))) {
      throw new ConfigurationException("masterKey.provider", "is " + provider
          + " but the key is being used with provider '" + name + "'");
    }
    String endpoint = requiredString(document, "keyVaultEndpoint");
    String keyName = requiredString(document, "keyName");
    String keyVersion = optionalString(document, "keyVersion");
    if (!KEY_NAME.matcher(keyName).matches()) {
      throw new ConfigurationException("masterKey.keyName", "a Key Vault key name is 1 to 127 of"
          + " [0-9A-Za-z-], got '" + keyName + "'");
    }
    if (keyVersion != null && !keyVersion.isEmpty() && !KEY_VERSION.matcher(keyVersion).matches()) {
      throw new ConfigurationException("masterKey.keyVersion", "a Key Vault key version is letters"
          + " and digits (32 hex digits), got '" + keyVersion + "'");
    }
    HostAndPort hostPort = vaultEndpoint(endpoint, "masterKey.keyVaultEndpoint");
    return new AzureMasterKey(hostPort.authority(), hostPort.host(), keyName, keyVersion);
  }

  /** A vault or identity endpoint, read as libmongocrypt reads it. */
  static HostAndPort vaultEndpoint(String endpoint, String field) {
    return HostAndPort.parse(endpoint, field, "myvault.vault.azure.net");
  }

  /** The host minus its first label: the token audience domain libmongocrypt requests. */
  String domain() {
    return host.substring(host.indexOf('.') + 1);
  }

  /** {@code https://<domain>/.default}: the OAuth scope for this vault. */
  String scope() {
    return "https://" + domain() + "/.default";
  }

  String hostAndPort() {
    return hostAndPort;
  }

  String keyName() {
    return keyName;
  }

  /** The version, or {@code null} for the key's current version. */
  String keyVersion() {
    return keyVersion == null || keyVersion.isEmpty() ? null : keyVersion;
  }

  BsonDocument toDocument(KmsProviderName name) {
    BsonDocument document = new BsonDocument("provider", new BsonString(name.toString()))
        .append("keyVaultEndpoint", new BsonString(hostAndPort))
        .append("keyName", new BsonString(keyName));
    if (keyVersion != null) {
      document.append("keyVersion", new BsonString(keyVersion));
    }
    return document;
  }

  /** For messages: {@code key 'name' (version 'v') in vault 'host'}. */
  String describe() {
    return "key '" + keyName + "'" + (keyVersion() == null ? "" : " (version '" + keyVersion + "')")
        + " in vault '" + hostAndPort + "'";
  }

  private static String requiredString(BsonDocument document, String field) {
    BsonValue value = document.get(field);
    if (value == null) {
      throw new ConfigurationException("masterKey." + field, "is required for an Azure master key");
    }
    if (!value.isString() || value.asString().getValue().isEmpty()) {
      throw new ConfigurationException("masterKey." + field, "must be a non-empty string, got "
          + value.getBsonType());
    }
    return value.asString().getValue();
  }

  private static String optionalString(BsonDocument document, String field) {
    BsonValue value = document.get(field);
    if (value == null) {
      return null;
    }
    if (!value.isString()) {
      throw new ConfigurationException("masterKey." + field, "must be a string, got "
          + value.getBsonType());
    }
    return value.asString().getValue();
  }
}
