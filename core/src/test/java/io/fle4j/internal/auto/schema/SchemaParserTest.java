package io.fle4j.internal.auto.schema;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fle4j.Algorithm;
import io.fle4j.ConfigurationException;
import java.util.Set;
import java.util.UUID;
import org.bson.BsonDocument;
import org.bson.BsonType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Section 1 of the mongocryptd rules: schema parsing, rule by rule, with mongocryptd's texts. */
class SchemaParserTest {
  static final String DET = "AEAD_AES_256_CBC_HMAC_SHA_512-Deterministic";
  static final String RND = "AEAD_AES_256_CBC_HMAC_SHA_512-Random";
  static final UUID KEY = UUID.fromString("2ce0802c-0000-0000-0000-000000000000");
  static final UUID KEY2 = UUID.fromString("2ce0802c-0000-0000-0000-000000000002");
  static final String KID = "[UUID('" + KEY + "')]";
  static final String DET_STR = "{encrypt: {bsonType: 'string', algorithm: '" + DET + "', keyId: " + KID + "}}";
  static final String RND_ANY = "{encrypt: {algorithm: '" + RND + "', keyId: " + KID + "}}";

  static SchemaNode parse(String json, boolean remote) {
    return SchemaParser.parse(BsonDocument.parse(json), remote, "s");
  }

  /** An object schema with one property {@code a} described by {@code sub}. */
  static String withA(String sub) {
    return "{bsonType: 'object', properties: {a: " + sub + "}}";
  }

  static void assertInvalid(String json, boolean remote, String text, String path) {
    assertThatThrownBy(() -> parse(json, remote))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining(text)
        .satisfies(e -> assertThat(((ConfigurationException) e).field()).isEqualTo(path));
  }

  static void assertInvalid(String json, boolean remote, String text) {
    assertThatThrownBy(() -> parse(json, remote))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining(text)
        .satisfies(e -> assertThat(((ConfigurationException) e).field()).startsWith("s"));
  }

  // ----------------------------------------------------------------- 1a/1b keyword lists

  @ParameterizedTest
  @ValueSource(strings = {"additionalItems: {}", "additionalProperties: true", "allOf: [{}]",
      "anyOf: [{}]", "description: 'd'", "enum: [1]", "exclusiveMaximum: true", "maximum: 3",
      "exclusiveMinimum: true", "minimum: 1", "items: {}", "maxItems: 1", "minItems: 1",
      "maxLength: 1", "minLength: 1", "maxProperties: 1", "minProperties: 1", "multipleOf: 2",
      "not: {}", "oneOf: [{}]", "pattern: 'x'", "patternProperties: {}", "properties: {}",
      "required: ['a']", "title: 't'", "uniqueItems: true"})
  void parse_remoteSchema_acceptsEveryRemoteKeyword(String keyword) {
    assertThat(parse("{bsonType: 'object', " + keyword + "}", true)).isNotNull();
    assertThat(parse("{bsonType: 'object', properties: {x: {" + keyword + "}}}", true)).isNotNull();
  }

  @ParameterizedTest
  @ValueSource(strings = {"additionalItems: {}", "additionalProperties: false", "allOf: [{}]",
      "anyOf: [{}]", "description: 'd'", "items: [{}]", "not: {}", "oneOf: [{}]",
      "patternProperties: {}", "properties: {}", "title: 't'"})
  void parse_localSchema_acceptsOnlyTheLocalKeywords(String keyword) {
    assertThat(parse("{bsonType: 'object', " + keyword + "}", false)).isNotNull();
    assertThat(parse("{type: 'object', " + keyword + "}", false)).isNotNull();
  }

