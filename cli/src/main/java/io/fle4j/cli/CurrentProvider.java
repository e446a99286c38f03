package io.fle4j.cli;

import io.fle4j.ConfigurationException;
import java.nio.file.Path;
import java.util.Map;
import org.bson.BsonArray;
import org.bson.BsonDocument;
import org.bson.BsonString;
import org.bson.BsonValue;

/**
 * The configuration's {@code currentProvider}: the provider, and optionally the master key, that
 * new data keys go under. A key is under it when its {@code masterKey.provider} is that provider
 * and its master key holds every field given here (so a key made with this master key matches
 * whatever defaults its provider added to it).
 */
record CurrentProvider(String name, BsonDocument masterKey) {

  /** Null when the configuration has none. */
  static CurrentProvider fromConfig(BsonValue value, BsonDocument kmsProviders, Path file) {
    if (value == null) {
      return null;
    }
    String name;
    BsonDocument masterKey = new BsonDocument();
    if (value.isString()) {
      name = value.asString().getValue();
    } else if (value.isDocument()) {
      BsonDocument doc = value.asDocument();
      for (String key : doc.keySet()) {
        if (!key.equals("name") && !key.equals("masterKey")) {
          throw new ConfigurationException(file + ": currentProvider." + key,
              "unknown setting; expected name, masterKey");
        }
      }
      if (!doc.isString("name")) {
        throw new ConfigurationException(file + ": currentProvider.name",
            "is required: the provider's name, such as aws:prod");
      }
      name = doc.getString("name").getValue();
      if (doc.containsKey("masterKey")) {
        if (!doc.isDocument("masterKey")) {
          throw new ConfigurationException(file + ": currentProvider.masterKey", "must be an object");
        }
        masterKey = doc.getDocument("masterKey");
      }
    } else {
      throw new ConfigurationException(file + ": currentProvider",
          "must be a provider name or {\"name\": ..., \"masterKey\": {...}}");
    }
    if (!kmsProviders.containsKey(name)) {
      throw new ConfigurationException(file + ": currentProvider.name", "names '" + name
          + "', which is not in kmsProviders " + kmsProviders.keySet());
    }
    BsonValue provider = masterKey.get("provider");
    if (provider != null && !provider.equals(new BsonString(name))) {
      throw new ConfigurationException(file + ": currentProvider.masterKey.provider",
          "must be '" + name + "' or absent, got " + Output.inline(provider));
    }
    masterKey.remove("provider");
    return new CurrentProvider(name, masterKey.clone());
  }

  /** Whether {@code keyDocument} is wrapped by this provider and master key. */
  boolean holds(BsonDocument keyDocument) {
    BsonValue stored = keyDocument.get("masterKey");
    if (stored == null || !stored.isDocument()
        || !new BsonString(name).equals(stored.asDocument().get("provider"))) {
      return false;
    }
    for (Map.Entry<String, BsonValue> field : masterKey.entrySet()) {
      if (!field.getValue().equals(stored.asDocument().get(field.getKey()))) {
        return false;
      }
    }
    return true;
  }

  /** A key vault query for the keys this holds (the query form of {@link #holds}). */
  BsonDocument heldFilter() {
    BsonDocument held = new BsonDocument("masterKey.provider", new BsonString(name));
    masterKey.forEach((field, value) -> held.append("masterKey." + field, value));
    return held;
  }

  /** A key vault query for the keys this does not hold. */
  BsonDocument notHeldFilter() {
    return new BsonDocument("$nor", new BsonArray(java.util.List.of(heldFilter())));
  }

  /** How the commands name it. */
  String describe() {
    return masterKey.isEmpty() ? name : name + " " + Output.inline(masterKey);
  }
}
