package io.fle4j.internal.auto.schema;

import io.fle4j.Algorithm;
import io.fle4j.ConfigurationException;
import io.fle4j.internal.vault.KeyDocument;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import org.bson.BsonBinarySubType;
import org.bson.BsonDocument;
import org.bson.BsonType;
import org.bson.BsonValue;

/**
 * Reads the CSFLE dialect of MongoDB's JSON schema by mongocryptd's rules, with its error texts:
 * which keywords a local ({@code schemaMap}) or remote (server validator) schema may use, where
 * {@code encrypt} may appear (only below a parent whose type is exactly object, never under
 * {@code items}, {@code additionalItems} or a logical combinator, never beside another keyword,
 * never random on {@code _id}), how {@code encryptMetadata} is inherited, and which BSON types
 * each algorithm can encrypt. An invalid schema fails the first operation that needs it, with a
 * {@link ConfigurationException} naming the schema path, mongocryptd's text and the bad value.
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
  /** The JSON Schema {@code type} names (not BSON type names). */
  private static final Set<String> JSON_TYPE_NAMES =
      Set.of("object", "array", "number", "boolean", "string", "null");
  /** The types of the {@code number} alias. */
  public static final Set<BsonType> NUMBER_TYPES =
      EnumSet.of(BsonType.DOUBLE, BsonType.INT32, BsonType.INT64, BsonType.DECIMAL128);

  /** Types no algorithm encrypts. */
  public static final Set<BsonType> NEVER_ENCRYPTED =
      EnumSet.of(BsonType.NULL, BsonType.UNDEFINED, BsonType.MIN_KEY, BsonType.MAX_KEY);
  /** Types the deterministic algorithm does not encrypt, beyond {@link #NEVER_ENCRYPTED}. */
  public static final Set<BsonType> NOT_DETERMINISTIC = EnumSet.of(BsonType.DOUBLE,
      BsonType.DOCUMENT, BsonType.ARRAY, BsonType.BOOLEAN, BsonType.DECIMAL128,
      BsonType.JAVASCRIPT_WITH_SCOPE);

  /** Keywords the server's JSON schema parser knows. */
  private static final Set<String> SERVER_KEYWORDS = Set.of("additionalItems",
      "additionalProperties", "allOf", "anyOf", "bsonType", "dependencies", "description",
      "encrypt", "encryptMetadata", "enum", "exclusiveMaximum", "exclusiveMinimum", "items",
      "maxItems", "maxLength", "maxProperties", "maximum", "minItems", "minLength",
      "minProperties", "minimum", "multipleOf", "not", "oneOf", "pattern", "patternProperties",
      "properties", "required", "title", "type", "uniqueItems");
  /** Standard keywords the server refuses outright. */
  private static final Set<String> UNSUPPORTED_KEYWORDS =
      Set.of("$ref", "$schema", "default", "definitions", "format", "id");
  /** Keywords mongocryptd accepts in a server-side (remote) schema: all but dependencies. */
  private static final Set<String> REMOTE_KEYWORDS = Set.of("additionalItems",
      "additionalProperties", "allOf", "anyOf", "bsonType", "description", "encrypt",
      "encryptMetadata", "enum", "exclusiveMaximum", "exclusiveMinimum", "items", "maxItems",
      "maxLength", "maxProperties", "maximum", "minItems", "minLength", "minProperties", "minimum",
      "multipleOf", "not", "oneOf", "pattern", "patternProperties", "properties", "required",
      "title", "type", "uniqueItems");
  /**
   * Keywords mongocryptd accepts in a local schema (schemaMap): only those that shape encryption,
   * because a local schema is not enforced by the server, so a validation keyword would be a
   * promise nobody keeps.
   */
  private static final Set<String> LOCAL_KEYWORDS = Set.of("additionalItems",
      "additionalProperties", "allOf", "anyOf", "bsonType", "description", "encrypt",
      "encryptMetadata", "items", "not", "oneOf", "patternProperties", "properties", "title",
      "type");

  private static final String WHERE_ENCRYPT = "encrypt may appear only below a schema whose"
      + " bsonType or type is exactly 'object', in its properties, patternProperties or"
      + " additionalProperties; never under items, additionalItems, allOf, anyOf, oneOf or not,"
      + " nor in a property whose name contains a dot";

  private SchemaParser() {}

  /**
   * Parses a collection's schema.
   *
   * @param remote whether the server enforces it (a {@code $jsonSchema} validator) rather than
   *     the client alone ({@code schemaMap}, or the validator of a {@code create} being sent)
   * @param where how to name the schema in errors, such as {@code schemaMap['db.coll']}
   * @throws ConfigurationException naming the path, mongocryptd's rule and the bad value
   */
  public static SchemaNode parse(BsonDocument schema, boolean remote, String where) {
    return new SchemaParser.Walk(remote).node(schema, Allowed.ALL, true, List.of(), where);
  }

  /** Which algorithms an {@code encrypt} may use at a position. */
  private enum Allowed {
    NONE, DETERMINISTIC_ONLY, ALL;

    boolean permits(Algorithm algorithm) {
      return this == ALL || (this == DETERMINISTIC_ONLY && algorithm == Algorithm.DETERMINISTIC);
    }
  }

  /** One {@code encryptMetadata}: either field may be absent. */
  private record Metadata(Algorithm algorithm, BsonValue keyId) {}

  private static final class Walk {
    private final boolean remote;

    Walk(boolean remote) {
      this.remote = remote;
    }

    SchemaNode node(BsonDocument schema, Allowed allowed, boolean topLevel,
        List<Metadata> chain, String path) {
      checkKeywords(schema, path);
      // The server's own parse comes first: the types of encrypt and encryptMetadata.
      for (String keyword : List.of("encrypt", "encryptMetadata")) {
        BsonValue value = schema.get(keyword);
        if (value != null && !value.isDocument()) {
          throw error(path + "." + keyword, "$jsonSchema keyword '" + keyword
              + "' must be an object , got " + value.getBsonType());
        }
      }
      BsonValue encrypt = schema.get("encrypt");
      BsonValue encryptMetadata = schema.get("encryptMetadata");
      if (encrypt != null) {
        for (String typeKeyword : List.of("type", "bsonType")) {
          if (schema.containsKey(typeKeyword)) {
            throw error(path, "$jsonSchema keyword 'encrypt' cannot be used in conjunction with '"
                + typeKeyword + "', 'encrypt' implies type 'bsonType::BinData'");
          }
        }
        if (encryptMetadata != null) {
          throw error(path,
              "Cannot specify both $jsonSchema keywords 'encrypt' and 'encryptMetadata'");
        }
      }
      if (schema.containsKey("type") && schema.containsKey("bsonType")) {
        throw error(path, "Cannot specify both $jsonSchema keywords 'type' and 'bsonType'");
      }
      // Subschemas of arrays and logical combinators may not encrypt: mongocryptd does not try
      // to reason about which alternative a document takes.
      for (String arrayKeyword : List.of("items", "additionalItems")) {
        BsonValue items = schema.get(arrayKeyword);
        if (items != null && items.isDocument()) {
          node(items.asDocument(), Allowed.NONE, false, chain, path + "." + arrayKeyword);
        } else if (items != null && items.isArray() && arrayKeyword.equals("items")) {
          int i = 0;
          for (BsonValue item : items.asArray()) {
            node(document(item, path + ".items[" + i + "]"), Allowed.NONE, false, chain,
                path + ".items[" + i + "]");
            i++;
          }
        }
      }
      for (String combinator : List.of("allOf", "anyOf", "oneOf")) {
        BsonValue value = schema.get(combinator);
        if (value != null) {
          if (!value.isArray()) {
            throw error(path + "." + combinator, "$jsonSchema keyword '" + combinator
                + "' must be an array, got " + value.getBsonType());
          }
          int i = 0;
          for (BsonValue sub : value.asArray()) {
            String subPath = path + "." + combinator + "[" + i++ + "]";
            node(document(sub, subPath), Allowed.NONE, false, chain, subPath);
          }
        }
      }
      if (schema.containsKey("not")) {
        node(document(schema.get("not"), path + ".not"), Allowed.NONE, false, chain, path + ".not");
      }

      if (encrypt != null) {
        if (allowed == Allowed.NONE) {
          throw error(path, "Invalid schema containing the 'encrypt' keyword. (" + WHERE_ENCRYPT
              + ")");
        }
        if (schema.size() != 1) {
          throw error(path, "Invalid schema containing the 'encrypt' keyword, sibling keywords"
              + " are not allowed as such restrictions cannot work on an encrypted field.");
        }
        return SchemaNode.encrypted(encrypt(encrypt, allowed, chain, path + ".encrypt"));
      }
      List<Metadata> childChain = chain;
      if (encryptMetadata != null) {
        if (allowed == Allowed.NONE) {
          throw error(path, "Invalid schema containing the 'encryptMetadata' keyword. ("
              + WHERE_ENCRYPT + ")");
        }
        childChain = new ArrayList<>(chain);
        childChain.add(metadata(encryptMetadata, path + ".encryptMetadata"));
      }
      return objectKeywords(schema, allowed, topLevel, childChain, path);
    }

    private SchemaNode objectKeywords(BsonDocument schema, Allowed allowed, boolean topLevel,
        List<Metadata> chain, String path) {
      // Only an object's fields can be encrypted: a schema that may be something else (no
      // type, several types, another type) lets no child encrypt.
      Allowed forChildren = restrictsToObject(schema, path) ? allowed : Allowed.NONE;
      Map<String, SchemaNode> properties = new LinkedHashMap<>();
      BsonValue props = schema.get("properties");
      if (props != null) {
        for (Map.Entry<String, BsonValue> entry : document(props, path + ".properties").entrySet()) {
          String name = entry.getKey();
          String childPath = path + ".properties." + name;
          Allowed childAllowed = forChildren;
          if (name.contains(".")) {
            // A dotted property name can never be matched by a dotted path.
            childAllowed = Allowed.NONE;
          } else if (topLevel && name.equals("_id")) {
            childAllowed = idAllowed(forChildren);
          }
          properties.put(name,
              node(document(entry.getValue(), childPath), childAllowed, false, chain, childPath));
        }
      }
      List<SchemaNode.PatternProperty> patterns = new ArrayList<>();
      BsonValue patternProps = schema.get("patternProperties");
      if (patternProps != null) {
        for (Map.Entry<String, BsonValue> entry
            : document(patternProps, path + ".patternProperties").entrySet()) {
          String childPath = path + ".patternProperties['" + entry.getKey() + "']";
          Pattern pattern;
          try {
            pattern = Pattern.compile(entry.getKey());
          } catch (PatternSyntaxException e) {
            throw error(childPath, "Invalid regular expression in 'patternProperties': "
                + entry.getKey() + " (" + e.getDescription() + ")");
          }
          Allowed childAllowed = topLevel && pattern.matcher("_id").find()
              ? idAllowed(forChildren) : forChildren;
          patterns.add(new SchemaNode.PatternProperty(pattern,
              node(document(entry.getValue(), childPath), childAllowed, false, chain, childPath)));
        }
      }
      SchemaNode additional = null;
      BsonValue additionalProps = schema.get("additionalProperties");
      if (additionalProps != null && additionalProps.isDocument()) {
        Allowed childAllowed = topLevel && !properties.containsKey("_id")
            ? idAllowed(forChildren) : forChildren;
        additional = node(additionalProps.asDocument(), childAllowed, false, chain,
            path + ".additionalProperties");
      } else if (additionalProps != null && !additionalProps.isBoolean()) {
        throw error(path + ".additionalProperties", "$jsonSchema keyword 'additionalProperties'"
            + " must be either an object or a boolean, got " + additionalProps.getBsonType());
      }
      return new SchemaNode(null, properties, patterns, additional);
    }

    /** mongocryptd never lets {@code _id} be encrypted with the random algorithm. */
    private static Allowed idAllowed(Allowed allowed) {
      return allowed == Allowed.NONE ? Allowed.NONE : Allowed.DETERMINISTIC_ONLY;
    }

    private void checkKeywords(BsonDocument schema, String path) {
      for (String keyword : schema.keySet()) {
        if (UNSUPPORTED_KEYWORDS.contains(keyword)) {
          throw error(path + "." + keyword,
              "$jsonSchema keyword '" + keyword + "' is not currently supported");
        }
        if (!SERVER_KEYWORDS.contains(keyword)) {
          throw error(path + "." + keyword, "Unknown $jsonSchema keyword: " + keyword);
        }
        if (!REMOTE_KEYWORDS.contains(keyword)) {
          throw error(path + "." + keyword, "JSON schema keyword '" + keyword
              + "' is not supported for client-side encryption");
        }
        if (!remote && !LOCAL_KEYWORDS.contains(keyword)) {
          throw error(path + "." + keyword, "JSON schema keyword '" + keyword
              + "' is only allowed with a remote schema; this schema comes from the client"
              + " (schemaMap), where the server does not enforce it");
        }
      }
    }

    private boolean restrictsToObject(BsonDocument schema, String path) {
      String keyword = schema.containsKey("type") ? "type" : "bsonType";
      BsonValue value = schema.get(keyword);
      if (value == null) {
        return false;
      }
      Set<String> names = new LinkedHashSet<>();
      for (BsonValue name : value.isArray() ? value.asArray().getValues() : List.of(value)) {
        if (!name.isString()) {
          throw error(path + "." + keyword, "$jsonSchema keyword '" + keyword
              + "' must be a string or an array of strings, got " + name.getBsonType());
        }
        String text = name.asString().getValue();
        if (keyword.equals("type") && text.equals("integer")) {
          throw error(path + ".type", "$jsonSchema type 'integer' is not currently supported.");
        }
        boolean known = keyword.equals("type") ? JSON_TYPE_NAMES.contains(text)
            : TYPE_NAMES.containsKey(text) || text.equals("number");
        if (!known) {
          throw error(path + "." + keyword, "Unknown type name alias: " + text);
        }
        names.add(text);
      }
      return names.equals(Set.of("object"));
    }

    private Metadata metadata(BsonValue value, String path) {
      if (!value.isDocument()) {
        throw error(path, "$jsonSchema keyword 'encryptMetadata' must be an object , got "
            + value.getBsonType());
      }
      BsonDocument doc = value.asDocument();
      if (doc.isEmpty()) {
        throw error(path, "$jsonSchema keyword 'encryptMetadata' cannot be an empty object ");
      }
      for (String key : doc.keySet()) {
        if (!key.equals("algorithm") && !key.equals("keyId")) {
          throw error(path + "." + key, "BSON field 'encryptMetadata." + key
              + "' is an unknown field.");
        }
      }
      BsonValue keyId = doc.get("keyId");
      if (keyId != null) {
        checkKeyId(keyId, path + ".keyId");
      }
      return new Metadata(doc.containsKey("algorithm")
          ? algorithm(doc.get("algorithm"), path + ".algorithm") : null, keyId);
    }

    private EncryptSpec encrypt(BsonValue value, Allowed allowed, List<Metadata> chain,
        String path) {
      if (!value.isDocument()) {
        throw error(path, "$jsonSchema keyword 'encrypt' must be an object , got "
            + value.getBsonType());
      }
      BsonDocument encrypt = value.asDocument();
      for (String key : encrypt.keySet()) {
        if (!Set.of("bsonType", "algorithm", "keyId").contains(key)) {
          throw error(path + "." + key, "BSON field 'encrypt." + key + "' is an unknown field.");
        }
      }
      // encryptMetadata from the root down, then the encrypt object's own fields, win in turn.
      Algorithm algorithm = null;
      BsonValue keyId = null;
      for (Metadata metadata : chain) {
        algorithm = metadata.algorithm() != null ? metadata.algorithm() : algorithm;
        keyId = metadata.keyId() != null ? metadata.keyId() : keyId;
      }
      if (encrypt.containsKey("algorithm")) {
        algorithm = algorithm(encrypt.get("algorithm"), path + ".algorithm");
      }
      if (encrypt.containsKey("keyId")) {
        keyId = encrypt.get("keyId");
        checkKeyId(keyId, path + ".keyId");
      }
      if (algorithm == null) {
        throw error(path + ".algorithm",
            "Encrypt object combined with encryptMetadata needs to specify an algorithm");
      }
      if (keyId == null) {
        throw error(path + ".keyId",
            "Encrypt object combined with encryptMetadata needs to specify a keyId");
      }
      if (!allowed.permits(algorithm)) {
        throw error(path, "Invalid schema containing the 'encrypt' keyword, "
            + algorithm.specName() + " encryption algorithm not allowed. (_id cannot be"
            + " encrypted with the random algorithm)");
      }
      UUID id = null;
      String pointer = null;
      if (keyId.isArray()) {
        id = KeyDocument.uuid(keyId.asArray().get(0), path + ".keyId[0]");
      } else {
        pointer = keyId.asString().getValue();
      }
      Set<BsonType> types = EnumSet.noneOf(BsonType.class);
      boolean multiType = false;
      if (encrypt.containsKey("bsonType")) {
        BsonValue typeValue = encrypt.get("bsonType");
        List<BsonValue> names = typeValue.isArray() ? typeValue.asArray().getValues()
            : List.of(typeValue);
        multiType = names.size() != 1;
        for (BsonValue name : names) {
          String text = name.isString() ? name.asString().getValue() : null;
          if ("number".equals(text)) {
            types.addAll(NUMBER_TYPES);
            multiType = true;
            continue;
          }
          BsonType type = text == null ? null : TYPE_NAMES.get(text);
          if (type == null) {
            throw error(path + ".bsonType", "Unknown type name alias: " + name
                + " (expected one of " + TYPE_NAMES.keySet() + " or number)");
          }
          types.add(type);
        }
      }
      if (algorithm == Algorithm.DETERMINISTIC) {
        if (types.isEmpty() || multiType) {
          throw error(path + ".bsonType",
              "A deterministically encrypted field must have exactly one specified type.");
        }
        if (pointer != null) {
          throw error(path + ".keyId", "A deterministically encrypted field cannot have a keyId"
              + " represented by a JSON pointer ('" + pointer + "')");
        }
      }
      for (BsonType type : types) {
        if (NEVER_ENCRYPTED.contains(type)
            || (algorithm == Algorithm.DETERMINISTIC && NOT_DETERMINISTIC.contains(type))) {
          throw error(path + ".bsonType", "Cannot encrypt element of type: " + name(type)
              + " (with " + algorithm.specName() + ")");
        }
      }
      return new EncryptSpec(algorithm, id, pointer, null, Set.copyOf(types));
    }

    private Algorithm algorithm(BsonValue value, String path) {
      Algorithm algorithm = value.isString()
          ? Algorithm.fromSpecName(value.asString().getValue()).orElse(null) : null;
      if (algorithm == null) {
        throw error(path, "must be " + Algorithm.DETERMINISTIC.specName() + " or "
            + Algorithm.RANDOM.specName() + ", got " + value);
      }
      return algorithm;
    }

    private void checkKeyId(BsonValue keyId, String path) {
      if (keyId.isString()) {
        if (!keyId.asString().getValue().startsWith("/")) {
          throw error(path, "a keyId string must be a JSON pointer starting with '/', got '"
              + keyId.asString().getValue() + "'");
        }
        return;
      }
      if (!keyId.isArray()) {
        throw error(path, "Expected either string or array of UUID for EncryptSchemaKeyId, found "
            + keyId.getBsonType());
      }
      if (keyId.asArray().isEmpty()) {
        throw error(path, "keyId must hold at least one UUID");
      }
      for (BsonValue element : keyId.asArray()) {
        if (!element.isBinary()
            || element.asBinary().getType() != BsonBinarySubType.UUID_STANDARD.getValue()) {
          throw error(path, "Array elements must have type UUID, found "
              + (element.isBinary() ? "binary subtype " + element.asBinary().getType()
                  : element.getBsonType()));
        }
      }
    }
  }

  /** The schema name of a BSON type, as written in {@code bsonType}. */
  public static String name(BsonType type) {
    return TYPE_NAMES.entrySet().stream().filter(e -> e.getValue() == type)
        .map(Map.Entry::getKey).findFirst().orElse(type.name());
  }

  private static BsonDocument document(BsonValue value, String path) {
    if (!value.isDocument()) {
      throw error(path, "must be a document, got " + value.getBsonType());
    }
    return value.asDocument();
  }

  private static ConfigurationException error(String path, String message) {
    return new ConfigurationException(path, message);
  }
}
