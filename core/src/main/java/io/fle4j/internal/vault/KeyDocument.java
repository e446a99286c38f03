package io.fle4j.internal.vault;

import io.fle4j.ConfigurationException;
import io.fle4j.kms.KmsProviderName;
import io.fle4j.internal.crypto.UuidBytes;
import java.util.ArrayList;
import java.util.Date;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.bson.BsonArray;
import org.bson.BsonBinary;
import org.bson.BsonBinarySubType;
import org.bson.BsonDateTime;
import org.bson.BsonDocument;
import org.bson.BsonInt32;
import org.bson.BsonString;
import org.bson.BsonValue;

/**
 * A data key document of the key vault, read as strictly as libmongocrypt reads it and written
 * exactly as libmongocrypt writes it (formats.md §2.1): any extra top-level field would make every
 * official driver reject the key, so none is ever added.
 */
public final class KeyDocument {
  private static final Set<String> FIELDS =
      Set.of("_id", "keyAltNames", "keyMaterial", "creationDate", "updateDate", "status",
          "masterKey", "version");

  private final UUID id;
  private final List<String> keyAltNames;
  private final byte[] keyMaterial;
  private final BsonDocument masterKey;
  private final KmsProviderName provider;

  private KeyDocument(UUID id, List<String> keyAltNames, byte[] keyMaterial,
      BsonDocument masterKey, KmsProviderName provider) {
    this.id = id;
    this.keyAltNames = keyAltNames;
    this.keyMaterial = keyMaterial;
    this.masterKey = masterKey;
    this.provider = provider;
  }

  /**
   * Parses and validates a key document.
   *
   * @throws ConfigurationException naming the field and the rule (the key vault holds a document
   *     that no driver can use)
   */
  public static KeyDocument parse(BsonDocument doc) {
    String where = "key document " + describeId(doc.get("_id"));
    for (String field : doc.keySet()) {
      if (!FIELDS.contains(field)) {
        throw new ConfigurationException(where + "." + field, "unrecognized field in a key document");
      }
    }
    UUID id = uuid(doc.get("_id"), where + "._id");
    List<String> altNames = new ArrayList<>();
    if (doc.containsKey("keyAltNames")) {
      BsonValue names = doc.get("keyAltNames");
      if (!names.isArray()) {
        throw new ConfigurationException(where + ".keyAltNames", "must be an array of strings");
      }
      Set<String> seen = new HashSet<>();
      for (BsonValue name : names.asArray()) {
        if (!name.isString()) {
          throw new ConfigurationException(where + ".keyAltNames", "must be an array of strings");
        }
        if (!seen.add(name.asString().getValue())) {
          throw new ConfigurationException(
              where + ".keyAltNames", "holds '" + name.asString().getValue() + "' twice");
        }
        altNames.add(name.asString().getValue());
      }
    }
    BsonValue material = require(doc, "keyMaterial", where);
    if (!material.isBinary() || material.asBinary().getType() != BsonBinarySubType.BINARY.getValue()) {
      throw new ConfigurationException(where + ".keyMaterial", "must be a binary of subtype 0");
    }
    for (String date : List.of("creationDate", "updateDate")) {
      if (!require(doc, date, where).isDateTime()) {
        throw new ConfigurationException(where + "." + date, "must be a date");
      }
    }
    require(doc, "status", where);
    if (doc.containsKey("version")) {
      BsonValue version = doc.get("version");
      if (!version.isNumber() || version.asNumber().longValue() != 0) {
        throw new ConfigurationException(where + ".version", "only version 0 is supported");
      }
    }
    BsonValue masterKey = require(doc, "masterKey", where);
    if (!masterKey.isDocument()) {
      throw new ConfigurationException(where + ".masterKey", "must be a document");
    }
    BsonValue provider = masterKey.asDocument().get("provider");
    if (provider == null || !provider.isString()) {
      throw new ConfigurationException(where + ".masterKey.provider", "must be a string");
    }
    KmsProviderName providerName;
    try {
      providerName = KmsProviderName.parse(provider.asString().getValue());
    } catch (IllegalArgumentException e) {
      throw new ConfigurationException(where + ".masterKey.provider", e.getMessage());
    }
    return new KeyDocument(id, List.copyOf(altNames), material.asBinary().getData(),
        masterKey.asDocument(), providerName);
  }

  /**
   * Builds a new key document in libmongocrypt's field order: {@code _id}, {@code keyAltNames}
   * (only when there are some), {@code keyMaterial}, {@code creationDate}, {@code updateDate},
   * {@code status}, {@code masterKey}.
   */
  public static BsonDocument create(UUID id, List<String> keyAltNames, byte[] keyMaterial,
      BsonDocument masterKey, Date now) {
    BsonDocument doc = new BsonDocument("_id", uuidBinary(id));
    if (!keyAltNames.isEmpty()) {
      BsonArray names = new BsonArray();
      keyAltNames.forEach(n -> names.add(new BsonString(n)));
      doc.append("keyAltNames", names);
    }
    BsonDateTime date = new BsonDateTime(now.getTime());
    return doc.append("keyMaterial", new BsonBinary(keyMaterial))
        .append("creationDate", date)
        .append("updateDate", date)
        .append("status", new BsonInt32(0))
        .append("masterKey", masterKey);
  }

  /** A UUID as a BSON binary of subtype 4 (the standard representation). */
  public static BsonBinary uuidBinary(UUID id) {
    return new BsonBinary(BsonBinarySubType.UUID_STANDARD, UuidBytes.of(id));
  }

  /**
   * Reads a key id given as a BSON binary of subtype 4 and 16 bytes.
   *
   * @throws ConfigurationException naming {@code field} otherwise
   */
  public static UUID uuid(BsonValue value, String field) {
    if (value == null || !value.isBinary()
        || value.asBinary().getType() != BsonBinarySubType.UUID_STANDARD.getValue()
        || value.asBinary().getData().length != 16) {
      throw new ConfigurationException(
          field, "must be a UUID (BSON binary of subtype 4, 16 bytes), got " + describe(value));
    }
    return UuidBytes.get(value.asBinary().getData(), 0);
  }

  private static BsonValue require(BsonDocument doc, String field, String where) {
    BsonValue value = doc.get(field);
    if (value == null) {
      throw new ConfigurationException(where + "." + field, "required field is missing");
    }
    return value;
  }

  private static String describeId(BsonValue id) {
    try {
      return uuid(id, "_id").toString();
    } catch (ConfigurationException e) {
      return "(invalid _id)";
    }
  }

  private static String describe(BsonValue value) {
    if (value == null) {
      return "nothing";
    }
    if (value.isBinary()) {
      return "a binary of subtype " + value.asBinary().getType() + " and "
          + value.asBinary().getData().length + " bytes";
    }
    return "a " + value.getBsonType();
  }

  public UUID id() {
    return id;
  }

  public List<String> keyAltNames() {
    return keyAltNames;
  }

  /** The wrapped data key; a copy. */
  public byte[] keyMaterial() {
    return keyMaterial.clone();
  }

  public BsonDocument masterKey() {
    return masterKey.clone();
  }

  public KmsProviderName provider() {
    return provider;
  }

  @Override
  public String toString() {
    return "KeyDocument{id=" + id + ", keyAltNames=" + keyAltNames + ", provider=" + provider + "}";
  }
}
