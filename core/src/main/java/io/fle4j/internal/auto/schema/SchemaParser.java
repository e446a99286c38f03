package io.fle4j.internal.auto.schema;

import io.fle4j.Algorithm;
import io.fle4j.ConfigurationException;
import io.fle4j.internal.vault.KeyDocument;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import org.bson.BsonDocument;
import org.bson.BsonType;
import org.bson.BsonValue;

/**
 * Reads the CSFLE dialect of MongoDB's JSON schema: {@code encrypt} {bsonType, algorithm, keyId},
 * {@code encryptMetadata} inherited down the tree, nested {@code properties} and {@code
 * patternProperties}. Rules that mongocryptd enforces are enforced here, at first use, with an
 * error naming the schema path and the rule.
 */
public final class SchemaParser {
  private static final Map<String, BsonType> TYPE_NAMES = Map.ofEntries(
      Map.entry("double", BsonType.DOUBLE), Map.entry("string", BsonType.STRING),
      Map.entry("object", BsonType.DOCUMENT), Map.entry("array", BsonType.ARRAY),
      Map.entry("binData", BsonType.BINARY), Map.entry("undefined", BsonType.UNDEFINED),
      Map.entry("objectId", BsonType.OBJECT_ID), Map.entry("bool", BsonType.BOOLEAN),
      Map.entry("date", BsonType.DATE_TIME), Map.entry("null", BsonType.NULL),
      Map.entry("regex", BsonType.REGULAR_EXPRESSION), Map.entry("dbPointer", BsonType.DB_POINTER),
      Map.entry("javascript", BsonType.JAVASCRIPT), Map.entry("symbol", BsonType.SYMBOL),
      Map.entry("javascriptWithScope", BsonType.JAVASCRIPT_WITH_SCOPE),
      Map.entry("int", BsonType.INT32), Map.entry("timestamp", BsonType.TIMESTAMP),
      Map.entry("long", BsonType.INT64), Map.entry("decimal", BsonType.DECIMAL128),
      Map.entry("minKey", BsonType.MIN_KEY), Map.entry("maxKey", BsonType.MAX_KEY));
  private static final Set<BsonType> NEVER_ENCRYPTED =
      EnumSet.of(BsonType.NULL, BsonType.UNDEFINED, BsonType.MIN_KEY, BsonType.MAX_KEY);
  private static final Set<BsonType> NOT_DETERMINISTIC = EnumSet.of(BsonType.DOUBLE,
      BsonType.DOCUMENT, BsonType.ARRAY, BsonType.BOOLEAN, BsonType.DECIMAL128,
      BsonType.JAVASCRIPT_WITH_SCOPE);

  private SchemaParser() {}

  /**
   * Parses a collection's schema.
   *
   * @param where how to name the schema in errors, such as {@code schemaMap['db.coll']}
   * @throws ConfigurationException naming the path and the rule
   */
  public static SchemaNode parse(BsonDocument schema, String where) {
    return node(schema, new Metadata(null, null), where);
  }

  private record Metadata(BsonValue algorithm, BsonValue keyId) {
    Metadata merge(BsonDocument encryptMetadata) {
      return new Metadata(
          encryptMetadata.containsKey("algorithm") ? encryptMetadata.get("algorithm") : algorithm,
          encryptMetadata.containsKey("keyId") ? encryptMetadata.get("keyId") : keyId);
    }
  }

  private static SchemaNode node(BsonDocument schema, Metadata inherited, String path) {
    Metadata metadata = inherited;
    if (schema.containsKey("encryptMetadata")) {
      BsonDocument encryptMetadata = document(schema.get("encryptMetadata"), path + ".encryptMetadata");
      for (String key : encryptMetadata.keySet()) {
        if (!key.equals("algorithm") && !key.equals("keyId")) {
          throw new ConfigurationException(path + ".encryptMetadata." + key,
              "unexpected field; encryptMetadata takes algorithm and keyId");
        }
      }
      metadata = metadata.merge(encryptMetadata);
    }
    if (schema.containsKey("items") && mentionsEncrypt(schema.get("items"))) {
      throw new ConfigurationException(path + ".items",
          "encrypting array elements is not supported by CSFLE; encrypt the whole array with"
              + " the random algorithm instead");
    }
    if (schema.containsKey("encrypt")) {
      for (String conflicting : List.of("properties", "patternProperties", "items")) {
        if (schema.containsKey(conflicting)) {
          throw new ConfigurationException(path, "'encrypt' cannot be combined with '"
              + conflicting + "': an encrypted field is opaque to the server");
        }
      }
      return new SchemaNode(
          encrypt(document(schema.get("encrypt"), path + ".encrypt"), metadata, path + ".encrypt"),
          Map.of(), List.of());
    }
    Map<String, SchemaNode> properties = new LinkedHashMap<>();
    if (schema.containsKey("properties")) {
      BsonDocument props = document(schema.get("properties"), path + ".properties");
      for (Map.Entry<String, BsonValue> entry : props.entrySet()) {
        String childPath = path + ".properties." + entry.getKey();
        properties.put(entry.getKey(), node(document(entry.getValue(), childPath), metadata, childPath));
      }
    }
    List<SchemaNode.PatternProperty> patterns = new ArrayList<>();
    if (schema.containsKey("patternProperties")) {
      BsonDocument props = document(schema.get("patternProperties"), path + ".patternProperties");
      for (Map.Entry<String, BsonValue> entry : props.entrySet()) {
        String childPath = path + ".patternProperties['" + entry.getKey() + "']";
        Pattern pattern;
        try {
          pattern = Pattern.compile(entry.getKey());
        } catch (PatternSyntaxException e) {
          throw new ConfigurationException(childPath, "is not a valid regular expression: "
              + e.getDescription());
        }
        patterns.add(new SchemaNode.PatternProperty(pattern,
            node(document(entry.getValue(), childPath), metadata, childPath)));
      }
    }
    return new SchemaNode(null, properties, patterns);
  }

