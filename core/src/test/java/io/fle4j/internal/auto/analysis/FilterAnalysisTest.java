package io.fle4j.internal.auto.analysis;

import static io.fle4j.internal.auto.analysis.Fixtures.SCHEMA;
import static io.fle4j.internal.auto.analysis.Fixtures.array;
import static io.fle4j.internal.auto.analysis.Fixtures.assertRefused;
import static io.fle4j.internal.auto.analysis.Fixtures.doc;
import static io.fle4j.internal.auto.analysis.Fixtures.enc;
import static io.fle4j.internal.auto.analysis.Fixtures.eq;
import static io.fle4j.internal.auto.analysis.Fixtures.rewriter;
import static org.assertj.core.api.Assertions.assertThat;

import org.bson.BsonDocument;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Section 2: match expressions (what CommandRewriterTest does not already cover). */
class FilterAnalysisTest {
  private final CommandRewriter rewriter = rewriter(SCHEMA);

  private BsonDocument filter(String json) {
    return rewriter.rewriteFilter(doc(json));
  }

  // ----------------------------------------------------------------- EQ / $ne / $all

  @Test
  void rewriteFilter_neNull_isRefusedAsEqualityToNull() {
    assertRefused(() -> filter("{ssn: {$ne: null}}"), "ssn",
        "Illegal equality to null predicate for encrypted field: 'ssn'");
    assertRefused(() -> filter("{ssn: {$eq: null}}"), "ssn",
        "Illegal equality to null predicate for encrypted field: 'ssn'");
  }

  @Test
  void rewriteFilter_neAndNin_areMarked() {
    assertThat(filter("{ssn: {$ne: 'a'}}")).isEqualTo(new BsonDocument("ssn",
        new BsonDocument("$ne", enc("'a'"))));
    assertThat(filter("{ssn: {$nin: ['a', 'b']}}").getDocument("ssn").getArray("$nin"))
        .containsExactly(enc("'a'"), enc("'b'"));
  }

  @Test
  void rewriteFilter_allOnEncryptedField_marksEachElementAsAnEquality() {
    String json = filter("{ssn: {$all: ['a', 'b']}}").toJson();
    assertThat(json).contains(Fixtures.base64(Fixtures.enc("'a'")), Fixtures.base64(Fixtures.enc("'b'")))
        .doesNotContain("\"a\"").doesNotContain("\"b\"");
  }

  @Test
  void rewriteFilter_equalityOnPatternAndNestedFields_isMarked() {
    assertThat(filter("{secret_pin: 5}")).isEqualTo(new BsonDocument("secret_pin", eq("5")));
    assertThat(filter("{'address.geo.lat': 'x'}")).isEqualTo(new BsonDocument("address.geo.lat", eq("'x'")));
  }

  @Test
  void rewriteFilter_objectComparedWithPrefix_walksNestedObjectsWithThePathAsPrefix() {
    BsonDocument out = filter("{address: {geo: {lat: 'x', lon: 1}, city: 'c'}}");
    assertThat(out.getDocument("address").getDocument("geo").get("lat")).isEqualTo(enc("'x'"));
    assertThat(out.getDocument("address").getDocument("geo").getInt32("lon").getValue()).isEqualTo(1);
    assertThat(out.getDocument("address").getString("city").getValue()).isEqualTo("c");
    BsonDocument viaEq = filter("{address: {$eq: {zip: 'z'}}}");
    assertThat(viaEq.getDocument("address").getDocument("$eq").get("zip")).isEqualTo(enc("'z'"));
  }

  @Test
  void rewriteFilter_arrayInsideObjectAlongAnEncryptedPath_isRefusedWith31006() {
    assertRefused(() -> filter("{address: {geo: [{lat: 'x'}]}}"), "address.geo",
        "An array at path 'address.geo' would violate the schema");
  }

  @Test
  void rewriteFilter_arrayComparedWithPrefix_isRefusedWith31007() {
    assertRefused(() -> filter("{address: {$eq: [1]}}"), "address",
        "$eq to array predicate is illegal for prefix of encrypted path");
    assertRefused(() -> filter("{'address.geo': [1]}"), "address.geo",
        "$eq to array predicate is illegal for prefix of encrypted path");
  }

  @Test
  void rewriteFilter_scalarComparedWithPrefix_isLeftAlone() {
    BsonDocument f = doc("{address: 5}");
    assertThat(rewriter.rewriteFilter(f).get("address")).isEqualTo(f.get("address"));
  }

  // ----------------------------------------------------------------- $in

  @Test
  void rewriteFilter_inWithNull_isRefusedWith51120() {
    assertRefused(() -> filter("{ssn: {$in: ['a', null]}}"), "ssn",
        "Illegal equality to null inside $in against an encrypted field: 'ssn'");
    assertRefused(() -> filter("{ssn: {$nin: [null]}}"), "ssn",
        "Illegal equality to null inside $in against an encrypted field: 'ssn'");
  }

