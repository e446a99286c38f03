package io.fle4j.internal.auto.analysis;

import io.fle4j.internal.auto.schema.CollectionSchema;
import io.fle4j.internal.auto.schema.EncryptSpec;
import io.fle4j.internal.auto.schema.SchemaParser;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fle4j.ConfigurationException;
import io.fle4j.EncryptedFieldOperationException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.bson.BsonBinary;
import org.bson.BsonDocument;
import org.bson.BsonValue;
import org.junit.jupiter.api.Test;

class CommandRewriterTest {
  private static final String DET = "AEAD_AES_256_CBC_HMAC_SHA_512-Deterministic";
  private static final String RND = "AEAD_AES_256_CBC_HMAC_SHA_512-Random";
  private static final UUID KEY = UUID.fromString("2ce0802c-0000-0000-0000-000000000000");

  /** Marks what it "encrypts" so the tests can see where encryption happened. */
  private static final FieldCrypto FAKE = (value, spec, altName) -> new BsonBinary((byte) 6,
      ((spec.isDeterministic() ? "D:" : "R:") + (altName == null ? "" : altName + ":")
          + new BsonDocument("v", value).toJson()).getBytes(StandardCharsets.UTF_8));

  private static final BsonDocument SCHEMA = BsonDocument.parse("""
      {bsonType: 'object', encryptMetadata: {keyId: [UUID('%s')]},
       properties: {
         ssn: {encrypt: {bsonType: 'string', algorithm: '%s'}},
         notes: {encrypt: {algorithm: '%s', keyId: '/keyName'}},
         address: {properties: {zip: {encrypt: {bsonType: 'string', algorithm: '%s'}}}}},
       patternProperties: {'^secret_': {encrypt: {bsonType: 'int', algorithm: '%s'}}}}
      """.formatted(KEY, DET, RND, DET, DET));

  private final CommandRewriter rewriter = rewriter(SCHEMA);

  private static CommandRewriter rewriter(BsonDocument schema) {
    Map<String, CollectionSchema> others = Map.of("other", new CollectionSchema("db.other",
        SchemaParser.parse(BsonDocument.parse("{properties: {card: {encrypt: {bsonType: 'string',"
            + " algorithm: '" + DET + "', keyId: [UUID('" + KEY + "')]}}}}"), "other")));
    return new CommandRewriter(new CollectionSchema("db.coll", SchemaParser.parse(schema, "schema")),
        FAKE, name -> others.getOrDefault(name, CollectionSchema.none("db." + name)));
  }

  private static BsonValue enc(String json) {
    BsonValue value = BsonDocument.parse("{v: " + json + "}").get("v");
    return FAKE.encrypt(value, new EncryptSpec(io.fle4j.Algorithm.DETERMINISTIC, KEY, null, null, java.util.Set.of()), null);
  }

  private static BsonDocument doc(String json) {
    return BsonDocument.parse(json);
  }

  @Test
  void encryptDocument_marksFieldsAtEveryLevel_andPatternProperties() {
    BsonDocument out = rewriter.encryptDocument(doc(
        "{_id: 1, ssn: 'a', keyName: 'k1', notes: 'n', address: {zip: 'z', city: 'c'}, secret_pin: 7, plan: 'p'}"));
    assertThat(out.get("ssn")).isEqualTo(enc("'a'"));
    assertThat(out.get("address").asDocument().get("zip")).isEqualTo(enc("'z'"));
    assertThat(out.get("address").asDocument().getString("city").getValue()).isEqualTo("c");
    assertThat(out.get("secret_pin")).isEqualTo(enc("7"));
    assertThat(new String(out.getBinary("notes").getData(), StandardCharsets.UTF_8)).startsWith("R:k1:");
    assertThat(out.getString("plan").getValue()).isEqualTo("p");
  }

