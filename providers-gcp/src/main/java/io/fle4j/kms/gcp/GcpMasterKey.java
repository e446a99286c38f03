package io.fle4j.kms.gcp;

import io.fle4j.ConfigurationException;
import io.fle4j.kms.HostAndPort;
import io.fle4j.kms.KmsProviderName;
import java.util.List;
import java.util.regex.Pattern;
import org.bson.BsonDocument;
import org.bson.BsonString;
import org.bson.BsonValue;

/**
 * A Google Cloud KMS master key: {@code {projectId, location, keyRing, keyName, keyVersion?,
 * endpoint?}}, checked as libmongocrypt checks it ({@code mongocrypt-kek.c}, and its request
 * builder's rule that identifiers hold only RFC 3986 unreserved characters). Stored as {@code
 * {provider, projectId, location, keyRing, keyName, keyVersion?, endpoint?}} with the endpoint
 * reduced to {@code host[:port]} (formats.md §2.2).
 */
final class GcpMasterKey {
  static final String DEFAULT_KMS_HOST = "cloudkms.googleapis.com";
  private static final List<String> FIELDS = List.of("provider", "projectId", "location",
      "keyRing", "keyName", "keyVersion", "endpoint");
  private static final Pattern IDENTIFIER = Pattern.compile("[A-Za-z0-9._~-]+");

  private final String projectId;
  private final String location;
  private final String keyRing;
  private final String keyName;
  private final String keyVersion;
  private final String endpoint;
  private final String endpointHost;

  private GcpMasterKey(String projectId, String location, String keyRing, String keyName,
      String keyVersion, String endpoint, String endpointHost) {
    this.projectId = projectId;
    this.location = location;
    this.keyRing = keyRing;
    this.keyName = keyName;
    this.keyVersion = keyVersion;
    this.endpoint = endpoint;
    this.endpointHost = endpointHost;
  }

  static GcpMasterKey parse(KmsProviderName name, BsonDocument document) {
    for (String field : document.keySet()) {
      if (!FIELDS.contains(field)) {
        throw new ConfigurationException("masterKey." + field, "unexpected field; a GCP master key"
            + " takes projectId, location, keyRing, keyName, keyVersion and endpoint");
      }
    }
    BsonValue provider = document.get("provider");
    if (provider != null && !provider.equals(new BsonString(name.toString()))) {
      throw new ConfigurationException("masterKey.provider", "is " + provider
          + " but the key is being used with provider '" + name + "'");
    }
    String projectId = identifier(document, "projectId", true);
    String location = identifier(document, "location", true);
    String keyRing = identifier(document, "keyRing", true);
    String keyName = identifier(document, "keyName", true);
    String keyVersion = identifier(document, "keyVersion", false);
    String endpoint = null;
    String host = null;
    BsonValue endpointValue = document.get("endpoint");
    if (endpointValue != null) {
      if (!endpointValue.isString()) {
        throw new ConfigurationException("masterKey.endpoint", "must be a string, got "
            + endpointValue.getBsonType());
      }
      HostAndPort parts = endpoint(endpointValue.asString().getValue(), "masterKey.endpoint");
      endpoint = parts.authority();
      host = parts.host();
    }
    return new GcpMasterKey(projectId, location, keyRing, keyName, keyVersion, endpoint, host);
  }

  /** A Cloud KMS or token endpoint, read as libmongocrypt reads it. */
  static HostAndPort endpoint(String endpoint, String field) {
    return HostAndPort.parse(endpoint, field, "cloudkms.googleapis.com");
  }

  /** Where Cloud KMS requests go: {@code host[:port]}. */
  String kmsHostAndPort() {
    return endpoint == null ? DEFAULT_KMS_HOST : endpoint;
  }

  /**
   * libmongocrypt's scope: the Cloud KMS scope, or {@code https://www.<endpoint domain>/auth/
   * cloudkms} when the master key has an endpoint ({@code kms_gcp_request.c} caller).
   */
  String scope() {
    if (endpointHost == null) {
      return "https://www.googleapis.com/auth/cloudkms";
    }
    return "https://www." + endpointHost.substring(endpointHost.indexOf('.') + 1)
        + "/auth/cloudkms";
  }

  /** {@code projects/<p>/locations/<l>/keyRings/<r>/cryptoKeys/<k>}. */
  String keyResource() {
    return "projects/" + projectId + "/locations/" + location + "/keyRings/" + keyRing
        + "/cryptoKeys/" + keyName;
  }

  /** The version to encrypt with, or {@code null} for the primary. */
  String keyVersion() {
    return keyVersion == null || keyVersion.isEmpty() ? null : keyVersion;
  }

  BsonDocument toDocument(KmsProviderName name) {
    BsonDocument document = new BsonDocument("provider", new BsonString(name.toString()))
        .append("projectId", new BsonString(projectId))
        .append("location", new BsonString(location))
        .append("keyRing", new BsonString(keyRing))
        .append("keyName", new BsonString(keyName));
    if (keyVersion != null) {
      document.append("keyVersion", new BsonString(keyVersion));
    }
    if (endpoint != null) {
      document.append("endpoint", new BsonString(endpoint));
    }
    return document;
  }

  /** For messages: {@code key 'projects/.../cryptoKeys/k' (version 'v') at 'host'}. */
  String describe() {
    return "key '" + keyResource() + "'" + (keyVersion() == null ? ""
        : " (version '" + keyVersion + "')") + " at '" + kmsHostAndPort() + "'";
  }

  private static String identifier(BsonDocument document, String field, boolean required) {
    BsonValue value = document.get(field);
    if (value == null) {
      if (required) {
        throw new ConfigurationException("masterKey." + field, "is required for a GCP master key");
      }
      return null;
    }
    if (!value.isString()) {
      throw new ConfigurationException("masterKey." + field, "must be a string, got "
          + value.getBsonType());
    }
    String text = value.asString().getValue();
    if (required && text.isEmpty()) {
      throw new ConfigurationException("masterKey." + field, "must not be empty");
    }
    if (!text.isEmpty() && !IDENTIFIER.matcher(text).matches()) {
      throw new ConfigurationException("masterKey." + field, "may hold only letters, digits and"
          + " '-', '.', '_', '~', got '" + text + "'");
    }
    return text;
  }
}
