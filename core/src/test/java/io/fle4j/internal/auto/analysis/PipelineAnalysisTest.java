package io.fle4j.internal.auto.analysis;

import static io.fle4j.internal.auto.analysis.Fixtures.SCHEMA;
import static io.fle4j.internal.auto.analysis.Fixtures.assertRefused;
import static io.fle4j.internal.auto.analysis.Fixtures.doc;
import static io.fle4j.internal.auto.analysis.Fixtures.eq;
import static io.fle4j.internal.auto.analysis.Fixtures.pipeline;
import static io.fle4j.internal.auto.analysis.Fixtures.rewriter;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.bson.BsonDocument;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Sections 3 and 3a: aggregation stages (what CommandRewriterTest does not already cover). */
class PipelineAnalysisTest {
  private final CommandRewriter rewriter = rewriter(SCHEMA);

  private List<BsonDocument> run(String... stages) {
    return rewriter.rewritePipeline(pipeline(stages));
  }

  private static BsonDocument match(String field, String json) {
    return new BsonDocument("$match", new BsonDocument(field, eq(json)));
  }

  // ----------------------------------------------------------------- collections and stages

  @Test
  void rewritePipeline_lookupOrGraphLookupOfAnotherCollection_isRefusedWith51204() {
    String text = "Pipeline over an encrypted collection cannot reference additional collections.";
    assertRefused(() -> run("{$graphLookup: {from: 'plain', startWith: '$plan', connectFromField: 'a',"
        + " connectToField: 'b', as: 'g'}}"), text);
    assertRefused(() -> run("{$lookup: {from: 'coll', pipeline: [{$unionWith: 'plain'}], as: 'o'}}"), text);
  }

  @ParameterizedTest
  @ValueSource(strings = {"$indexStats", "$currentOp", "$listSessions", "$planCacheStats",
      "$shardedDataDistribution", "$documents", "$bogus", "$changeStreamSplitLargeEvent"})
  void rewritePipeline_unregisteredStage_isRefusedWith31011(String stage) {
    assertRefused(() -> rewriter.rewritePipeline(List.of(new BsonDocument(stage, doc("{}")))), null,
        "Aggregation stage " + stage + " is not allowed or supported with automatic encryption.");
  }

  @Test
  void rewritePipeline_ofAPlainCollectionTouchingNothingEncrypted_isSentAsItIs_deliberately() {
    // mongocryptd refuses $facet even here; nothing this pipeline can reach is encrypted.
    List<BsonDocument> p = pipeline("{$facet: {a: []}}");
    assertThat(Fixtures.plainRewriter().rewritePipeline(p)).isSameAs(p);
  }

  @Test
  void rewritePipeline_limitSkipSampleCount_passThrough() {
    List<BsonDocument> p = pipeline("{$limit: 1}", "{$skip: 1}", "{$sample: {size: 2}}", "{$count: 'n'}");
    assertThat(rewriter.rewritePipeline(p)).isEqualTo(p);
  }

  // ----------------------------------------------------------------- $sort

  @Test
  void rewritePipeline_sortOnAPrefix_isRefusedWith51201_andMetaKeysAreIgnored() {
    assertRefused(() -> run("{$sort: {address: 1}}"), "address",
        "Sorting on key 'address' is not allowed due to encryption.");
    assertRefused(() -> run("{$sort: {plan: 1, 'address.zip': -1}}"), "address.zip",
        "Sorting on key 'address.zip' is not allowed due to encryption.");
    List<BsonDocument> p = pipeline("{$sort: {score: {$meta: 'textScore'}, plan: 1}}");
    assertThat(rewriter.rewritePipeline(p)).isEqualTo(p);
  }

  // ----------------------------------------------------------------- $project, $addFields, $unset

  @Test
  void rewritePipeline_projectExclusionAndUnset_removeFieldsFromTheSchema() {
    List<BsonDocument> out = run("{$project: {ssn: 0}}", "{$match: {ssn: 'a', taxId: 'b'}}");
    assertThat(out.get(1).getDocument("$match").get("ssn").isString()).isTrue();
    assertThat(out.get(1).getDocument("$match").get("taxId")).isEqualTo(eq("'b'"));
    out = run("{$unset: ['ssn', 'address.zip']}", "{$match: {ssn: 'a', 'address.zip': 'z', pin: 1}}");
    assertThat(out.get(1).getDocument("$match").get("ssn").isString()).isTrue();
    assertThat(out.get(1).getDocument("$match").get("address.zip").isString()).isTrue();
    assertThat(out.get(1).getDocument("$match").get("pin")).isEqualTo(eq("1"));
  }