  @ParameterizedTest
  @ValueSource(strings = {"required", "enum", "minimum", "maximum", "exclusiveMinimum",
      "exclusiveMaximum", "maxLength", "minLength", "pattern", "uniqueItems", "minItems",
      "maxItems", "maxProperties", "minProperties", "multipleOf"})
  void parse_localSchemaWithRemoteOnlyKeyword_isRefusedWith31068(String keyword) {
    String value = switch (keyword) {
      case "required", "enum" -> "['a']";
      case "exclusiveMinimum", "exclusiveMaximum", "uniqueItems" -> "true";
      case "pattern" -> "'x'";
      default -> "1";
    };
    String text = "JSON schema keyword '" + keyword + "' is only allowed with a remote schema";
    assertInvalid("{bsonType: 'object', " + keyword + ": " + value + "}", false, text,
        "s." + keyword);
    assertInvalid("{bsonType: 'object', properties: {x: {" + keyword + ": " + value + "}}}",
        false, text, "s.properties.x." + keyword);
    assertInvalid("{bsonType: 'object', properties: {x: {bsonType: 'array', items: {" + keyword
        + ": " + value + "}}}}", false, text, "s.properties.x.items." + keyword);
    assertInvalid("{bsonType: 'object', anyOf: [{" + keyword + ": " + value + "}]}", false,
        text, "s.anyOf[0]." + keyword);
  }

  @Test
  void parse_dependencies_isRefusedWith31126_inRemoteAndLocalSchemas() {
    String text = "JSON schema keyword 'dependencies' is not supported for client-side encryption";
    assertInvalid("{bsonType: 'object', dependencies: {a: ['b']}}", true, text, "s.dependencies");
    // 31126 is checked before 31068.
    assertInvalid("{bsonType: 'object', dependencies: {a: ['b']}}", false, text, "s.dependencies");
    assertInvalid("{bsonType: 'object', properties: {x: {not: {dependencies: {a: ['b']}}}}}", true,
        text, "s.properties.x.not.dependencies");
  }

  @ParameterizedTest
  @ValueSource(strings = {"$ref", "$schema", "default", "definitions", "format", "id"})
  void parse_unsupportedStandardKeyword_isRefusedAsNotCurrentlySupported(String keyword) {
    String text = "$jsonSchema keyword '" + keyword + "' is not currently supported";
    String value = keyword.equals("definitions") ? "{}" : "'x'";
    assertInvalid("{bsonType: 'object', " + keyword + ": " + value + "}", true, text,
        "s." + keyword);
    assertInvalid("{bsonType: 'object', properties: {a: {" + keyword + ": " + value + "}}}", false,
        text, "s.properties.a." + keyword);
  }

  @Test
  void parse_unknownKeyword_isRefused() {
    assertInvalid("{bsonType: 'object', foo: 1}", true, "Unknown $jsonSchema keyword: foo", "s.foo");
  }

  @Test
  void parse_typeAndBsonType_isRefused() {
    assertInvalid(withA("{type: 'object', bsonType: 'object'}"), true,
        "Cannot specify both $jsonSchema keywords 'type' and 'bsonType'", "s.properties.a");
  }

  @Test
  void parse_typeInteger_isRefusedAsNotCurrentlySupported() {
    assertInvalid("{type: 'integer'}", true, "$jsonSchema type 'integer' is not currently supported.");
  }

  // ----------------------------------------------------------------- encrypt + type / metadata

  @Test
  void parse_encryptWithType_isRefusedNamingType() {
    assertInvalid(withA("{type: 'string', encrypt: {algorithm: '" + RND + "', keyId: " + KID + "}}"),
        true, "$jsonSchema keyword 'encrypt' cannot be used in conjunction with 'type', 'encrypt'"
            + " implies type 'bsonType::BinData'", "s.properties.a");
  }

  @Test
  void parse_encryptWithBsonType_isRefusedNamingBsonType() {
    assertInvalid(withA("{bsonType: 'string', encrypt: {algorithm: '" + RND + "', keyId: " + KID + "}}"),
        false, "$jsonSchema keyword 'encrypt' cannot be used in conjunction with 'bsonType', 'encrypt'"
            + " implies type 'bsonType::BinData'", "s.properties.a");
  }

  @Test
  void parse_encryptWithEncryptMetadata_isRefused() {
    assertInvalid(withA("{encryptMetadata: {algorithm: '" + RND + "'}, encrypt: {keyId: " + KID + "}}"),
        true, "Cannot specify both $jsonSchema keywords 'encrypt' and 'encryptMetadata'",
        "s.properties.a");
  }