  @Test
  void rewriteFilter_equalityForms_areEncrypted_everywhere() {
    assertThat(rewriter.rewriteFilter(doc("{ssn: 'a'}"))).isEqualTo(new BsonDocument("ssn", enc("'a'")));
    assertThat(rewriter.rewriteFilter(doc("{ssn: {$eq: 'a'}, plan: 'x'}")))
        .isEqualTo(new BsonDocument("ssn", new BsonDocument("$eq", enc("'a'"))).append("plan", new org.bson.BsonString("x")));
    assertThat(rewriter.rewriteFilter(doc("{ssn: {$in: ['a', 'b']}}")).getDocument("ssn").getArray("$in"))
        .containsExactly(enc("'a'"), enc("'b'"));
    assertThat(rewriter.rewriteFilter(doc("{$or: [{ssn: 'a'}, {$nor: [{'address.zip': {$ne: 'z'}}]}]}")))
        .isEqualTo(new BsonDocument("$or", new org.bson.BsonArray(List.of(
            new BsonDocument("ssn", enc("'a'")),
            new BsonDocument("$nor", new org.bson.BsonArray(List.of(
                new BsonDocument("address.zip", new BsonDocument("$ne", enc("'z'"))))))))));
    assertThat(rewriter.rewriteFilter(doc("{ssn: {$not: {$in: ['a']}}}")).getDocument("ssn")
        .getDocument("$not").getArray("$in")).containsExactly(enc("'a'"));
    assertThat(rewriter.rewriteFilter(doc("{address: {$elemMatch: {zip: 'z'}}}")))
        .isEqualTo(new BsonDocument("address", new BsonDocument("$elemMatch", new BsonDocument("zip", enc("'z'")))));
    assertThat(rewriter.rewriteFilter(doc("{notes: {$exists: true}, address: {$exists: false}}")))
        .isEqualTo(doc("{notes: {$exists: true}, address: {$exists: false}}"));
    BsonDocument plain = doc("{plan: {$gt: 1}, 'address.city': /x/}");
    assertThat(rewriter.rewriteFilter(plain)).isEqualTo(plain);
  }

  @Test
  void rewriteFilter_unsafePredicates_areRefusedNamingFieldAndReason() {
    assertRefused(() -> rewriter.rewriteFilter(doc("{ssn: {$gte: 'a'}}")), "ssn", "range query");
    assertRefused(() -> rewriter.rewriteFilter(doc("{ssn: /a/}")), "ssn", "regular expression");
    assertRefused(() -> rewriter.rewriteFilter(doc("{ssn: {$in: [/a/]}}")), "ssn", "regular expression");
    assertRefused(() -> rewriter.rewriteFilter(doc("{notes: 'x'}")), "notes", "random algorithm");
    assertRefused(() -> rewriter.rewriteFilter(doc("{ssn: null}")), "ssn", "null");
    assertRefused(() -> rewriter.rewriteFilter(doc("{ssn: 5}")), "ssn", "bsonType");
    assertRefused(() -> rewriter.rewriteFilter(doc("{'ssn.x': 'a'}")), "ssn.x", "inside the encrypted field");
    assertRefused(() -> rewriter.rewriteFilter(doc("{address: {zip: 'z'}}")), "address", "as a whole");
    assertRefused(() -> rewriter.rewriteFilter(doc("{ssn: {$size: 1}}")), "ssn", "$size");
    assertRefused(() -> rewriter.rewriteFilter(doc("{$expr: {$eq: ['$ssn', 'a']}}")), "ssn", "$expr");
    assertRefused(() -> rewriter.rewriteFilter(doc("{$where: 'true'}")), null, "$where");
  }

