package io.fle4j.internal.auto.schema;

import static io.fle4j.internal.auto.schema.SchemaParserTest.DET;
import static io.fle4j.internal.auto.schema.SchemaParserTest.KID;
import static io.fle4j.internal.auto.schema.SchemaParserTest.KEY2;
import static io.fle4j.internal.auto.schema.SchemaParserTest.RND;
import static org.assertj.core.api.Assertions.assertThat;

import io.fle4j.internal.auto.schema.CollectionSchema.Kind;
import org.bson.BsonDocument;
import org.junit.jupiter.api.Test;

/** Section 1d: path lookup. */
class CollectionSchemaTest {
  private static final String DET_STR = "{encrypt: {bsonType: 'string', algorithm: '" + DET + "', keyId: " + KID + "}}";
  private static final String DET_STR2 = "{encrypt: {bsonType: 'string', algorithm: '" + DET
      + "', keyId: [UUID('" + KEY2 + "')]}}";
  private static final String DET_INT = "{encrypt: {bsonType: 'int', algorithm: '" + DET + "', keyId: " + KID + "}}";
  private static final String RND_ANY = "{encrypt: {algorithm: '" + RND + "', keyId: " + KID + "}}";

  private static CollectionSchema schema(String json) {
    return new CollectionSchema("db.c", SchemaParser.parse(BsonDocument.parse(json), false, "s"));
  }

  @Test
  void resolve_propertyAndMatchingPatternThatAgree_isEncrypted() {
    CollectionSchema s = schema("{bsonType: 'object', properties: {secret_a: " + DET_STR + "},"
        + " patternProperties: {'^secret_': " + DET_STR + ", 'a$': " + DET_STR + "}}");
    assertThat(s.resolve("secret_a").kind()).isEqualTo(Kind.ENCRYPTED);
    assertThat(s.resolve("secret_b").kind()).isEqualTo(Kind.ENCRYPTED);
    assertThat(s.resolve("xa").kind()).isEqualTo(Kind.ENCRYPTED);
  }

  @Test
  void resolve_propertyAndMatchingPatternBothUnencrypted_isPlain() {
    CollectionSchema s = schema("{bsonType: 'object', properties: {a: {bsonType: 'string'}, e: " + DET_STR + "},"
        + " patternProperties: {'^a': {bsonType: 'string'}}}");
    assertThat(s.resolve("a").kind()).isEqualTo(Kind.PLAIN);
  }

  @Test
  void resolve_propertyAndMatchingPatternThatConflict_isAConflict() {
    // encrypted vs unencrypted
    CollectionSchema s = schema("{bsonType: 'object', properties: {a: " + DET_STR + "},"
        + " patternProperties: {'^a': {bsonType: 'string'}}}");
    assertThat(s.resolve("a").kind()).isEqualTo(Kind.CONFLICT);
    assertThat(s.resolve("ab").kind()).isEqualTo(Kind.PLAIN);
    // different keys
    s = schema("{bsonType: 'object', properties: {a: " + DET_STR + "}, patternProperties: {'a': " + DET_STR2 + "}}");
    assertThat(s.resolve("a").kind()).isEqualTo(Kind.CONFLICT);
    // different types
    s = schema("{bsonType: 'object', patternProperties: {'^a': " + DET_STR + ", 'b$': " + DET_INT + "}}");
    assertThat(s.resolve("ab").kind()).isEqualTo(Kind.CONFLICT);
    assertThat(s.resolve("a").kind()).isEqualTo(Kind.ENCRYPTED);
    // different algorithms
    s = schema("{bsonType: 'object', patternProperties: {'^a': " + RND_ANY + ", 'b$': "
        + "{encrypt: {algorithm: '" + RND + "', keyId: [UUID('" + KEY2 + "')]}}}}");
    assertThat(s.resolve("ab").kind()).isEqualTo(Kind.CONFLICT);
  }

