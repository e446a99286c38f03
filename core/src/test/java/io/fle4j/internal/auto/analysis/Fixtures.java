package io.fle4j.internal.auto.analysis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fle4j.Algorithm;
import io.fle4j.EncryptedFieldOperationException;
import io.fle4j.internal.auto.schema.CollectionSchema;
import io.fle4j.internal.auto.schema.EncryptSpec;
import io.fle4j.internal.auto.schema.SchemaParser;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.bson.BsonArray;
import org.bson.BsonBinary;
import org.bson.BsonDocument;
import org.bson.BsonValue;

/** Shared schema, fake crypto and assertions of the analysis tests. */
final class Fixtures {
  static final String DET = "AEAD_AES_256_CBC_HMAC_SHA_512-Deterministic";
  static final String RND = "AEAD_AES_256_CBC_HMAC_SHA_512-Random";
  static final UUID KEY = UUID.fromString("2ce0802c-0000-0000-0000-000000000000");
  static final UUID KEY2 = UUID.fromString("2ce0802c-0000-0000-0000-000000000002");

  /** Marks what it "encrypts" so the tests can see where encryption happened. */
  static final FieldCrypto FAKE = (value, spec, altName) -> new BsonBinary((byte) 6,
      ((spec.isDeterministic() ? "D:" : "R:") + (altName == null ? "" : altName + ":")
          + new BsonDocument("v", value).toJson()).getBytes(StandardCharsets.UTF_8));

  /**
   * ssn, taxId: deterministic strings with KEY (identical metadata); other: deterministic string
   * with KEY2; pin: deterministic int; notes: random with a JSON-pointer key; rnd: random, any
   * type; nums: random 'number'; multi: random [string, int]; plan: a plain property;
   * address.zip: deterministic string; address.geo.lat: deterministic string; secret_*:
   * deterministic int.
   */
  static final BsonDocument SCHEMA = BsonDocument.parse("""
      {bsonType: 'object', encryptMetadata: {keyId: [UUID('%1$s')]},
       properties: {
         ssn: {encrypt: {bsonType: 'string', algorithm: '%2$s'}},
         taxId: {encrypt: {bsonType: 'string', algorithm: '%2$s'}},
         other: {encrypt: {bsonType: 'string', algorithm: '%2$s', keyId: [UUID('%4$s')]}},
         pin: {encrypt: {bsonType: 'int', algorithm: '%2$s'}},
         notes: {encrypt: {algorithm: '%3$s', keyId: '/keyName'}},
         rnd: {encrypt: {algorithm: '%3$s'}},
         nums: {encrypt: {bsonType: 'number', algorithm: '%3$s'}},
         multi: {encrypt: {bsonType: ['string', 'int'], algorithm: '%3$s'}},
         plan: {bsonType: 'string'},
         address: {bsonType: 'object', properties: {
           zip: {encrypt: {bsonType: 'string', algorithm: '%2$s'}},
           geo: {bsonType: 'object', properties: {lat: {encrypt: {bsonType: 'string', algorithm: '%2$s'}}}}}}},
       patternProperties: {'^secret_': {encrypt: {bsonType: 'int', algorithm: '%2$s'}}}}
      """.formatted(KEY, DET, RND, KEY2));

  /** _id deterministic int, ssn deterministic string. */
  static final BsonDocument ID_SCHEMA = BsonDocument.parse("""
      {bsonType: 'object', encryptMetadata: {keyId: [UUID('%1$s')], algorithm: '%2$s'},
       properties: {_id: {encrypt: {bsonType: 'int'}}, ssn: {encrypt: {bsonType: 'string'}}}}
      """.formatted(KEY, DET));

  static final BsonDocument OTHER_SCHEMA = BsonDocument.parse("{bsonType: 'object', properties: {card:"
      + " {encrypt: {bsonType: 'string', algorithm: '" + DET + "', keyId: [UUID('" + KEY + "')]}}}}");

  private Fixtures() {}

  static CollectionSchema schema(String namespace, BsonDocument json) {
    return new CollectionSchema(namespace, SchemaParser.parse(json, false, "schema"));
  }

  /** A rewriter of db.coll with {@code json}; db.other has OTHER_SCHEMA, everything else none. */
  static CommandRewriter rewriter(BsonDocument json) {
    Map<String, CollectionSchema> others = Map.of("db.other", schema("db.other", OTHER_SCHEMA));
    return new CommandRewriter(schema("db.coll", json), FAKE,
        ns -> others.getOrDefault(ns.getFullName(), CollectionSchema.none(ns.getFullName())));
  }

  static CommandRewriter plainRewriter() {
    return new CommandRewriter(CollectionSchema.none("db.coll"), FAKE,
        ns -> CollectionSchema.none(ns.getFullName()));
  }

  /** The fake ciphertext of a deterministic encryption of {@code json}. */
  static BsonValue enc(String json) {
    return FAKE.encrypt(value(json), new EncryptSpec(Algorithm.DETERMINISTIC, KEY, null, null, Set.of()), null);
  }

  /** The fake ciphertext of a random encryption of {@code json}. */
  static BsonValue rnd(String json, String altName) {
    return FAKE.encrypt(value(json), new EncryptSpec(Algorithm.RANDOM, KEY, null, null, Set.of()), altName);
  }

  static BsonValue value(String json) {
    return BsonDocument.parse("{v: " + json + "}").get("v");
  }

  static String base64(BsonValue binary) {
    return java.util.Base64.getEncoder().encodeToString(binary.asBinary().getData());
  }

  static BsonDocument eq(String json) {
    return new BsonDocument("$eq", enc(json));
  }

  static BsonDocument doc(String json) {
    return BsonDocument.parse(json);
  }

  static List<BsonDocument> pipeline(String... stages) {
    return java.util.Arrays.stream(stages).map(BsonDocument::parse).toList();
  }

  static BsonArray array(BsonValue... values) {
    return new BsonArray(List.of(values));
  }

  static void assertRefused(ThrowingCallable call, String field, String reason) {
    assertThatThrownBy(call)
        .isInstanceOf(EncryptedFieldOperationException.class)
        .hasMessageContaining(reason)
        .satisfies(e -> assertThat(((EncryptedFieldOperationException) e).field()).isEqualTo(field));
  }

  /** Refused with {@code reason}, whatever field it names. */
  static void assertRefused(ThrowingCallable call, String reason) {
    assertThatThrownBy(call)
        .isInstanceOf(EncryptedFieldOperationException.class)
        .hasMessageContaining(reason);
  }
}