  @Test
  void rewritePipeline_projectInclusion_keepsOnlyIncludedFields_andId() {
    List<BsonDocument> out = run("{$project: {taxId: 1, 'address.zip': 1}}",
        "{$match: {taxId: 'a', 'address.zip': 'z', ssn: 's'}}");
    BsonDocument m = out.get(1).getDocument("$match");
    assertThat(m.get("taxId")).isEqualTo(eq("'a'"));
    assertThat(m.get("address.zip")).isEqualTo(eq("'z'"));
    assertThat(m.get("ssn").isString()).as("ssn was projected away").isTrue();
  }

  @Test
  void rewritePipeline_addFieldsCopy_keepsTheEncryption_andOverwriteWithALiteralClearsIt() {
    List<BsonDocument> out = run("{$addFields: {c: '$ssn', ssn: 'lit'}}", "{$match: {c: 'a', ssn: 'b'}}");
    assertThat(out.get(1).getDocument("$match").get("c")).isEqualTo(eq("'a'"));
    assertThat(out.get(1).getDocument("$match").get("ssn").isString()).isTrue();
  }

  @Test
  void rewritePipeline_addFieldsIntoAnEncryptedField_isRefusedWith51102() {
    assertRefused(() -> run("{$addFields: {'ssn.x': 1}}"), "ssn.x",
        "Invalid operation on path 'ssn.x' which contains an encrypted path prefix.");
  }

  @Test
  void rewritePipeline_condOverIdenticallyEncryptedFields_keepsTheEncryption() {
    List<BsonDocument> out = run("{$addFields: {c: {$cond: [{$eq: ['$plan', 'p']}, '$ssn', '$taxId']}}}",
        "{$match: {c: 'a'}}");
    assertThat(out.get(1)).isEqualTo(match("c", "'a'"));
  }

  @Test
  void rewritePipeline_condOverDifferentlyEncryptedValues_isUnknownUntilRuntime() {
    assertRefused(() -> run("{$addFields: {c: {$ifNull: ['$ssn', 'x']}}}", "{$match: {c: 'a'}}"), "c",
        "not known until runtime");
  }

  @Test
  void rewritePipeline_unknownPath_isRefusedWith31133() {
    assertRefused(() -> run("{$addFields: {c: {$ifNull: ['$ssn', 'x']}}}", "{$match: {c: 'a'}}"),
        "Cannot get metadata for path whose encryption properties are not known until runtime.");
  }

  @Test
  void rewritePipeline_dottedTargetOfAnEncryptedValue_keepsItsEncryption_deliberately() {
    // mongocryptd makes 'x' unknown and refuses the $match; fle4j knows x.y holds ssn's ciphertext.
    List<BsonDocument> out = rewriter.rewritePipeline(pipeline("{$project: {'x.y': '$ssn'}}", "{$match: {'x.y': 'a'}}"));
    assertThat(out.get(1).toJson()).contains(Fixtures.base64(Fixtures.enc("'a'"))).doesNotContain("\"a\"");
  }

  // ----------------------------------------------------------------- $replaceRoot

  @Test
  void rewritePipeline_replaceRootWithAPrefix_makesItsFieldsTheNewRoot() {
    List<BsonDocument> out = run("{$replaceRoot: {newRoot: '$address'}}", "{$match: {zip: 'z', 'geo.lat': 'l'}}");
    assertThat(out.get(1).getDocument("$match").get("zip")).isEqualTo(eq("'z'"));
    assertThat(out.get(1).getDocument("$match").get("geo.lat")).isEqualTo(eq("'l'"));
  }

  @Test
  void rewritePipeline_replaceRootWithEncryptedFieldOrRoot_isRefused() {
    assertRefused(() -> run("{$replaceRoot: {newRoot: '$pin'}}"), "pin",
        "$replaceRoot cannot have an encrypted field as root");
    assertRefused(() -> run("{$replaceRoot: {newRoot: '$$ROOT'}}"), "Access to variable ROOT disallowed");
    assertRefused(() -> run("{$replaceWith: '$$CURRENT'}"), "Access to variable CURRENT disallowed");
  }