  @Test
  void rewriteUpdate_encryptsSetAndRefusesUnsafeOperators() {
    assertThat(rewriter.rewriteUpdate(doc("{$set: {ssn: 'a', 'address.zip': 'z', plan: 1}, $unset: {notes: ''}}")))
        .isEqualTo(new BsonDocument("$set", new BsonDocument("ssn", enc("'a'"))
            .append("address.zip", enc("'z'")).append("plan", new org.bson.BsonInt32(1)))
            .append("$unset", doc("{notes: ''}")));
    assertThat(rewriter.rewriteUpdate(doc("{$setOnInsert: {address: {zip: 'z'}}}")).getDocument("$setOnInsert")
        .getDocument("address").get("zip")).isEqualTo(enc("'z'"));
    assertThat(rewriter.rewriteUpdate(doc("{ssn: 'a', keyName: 'k', notes: 'n'}")).get("ssn"))
        .as("a replacement document").isEqualTo(enc("'a'"));
    assertRefused(() -> rewriter.rewriteUpdate(doc("{$inc: {secret_pin: 1}}")), "secret_pin", "$inc");
    assertRefused(() -> rewriter.rewriteUpdate(doc("{$push: {'address.zip': 1}}")), "address.zip", "$push");
    assertRefused(() -> rewriter.rewriteUpdate(doc("{$rename: {plan: 'ssn'}}")), "ssn", "$rename");
    assertRefused(() -> rewriter.rewriteUpdate(doc("{$set: {'ssn.a': 1}}")), "ssn.a", "inside");
    assertRefused(() -> rewriter.rewriteUpdate(doc("{$set: {'address.$.zip': 'z'}}")), "address.$.zip", "array");
    assertRefused(() -> rewriter.rewriteUpdate(doc("{$set: {notes: 'n'}}")), "notes", "pointer");
    assertRefused(() -> rewriter.encryptDocument(doc("{notes: 'n'}")), "notes", "pointer");
    assertRefused(() -> rewriter.encryptDocument(doc("{address: [{zip: 'z'}]}")), "address", "arrays");
    assertRefused(() -> rewriter.encryptDocument(doc("{ssn: {$binary: {base64: 'AQ==', subType: '06'}}}")), "ssn", "already");
  }

  @Test
  void rewriteUpdatePipeline_mayNotTouchEncryptedFields() {
    List<BsonDocument> fine = List.of(doc("{$set: {plan: {$concat: ['$plan', 'x']}}}"), doc("{$unset: 'ssn'}"));
    assertThat(rewriter.rewriteUpdatePipeline(fine)).isEqualTo(fine);
    assertRefused(() -> rewriter.rewriteUpdatePipeline(List.of(doc("{$set: {ssn: 'x'}}"))), "ssn", "pipeline update");
    assertRefused(() -> rewriter.rewriteUpdatePipeline(List.of(doc("{$set: {copy: '$address.zip'}}"))), "address.zip", "$set");
    assertRefused(() -> rewriter.rewriteUpdatePipeline(List.of(doc("{$replaceWith: {}}"))), null, "$replaceWith");
  }

  @Test
  void rewritePipeline_rewritesMatch_checksStages_andFollowsLookup() {
    List<BsonDocument> out = rewriter.rewritePipeline(List.of(doc("{$match: {ssn: 'a'}}"),
        doc("{$sort: {plan: 1}}"), doc("{$project: {ssn: 1, plan: 1}}"), doc("{$limit: 3}"),
        doc("{$group: {_id: '$plan', n: {$sum: 1}}}"),
        doc("{$lookup: {from: 'other', localField: 'plan', foreignField: 'plan', as: 'o',"
            + " pipeline: [{$match: {card: 'c'}}]}}"),
        doc("{$facet: {a: [{$match: {ssn: 'b'}}]}}")));
    assertThat(out.get(0)).isEqualTo(new BsonDocument("$match", new BsonDocument("ssn", enc("'a'"))));
    assertThat(out.get(5).getDocument("$lookup").getArray("pipeline").get(0))
        .isEqualTo(new BsonDocument("$match", new BsonDocument("card", enc("'c'"))));
    assertThat(out.get(6).getDocument("$facet").getArray("a").get(0))
        .isEqualTo(new BsonDocument("$match", new BsonDocument("ssn", enc("'b'"))));

    assertRefused(() -> rewriter.rewritePipeline(List.of(doc("{$sort: {ssn: 1}}"))), "ssn", "sort");
    assertRefused(() -> rewriter.rewritePipeline(List.of(doc("{$group: {_id: '$ssn'}}"))), "ssn", "group");
    assertRefused(() -> rewriter.rewritePipeline(List.of(doc("{$project: {x: {$toUpper: '$ssn'}}}"))), "ssn", "compute");
    assertRefused(() -> rewriter.rewritePipeline(List.of(doc("{$lookup: {from: 'other', localField: 'ssn',"
        + " foreignField: 'card', as: 'o'}}"))), "ssn", "localField");
    assertRefused(() -> rewriter.rewritePipeline(List.of(doc("{$graphLookup: {}}"))), null, "$graphLookup");
  }