  @Test
  void rewriteFilter_inOnPrefix_walksObjectElements_andRefusesArrayElementsWith31008() {
    BsonDocument out = filter("{address: {$in: [{zip: 'z'}, 5]}}");
    assertThat(out.getDocument("address").getArray("$in").get(0).asDocument().get("zip"))
        .isEqualTo(enc("'z'"));
    assertThat(out.getDocument("address").getArray("$in").get(1).asInt32().getValue()).isEqualTo(5);
    assertRefused(() -> filter("{address: {$in: [[1]]}}"), "address",
        "Illegal $in element for prefix 'address' of encrypted path: ");
  }

  // ----------------------------------------------------------------- comparisons

  @ParameterizedTest
  @ValueSource(strings = {"$gt", "$gte", "$lt", "$lte"})
  void rewriteFilter_rangeOnEncryptedField_isRefusedWith51118(String op) {
    assertRefused(() -> filter("{pin: {" + op + ": 1}}"), "pin",
        "Invalid match expression operator on encrypted field 'pin': ");
  }

  @Test
  void rewriteFilter_rangeOnPrefixWithObjectHoldingEncryptedFields_isRefusedWith51119() {
    assertRefused(() -> filter("{address: {$gt: {zip: 'z'}}}"), "address",
        "Invalid match expression operator on encrypted field '");
  }

  @Test
  void rewriteFilter_rangeOnPrefixWithScalar_isAllowed() {
    BsonDocument f = doc("{address: {$gt: 5}}");
    assertThat(rewriter.rewriteFilter(f).get("address")).isEqualTo(f.get("address"));
  }

  @Test
  void rewriteFilter_rangeOnPrefixWithObjectWithoutEncryptedFields_isAllowed() {
    BsonDocument f = doc("{address: {$gt: {city: 'c'}}}");
    assertThat(rewriter.rewriteFilter(f).get("address")).isEqualTo(f.get("address"));
  }

  // ----------------------------------------------------------------- other leaf operators

  @ParameterizedTest
  @ValueSource(strings = {"{$regex: 'a'}", "{$mod: [2, 0]}", "{$size: 1}", "{$type: 'string'}",
      "{$bitsAllSet: 1}", "{$bitsAnySet: 1}", "{$bitsAllClear: 1}", "{$bitsAnyClear: 1}",
      "{$geoWithin: {$centerSphere: [[0, 0], 1]}}", "{$geoIntersects: {$geometry: {type: 'Point', coordinates: [0, 0]}}}",
      "{$near: [0, 0]}", "{$nearSphere: [0, 0]}"})
  void rewriteFilter_leafOperatorOnEncryptedField_isRefusedWith51092(String predicate) {
    assertRefused(() -> filter("{ssn: " + predicate + "}"), "ssn",
        "Invalid match expression operator on encrypted field 'ssn': ");
    assertRefused(() -> filter("{rnd: " + predicate + "}"), "rnd",
        "Invalid match expression operator on encrypted field 'rnd': ");
  }

  @ParameterizedTest
  @ValueSource(strings = {"{$regex: 'a'}", "{$mod: [2, 0]}", "{$size: 1}", "{$type: 'object'}",
      "{$bitsAllSet: 1}"})
  void rewriteFilter_leafOperatorOnPrefix_isAllowed(String predicate) {
    BsonDocument f = doc("{address: " + predicate + "}");
    assertThat(rewriter.rewriteFilter(f).get("address")).isEqualTo(f.get("address"));
  }

  @Test
  void rewriteFilter_notWithRegexOnEncryptedField_isRefusedWith51092() {
    assertRefused(() -> filter("{ssn: {$not: /a/}}"), "ssn",
        "Invalid match expression operator on encrypted field 'ssn': ");
    assertRefused(() -> filter("{ssn: {$not: {$gt: 'a'}}}"), "ssn",
        "Invalid match expression operator on encrypted field 'ssn': ");
  }

  @ParameterizedTest
  @ValueSource(strings = {"{$where: 'true'}", "{$text: {$search: 'x'}}"})
  void rewriteFilter_textAndWhere_passOnACollectionWithoutEncryptedFields_deliberately(String filter) {
    // mongocryptd refuses them even there; nothing they can reach is encrypted.
    BsonDocument plain = doc(filter);
    assertThat(Fixtures.plainRewriter().rewriteFilter(plain)).isSameAs(plain);
    assertRefused(() -> rewriter.rewriteFilter(doc(filter)),
        "Unsupported match expression operator for encryption: $");
  }

  @Test
  void rewriteFilter_jsonSchemaTouchingEncryptedField_isRefused() {
    assertRefused(() -> filter("{$jsonSchema: {properties: {ssn: {minLength: 1}}}}"),
        "match expression operator");
  }

  // ----------------------------------------------------------------- $elemMatch, $exists

  @Test
  void rewriteFilter_elemMatchOnEncryptedField_isRefusedWith6890100() {
    assertRefused(() -> filter("{pin: {$elemMatch: {$eq: 1}}}"), "pin",
        "$elemMatch is unsupported on encrypted fields: ");
    assertRefused(() -> filter("{rnd: {$elemMatch: {a: 1}}}"), "rnd",
        "$elemMatch is unsupported on encrypted fields: ");
  }

