package io.fle4j.kms.kmip;

import io.fle4j.ConfigurationException;
import io.fle4j.kms.KmsProviderName;
import java.util.Set;
import org.bson.BsonDocument;
import org.bson.BsonString;
import org.bson.BsonValue;

/** A master key document, read leniently as options or strictly as stored. */
final class KmipMasterKey {
  private static final Set<String> MASTER_KEY_FIELDS =
      Set.of("provider", "keyId", "endpoint", "delegated");

  final KmipEndpoint endpoint;
  final String keyId;
  final boolean delegated;

  private KmipMasterKey(KmipEndpoint endpoint, String keyId, boolean delegated) {
    this.endpoint = endpoint;
    this.keyId = keyId;
    this.delegated = delegated;
  }

  KmipEndpoint endpointOr(KmipEndpoint fallback) {
    return endpoint != null ? endpoint : fallback;
  }

  static KmipMasterKey parseStored(BsonDocument document, KmsProviderName name) {
    KmipMasterKey key = parse(document, name);
    if (key.keyId == null) {
      throw new ConfigurationException("masterKey.keyId",
          "is required in a stored KMIP master key");
    }
    return key;
  }

  static KmipMasterKey parse(BsonDocument document, KmsProviderName name) {
    for (String field : document.keySet()) {
      if (!MASTER_KEY_FIELDS.contains(field)) {
        throw new ConfigurationException("masterKey." + field, "unexpected field; a '"
            + name.type() + "' master key takes provider, keyId, endpoint and delegated");
      }
    }
    BsonValue provider = document.get("provider");
    if (provider != null && !provider.equals(new BsonString(name.toString()))) {
      throw new ConfigurationException("masterKey.provider", "is " + provider
          + " but the KMS provider is '" + name + "'");
    }
    String keyId = string(document, "keyId");
    if (keyId != null && keyId.isEmpty()) {
      throw new ConfigurationException("masterKey.keyId", "must not be empty");
    }
    String endpointText = string(document, "endpoint");
    KmipEndpoint endpoint =
        endpointText == null ? null : KmipEndpoint.parse(endpointText, "masterKey.endpoint");
    BsonValue delegated = document.get("delegated");
    if (delegated != null && !delegated.isBoolean()) {
      throw new ConfigurationException("masterKey.delegated",
          "must be a boolean, got " + delegated.getBsonType());
    }
    return new KmipMasterKey(endpoint, keyId,
        delegated != null && delegated.asBoolean().getValue());
  }

  private static String string(BsonDocument document, String field) {
    BsonValue value = document.get(field);
    if (value == null) {
      return null;
    }
    if (!value.isString()) {
      throw new ConfigurationException("masterKey." + field,
          "must be a string, got " + value.getBsonType());
    }
    return value.asString().getValue();
  }
}
