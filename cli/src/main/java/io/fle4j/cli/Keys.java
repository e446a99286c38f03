package io.fle4j.cli;

import com.mongodb.client.vault.ClientEncryption;
import io.fle4j.ConfigurationException;
import io.fle4j.DataKeyNotFoundException;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.bson.BsonArray;
import org.bson.BsonBinary;
import org.bson.BsonDocument;
import org.bson.BsonInt32;
import org.bson.BsonString;
import org.bson.BsonValue;
import org.bson.UuidRepresentation;

/** Helpers shared by the key commands: naming keys and showing them. */
final class Keys {
  private Keys() {}

  /** A key named by its id (a UUID) or by one of its alternate names. */
  static BsonDocument find(CliContext context, String idOrAltName) {
    ClientEncryption encryption = context.encryption;
    UUID id = uuid(idOrAltName);
    BsonDocument key = id != null ? encryption.getKey(new BsonBinary(id, UuidRepresentation.STANDARD))
        : encryption.getKeyByAltName(idOrAltName);
    if (key == null) {
      throw id != null ? DataKeyNotFoundException.forId(id, context.keyVaultNamespace)
          : DataKeyNotFoundException.forAltName(idOrAltName, context.keyVaultNamespace);
    }
    return key;
  }

  static UUID uuid(String text) {
    try {
      return text.length() == 36 ? UUID.fromString(text) : null;
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  static BsonBinary binaryId(String uuid, String option) {
    UUID id = uuid(uuid);
    if (id == null) {
      throw new ConfigurationException(option, "must be a UUID, got '" + uuid + "'");
    }
    return new BsonBinary(id, UuidRepresentation.STANDARD);
  }

  static String id(BsonDocument key) {
    ByteBuffer bytes = ByteBuffer.wrap(key.getBinary("_id").getData());
    return new UUID(bytes.getLong(), bytes.getLong()).toString();
  }

  static List<String> altNames(BsonDocument key) {
    List<String> names = new ArrayList<>();
    for (BsonValue name : key.getArray("keyAltNames", new BsonArray())) {
      names.add(name.asString().getValue());
    }
    return names;
  }

  /** What the commands show of a key: everything but the wrapped key material itself. */
  static BsonDocument view(BsonDocument key) {
    BsonDocument view = new BsonDocument("_id", new BsonString(id(key)));
    view.put("keyAltNames", key.getArray("keyAltNames", new BsonArray()));
    view.put("masterKey", key.getDocument("masterKey"));
    view.put("keyMaterialBytes", new BsonInt32(key.getBinary("keyMaterial").getData().length));
    view.put("creationDate", new BsonString(date(key, "creationDate")));
    view.put("updateDate", new BsonString(date(key, "updateDate")));
    return view;
  }

  static List<String> row(BsonDocument key) {
    BsonDocument masterKey = key.getDocument("masterKey").clone();
    String provider = masterKey.remove("provider").asString().getValue();
    return List.of(id(key), String.join(",", altNames(key)), provider,
        masterKey.isEmpty() ? "" : Output.inline(masterKey), date(key, "updateDate"));
  }

  static final List<String> HEADERS = List.of("id", "keyAltNames", "provider", "masterKey", "updated");

  private static String date(BsonDocument key, String field) {
    return key.isDateTime(field) ? Instant.ofEpochMilli(key.getDateTime(field).getValue()).toString() : "";
  }
}