  @Test
  void rewritePipeline_replaceWithObjectLiteral_carriesFieldSchemas() {
    List<BsonDocument> out = run("{$replaceWith: {s: '$ssn', n: 1}}", "{$match: {s: 'a', n: 1}}");
    assertThat(out.get(1).getDocument("$match").get("s")).isEqualTo(eq("'a'"));
    assertThat(out.get(1).getDocument("$match").getInt32("n").getValue()).isEqualTo(1);
  }

  // ----------------------------------------------------------------- $group and friends

  @Test
  void rewritePipeline_groupKeyComparingALiteral_marksTheLiteral() {
    List<BsonDocument> out = run("{$group: {_id: {$eq: ['$ssn', 'a']}}}");
    assertThat(out.get(0).getDocument("$group").getDocument("_id").getArray("$eq").get(1))
        .isEqualTo(Fixtures.enc("'a'"));
  }

  @Test
  void rewritePipeline_groupOnRandomOrUnknown_isRefusedWith51222() {
    assertRefused(() -> run("{$group: {_id: {n: '$rnd'}}}"), "rnd", "Cannot group on field 'rnd' which is encrypted"
        + " with the random algorithm or whose encryption properties are not known until runtime");
    assertRefused(() -> run("{$addFields: {u: {$ifNull: ['$ssn', 1]}}}", "{$group: {_id: '$u'}}"), "u",
        "Cannot group on field 'u'");
  }

  @Test
  void rewritePipeline_groupOutput_containsOnlyIdAndAccumulators() {
    List<BsonDocument> out = run("{$group: {_id: '$plan', f: {$first: '$ssn'}, l: {$last: '$plan'}}}",
        "{$match: {f: 'a', l: 'b', ssn: 'c'}}");
    BsonDocument m = out.get(1).getDocument("$match");
    assertThat(m.get("f")).isEqualTo(eq("'a'"));
    assertThat(m.get("l").isString()).isTrue();
    assertThat(m.get("ssn").isString()).isTrue();
  }

  @Test
  void rewritePipeline_addToSetOfDeterministicField_isAllowed_andItsResultUnknown() {
    List<BsonDocument> p = pipeline("{$group: {_id: null, s: {$addToSet: '$ssn'}, p: {$push: '$rnd'}, q: {$push: '$plan'}}}");
    assertThat(rewriter.rewritePipeline(p)).isEqualTo(p);
    assertRefused(() -> run("{$group: {_id: null, s: {$addToSet: '$ssn'}}}", "{$match: {s: 'a'}}"), "s",
        "not known until runtime");
    List<BsonDocument> plain = run("{$group: {_id: null, q: {$push: '$plan'}}}", "{$match: {q: 'a'}}");
    assertThat(plain.get(1)).isEqualTo(doc("{$match: {q: 'a'}}"));
  }

  @Test
  void rewritePipeline_addToSetOfRandomField_isRefusedWith51223() {
    assertRefused(() -> run("{$group: {_id: null, s: {$addToSet: '$rnd'}}}"), "s",
        "'s' cannot have fields encrypted with the random algorithm or whose encryption properties are not"
            + " known until runtime when used in an $addToSet accumulator.");
  }

  @ParameterizedTest
  @ValueSource(strings = {"$sum", "$avg", "$min", "$max", "$stdDevPop", "$mergeObjects"})
  void rewritePipeline_otherAccumulatorOnEncryptedInput_isRefusedWith51221(String op) {
    assertRefused(() -> run("{$group: {_id: null, x: {" + op + ": '$ssn'}}}"), "x",
        "Accumulator '" + op + "' cannot aggregate encrypted fields.");
  }

  @Test
  void rewritePipeline_accumulatorWithNonConstantInitArgsAndEncryptedKey_isRefusedWith4544715() {
    assertRefused(() -> run("{$group: {_id: '$ssn', a: {$accumulator: {init: 'function(p) { return p; }',"
        + " initArgs: ['$plan'], accumulate: 'function(s, v) { return s; }', accumulateArgs: ['$plan'],"
        + " merge: 'function(a, b) { return a; }', lang: 'js'}}}}"),
        "Accumulator '$accumulator' must have a constant initializer (initArgs) when the group key contains encrypted fields.");
  }

