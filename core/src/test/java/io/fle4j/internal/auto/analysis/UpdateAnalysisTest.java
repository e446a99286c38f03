package io.fle4j.internal.auto.analysis;

import static io.fle4j.internal.auto.analysis.Fixtures.SCHEMA;
import static io.fle4j.internal.auto.analysis.Fixtures.assertRefused;
import static io.fle4j.internal.auto.analysis.Fixtures.doc;
import static io.fle4j.internal.auto.analysis.Fixtures.enc;
import static io.fle4j.internal.auto.analysis.Fixtures.pipeline;
import static io.fle4j.internal.auto.analysis.Fixtures.rewriter;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.bson.BsonDocument;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Section 4: inserted documents, update operators, replacements; section 3b: update pipelines. */
class UpdateAnalysisTest {
  private final CommandRewriter rewriter = rewriter(SCHEMA);

  private BsonDocument update(String json) {
    return rewriter.rewriteUpdate(doc(json), false);
  }

  // ----------------------------------------------------------------- insert

  @Test
  void encryptDocument_arraysAreNotDescended_unlessAtAPrefix() {
    BsonDocument d = doc("{tags: [{ssn: 'a'}], plan: 'p'}");
    assertThat(rewriter.encryptDocument(d)).isSameAs(d);
    assertRefused(() -> rewriter.encryptDocument(doc("{address: {geo: [1]}}")), "address.geo",
        "An array at path 'address.geo' would violate the schema");
  }

  @Test
  void encryptDocument_randomFieldsAcceptAnyLegalType_andWritesSkipTheRandomCheck() {
    BsonDocument out = rewriter.encryptDocument(doc("{rnd: {a: [1, 2]}, multi: 3, nums: 1.5}"));
    assertThat(out.get("rnd").isBinary()).isTrue();
    assertThat(out.get("multi").isBinary()).isTrue();
    assertThat(out.get("nums").isBinary()).isTrue();
  }

  @Test
  void encryptDocument_valueOfAnotherTypeThanTheSchemas_isRefusedWith31118() {
    assertRefused(() -> rewriter.encryptDocument(doc("{multi: true}")), "multi",
        "Cannot encrypt element of type bool because schema requires that type is one of: [ ");
  }

  @Test
  void encryptDocument_valueNotANumber_listsTheNumberAlias() {
    assertRefused(() -> rewriter.encryptDocument(doc("{nums: 'x'}")), "nums",
        "Cannot encrypt element of type string because schema requires that type is one of: [ number ]");
  }

  @Test
  void encryptDocument_keyIdPointerToAnEncryptedField_isRefusedWith30017() {
    CommandRewriter r = rewriter(doc("{bsonType: 'object', properties: {k: {encrypt: {bsonType: 'string', algorithm: '"
        + Fixtures.DET + "', keyId: [UUID('" + Fixtures.KEY + "')]}}, n: {encrypt: {algorithm: '" + Fixtures.RND
        + "', keyId: '/k'}}}}"));
    assertRefused(() -> r.encryptDocument(doc("{k: 'name', n: 1}")), "n",
        "keyId pointer '/k' cannot point to an encrypted field");
  }

  @Test
  void encryptDocument_keyIdPointer_resolvesToAKeyAltName() {
    BsonDocument out = rewriter.encryptDocument(doc("{keyName: 'alt', notes: 'n'}"));
    assertThat(new String(out.getBinary("notes").getData(), StandardCharsets.UTF_8)).startsWith("R:alt:");
  }

  // ----------------------------------------------------------------- $set / $setOnInsert

  @Test
  void rewriteUpdate_setOfAnObjectAtAPrefix_marksItsEncryptedFields_andRefusesArrays() {
    BsonDocument out = update("{$set: {address: {zip: 'z', geo: {lat: 'l'}, city: 'c'}}}");
    BsonDocument address = out.getDocument("$set").getDocument("address");
    assertThat(address.get("zip")).isEqualTo(enc("'z'"));
    assertThat(address.getDocument("geo").get("lat")).isEqualTo(enc("'l'"));
    assertRefused(() -> update("{$set: {address: {geo: [1]}}}"), "address.geo",
        "An array at path 'address.geo' would violate the schema");
    assertRefused(() -> update("{$setOnInsert: {'address.geo': 5}}"), "address.geo",
        "Cannot $set to a path address.geo that is an encrypted prefix to a non-object type");
  }

  @Test
  void rewriteUpdate_setOfAJsonPointerField_isRefusedWith51093() {
    assertRefused(() -> update("{$setOnInsert: {notes: 'x'}}"), "notes",
        "A non-static (JSONPointer) keyId is not supported.");
  }