  @Test
  void parse_encryptMetadataNotAnObject_orEmpty_isRefused() {
    assertInvalid("{bsonType: 'object', encryptMetadata: 5}", true,
        "$jsonSchema keyword 'encryptMetadata' must be an object ", "s.encryptMetadata");
    assertInvalid("{bsonType: 'object', encryptMetadata: {}}", true,
        "$jsonSchema keyword 'encryptMetadata' cannot be an empty object ", "s.encryptMetadata");
    assertInvalid(withA("{encrypt: 5}"), true, "$jsonSchema keyword 'encrypt' must be an object ");
  }

  @Test
  void parse_malformedEncryptUnderItems_failsFirstWithThePassATypeError() {
    assertInvalid(withA("{bsonType: 'array', items: {encrypt: 5}}"), true,
        "$jsonSchema keyword 'encrypt' must be an object ");
    assertInvalid(withA("{bsonType: 'array', items: {encryptMetadata: 5}}"), true,
        "$jsonSchema keyword 'encryptMetadata' must be an object ");
  }

  @Test
  void parse_unknownFieldInEncryptOrEncryptMetadata_isRefused() {
    assertInvalid(withA("{encrypt: {algorithm: '" + RND + "', keyId: " + KID + ", foo: 1}}"), true,
        "BSON field 'encrypt.foo' is an unknown field.");
    assertInvalid("{bsonType: 'object', encryptMetadata: {bsonType: 'string'}}", true,
        "BSON field 'encryptMetadata.bsonType' is an unknown field.");
  }

  @Test
  void parse_unknownAlgorithm_isRefused() {
    assertInvalid(withA("{encrypt: {algorithm: 'AES', keyId: " + KID + "}}"), true, "AES",
        "s.properties.a.encrypt.algorithm");
  }

  // ----------------------------------------------------------------- where encrypt may appear

  @ParameterizedTest
  @ValueSource(strings = {"items", "additionalItems", "not"})
  void parse_encryptUnderArrayOrNotSubschema_isRefusedWith51077(String keyword) {
    assertInvalid(withA("{bsonType: 'array', " + keyword + ": " + RND_ANY + "}"), true,
        "Invalid schema containing the 'encrypt' keyword.", "s.properties.a." + keyword);
    // ... also deeper below such a subschema, even under a proper object.
    assertInvalid(withA("{bsonType: 'array', " + keyword + ": {bsonType: 'object', properties: {b: "
        + RND_ANY + "}}}"), true, "Invalid schema containing the 'encrypt' keyword.",
        "s.properties.a." + keyword + ".properties.b");
  }

  @Test
  void parse_encryptUnderItemsArray_isRefusedWith51077() {
    assertInvalid(withA("{bsonType: 'array', items: [{}, " + RND_ANY + "]}"), true,
        "Invalid schema containing the 'encrypt' keyword.", "s.properties.a.items[1]");
  }

  @ParameterizedTest
  @ValueSource(strings = {"allOf", "anyOf", "oneOf"})
  void parse_encryptUnderCombinator_isRefusedWith51077(String keyword) {
    assertInvalid("{bsonType: 'object', " + keyword + ": [{bsonType: 'object', properties: {a: "
        + RND_ANY + "}}]}", true, "Invalid schema containing the 'encrypt' keyword.",
        "s." + keyword + "[0].properties.a");
    assertInvalid("{bsonType: 'object', " + keyword + ": [" + RND_ANY + "]}", true,
        "Invalid schema containing the 'encrypt' keyword.", "s." + keyword + "[0]");
  }

  @Test
  void parse_encryptMetadataUnderCombinator_isRefusedWith31077() {
    assertInvalid("{bsonType: 'object', anyOf: [{bsonType: 'object', encryptMetadata: {algorithm: '"
        + RND + "'}}]}", true, "Invalid schema containing the 'encryptMetadata' keyword.",
        "s.anyOf[0]");
    assertInvalid("{properties: {a: {bsonType: 'object', encryptMetadata: {algorithm: '" + RND
        + "'}}}}", true, "Invalid schema containing the 'encryptMetadata' keyword.",
        "s.properties.a");
  }