  @Test
  void rewritePipeline_bucketAutoGroupByEncryptedOrPrefix_isRefusedWith51238() {
    assertRefused(() -> run("{$bucketAuto: {groupBy: '$ssn', buckets: 2}}"), "ssn",
        "'groupBy' expression cannot reference encrypted fields or their prefixes.");
    assertRefused(() -> run("{$bucketAuto: {groupBy: '$address', buckets: 2}}"), "address",
        "'groupBy' expression cannot reference encrypted fields or their prefixes.");
    List<BsonDocument> p = pipeline("{$bucketAuto: {groupBy: '$plan', buckets: 2, output: {n: {$sum: 1}}}}");
    assertThat(rewriter.rewritePipeline(p)).isEqualTo(p);
  }

  @Test
  void rewritePipeline_sortByCountOfDeterministicField_isAllowed() {
    List<BsonDocument> p = pipeline("{$sortByCount: '$ssn'}");
    assertThat(rewriter.rewritePipeline(p)).isEqualTo(p);
  }

  @Test
  void rewritePipeline_sortByCountOfRandomField_isRefused() {
    assertRefused(() -> run("{$sortByCount: '$rnd'}"), "rnd", "rnd");
  }

  // ----------------------------------------------------------------- $unwind

  @Test
  void rewritePipeline_unwind_refusesRandomFields_andIncludeArrayIndexIsPlain() {
    assertRefused(() -> run("{$unwind: '$rnd'}"), "rnd",
        "$unwind is not allowed on a field which is encrypted with the randomized algorithm");
    List<BsonDocument> out = run("{$unwind: {path: '$ssn', includeArrayIndex: 'pin'}}", "{$match: {ssn: 'a', pin: 1}}");
    assertThat(out.get(1).getDocument("$match").get("ssn")).isEqualTo(eq("'a'"));
    assertThat(out.get(1).getDocument("$match").getInt32("pin").getValue()).isEqualTo(1);
  }

  // ----------------------------------------------------------------- $lookup, $graphLookup (same collection)

  @Test
  void rewritePipeline_selfLookup_isAllowed_andItsResultIsUnknown() {
    List<BsonDocument> p = pipeline("{$lookup: {from: 'coll', localField: 'ssn', foreignField: 'taxId', as: 'o'}}");
    assertThat(rewriter.rewritePipeline(p)).isEqualTo(p);
    assertRefused(() -> run("{$lookup: {from: 'coll', localField: 'plan', foreignField: 'plan', as: 'o'}}",
        "{$match: {o: 1}}"), "o", "not known until runtime");
  }

  @Test
  void rewritePipeline_lookupRules_51206_51207_51208_51211() {
    assertRefused(() -> run("{$lookup: {from: 'coll', let: {v: '$plan'}, pipeline: [], as: 'o'}}"),
        "Non-empty 'let' field is not allowed in the $lookup aggregation stage over an encrypted collection.");
    assertRefused(() -> run("{$lookup: {from: 'coll', localField: 'address', foreignField: 'plan', as: 'o'}}"),
        "address", "'localField' 'address' in the $lookup aggregation stage cannot have an encrypted child.");
    assertRefused(() -> run("{$lookup: {from: 'coll', localField: 'plan', foreignField: 'address', as: 'o'}}"),
        "address", "'foreignField' 'address' in the $lookup aggregation stage cannot have an encrypted child.");
    assertRefused(() -> run("{$lookup: {from: 'coll', localField: 'rnd', foreignField: 'rnd', as: 'o'}}"),
        "rnd", "'localField' 'rnd and 'foreignField' 'rnd' in the $lookup aggregation stage need to be both"
            + " encrypted with deterministic algorithm.");
    assertRefused(() -> run("{$lookup: {from: 'coll', localField: 'ssn', foreignField: 'plan', as: 'o'}}"),
        "ssn", "'localField' 'ssn and 'foreignField' 'plan' in the $lookup aggregation stage need to be both"
            + " unencypted or be encrypted with the same encryption properties.");
  }

  @Test
  void rewritePipeline_lookupSubPipeline_isAnalysedWithTheCollectionsSchema() {
    List<BsonDocument> out = run("{$lookup: {from: 'coll', pipeline: [{$match: {ssn: 'a'}}], as: 'o'}}");
    assertThat(out.get(0).getDocument("$lookup").getArray("pipeline").get(0)).isEqualTo(match("ssn", "'a'"));
  }