  @Test
  void rewriteUpdate_setThroughAnEncryptedField_isRefusedWith51102() {
    assertRefused(() -> update("{$set: {'pin.x': 1}}"), "pin.x",
        "Invalid operation on path 'pin.x' which contains an encrypted path prefix.");
  }

  @Test
  void rewriteUpdate_unsetOfEncryptedFieldsAndPrefixes_isAllowed() {
    BsonDocument u = doc("{$unset: {ssn: '', address: '', 'address.zip': 1}}");
    assertThat(rewriter.rewriteUpdate(u, false)).isEqualTo(u);
  }

  @Test
  void rewriteUpdate_withoutEncryptedFieldsInTheSchema_isTheSameObject() {
    BsonDocument u = doc("{$inc: {ssn: 1}, $push: {a: 1}}");
    assertThat(Fixtures.plainRewriter().rewriteUpdate(u, true)).isSameAs(u);
  }

  // ----------------------------------------------------------------- $rename

  @Test
  void rewriteUpdate_renameToAPrefix_isRefusedWith51161() {
    assertRefused(() -> update("{$rename: {plan: 'address'}}"), "address",
        "$rename is not allowed on an object containing encrypted fields");
  }

  @Test
  void rewriteUpdate_renameBetweenDifferentKeysOrTypes_isRefusedWith51160() {
    assertRefused(() -> update("{$rename: {ssn: 'other'}}"), "ssn",
        "$rename between two encrypted fields must have the same metadata or both be unencrypted");
    assertRefused(() -> update("{$rename: {ssn: 'pin'}}"), "ssn",
        "$rename between two encrypted fields must have the same metadata or both be unencrypted");
    assertRefused(() -> update("{$rename: {ssn: 'plan'}}"), "ssn",
        "$rename between two encrypted fields must have the same metadata or both be unencrypted");
    BsonDocument fine = doc("{$rename: {'address.zip': 'taxId', plan: 'tier'}}");
    assertThat(rewriter.rewriteUpdate(fine, false)).isEqualTo(fine);
  }