  private static EncryptSpec encrypt(BsonDocument encrypt, Metadata metadata, String path) {
    for (String key : encrypt.keySet()) {
      if (!Set.of("bsonType", "algorithm", "keyId").contains(key)) {
        throw new ConfigurationException(path + "." + key,
            "unexpected field; encrypt takes bsonType, algorithm and keyId");
      }
    }
    BsonValue algorithmValue = encrypt.containsKey("algorithm") ? encrypt.get("algorithm") : metadata.algorithm();
    if (algorithmValue == null) {
      throw new ConfigurationException(path + ".algorithm",
          "is required (here or in an enclosing encryptMetadata)");
    }
    Algorithm algorithm = algorithmValue.isString()
        ? Algorithm.fromSpecName(algorithmValue.asString().getValue()).orElse(null) : null;
    if (algorithm == null) {
      throw new ConfigurationException(path + ".algorithm", "must be "
          + Algorithm.DETERMINISTIC.specName() + " or " + Algorithm.RANDOM.specName() + ", got "
          + algorithmValue);
    }
    BsonValue keyIdValue = encrypt.containsKey("keyId") ? encrypt.get("keyId") : metadata.keyId();
    if (keyIdValue == null) {
      throw new ConfigurationException(path + ".keyId",
          "is required (here or in an enclosing encryptMetadata)");
    }
    UUID keyId = null;
    String pointer = null;
    if (keyIdValue.isArray()) {
      if (keyIdValue.asArray().size() != 1) {
        throw new ConfigurationException(path + ".keyId",
            "must be an array holding exactly one key id, got " + keyIdValue.asArray().size());
      }
      keyId = KeyDocument.uuid(keyIdValue.asArray().get(0), path + ".keyId[0]");
    } else if (keyIdValue.isString() && keyIdValue.asString().getValue().startsWith("/")) {
      pointer = keyIdValue.asString().getValue();
      if (algorithm == Algorithm.DETERMINISTIC) {
        throw new ConfigurationException(path + ".keyId",
            "a JSON pointer keyId ('" + pointer + "') is allowed only with the random algorithm");
      }
    } else {
      throw new ConfigurationException(path + ".keyId",
          "must be an array of one UUID or a JSON pointer string such as '/keyName', got "
              + keyIdValue.getBsonType());
    }
    Set<BsonType> types = EnumSet.noneOf(BsonType.class);
    if (encrypt.containsKey("bsonType")) {
      BsonValue typeValue = encrypt.get("bsonType");
      List<BsonValue> names = typeValue.isArray() ? typeValue.asArray().getValues() : List.of(typeValue);
      for (BsonValue name : names) {
        BsonType type = name.isString() ? TYPE_NAMES.get(name.asString().getValue()) : null;
        if (type == null) {
          throw new ConfigurationException(path + ".bsonType",
              "unknown BSON type " + name + "; expected one of " + TYPE_NAMES.keySet());
        }
        if (NEVER_ENCRYPTED.contains(type)) {
          throw new ConfigurationException(path + ".bsonType",
              "type '" + name.asString().getValue() + "' can never be encrypted");
        }
        types.add(type);
      }
    }
    if (algorithm == Algorithm.DETERMINISTIC) {
      if (types.size() != 1) {
        throw new ConfigurationException(path + ".bsonType",
            "deterministic encryption needs exactly one bsonType, got " + types.size());
      }
      BsonType type = types.iterator().next();
      if (NOT_DETERMINISTIC.contains(type)) {
        throw new ConfigurationException(path + ".bsonType",
            "type " + name(type) + " cannot be encrypted deterministically; use the random algorithm");
      }
    }
    return new EncryptSpec(algorithm, keyId, pointer, null, Set.copyOf(types));
  }

  /** The schema name of a BSON type, as written in {@code bsonType}. */
  public static String name(BsonType type) {
    return TYPE_NAMES.entrySet().stream().filter(e -> e.getValue() == type)
        .map(Map.Entry::getKey).findFirst().orElse(type.name());
  }

  private static boolean mentionsEncrypt(BsonValue value) {
    if (value.isDocument()) {
      for (Map.Entry<String, BsonValue> entry : value.asDocument().entrySet()) {
        if (entry.getKey().equals("encrypt") || mentionsEncrypt(entry.getValue())) {
          return true;
        }
      }
    } else if (value.isArray()) {
      return value.asArray().stream().anyMatch(SchemaParser::mentionsEncrypt);
    }
    return false;
  }

  private static BsonDocument document(BsonValue value, String path) {
    if (!value.isDocument()) {
      throw new ConfigurationException(path, "must be a document, got " + value.getBsonType());
    }
    return value.asDocument();
  }
}