  @Test
  void parse_parentWithoutType_forbidsEncryptedChildren() {
    assertInvalid("{properties: {a: " + RND_ANY + "}}", true,
        "Invalid schema containing the 'encrypt' keyword.", "s.properties.a");
    assertInvalid("{bsonType: 'object', properties: {o: {properties: {a: " + RND_ANY + "}}}}", true,
        "Invalid schema containing the 'encrypt' keyword.", "s.properties.o.properties.a");
    assertInvalid("{additionalProperties: " + RND_ANY + "}", true,
        "Invalid schema containing the 'encrypt' keyword.", "s.additionalProperties");
    assertInvalid("{patternProperties: {x: " + RND_ANY + "}}", true,
        "Invalid schema containing the 'encrypt' keyword.");
  }

  @Test
  void parse_parentWithMultiTypeOrOtherType_forbidsEncryptedChildren() {
    for (String type : new String[] {"bsonType: ['object', 'null']", "type: ['object', 'null']",
        "bsonType: 'array'", "type: 'array'", "bsonType: 'string'"}) {
      assertInvalid("{" + type + ", properties: {a: " + RND_ANY + "}}", true,
          "Invalid schema containing the 'encrypt' keyword.", "s.properties.a");
    }
  }

  @Test
  void parse_parentTypedExactlyObject_allowsEncryptedChildren_includingSingletonArrays() {
    for (String type : new String[] {"bsonType: 'object'", "type: 'object'", "bsonType: ['object']",
        "type: ['object']"}) {
      SchemaNode node = parse("{" + type + ", properties: {a: " + RND_ANY + "}}", false);
      assertThat(node.child("a").encrypt()).as(type).isNotNull();
    }
  }

  @Test
  void parse_topLevelEncrypt_encryptsTheWholeDocument_andEveryPathIsInsideIt() {
    SchemaNode root = parse(RND_ANY, true);
    assertThat(root.encrypt()).isNotNull();
    CollectionSchema schema = new CollectionSchema("db.c", root);
    assertThat(schema.resolve("a").kind()).isEqualTo(CollectionSchema.Kind.INSIDE_ENCRYPTED);
    assertThat(schema.resolve("_id").kind()).isEqualTo(CollectionSchema.Kind.INSIDE_ENCRYPTED);
  }

  @Test
  void parse_dottedPropertyName_mayNotEncrypt() {
    assertInvalid("{bsonType: 'object', properties: {'a.b': " + RND_ANY + "}}", true,
        "Invalid schema containing the 'encrypt' keyword.", "s.properties.a.b");
    assertThat(parse("{bsonType: 'object', properties: {'a.b': {bsonType: 'string'}}}", false))
        .isNotNull();
  }

  @Test
  void parse_encryptWithSiblingKeyword_isRefusedWith51078() {
    String text = "Invalid schema containing the 'encrypt' keyword, sibling keywords are not"
        + " allowed as such restrictions cannot work on an encrypted field.";
    assertInvalid(withA("{description: 'd', encrypt: {algorithm: '" + RND + "', keyId: " + KID + "}}"),
        false, text, "s.properties.a");
    assertInvalid(withA("{title: 't', encrypt: {algorithm: '" + RND + "', keyId: " + KID + "}}"),
        true, text, "s.properties.a");
    assertInvalid(withA("{minLength: 1, encrypt: {algorithm: '" + RND + "', keyId: " + KID + "}}"),
        true, text, "s.properties.a");
  }

  // ----------------------------------------------------------------- random on _id