  // ----------------------------------------------------------------- operators on encrypted values

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "{$inc: {pin: 1}}|$inc and $mul", "{$mul: {pin: 2}}|$inc and $mul", "{$max: {pin: 2}}|$max and $min",
      "{$min: {pin: 2}}|$max and $min", "{$addToSet: {rnd: 1}}|$addToSet", "{$bit: {pin: {and: 1}}}|$bit",
      "{$currentDate: {rnd: true}}|$currentDate", "{$pop: {rnd: 1}}|$pop", "{$pullAll: {rnd: [1]}}|$pullAll",
      "{$pull: {rnd: 1}}|$pull", "{$push: {rnd: 1}}|$push", "{$inc: {secret_x: 1}}|$inc and $mul",
      "{$push: {'address.geo.lat': 1}}|$push"})
  void rewriteUpdate_valueOperatorOnEncryptedField_isRefusedWith51150(String u, String op) {
    assertRefused(() -> update(u), op + " not allowed on encrypted values");
  }

  @Test
  void rewriteUpdate_valueOperatorThroughAnEncryptedField_isRefusedWith51102() {
    assertRefused(() -> update("{$inc: {'pin.x': 1}}"), "pin.x",
        "Invalid operation on path 'pin.x' which contains an encrypted path prefix.");
  }

  @Test
  void rewriteUpdate_valueOperatorOnAPrefix_isRefused_deliberatelyStricter() {
    // mongocryptd refuses only the exact encrypted path; an object holding encrypted fields is
    // no more an array or a number than the field itself.
    assertRefused(() -> update("{$push: {address: 1}}"), "address", "$push not allowed on encrypted values");
  }

  @Test
  void rewriteUpdate_valueOperatorsOnPlainFields_areAllowed() {
    BsonDocument u = doc("{$inc: {n: 1}, $push: {tags: 'a'}, $currentDate: {at: true}, $pull: {'address.tags': 1}}");
    assertThat(rewriter.rewriteUpdate(u, false)).isEqualTo(u);
  }

  @Test
  void rewriteUpdate_arrayUpdateOnEncryptedPath_isRefusedWith51150() {
    assertRefused(() -> update("{$unset: {'rnd.$[]': 1}}"), "Array update operations not allowed on encrypted values");
    assertRefused(() -> update("{$inc: {'pin.$[i]': 1}}"), "Array update operations not allowed on encrypted values");
  }

  @Test
  void rewriteUpdate_setWithArrayUpdateOnEncryptedPath_isRefusedWith51150() {
    assertRefused(() -> update("{$set: {'rnd.$[]': 1}}"), "Array update operations not allowed on encrypted values");
  }

  @Test
  void rewriteUpdate_positionalBelowEncryptedPathOrPrefix_isRefusedWith51149() {
    assertRefused(() -> update("{$set: {'address.$': {zip: 'z'}}}"),
        "Cannot encrypt fields below '$' positional update operator");
    assertRefused(() -> update("{$set: {'address.$.zip': 'z'}}"),
        "Cannot encrypt fields below '$' positional update operator");
    BsonDocument plain = doc("{$set: {'tags.$': 1, 'items.$[].n': 2}}");
    assertThat(rewriter.rewriteUpdate(plain, false)).isEqualTo(plain);
  }

  @Test
  void rewriteUpdate_positionalBelowAPrefixToAPlainSubfield_isRefusedWith51149() {
    assertRefused(() -> update("{$inc: {'address.$.n': 1}}"),
        "Cannot encrypt fields below '$' positional update operator");
    assertRefused(() -> update("{$set: {'address.$.city': 'c'}}"),
        "Cannot encrypt fields below '$' positional update operator");
  }

  // ----------------------------------------------------------------- replacements

  @Test
  void rewriteUpdate_replacementWithJsonPointerField_resolvesTheKeyFromTheReplacement_deliberately() {
    // mongocryptd refuses (51093); the replacement is the whole document, as an insert is.
    BsonDocument out = update("{keyName: 'k', notes: 'n'}");
    assertThat(out.get("notes").isBinary()).isTrue();
  }

  @Test
  void rewriteUpdate_nonUpsertReplacementWithTimestampZero_isEncrypted() {
    CommandRewriter r = rewriter(doc("{bsonType: 'object', properties: {t: {encrypt: {bsonType: 'timestamp', algorithm: '"
        + Fixtures.DET + "', keyId: [UUID('" + Fixtures.KEY + "')]}}}}"));
    assertThat(r.rewriteUpdate(doc("{t: {$timestamp: {t: 0, i: 0}}}"), false).get("t").isBinary()).isTrue();
  }

  @Test
  void rewriteUpdate_upsertReplacementWithTimestampZero_isRefusedWith51129() {
    CommandRewriter r = rewriter(doc("{bsonType: 'object', properties: {t: {encrypt: {bsonType: 'timestamp', algorithm: '"
        + Fixtures.DET + "', keyId: [UUID('" + Fixtures.KEY + "')]}}}}"));
    assertRefused(() -> r.rewriteUpdate(doc("{t: {$timestamp: {t: 0, i: 0}}}"), true), "t",
        "A command that inserts cannot supply Timestamp(0, 0) for an encrypted top-level field at path t");
  }

  // ----------------------------------------------------------------- update pipelines (3b)

  @Test
  void rewriteUpdatePipeline_unsettingOrAddingFields_isRefusedWith31146() {
    String text = "Pipelines in updates are not allowed to modify encrypted fields or add fields which are not present in the schema";
    assertRefused(() -> rewriter.rewriteUpdatePipeline(pipeline("{$unset: 'ssn'}"), false), text);
    assertRefused(() -> rewriter.rewriteUpdatePipeline(pipeline("{$unset: 'plan'}"), false), text);
    assertRefused(() -> rewriter.rewriteUpdatePipeline(pipeline("{$project: {ssn: 0}}"), false), text);
    assertRefused(() -> rewriter.rewriteUpdatePipeline(pipeline("{$set: {tier: 1}}"), false), text);
    assertRefused(() -> rewriter.rewriteUpdatePipeline(pipeline("{$set: {ssn: '$other'}}"), false), text);
    assertRefused(() -> rewriter.rewriteUpdatePipeline(pipeline("{$set: {'address.zip': 'x'}}"), false), text);
    assertRefused(() -> rewriter.rewriteUpdatePipeline(pipeline("{$replaceWith: {ssn: '$ssn'}}"), false), text);
  }

  @Test
  void rewriteUpdatePipeline_keepingTheSchema_isAllowed() {
    List<BsonDocument> p = pipeline("{$set: {plan: 'x', ssn: '$taxId'}}", "{$set: {'address.zip': '$address.zip'}}");
    assertThat(rewriter.rewriteUpdatePipeline(p, false)).isEqualTo(p);
  }

  @Test
  void rewriteUpdatePipeline_literalsComparedWithEncryptedFields_areEncrypted_deliberately() {
    // mongocryptd leaves them in plaintext (SERVER-41485): a leak fle4j does not copy.
    List<BsonDocument> p = pipeline("{$set: {plan: {$cond: [{$eq: ['$ssn', 'a']}, 'x', 'y']}}}");
    assertThat(rewriter.rewriteUpdatePipeline(p, false).toString()).doesNotContain("'a'").doesNotContain("\"a\"")
        .contains(Fixtures.base64(Fixtures.enc("'a'")));
  }
}