  @Test
  void noEncryptedFields_passesEverythingThroughAsTheSameObject() {
    CommandRewriter none = new CommandRewriter(CollectionSchema.none("db.c"), FAKE,
        n -> CollectionSchema.none(n));
    BsonDocument filter = doc("{ssn: {$gt: 1}, $where: 'x'}");
    assertThat(none.rewriteFilter(filter)).isSameAs(filter);
    List<BsonDocument> pipeline = List.of(doc("{$graphLookup: {}}"));
    assertThat(none.rewritePipeline(pipeline)).isEqualTo(pipeline);
  }

  @Test
  void schemaParser_enforcesTheCsfleRules_namingThePath() {
    String key = "[UUID('" + KEY + "')]";
    assertSchemaError("{properties: {a: {encrypt: {algorithm: '" + DET + "', keyId: " + key + "}}}}",
        "properties.a.encrypt.bsonType", "exactly one bsonType");
    assertSchemaError("{properties: {a: {encrypt: {bsonType: 'bool', algorithm: '" + DET + "', keyId: " + key + "}}}}",
        "properties.a.encrypt.bsonType", "deterministically");
    assertSchemaError("{properties: {a: {encrypt: {bsonType: 'string', algorithm: '" + DET + "', keyId: '/k'}}}}",
        "properties.a.encrypt.keyId", "only with the random algorithm");
    assertSchemaError("{properties: {a: {encrypt: {bsonType: 'string', algorithm: 'AES'}}}}",
        "properties.a.encrypt.algorithm", "must be");
    assertSchemaError("{properties: {a: {encrypt: {bsonType: 'string', algorithm: '" + RND + "'}}}}",
        "properties.a.encrypt.keyId", "required");
    assertSchemaError("{properties: {a: {encrypt: {bsonType: 'null', algorithm: '" + RND + "', keyId: " + key + "}}}}",
        "properties.a.encrypt.bsonType", "never be encrypted");
    assertSchemaError("{properties: {a: {encrypt: {bsonType: 'strin', algorithm: '" + RND + "', keyId: " + key + "}}}}",
        "properties.a.encrypt.bsonType", "unknown BSON type");
    assertSchemaError("{properties: {a: {items: {encrypt: {}}}}}", "properties.a.items", "array elements");
    assertSchemaError("{patternProperties: {'[': {}}}", "patternProperties['[']", "regular expression");
    assertSchemaError("{properties: {a: {encrypt: {algorithm: '" + RND + "', keyId: " + key + "}, properties: {}}}}",
        "properties.a", "cannot be combined");
  }

  private static void assertSchemaError(String schema, String path, String rule) {
    assertThatThrownBy(() -> SchemaParser.parse(BsonDocument.parse(schema), "schema"))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("schema." + path)
        .hasMessageContaining(rule);
  }

  private static void assertRefused(org.assertj.core.api.ThrowableAssert.ThrowingCallable call,
      String field, String reason) {
    assertThatThrownBy(call)
        .isInstanceOf(EncryptedFieldOperationException.class)
        .hasMessageContaining(reason)
        .satisfies(e -> assertThat(((EncryptedFieldOperationException) e).field()).isEqualTo(field));
  }
}