  @Test
  void parse_randomOnTopLevelId_isRefusedWith51194_deterministicAllowed() {
    String text = "Invalid schema containing the 'encrypt' keyword, " + RND
        + " encryption algorithm not allowed.";
    assertInvalid("{bsonType: 'object', properties: {_id: " + RND_ANY + "}}", true, text,
        "s.properties._id.encrypt");
    assertThat(parse("{bsonType: 'object', properties: {_id: " + DET_STR + "}}", false)
        .child("_id").encrypt().algorithm()).isEqualTo(Algorithm.DETERMINISTIC);
  }

  @Test
  void parse_randomAdditionalProperties_isRefusedOnlyWhenIdIsNotAProperty() {
    String text = "Invalid schema containing the 'encrypt' keyword, " + RND
        + " encryption algorithm not allowed.";
    assertInvalid("{bsonType: 'object', additionalProperties: " + RND_ANY + "}", true, text,
        "s.additionalProperties.encrypt");
    assertInvalid("{bsonType: 'object', properties: {a: {}}, additionalProperties: " + RND_ANY + "}",
        true, text, "s.additionalProperties.encrypt");
    SchemaNode ok = parse("{bsonType: 'object', properties: {_id: {}}, additionalProperties: "
        + RND_ANY + "}", false);
    assertThat(ok.child("x").encrypt().algorithm()).isEqualTo(Algorithm.RANDOM);
  }

  @Test
  void parse_randomPatternProperties_isRefusedOnlyWhenThePatternMatchesId() {
    String text = "Invalid schema containing the 'encrypt' keyword, " + RND
        + " encryption algorithm not allowed.";
    for (String pattern : new String[] {"^_", "id", "_i", "^_id$", "."}) {
      assertInvalid("{bsonType: 'object', patternProperties: {'" + pattern + "': " + RND_ANY + "}}",
          true, text);
    }
    SchemaNode ok = parse("{bsonType: 'object', patternProperties: {'^x': " + RND_ANY + "}}", false);
    assertThat(ok.child("xy").encrypt()).isNotNull();
  }

  @Test
  void parse_randomOnNestedId_isAllowed() {
    SchemaNode node = parse("{bsonType: 'object', properties: {a: {bsonType: 'object', properties:"
        + " {_id: " + RND_ANY + "}, additionalProperties: " + RND_ANY + "}}}", false);
    assertThat(node.child("a").child("_id").encrypt().algorithm()).isEqualTo(Algorithm.RANDOM);
  }

  // ----------------------------------------------------------------- encryptMetadata

  @Test
  void parse_encryptMetadata_isInheritedFieldByField_andOverriddenByLowerLevels() {
    SchemaNode node = parse("{bsonType: 'object', encryptMetadata: {algorithm: '" + DET + "', keyId: "
        + KID + "}, properties: {"
        + "a: {encrypt: {bsonType: 'string'}},"
        + "o: {bsonType: 'object', encryptMetadata: {keyId: [UUID('" + KEY2 + "')]}, properties: {"
        + "  b: {encrypt: {bsonType: 'string'}},"
        + "  c: {encrypt: {algorithm: '" + RND + "'}},"
        + "  d: {encrypt: {bsonType: 'int', keyId: " + KID + "}}}}}}", false);
    assertThat(node.child("a").encrypt()).isEqualTo(
        new EncryptSpec(Algorithm.DETERMINISTIC, KEY, null, null, Set.of(BsonType.STRING)));
    SchemaNode o = node.child("o");
    assertThat(o.child("b").encrypt()).isEqualTo(
        new EncryptSpec(Algorithm.DETERMINISTIC, KEY2, null, null, Set.of(BsonType.STRING)));
    assertThat(o.child("c").encrypt()).isEqualTo(
        new EncryptSpec(Algorithm.RANDOM, KEY2, null, null, Set.of()));
    assertThat(o.child("d").encrypt()).isEqualTo(
        new EncryptSpec(Algorithm.DETERMINISTIC, KEY, null, null, Set.of(BsonType.INT32)));
  }

  @Test
  void parse_encryptWithoutAlgorithm_isRefusedWith51099() {
    assertInvalid(withA("{encrypt: {keyId: " + KID + "}}"), true,
        "Encrypt object combined with encryptMetadata needs to specify an algorithm");
    assertInvalid("{bsonType: 'object', encryptMetadata: {keyId: " + KID + "}, properties: {a:"
        + " {encrypt: {bsonType: 'string'}}}}", false,
        "Encrypt object combined with encryptMetadata needs to specify an algorithm");
  }