  @Test
  void rewriteFilter_elemMatchOnPlainField_isLeftAlone() {
    BsonDocument f = doc("{tags: {$elemMatch: {ssn: 'a', $gt: 1}}}");
    assertThat(rewriter.rewriteFilter(f)).isSameAs(f);
  }

  @Test
  void rewriteFilter_elemMatchOnPrefix_encryptsItsEncryptedChildren_deliberately() {
    // mongocryptd neither checks nor marks $elemMatch's children, sending 'z' in plaintext.
    assertThat(rewriter.rewriteFilter(doc("{address: {$elemMatch: {zip: 'z'}}}")).toJson())
        .contains(Fixtures.base64(Fixtures.enc("'z'"))).doesNotContain("\"z\"");
  }

  @Test
  void rewriteFilter_exists_doesNoLookup() {
    BsonDocument f = doc("{'ssn.x.y': {$exists: true}, notes: {$exists: false}, address: {$exists: 1}}");
    assertThat(rewriter.rewriteFilter(f)).isEqualTo(f);
  }

  // ----------------------------------------------------------------- logical operators

  @Test
  void rewriteFilter_logicalOperators_recurse_andLeaveOtherClausesAlone() {
    BsonDocument out = filter("{$and: [{plan: 'p'}, {$or: [{ssn: 'a'}, {$nor: [{pin: {$not: {$eq: 3}}}]}]}]}");
    assertThat(out.getArray("$and").get(0)).isEqualTo(doc("{plan: 'p'}"));
    BsonDocument or = out.getArray("$and").get(1).asDocument();
    assertThat(or.getArray("$or").get(0)).isEqualTo(new BsonDocument("ssn", eq("'a'")));
    assertThat(or.getArray("$or").get(1).asDocument().getArray("$nor").get(0)).isEqualTo(
        new BsonDocument("pin", new BsonDocument("$not", eq("3"))));
    assertRefused(() -> filter("{$or: [{plan: 'p'}, {ssn: {$gt: 'a'}}]}"), "ssn",
        "Invalid match expression operator on encrypted field 'ssn'");
  }

  @Test
  void rewriteFilter_untouchedFilter_isTheSameObject() {
    BsonDocument f = doc("{plan: 'p', $or: [{tier: {$gt: 1}}, {'address.city': 'c'}], $comment: 'x'}");
    assertThat(rewriter.rewriteFilter(f)).isSameAs(f);
  }

  @Test
  void rewriteFilter_withoutEncryptedComparisons_isSentAsWritten() {
    // mongocryptd re-serializes into the server's canonical form; the meaning is the same, and
    // the specification's command expectations show filters without markings unchanged.
    BsonDocument f = doc("{plan: 'p', tier: 2}");
    assertThat(filter("{plan: 'p', tier: 2}")).isEqualTo(f);
  }

  // ----------------------------------------------------------------- marking checks, in order

  @ParameterizedTest
  @ValueSource(strings = {"{$minKey: 1}", "{$maxKey: 1}", "{$undefined: true}"})
  void rewriteFilter_illegalTypeIsReportedBeforeTheRandomCheck(String value) {
    assertRefused(() -> filter("{rnd: " + value + "}"), "rnd", "Cannot encrypt element of type: ");
  }

  @Test
  void rewriteFilter_ciphertextValue_isReportedAsEncryptedBinaryData() {
    assertRefused(() -> filter("{rnd: {$binary: {base64: 'AAE=', subType: '06'}}}"), "rnd",
        "Cannot encrypt element of type: encrypted binary data");
  }

  @ParameterizedTest
  @ValueSource(strings = {"true", "1.5", "{$numberDecimal: '1'}", "{a: 1}", "[1]"})
  void rewriteFilter_typeTheDeterministicAlgorithmCannotEncrypt_isRefusedWith31041(String value) {
    CommandRewriter loose = rewriter(doc("{bsonType: 'object', properties: {d: {encrypt: {bsonType: 'string',"
        + " algorithm: '" + Fixtures.DET + "', keyId: [UUID('" + Fixtures.KEY + "')]}}}}"));
    assertRefused(() -> loose.rewriteFilter(new BsonDocument("d", new BsonDocument("$eq", Fixtures.value(value)))),
        "d", "Cannot encrypt element of type: ");
  }

  @Test
  void rewriteFilter_randomField_isRefusedWith51158_evenInIn() {
    assertRefused(() -> filter("{rnd: {$in: ['a']}}"), "rnd",
        "Cannot query on fields encrypted with the randomized encryption algorithm");
    assertRefused(() -> filter("{multi: {$ne: 1}}"), "multi",
        "Cannot query on fields encrypted with the randomized encryption algorithm");
  }

  @Test
  void rewriteFilter_valueOfAnotherTypeThanTheSchemas_isRefusedWith31118() {
    assertRefused(() -> filter("{pin: 'a'}"), "pin",
        "Cannot encrypt element of type string because schema requires that type is one of: [ int ]");
  }

  @Test
  void rewriteFilter_emptyInOnEncryptedField_staysEmpty() {
    assertThat(filter("{ssn: {$in: []}}")).isEqualTo(doc("{ssn: {$in: []}}"));
  }
}