  @Test
  void resolve_conflictBelowTheFirstComponent_isFound() {
    CollectionSchema s = schema("{bsonType: 'object', properties: {o: {bsonType: 'object', properties: {x: "
        + DET_STR + "}}}, patternProperties: {'^o': {bsonType: 'object', properties: {x: {bsonType: 'string'}}}}}");
    assertThat(s.resolve("o").kind()).isEqualTo(Kind.ANCESTOR);
    assertThat(s.resolve("o.x").kind()).isEqualTo(Kind.CONFLICT);
    assertThat(s.resolve("o.y").kind()).isEqualTo(Kind.PLAIN);
  }

  @Test
  void resolve_additionalProperties_appliesOnlyWhenNoPropertyOrPatternMatched() {
    CollectionSchema s = schema("{bsonType: 'object', properties: {_id: {}, a: {bsonType: 'string'}},"
        + " patternProperties: {'^p': {bsonType: 'string'}}, additionalProperties: " + RND_ANY + "}");
    assertThat(s.resolve("a").kind()).isEqualTo(Kind.PLAIN);
    assertThat(s.resolve("pz").kind()).isEqualTo(Kind.PLAIN);
    assertThat(s.resolve("z").kind()).isEqualTo(Kind.ENCRYPTED);
    assertThat(s.resolve("z.y").kind()).isEqualTo(Kind.INSIDE_ENCRYPTED);
  }

  @Test
  void resolve_patternsMatchUnanchored() {
    CollectionSchema s = schema("{bsonType: 'object', patternProperties: {'ret': " + DET_STR + "}}");
    assertThat(s.resolve("secret").kind()).isEqualTo(Kind.ENCRYPTED);
    assertThat(s.resolve("retro").kind()).isEqualTo(Kind.ENCRYPTED);
    assertThat(s.resolve("re").kind()).isEqualTo(Kind.PLAIN);
  }

  @Test
  void resolve_pathThroughAnEncryptedField_isInsideEncrypted_namingTheEncryptedPrefix() {
    CollectionSchema s = schema("{bsonType: 'object', properties: {o: {bsonType: 'object', properties: {e: "
        + DET_STR + "}}}}");
    CollectionSchema.Resolution r = s.resolve("o.e.x.y");
    assertThat(r.kind()).isEqualTo(Kind.INSIDE_ENCRYPTED);
    assertThat(r.encryptedField()).isEqualTo("o.e");
    assertThat(s.resolve("o.e").kind()).isEqualTo(Kind.ENCRYPTED);
    assertThat(s.resolve("o").kind()).isEqualTo(Kind.ANCESTOR);
    assertThat(s.resolve("o.f.g").kind()).isEqualTo(Kind.PLAIN);
    assertThat(s.resolve("p.e").kind()).isEqualTo(Kind.PLAIN);
  }

  @Test
  void resolve_numericComponents_areFieldNames() {
    CollectionSchema s = schema("{bsonType: 'object', properties: {'0': " + DET_STR + ", a: {bsonType: 'object',"
        + " properties: {'1': " + DET_STR + "}}, e: " + DET_STR + "}}");
    assertThat(s.resolve("0").kind()).isEqualTo(Kind.ENCRYPTED);
    assertThat(s.resolve("a.1").kind()).isEqualTo(Kind.ENCRYPTED);
    assertThat(s.resolve("a.0").kind()).as("never an array index").isEqualTo(Kind.PLAIN);
    assertThat(s.resolve("e.0").kind()).isEqualTo(Kind.INSIDE_ENCRYPTED);
    CollectionSchema p = schema("{bsonType: 'object', patternProperties: {'^[0-9]+$': " + DET_STR + "}}");
    assertThat(p.resolve("12").kind()).isEqualTo(Kind.ENCRYPTED);
  }

  @Test
  void resolve_unmentionedPath_isPlain_andAnObjectWithEncryptedFieldsIsAnAncestor() {
    CollectionSchema s = schema("{bsonType: 'object', properties: {o: {bsonType: 'object', patternProperties: {'x': "
        + DET_STR + "}}}}");
    assertThat(s.resolve("q").kind()).isEqualTo(Kind.PLAIN);
    assertThat(s.resolve("o").kind()).isEqualTo(Kind.ANCESTOR);
    assertThat(s.resolve("o.ax").kind()).isEqualTo(Kind.ENCRYPTED);
  }
}