  @Test
  void parse_encryptWithoutKeyId_isRefusedWith51097() {
    assertInvalid(withA("{encrypt: {algorithm: '" + RND + "'}}"), true,
        "Encrypt object combined with encryptMetadata needs to specify a keyId");
    assertInvalid("{bsonType: 'object', encryptMetadata: {algorithm: '" + RND + "'}, properties: {a:"
        + " {encrypt: {}}}}", false,
        "Encrypt object combined with encryptMetadata needs to specify a keyId");
  }

  @Test
  void parse_bsonTypeIsNotInherited() {
    // encryptMetadata has no bsonType; a deterministic encrypt without one fails even when a
    // sibling property names a type.
    assertInvalid("{bsonType: 'object', encryptMetadata: {algorithm: '" + DET + "', keyId: " + KID
        + "}, properties: {a: {encrypt: {}}}}", false,
        "A deterministically encrypted field must have exactly one specified type.");
  }

  @Test
  void parse_encryptMetadata_isScopedToItsSubtree() {
    // Metadata pushed in a sibling subtree is not visible to another subtree.
    assertInvalid("{bsonType: 'object', properties: {o: {bsonType: 'object', encryptMetadata: {keyId: "
        + KID + "}}, a: {encrypt: {algorithm: '" + RND + "'}}}}", false,
        "Encrypt object combined with encryptMetadata needs to specify a keyId");
  }

  // ----------------------------------------------------------------- resolved-info checks

  @Test
  void parse_deterministicWithoutOrWithSeveralTypes_isRefusedWith31051() {
    String text = "A deterministically encrypted field must have exactly one specified type.";
    assertInvalid(withA("{encrypt: {algorithm: '" + DET + "', keyId: " + KID + "}}"), true, text);
    assertInvalid(withA("{encrypt: {bsonType: ['string', 'int'], algorithm: '" + DET + "', keyId: "
        + KID + "}}"), true, text);
    assertInvalid(withA("{encrypt: {bsonType: 'number', algorithm: '" + DET + "', keyId: " + KID
        + "}}"), true, text);
    assertThat(parse(withA("{encrypt: {bsonType: ['string'], algorithm: '" + DET + "', keyId: " + KID
        + "}}"), false).child("a").encrypt().bsonTypes()).containsExactly(BsonType.STRING);
  }

  @Test
  void parse_deterministicWithJsonPointerKeyId_isRefusedWith31169() {
    assertInvalid(withA("{encrypt: {bsonType: 'string', algorithm: '" + DET + "', keyId: '/k'}}"), true,
        "A deterministically encrypted field cannot have a keyId represented by a JSON pointer");
    assertThat(parse(withA("{encrypt: {algorithm: '" + RND + "', keyId: '/k'}}"), false).child("a")
        .encrypt().keyAltNamePointer()).isEqualTo("/k");
  }

  @ParameterizedTest
  @ValueSource(strings = {"minKey", "maxKey", "undefined", "null"})
  void parse_typeNoAlgorithmEncrypts_isRefusedWith31122(String type) {
    assertInvalid(withA("{encrypt: {bsonType: '" + type + "', algorithm: '" + RND + "', keyId: " + KID
        + "}}"), true, "Cannot encrypt element of type: " + type);
    assertInvalid(withA("{encrypt: {bsonType: '" + type + "', algorithm: '" + DET + "', keyId: " + KID
        + "}}"), true, "Cannot encrypt element of type: " + type);
  }

  @ParameterizedTest
  @ValueSource(strings = {"array", "object", "javascriptWithScope", "bool", "double", "decimal"})
  void parse_typeOnlyRandomEncrypts_isRefusedWith31122ForDeterministic(String type) {
    assertInvalid(withA("{encrypt: {bsonType: '" + type + "', algorithm: '" + DET + "', keyId: " + KID
        + "}}"), true, "Cannot encrypt element of type: " + type);
    assertThat(parse(withA("{encrypt: {bsonType: '" + type + "', algorithm: '" + RND + "', keyId: "
        + KID + "}}"), false).child("a").encrypt()).isNotNull();
  }

