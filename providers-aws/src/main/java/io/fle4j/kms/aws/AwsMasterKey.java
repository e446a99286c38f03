package io.fle4j.kms.aws;

import io.fle4j.ConfigurationException;
import io.fle4j.kms.HostAndPort;
import io.fle4j.kms.KmsProviderName;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import org.bson.BsonDocument;
import org.bson.BsonString;
import org.bson.BsonValue;

/**
 * An AWS {@code masterKey} document, validated: {@code {provider, region, key, endpoint?}} in the
 * order libmongocrypt writes them (formats.md §2.2).
 *
 * <p>{@code key} may be a key id, a key ARN, an alias name ({@code alias/...}) or an alias ARN.
 * When it is an ARN, {@code region} may be left out (it is taken from the ARN) and, if given,
 * must match it. {@code endpoint} is {@code host[:port]}, optionally written with {@code
 * https://} and a path, of which only {@code host[:port]} is kept, as libmongocrypt does.
 */
final class AwsMasterKey {
  /** How {@code key} names the KMS key. */
  enum Form { KEY_ID, KEY_ARN, ALIAS_NAME, ALIAS_ARN }

  private static final List<String> FIELDS = List.of("provider", "region", "key", "endpoint");
  private static final Pattern REGION = Pattern.compile("[a-z]{2}(-[a-z0-9]+)+");
  private static final Pattern ACCOUNT = Pattern.compile("[0-9]{12}");
  private static final Pattern HOST = Pattern.compile("[A-Za-z0-9.-]+");

  private final String region;
  private final String key;
  private final String endpoint;
  private final Form form;

  private AwsMasterKey(String region, String key, String endpoint, Form form) {
    this.region = region;
    this.key = key;
    this.endpoint = endpoint;
    this.form = form;
  }

  /**
   * Validates a master key document (a user's options, or one read from a key document).
   *
   * @throws ConfigurationException naming the field and the rule
   */
  static AwsMasterKey parse(KmsProviderName provider, BsonDocument document) {
    for (String field : document.keySet()) {
      if (!FIELDS.contains(field)) {
        throw new ConfigurationException("masterKey." + field,
            "unexpected field; an 'aws' master key takes only region, key and endpoint");
      }
    }
    Optional<String> providerField = string(document, "provider");
    if (providerField.isPresent() && !providerField.get().equals(provider.toString())) {
      throw new ConfigurationException("masterKey.provider", "is '" + providerField.get()
          + "' but this is KMS provider '" + provider + "'");
    }
    String key = string(document, "key").orElseThrow(() -> new ConfigurationException(
        "masterKey.key", "is required: the AWS KMS key id, key ARN, alias name (alias/...) or"
            + " alias ARN"));
    Form form;
    String arnRegion = null;
    if (key.startsWith("arn:")) {
      String[] parts = key.split(":", 6);
      if (parts.length != 6 || parts[1].isEmpty() || !parts[2].equals("kms")
          || !REGION.matcher(parts[3]).matches() || !ACCOUNT.matcher(parts[4]).matches()
          || !(parts[5].startsWith("key/") && parts[5].length() > 4
              || parts[5].startsWith("alias/") && parts[5].length() > 6)) {
        throw new ConfigurationException("masterKey.key", "'" + key + "' is not an AWS KMS ARN;"
            + " expected arn:<partition>:kms:<region>:<12-digit account>:key/<key id> or"
            + " ...:alias/<name>");
      }
      arnRegion = parts[3];
      form = parts[5].startsWith("key/") ? Form.KEY_ARN : Form.ALIAS_ARN;
    } else if (key.startsWith("alias/")) {
      if (key.length() == "alias/".length()) {
        throw new ConfigurationException("masterKey.key", "'alias/' needs a name after the slash");
      }
      form = Form.ALIAS_NAME;
    } else {
      form = Form.KEY_ID;
    }
    Optional<String> regionField = string(document, "region");
    String region;
    if (regionField.isPresent()) {
      region = regionField.get();
      if (!REGION.matcher(region).matches()) {
        throw new ConfigurationException("masterKey.region",
            "'" + region + "' is not an AWS region name such as us-east-1");
      }
      if (arnRegion != null && !arnRegion.equals(region)) {
        throw new ConfigurationException("masterKey.region", "is '" + region
            + "' but masterKey.key is an ARN in region '" + arnRegion + "'");
      }
    } else if (arnRegion != null) {
      region = arnRegion;
    } else {
      throw new ConfigurationException("masterKey.region", "is required when masterKey.key is a"
          + " key id or an alias name (it is taken from the ARN only when key is an ARN)");
    }
    String endpoint = string(document, "endpoint").map(AwsMasterKey::hostAndPort).orElse(null);
    return new AwsMasterKey(region, key, endpoint, form);
  }

