package io.fle4j.internal.auto.analysis;

import io.fle4j.internal.auto.schema.CollectionSchema;
import io.fle4j.internal.auto.schema.EncryptSpec;
import io.fle4j.internal.auto.schema.SchemaParser;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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
         taxId: {encrypt: {bsonType: 'string', algorithm: '%s'}},
         notes: {encrypt: {algorithm: '%s', keyId: '/keyName'}},
         address: {bsonType: 'object', properties: {zip: {encrypt: {bsonType: 'string', algorithm: '%s'}}}}},
       patternProperties: {'^secret_': {encrypt: {bsonType: 'int', algorithm: '%s'}}}}
      """.formatted(KEY, DET, DET, RND, DET, DET));

  private final CommandRewriter rewriter = rewriter(SCHEMA);

  private static CommandRewriter rewriter(BsonDocument schema) {
    Map<String, CollectionSchema> others = Map.of("db.other", new CollectionSchema("db.other",
        SchemaParser.parse(BsonDocument.parse("{bsonType: 'object', properties: {card: {encrypt:"
            + " {bsonType: 'string', algorithm: '" + DET + "', keyId: [UUID('" + KEY + "')]}}}}"),
            false, "other")));
    return new CommandRewriter(new CollectionSchema("db.coll", SchemaParser.parse(schema, false, "schema")),
        FAKE, ns -> others.getOrDefault(ns.getFullName(), CollectionSchema.none(ns.getFullName())));
  }

  private static BsonValue enc(String json) {
    BsonValue value = BsonDocument.parse("{v: " + json + "}").get("v");
    return FAKE.encrypt(value, new EncryptSpec(io.fle4j.Algorithm.DETERMINISTIC, KEY, null, null, java.util.Set.of()), null);
  }

  private static BsonDocument eq(String json) {
    return new BsonDocument("$eq", enc(json));
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
    BsonDocument untouched = doc("{_id: 2, plan: 'p', address: {city: 'c'}}");
    assertThat(rewriter.encryptDocument(untouched)).isSameAs(untouched);
  }

  @Test
  void rewriteFilter_equalityForms_areEncrypted_inMongocryptdsForm() {
    assertThat(rewriter.rewriteFilter(doc("{ssn: 'a'}"))).isEqualTo(new BsonDocument("ssn", eq("'a'")));
    assertThat(rewriter.rewriteFilter(doc("{ssn: {$eq: 'a'}, plan: 'x'}")))
        .isEqualTo(new BsonDocument("ssn", eq("'a'")).append("plan", new org.bson.BsonString("x")));
    assertThat(rewriter.rewriteFilter(doc("{ssn: {$in: ['a', 'b']}}")).getDocument("ssn").getArray("$in"))
        .containsExactly(enc("'a'"), enc("'b'"));
    assertThat(rewriter.rewriteFilter(doc("{$or: [{ssn: 'a'}, {$nor: [{'address.zip': {$ne: 'z'}}]}]}")))
        .isEqualTo(new BsonDocument("$or", new org.bson.BsonArray(List.of(
            new BsonDocument("ssn", eq("'a'")),
            new BsonDocument("$nor", new org.bson.BsonArray(List.of(
                new BsonDocument("address.zip", new BsonDocument("$ne", enc("'z'"))))))))));
    assertThat(rewriter.rewriteFilter(doc("{ssn: {$not: {$in: ['a']}}}")).getDocument("ssn")
        .getDocument("$not").getArray("$in")).containsExactly(enc("'a'"));
    assertThat(rewriter.rewriteFilter(doc("{address: {zip: 'z', city: 'c'}}")))
        .as("an object compared whole has its encrypted fields encrypted")
        .isEqualTo(doc("{address: {city: 'c'}}").append("address",
            new BsonDocument("zip", enc("'z'")).append("city", new org.bson.BsonString("c"))));
    assertThat(rewriter.rewriteFilter(doc("{notes: {$exists: true}, 'ssn.x': {$exists: false}}")))
        .isEqualTo(doc("{notes: {$exists: true}, 'ssn.x': {$exists: false}}"));
    assertThat(rewriter.rewriteFilter(doc("{$expr: {$eq: ['$ssn', 'a']}}")))
        .isEqualTo(new BsonDocument("$expr", new BsonDocument("$eq", new org.bson.BsonArray(List.of(
            new org.bson.BsonString("$ssn"), enc("'a'"))))));
    BsonDocument plain = doc("{plan: {$gt: 1}, 'address.city': /x/}");
    assertThat(rewriter.rewriteFilter(plain)).isSameAs(plain);
  }

  @Test
  void rewriteFilter_unsafePredicates_areRefusedWithMongocryptdsText() {
    assertRefused(() -> rewriter.rewriteFilter(doc("{ssn: {$gte: 'a'}}")), "ssn",
        "Invalid match expression operator on encrypted field 'ssn'");
    assertRefused(() -> rewriter.rewriteFilter(doc("{ssn: /a/}")), "ssn", "regular expression");
    assertRefused(() -> rewriter.rewriteFilter(doc("{ssn: {$in: [/a/]}}")), "ssn",
        "Illegal regex inside $in against an encrypted field: 'ssn'");
    assertRefused(() -> rewriter.rewriteFilter(doc("{notes: 'x'}")), "notes",
        "Cannot query on fields encrypted with the randomized encryption algorithm");
    assertRefused(() -> rewriter.rewriteFilter(doc("{ssn: null}")), "ssn",
        "Illegal equality to null predicate for encrypted field: 'ssn'");
    assertRefused(() -> rewriter.rewriteFilter(doc("{ssn: 5}")), "ssn",
        "Cannot encrypt element of type int because schema requires that type is one of: [ string ]");
    assertRefused(() -> rewriter.rewriteFilter(doc("{ssn: 1.5}")), "ssn",
        "Cannot encrypt element of type: double");
    assertRefused(() -> rewriter.rewriteFilter(doc("{'ssn.x': 'a'}")), "ssn.x",
        "Invalid operation on path 'ssn.x' which contains an encrypted path prefix.");
    assertRefused(() -> rewriter.rewriteFilter(doc("{address: ['z']}")), "address",
        "$eq to array predicate is illegal for prefix of encrypted path");
    assertRefused(() -> rewriter.rewriteFilter(doc("{ssn: {$size: 1}}")), "ssn", "$size");
    assertRefused(() -> rewriter.rewriteFilter(doc("{ssn: {$elemMatch: {a: 1}}}")), "ssn",
        "$elemMatch is unsupported on encrypted fields");
    assertRefused(() -> rewriter.rewriteFilter(doc("{$expr: {$gt: ['$ssn', 'a']}}")), "ssn",
        "Encrypted field 'ssn' is not allowed to be evaluated by a greater than comparison ($gt)");
    assertRefused(() -> rewriter.rewriteFilter(doc("{$expr: {$eq: ['$ssn', '$plan']}}")), "ssn",
        "Comparison disallowed between encrypted fields and unencrypted fields");
    assertRefused(() -> rewriter.rewriteFilter(doc("{$expr: {$eq: ['$ssn', '$$v']}}")), "ssn",
        "forbidden from being compared to encrypted fields");
    assertRefused(() -> rewriter.rewriteFilter(doc("{$expr: {$eq: [{$getField: 'ssn'}, 'a']}}")), null,
        "Access to variable CURRENT disallowed");
    assertRefused(() -> rewriter.rewriteFilter(doc("{$expr: {$eq: ['$$ROOT.ssn', 'a']}}")), null,
        "Access to variable ROOT disallowed");
    assertRefused(() -> rewriter.rewriteFilter(doc("{$where: 'true'}")), null,
        "Unsupported match expression operator for encryption: $where");
    assertRefused(() -> rewriter.rewriteFilter(doc("{$text: {$search: 'x'}}")), null,
        "Unsupported match expression operator for encryption: $text");
  }

  @Test
  void rewriteUpdate_encryptsSetAndRefusesUnsafeOperators() {
    assertThat(rewriter.rewriteUpdate(doc("{$set: {ssn: 'a', 'address.zip': 'z', plan: 1}, $unset: {notes: ''}}"), false))
        .isEqualTo(new BsonDocument("$set", new BsonDocument("ssn", enc("'a'"))
            .append("address.zip", enc("'z'")).append("plan", new org.bson.BsonInt32(1)))
            .append("$unset", doc("{notes: ''}")));
    assertThat(rewriter.rewriteUpdate(doc("{$setOnInsert: {address: {zip: 'z'}}}"), false).getDocument("$setOnInsert")
        .getDocument("address").get("zip")).isEqualTo(enc("'z'"));
    assertThat(rewriter.rewriteUpdate(doc("{ssn: 'a', plan: 'p'}"), false).get("ssn"))
        .as("a replacement document").isEqualTo(enc("'a'"));
    assertThat(rewriter.rewriteUpdate(doc("{$rename: {ssn: 'taxId', plan: 'tier'}}"), false))
        .as("a rename between fields with identical metadata").isEqualTo(doc("{$rename: {ssn: 'taxId', plan: 'tier'}}"));
    assertRefused(() -> rewriter.rewriteUpdate(doc("{$inc: {secret_pin: 1}}"), false), "secret_pin",
        "$inc and $mul not allowed on encrypted values");
    assertRefused(() -> rewriter.rewriteUpdate(doc("{$push: {'address.zip': 1}}"), false), "address.zip",
        "$push not allowed on encrypted values");
    assertRefused(() -> rewriter.rewriteUpdate(doc("{$rename: {plan: 'ssn'}}"), false), "plan",
        "$rename between two encrypted fields must have the same metadata or both be unencrypted");
    assertRefused(() -> rewriter.rewriteUpdate(doc("{$rename: {ssn: 'notes'}}"), false), "ssn",
        "$rename between two encrypted fields must have the same metadata");
    assertRefused(() -> rewriter.rewriteUpdate(doc("{$rename: {address: 'home'}}"), false), "address",
        "$rename is not allowed on an object containing encrypted fields");
    assertRefused(() -> rewriter.rewriteUpdate(doc("{$set: {'ssn.a': 1}}"), false), "ssn.a",
        "which contains an encrypted path prefix");
    assertRefused(() -> rewriter.rewriteUpdate(doc("{$set: {'address.$.zip': 'z'}}"), false), "address.$.zip",
        "Cannot encrypt fields below '$' positional update operator");
    assertRefused(() -> rewriter.rewriteUpdate(doc("{$set: {address: 'x'}}"), false), "address",
        "Cannot $set to a path address that is an encrypted prefix to a non-object type");
    assertRefused(() -> rewriter.rewriteUpdate(doc("{$set: {notes: 'n'}}"), false), "notes",
        "A non-static (JSONPointer) keyId is not supported.");
    assertRefused(() -> rewriter.encryptDocument(doc("{notes: 'n'}")), "notes",
        "keyId pointer '/keyName' must point to a field that exists");
    assertRefused(() -> rewriter.encryptDocument(doc("{notes: 'n', keyName: 3}")), "notes",
        "keyId pointer '/keyName' must point to a string");
    assertRefused(() -> rewriter.encryptDocument(doc("{address: [{zip: 'z'}]}")), "address",
        "An array at path 'address' would violate the schema");
    assertRefused(() -> rewriter.encryptDocument(doc("{ssn: {$binary: {base64: 'AQ==', subType: '06'}}}")), "ssn",
        "Cannot encrypt element of type: encrypted binary data");
    assertRefused(() -> rewriter.encryptDocument(doc("{ssn: null}")), "ssn", "Cannot encrypt element of type: null");
  }

  @Test
  void rewriteUpdatePipeline_mayNotChangeTheSchema() {
    List<BsonDocument> fine = List.of(doc("{$set: {ssn: '$taxId'}}"));
    assertThat(rewriter.rewriteUpdatePipeline(fine, false)).isEqualTo(fine);
    assertRefused(() -> rewriter.rewriteUpdatePipeline(List.of(doc("{$set: {ssn: 'x'}}")), false), null,
        "Pipelines in updates are not allowed to modify encrypted fields or add fields which are not present in the schema");
    assertRefused(() -> rewriter.rewriteUpdatePipeline(List.of(doc("{$set: {lastSeen: '$$NOW'}}")), false), null,
        "Pipelines in updates are not allowed");
    assertRefused(() -> rewriter.rewriteUpdatePipeline(List.of(doc("{$set: {plan: {$concat: ['$ssn', 'x']}}}")), false),
        "ssn", "Encrypted field 'ssn' is not allowed to be evaluated by string concatination ($concat)");
    assertRefused(() -> rewriter.rewriteUpdatePipeline(List.of(doc("{$match: {}}")), false), null,
        "Aggregation stage $match is not allowed or supported with automatic encryption.");
  }

  @Test
  void rewritePipeline_followsEncryptedFieldsThroughStages() {
    List<BsonDocument> out = rewriter.rewritePipeline(List.of(doc("{$match: {ssn: 'a'}}"),
        doc("{$sort: {plan: 1}}"), doc("{$project: {ssn: 1, plan: 1, copy: '$ssn'}}"), doc("{$limit: 3}"),
        doc("{$match: {copy: 'b'}}"),
        doc("{$addFields: {alias: '$copy'}}"), doc("{$match: {alias: 'c'}}"),
        doc("{$group: {_id: '$ssn', first: {$first: '$alias'}, n: {$sum: 1}}}"),
        doc("{$match: {_id: 'd', first: 'e'}}")));
    assertThat(out.get(0)).isEqualTo(new BsonDocument("$match", new BsonDocument("ssn", eq("'a'"))));
    assertThat(out.get(4)).as("a copy keeps the field's encryption")
        .isEqualTo(new BsonDocument("$match", new BsonDocument("copy", eq("'b'"))));
    assertThat(out.get(6)).isEqualTo(new BsonDocument("$match", new BsonDocument("alias", eq("'c'"))));
    assertThat(out.get(8)).as("grouped by a deterministic field, and $first of one")
        .isEqualTo(new BsonDocument("$match", new BsonDocument("_id", eq("'d'")).append("first", eq("'e'"))));

    assertRefused(() -> rewriter.rewritePipeline(List.of(doc("{$sort: {ssn: 1}}"))), "ssn",
        "Sorting on key 'ssn' is not allowed due to encryption.");
    assertRefused(() -> rewriter.rewritePipeline(List.of(doc("{$project: {s: '$ssn'}}"), doc("{$sort: {s: 1}}"))), "s",
        "Sorting on key 's' is not allowed due to encryption.");
    assertRefused(() -> rewriter.rewritePipeline(List.of(doc("{$group: {_id: '$notes'}}"))), "notes",
        "Cannot group on field 'notes'");
    assertRefused(() -> rewriter.rewritePipeline(List.of(doc("{$group: {_id: null, s: {$sum: '$secret_pin'}}}"))), "s",
        "Accumulator '$sum' cannot aggregate encrypted fields.");
    assertRefused(() -> rewriter.rewritePipeline(List.of(doc("{$group: {_id: null, all: {$push: '$ssn'}}}"),
        doc("{$match: {all: 'x'}}"))), "all", "not known until runtime");
    assertRefused(() -> rewriter.rewritePipeline(List.of(doc("{$project: {x: {$toUpper: '$ssn'}}}"))), "ssn",
        "Encrypted field 'ssn' is not allowed to be evaluated by $toUpper");
    assertRefused(() -> rewriter.rewritePipeline(List.of(doc("{$addFields: {d: '$$ROOT'}}"))), null,
        "Access to variable ROOT disallowed");
    assertRefused(() -> rewriter.rewritePipeline(List.of(doc("{$replaceWith: '$ssn'}"))), "ssn",
        "$replaceRoot cannot have an encrypted field as root");
    assertRefused(() -> rewriter.rewritePipeline(List.of(doc("{$lookup: {from: 'other', localField: 'plan',"
        + " foreignField: 'plan', as: 'o'}}"))), null,
        "Pipeline over an encrypted collection cannot reference additional collections.");
    assertRefused(() -> rewriter.rewritePipeline(List.of(doc("{$lookup: {from: 'coll', localField: 'ssn',"
        + " foreignField: 'notes', as: 'o'}}"))), "ssn", "need to be both unencypted or be encrypted with the same");
    for (String stage : List.of("$facet", "$out", "$merge", "$unionWith", "$setWindowFields", "$densify",
        "$fill", "$redact", "$changeStream")) {
      assertRefused(() -> rewriter.rewritePipeline(List.of(new BsonDocument(stage, doc("{}")))), null,
          "Aggregation stage " + stage + " is not allowed or supported with automatic encryption.");
    }
  }

  @Test
  void pipelineOfAPlainCollection_touchingAnEncryptedOne_isAnalysed() {
    CommandRewriter plain = new CommandRewriter(CollectionSchema.none("db.plain"), FAKE,
        ns -> ns.getFullName().equals("db.other") ? rewriter(SCHEMA).otherCollections().apply(ns)
            : CollectionSchema.none(ns.getFullName()));
    assertRefused(() -> plain.rewritePipeline(List.of(doc("{$lookup: {from: 'other', pipeline: [], as: 'o'}}"))),
        null, "cannot reference additional collections");
    assertRefused(() -> plain.rewritePipeline(List.of(doc("{$unionWith: {coll: 'other'}}"))),
        null, "cannot reference additional collections");
    assertRefused(() -> plain.rewritePipeline(List.of(doc("{$facet: {a: [{$lookup: {from: {db: 'db', coll: 'other'},"
        + " pipeline: [], as: 'o'}}]}}"))), null, "cannot reference additional collections");
    assertRefused(() -> plain.rewritePipeline(List.of(doc("{$merge: {into: 'other'}}"))),
        null, "cannot reference additional collections");
    List<BsonDocument> elsewhere = List.of(doc("{$lookup: {from: 'third', pipeline: [], as: 'o'}}"),
        doc("{$out: 'fourth'}"));
    assertThat(plain.rewritePipeline(elsewhere)).as("nothing involved is encrypted").isSameAs(elsewhere);
  }

  @Test
  void noEncryptedFields_passesEverythingThroughAsTheSameObject() {
    CommandRewriter none = new CommandRewriter(CollectionSchema.none("db.c"), FAKE,
        ns -> CollectionSchema.none(ns.getFullName()));
    BsonDocument filter = doc("{ssn: {$gt: 1}}");
    assertThat(none.rewriteFilter(filter)).isSameAs(filter);
    List<BsonDocument> pipeline = List.of(doc("{$graphLookup: {}}"));
    assertThat(none.rewritePipeline(pipeline)).isSameAs(pipeline);
  }

  private static void assertRefused(org.assertj.core.api.ThrowableAssert.ThrowingCallable call,
      String field, String reason) {
    assertThatThrownBy(call)
        .isInstanceOf(EncryptedFieldOperationException.class)
        .hasMessageContaining(reason)
        .satisfies(e -> assertThat(((EncryptedFieldOperationException) e).field()).isEqualTo(field));
  }
}