  @ParameterizedTest
  @ValueSource(strings = {"string", "int", "long", "date", "objectId", "binData", "timestamp",
      "regex", "dbPointer", "javascript", "symbol"})
  void parse_typeDeterministicEncrypts_isAccepted(String type) {
    assertThat(parse(withA("{encrypt: {bsonType: '" + type + "', algorithm: '" + DET + "', keyId: "
        + KID + "}}"), false).child("a").encrypt().isDeterministic()).isTrue();
  }

  @Test
  void parse_randomWithForbiddenTypeAmongSeveral_isRefused() {
    assertInvalid(withA("{encrypt: {bsonType: ['string', 'null'], algorithm: '" + RND + "', keyId: "
        + KID + "}}"), true, "Cannot encrypt element of type: null");
  }

  // ----------------------------------------------------------------- keyId forms

  @Test
  void parse_keyIdUuidArray_usesTheFirstUuid() {
    SchemaNode node = parse(withA("{encrypt: {algorithm: '" + RND + "', keyId: [UUID('" + KEY2
        + "'), UUID('" + KEY + "')]}}"), false);
    assertThat(node.child("a").encrypt().keyId()).isEqualTo(KEY2);
  }

  @Test
  void parse_keyIdArrayWithNonUuid_isRefusedWith51084() {
    assertInvalid(withA("{encrypt: {algorithm: '" + RND + "', keyId: [{$binary: {base64: 'AAAAAAAAAAAAAAAAAAAAAA==',"
        + " subType: '00'}}]}}"), true, "Array elements must have type UUID, found");
    assertInvalid(withA("{encrypt: {algorithm: '" + RND + "', keyId: ['x']}}"), true,
        "Array elements must have type UUID, found");
    assertInvalid(withA("{encrypt: {algorithm: '" + RND + "', keyId: [UUID('" + KEY + "'), 1]}}"), true,
        "Array elements must have type UUID, found");
  }

  @Test
  void parse_keyIdOfOtherType_isRefusedWith51085() {
    assertInvalid(withA("{encrypt: {algorithm: '" + RND + "', keyId: 5}}"), true,
        "Expected either string or array of UUID for EncryptSchemaKeyId, found");
    assertInvalid("{bsonType: 'object', encryptMetadata: {keyId: {a: 1}}}", true,
        "Expected either string or array of UUID for EncryptSchemaKeyId, found");
  }

  // ----------------------------------------------------------------- patternProperties regex

  @Test
  void parse_invalidPatternPropertiesRegex_isRefusedWith51141() {
    assertInvalid("{bsonType: 'object', patternProperties: {'(': {}}}", true,
        "Invalid regular expression in 'patternProperties': (");
  }

  @Test
  void parse_conflictingPropertiesAndPatterns_isNotAnErrorAtParseTime() {
    SchemaNode node = parse("{bsonType: 'object', properties: {a: " + RND_ANY + "},"
        + " patternProperties: {'^a': {bsonType: 'string'}}}", false);
    assertThat(node.child("a").isConflict()).isTrue();
  }

  @Test
  void parse_errorsNameTheSchemaPath() {
    assertThatThrownBy(() -> SchemaParser.parse(BsonDocument.parse("{bsonType: 'object', properties:"
        + " {o: {bsonType: 'object', properties: {p: {encrypt: {algorithm: '" + DET + "', keyId: " + KID
        + "}}}}}}"), false, "schemaMap['db.c']"))
        .isInstanceOf(ConfigurationException.class)
        .satisfies(e -> assertThat(((ConfigurationException) e).field())
            .startsWith("schemaMap['db.c'].properties.o.properties.p"))
        .hasMessageStartingWith("schemaMap['db.c'].properties.o.properties.p");
  }
}