  /** The document to store: provider, region, key, then endpoint when there is one. */
  BsonDocument toDocument(KmsProviderName provider) {
    BsonDocument document = new BsonDocument("provider", new BsonString(provider.toString()))
        .append("region", new BsonString(region))
        .append("key", new BsonString(key));
    if (endpoint != null) {
      document.append("endpoint", new BsonString(endpoint));
    }
    return document;
  }

  String region() {
    return region;
  }

  String key() {
    return key;
  }

  /** {@code host[:port]}, or {@code null} for the region's public endpoint. */
  String endpoint() {
    return endpoint;
  }

  Form form() {
    return form;
  }

  /**
   * Whether the key ARN a KMS reports having used is the key this master key names. Only key
   * ids and key ARNs name one key for good; an alias may legitimately point elsewhere since the
   * data key was made, so aliases are not checked.
   */
  boolean matchesReportedKey(String reportedKeyArn) {
    return switch (form) {
      case KEY_ARN -> key.equals(reportedKeyArn);
      case KEY_ID -> reportedKeyArn != null && reportedKeyArn.endsWith(":key/" + key);
      case ALIAS_NAME, ALIAS_ARN -> true;
    };
  }

  /** A short description for messages: key, region and endpoint. Holds no secret. */
  String describe() {
    return "key '" + key + "' in " + region + (endpoint != null ? " at " + endpoint : "");
  }

  private static String hostAndPort(String text) {
    int scheme = text.indexOf("://");
    if (scheme >= 0 && !text.substring(0, scheme).equalsIgnoreCase("https")) {
      throw new ConfigurationException("masterKey.endpoint", "'" + text + "': only https is"
          + " allowed, KMS requests always use TLS");
    }
    String rest = HostAndPort.authorityOf(text);
    int colon = rest.lastIndexOf(':');
    String host = colon < 0 ? rest : rest.substring(0, colon);
    String port = colon < 0 ? null : rest.substring(colon + 1);
    if (host.isEmpty() || !HOST.matcher(host).matches() || !host.contains(".")) {
      throw new ConfigurationException("masterKey.endpoint", "'" + text + "' is not host[:port]"
          + " with a host name containing a dot (libmongocrypt's rule), such as"
          + " kms.us-east-1.amazonaws.com or 127.0.0.1:8443");
    }
    if (port != null) {
      int number;
      try {
        number = Integer.parseInt(port);
      } catch (NumberFormatException e) {
        number = -1;
      }
      if (number < 1 || number > 65535 || !port.equals(Integer.toString(number))) {
        throw new ConfigurationException("masterKey.endpoint",
            "'" + text + "' has an invalid port; expected 1 to 65535");
      }
    }
    return port == null ? host : host + ":" + port;
  }

  private static Optional<String> string(BsonDocument document, String field) {
    BsonValue value = document.get(field);
    if (value == null) {
      return Optional.empty();
    }
    if (!value.isString()) {
      throw new ConfigurationException("masterKey." + field,
          "must be a string, got " + value.getBsonType());
    }
    if (value.asString().getValue().isEmpty()) {
      throw new ConfigurationException("masterKey." + field, "must not be empty");
    }
    return Optional.of(value.asString().getValue());
  }

  @Override
  public String toString() {
    return "AwsMasterKey{" + describe() + "}";
  }
}