  @Test
  void rewritePipeline_graphLookupRules_51230_51231_51232_51233() {
    assertRefused(() -> run("{$graphLookup: {from: 'coll', startWith: '$plan', connectFromField: 'address',"
        + " connectToField: 'plan', as: 'g'}}"), "address",
        "'connectFromField' 'address' in the $graphLookup aggregation stage cannot have an encrypted child.");
    assertRefused(() -> run("{$graphLookup: {from: 'coll', startWith: '$plan', connectFromField: 'plan',"
        + " connectToField: 'address', as: 'g'}}"), "address",
        "'connectToField' 'address' in the $graphLookup aggregation stage cannot have an encrypted child.");
    assertRefused(() -> run("{$graphLookup: {from: 'coll', startWith: '$plan', connectFromField: 'ssn',"
        + " connectToField: 'other', as: 'g'}}"), "ssn",
        "'connectFromField' 'ssn' and 'connectToField' 'other' in the $graphLookup aggregation stage need to be"
            + " both unencypted or be encrypted with the same encryption properties.");
    assertRefused(() -> run("{$graphLookup: {from: 'coll', startWith: '$plan', connectFromField: 'rnd',"
        + " connectToField: 'rnd', as: 'g'}}"), "rnd",
        "need to be both encrypted  with the deterministic algorithm.");
  }

  @Test
  void rewritePipeline_graphLookupRestrictSearchWithMatch_isAFilter_andAsIsUnknown() {
    List<BsonDocument> out = run("{$graphLookup: {from: 'coll', startWith: '$plan', connectFromField: 'plan',"
        + " connectToField: 'plan', as: 'g', depthField: 'd', restrictSearchWithMatch: {ssn: 'a'}}}");
    assertThat(out.get(0).getDocument("$graphLookup").getDocument("restrictSearchWithMatch"))
        .isEqualTo(new BsonDocument("ssn", eq("'a'")));
    assertRefused(() -> run("{$graphLookup: {from: 'coll', startWith: '$plan', connectFromField: 'plan',"
        + " connectToField: 'plan', as: 'g'}}", "{$match: {g: 1}}"), "g", "not known until runtime");
  }

  @Test
  void rewritePipeline_graphLookupStartWithAnEncryptedField_isAllowed() {
    List<BsonDocument> p = pipeline("{$graphLookup: {from: 'coll', startWith: '$ssn', connectFromField: 'taxId',"
        + " connectToField: 'ssn', as: 'g'}}");
    assertThat(rewriter.rewritePipeline(p)).isEqualTo(p);
  }

  // ----------------------------------------------------------------- $geoNear, search, fresh trees

  @Test
  void rewritePipeline_geoNear_keyQueryAndOutputFields() {
    assertRefused(() -> run("{$geoNear: {near: [0, 0], key: 'address', distanceField: 'd'}}"), "address",
        "'key' field 'address' in the $geoNear aggregation stage cannot be encrypted.");
    assertRefused(() -> run("{$geoNear: {near: [0, 0], key: 'ssn', distanceField: 'd'}}"), "ssn",
        "'key' field 'ssn' in the $geoNear aggregation stage cannot be encrypted.");
    List<BsonDocument> out = run("{$geoNear: {near: [0, 0], distanceField: 'pin', query: {ssn: 'a'}}}",
        "{$match: {pin: 1}}");
    assertThat(out.get(0).getDocument("$geoNear").getDocument("query")).isEqualTo(new BsonDocument("ssn", eq("'a'")));
    assertThat(out.get(1)).isEqualTo(doc("{$match: {pin: 1}}"));
  }

  @Test
  void rewritePipeline_searchStages_areRefused_deliberatelyStricter() {
    // mongocryptd accepts $search; its query text would reach the server in plaintext when it
    // names an encrypted field, so fle4j refuses search stages over encrypted collections.
    for (String stage : List.of("$search", "$vectorSearch", "$searchMeta")) {
      assertRefused(() -> run("{" + stage + ": {text: {query: 'x', path: 'ssn'}}}"),
          "Aggregation stage " + stage + " is not allowed or supported with automatic encryption.");
    }
  }

  @Test
  void rewritePipeline_collStats_startsAFreshUnencryptedTree() {
    List<BsonDocument> out = run("{$collStats: {count: {}}}", "{$match: {ssn: 'a'}}");
    assertThat(out.get(1)).isEqualTo(doc("{$match: {ssn: 'a'}}"));
  }
}
