package io.fle4j.internal.auto.analysis;

import static io.fle4j.internal.auto.analysis.Fixtures.FAKE;
import static io.fle4j.internal.auto.analysis.Fixtures.ID_SCHEMA;
import static io.fle4j.internal.auto.analysis.Fixtures.SCHEMA;
import static io.fle4j.internal.auto.analysis.Fixtures.assertRefused;
import static io.fle4j.internal.auto.analysis.Fixtures.doc;
import static io.fle4j.internal.auto.analysis.Fixtures.enc;
import static io.fle4j.internal.auto.analysis.Fixtures.eq;
import static io.fle4j.internal.auto.analysis.Fixtures.schema;
import static org.assertj.core.api.Assertions.assertThat;

import io.fle4j.internal.auto.schema.CollectionSchema;
import org.bson.BsonArray;
import org.bson.BsonDocument;
import org.bson.BsonInt32;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Section 5 (libmongocrypt's allowlist) and section 4 (per-command analysis). */
class CommandAnalyzerTest {
  /** db.coll: SCHEMA; db.ids: ID_SCHEMA (encrypted _id); anything else: no schema. */
  private final CommandAnalyzer analyzer = new CommandAnalyzer(ns -> {
    CollectionSchema schema = switch (ns.getCollectionName()) {
      case "coll" -> schema("db.coll", SCHEMA);
      case "ids" -> schema("db.ids", ID_SCHEMA);
      default -> CollectionSchema.none(ns.getFullName());
    };
    return new CommandRewriter(schema, FAKE, other -> CollectionSchema.none(other.getFullName()));
  });

  private BsonDocument analyse(String json) {
    return analyzer.analyse("db", doc(json));
  }

  // ----------------------------------------------------------------- allowlist

  @ParameterizedTest
  @ValueSource(strings = {"getMore", "authenticate", "getnonce", "logout", "isMaster", "ismaster",
      "ISMASTER", "IsMaster", "hello", "abortTransaction", "commitTransaction", "endSessions",
      "startSession", "drop", "dropDatabase", "dropIndexes", "killCursors", "listCollections",
      "listDatabases", "listIndexes", "renameCollection", "ping", "saslStart", "saslContinue",
      "killAllSessions", "killSessions", "killAllSessionsByPattern", "refreshSessions", "buildInfo",
      "buildinfo", "getCmdLineOpts", "getLog", "createSearchIndexes", "listSearchIndexes",
      "dropSearchIndex", "updateSearchIndex", "serverStatus"})
  void analyse_bypassedCommand_passesAsTheSameObject(String name) {
    BsonDocument command = new BsonDocument(name, new BsonInt32(1)).append("filter", doc("{ssn: 'x'}"));
    assertThat(analyzer.analyse("db", command)).isSameAs(command);
    BsonDocument onColl = new BsonDocument(name, new org.bson.BsonString("coll"));
    assertThat(analyzer.analyse("db", onColl)).isSameAs(onColl);
  }

  @ParameterizedTest
  @ValueSource(strings = {"mapReduce", "mapreduce", "applyOps", "bulkWrite", "eval", "findandmodify",
      "FIND", "PING", "Hello", "geoNear", "group", "validate", "collStats", "dbStats", "aggregateX"})
  void analyse_unknownCommand_isRefused(String name) {
    assertRefused(() -> analyzer.analyse("db", new BsonDocument(name, new org.bson.BsonString("coll"))),
        null, "command not supported for auto encryption: " + name);
  }

  @Test
  void analyse_aggregateOnTheDatabase_isRefusedAsNonCollection() {
    assertRefused(() -> analyse("{aggregate: 1, pipeline: [{$documents: [{a: 1}]}], cursor: {}}"),
        null, "non-collection command not supported for auto encryption: aggregate");
    assertRefused(() -> analyse("{find: 1}"), null,
        "non-collection command not supported for auto encryption: find");
  }

  @Test
  void analyse_emptyCollectionName_isRefused() {
    assertRefused(() -> analyse("{find: ''}"), null, "empty collection name on command: find");
    assertRefused(() -> analyse("{insert: '', documents: []}"), null,
        "empty collection name on command: insert");
  }

  // ----------------------------------------------------------------- explain

  @Test
  void analyse_explainOfFind_rewritesTheInnerCommandAndKeepsVerbosity() {
    BsonDocument out = analyse("{explain: {find: 'coll', filter: {ssn: 'a'}, sort: {plan: 1}},"
        + " verbosity: 'executionStats', comment: 'c'}");
    assertThat(out.getDocument("explain").getDocument("filter")).isEqualTo(new BsonDocument("ssn", eq("'a'")));
    assertThat(out.getDocument("explain").getDocument("sort")).isEqualTo(doc("{plan: 1}"));
    assertThat(out.getString("verbosity").getValue()).isEqualTo("executionStats");
    assertThat(out.getString("comment").getValue()).isEqualTo("c");
  }

  @Test
  void analyse_explainOfOtherCommands_rewritesTheInnerCommand() {
    assertThat(analyse("{explain: {aggregate: 'coll', pipeline: [{$match: {ssn: 'a'}}], cursor: {}},"
        + " verbosity: 'queryPlanner'}").getDocument("explain").getArray("pipeline").get(0))
        .isEqualTo(new BsonDocument("$match", new BsonDocument("ssn", eq("'a'"))));
    assertThat(analyse("{explain: {count: 'coll', query: {ssn: 'a'}}}").getDocument("explain")
        .getDocument("query")).isEqualTo(new BsonDocument("ssn", eq("'a'")));
    assertThat(analyse("{explain: {distinct: 'coll', key: 'plan', query: {ssn: 'a'}}}")
        .getDocument("explain").getDocument("query")).isEqualTo(new BsonDocument("ssn", eq("'a'")));
    assertThat(analyse("{explain: {delete: 'coll', deletes: [{q: {ssn: 'a'}, limit: 1}]}}")
        .getDocument("explain").getArray("deletes").get(0).asDocument().getDocument("q"))
        .isEqualTo(new BsonDocument("ssn", eq("'a'")));
    assertThat(analyse("{explain: {update: 'coll', updates: [{q: {}, u: {$set: {ssn: 'a'}}}]}}")
        .getDocument("explain").getArray("updates").get(0).asDocument().getDocument("u"))
        .isEqualTo(new BsonDocument("$set", new BsonDocument("ssn", enc("'a'"))));
    assertThat(analyse("{explain: {findAndModify: 'coll', query: {ssn: 'a'}, remove: true}}")
        .getDocument("explain").getDocument("query")).isEqualTo(new BsonDocument("ssn", eq("'a'")));
    assertRefused(() -> analyse("{explain: {find: 'coll', filter: {ssn: {$gt: 'a'}}}}"), "ssn",
        "Invalid match expression operator on encrypted field 'ssn'");
  }

  @Test
  void analyse_explainWithNothingToEncrypt_isTheSameObject() {
    BsonDocument command = doc("{explain: {find: 'coll', filter: {plan: 'a'}}, verbosity: 'queryPlanner'}");
    assertThat(analyzer.analyse("db", command)).isSameAs(command);
  }

  @Test
  void analyse_explainValueNotADocument_isRefused() {
    assertRefused(() -> analyse("{explain: 'find'}"), null, "explain value is not a document");
  }

  @Test
  void analyse_explainOfUnknownCommand_isRefusedAsUnknownToExplain() {
    assertRefused(() -> analyse("{explain: {mapReduce: 'coll', map: 'f', reduce: 'g', out: {inline: 1}}}"),
        "Explain failed due to unknown command: mapReduce");
  }

  @Test
  void analyse_explainOfUnknownCommand_isRefused() {
    assertRefused(() -> analyse("{explain: {mapReduce: 'coll', map: 'f', reduce: 'g', out: {inline: 1}}}"),
        "mapReduce");
    assertRefused(() -> analyse("{explain: {getMore: 'coll'}}"), "getMore");
  }

  @Test
  void analyse_explainOfNonCollectionOrEmptyName_namesTheExplainCommand() {
    assertRefused(() -> analyse("{explain: {aggregate: 1, pipeline: [], cursor: {}}}"),
        "non-collection command not supported for auto encryption: explain");
    assertRefused(() -> analyse("{explain: {find: ''}}"), "empty collection name on command: explain");
  }

  @Test
  void analyse_explainWithMismatchedDb_isRefused() {
    assertRefused(() -> analyse("{explain: {find: 'coll', $db: 'other'}}"),
        "Mismatched $db in explain command. Expected db but got other");
  }

  @Test
  void analyse_explainWithMismatchedDb_isRefusedWithTheSpecTextPrefix() {
    assertRefused(() -> analyse("{explain: {find: 'coll', $db: 'other'}}"),
        "Mismatched $db in explain command. Expected db but got ");
  }

  // ----------------------------------------------------------------- create, collMod

  @Test
  void analyse_createView_isRefused() {
    assertRefused(() -> analyse("{create: 'v', viewOn: 'coll', pipeline: []}"), null,
        "Creating a view is not supported with automatic encryption");
    assertRefused(() -> analyse("{create: 'v', viewOn: 'plain'}"), null,
        "Creating a view is not supported with automatic encryption");
  }

  @Test
  void analyse_createOrCollModValidatorSchema_isParsedAsLocal() {
    for (String name : new String[] {"create", "collMod"}) {
      org.assertj.core.api.Assertions.assertThatThrownBy(() -> analyse("{" + name + ": 'n', validator:"
          + " {$jsonSchema: {bsonType: 'object', required: ['a']}}}"))
          .hasMessageContaining("JSON schema keyword 'required' is only allowed with a remote schema");
      BsonDocument fine = doc("{" + name + ": 'n', validator: {$jsonSchema: " + SCHEMA.toJson() + "}}");
      assertThat(analyzer.analyse("db", fine)).isSameAs(fine);
    }
  }

  @Test
  void analyse_collModValidatorComparingAnEncryptedField_isRefused() {
    assertRefused(() -> analyse("{collMod: 'coll', validator: {ssn: 'x'}}"), null,
        "Comparison to encrypted fields not supported in collection validator.");
    BsonDocument fine = doc("{collMod: 'coll', validator: {plan: 'x'}}");
    assertThat(analyzer.analyse("db", fine)).isSameAs(fine);
  }

  @Test
  void analyse_createValidatorComparingAnEncryptedFieldOfTheSchemaMap_isRefused() {
    assertRefused(() -> analyse("{create: 'coll', validator: {ssn: 'x'}}"), null,
        "Comparison to encrypted fields not supported in collection validator.");
  }

  @Test
  void analyse_createWithPlainValidator_isTheSameObject() {
    BsonDocument command = doc("{create: 'plain', validator: {plan: {$gt: 1}}, capped: false}");
    assertThat(analyzer.analyse("db", command)).isSameAs(command);
  }

  // ----------------------------------------------------------------- createIndexes

  @Test
  void analyse_createIndexesWithPartialFilterOnEncryptedField_isRefused() {
    assertRefused(() -> analyse("{createIndexes: 'coll', indexes: [{key: {plan: 1}, name: 'p',"
        + " partialFilterExpression: {ssn: 'x'}}]}"), null,
        "Comparison to encrypted fields not supported in a partialFilterExpression.");
    assertRefused(() -> analyse("{createIndexes: 'coll', indexes: [{key: {plan: 1}, name: 'p',"
        + " partialFilterExpression: {ssn: {$gt: 'x'}}}]}"), "ssn",
        "Invalid match expression operator on encrypted field 'ssn'");
  }

  @Test
  void analyse_createIndexesWithPlainPartialFilter_isTheSameObject() {
    BsonDocument command = doc("{createIndexes: 'coll', indexes: [{key: {ssn: 1}, name: 's',"
        + " partialFilterExpression: {plan: {$exists: true}}}, {key: {plan: 1}, name: 'q'}]}");
    assertThat(analyzer.analyse("db", command)).isSameAs(command);
  }

  // ----------------------------------------------------------------- insert

  @Test
  void analyse_insert_encryptsEachDocument_andLeavesTheRestUntouched() {
    BsonDocument command = doc("{insert: 'coll', documents: [{_id: 1, plan: 'p'}, {_id: 2, ssn: 'a'}],"
        + " ordered: false, bypassDocumentValidation: true}");
    BsonDocument out = analyzer.analyse("db", command);
    assertThat(out.getArray("documents").get(0)).isSameAs(command.getArray("documents").get(0));
    assertThat(out.getArray("documents").get(1).asDocument().get("ssn")).isEqualTo(enc("'a'"));
    assertThat(out.getBoolean("ordered").getValue()).isFalse();
    assertThat(out.getBoolean("bypassDocumentValidation").getValue()).isTrue();
    assertThat(command.getArray("documents").get(1).asDocument().getString("ssn").getValue())
        .as("the input is not modified").isEqualTo("a");
    BsonDocument plain = doc("{insert: 'coll', documents: [{_id: 1, plan: 'p'}]}");
    assertThat(analyzer.analyse("db", plain)).isSameAs(plain);
  }

  @Test
  void analyse_insertWithoutEncryptedId_isRefusedWith51130() {
    assertRefused(() -> analyse("{insert: 'ids', documents: [{ssn: 'a'}]}"), "_id",
        "_id must be explicitly provided when configured as encrypted");
    assertThat(analyse("{insert: 'ids', documents: [{_id: 1}]}").getArray("documents").get(0)
        .asDocument().get("_id")).isEqualTo(enc("1"));
  }

  @Test
  void analyse_insertOfTimestampZeroIntoTopLevelEncryptedField_isRefusedWith51129() {
    CommandAnalyzer ts = new CommandAnalyzer(ns -> new CommandRewriter(schema("db.t", doc(
        "{bsonType: 'object', properties: {t: {encrypt: {bsonType: 'timestamp', algorithm: '" + Fixtures.DET
            + "', keyId: [UUID('" + Fixtures.KEY + "')]}}}}")), FAKE, o -> CollectionSchema.none(o.getFullName())));
    assertRefused(() -> ts.analyse("db", doc("{insert: 't', documents: [{t: {$timestamp: {t: 0, i: 0}}}]}")),
        "t", "A command that inserts cannot supply Timestamp(0, 0) for an encrypted top-level field at path t");
    assertThat(ts.analyse("db", doc("{insert: 't', documents: [{t: {$timestamp: {t: 1, i: 0}}}]}"))
        .getArray("documents").get(0).asDocument().get("t").isBinary()).isTrue();
  }

  // ----------------------------------------------------------------- update

  @Test
  void analyse_update_rewritesQAndU_andLeavesOtherStatementFieldsUntouched() {
    BsonDocument out = analyse("{update: 'coll', updates: [{q: {ssn: 'a'}, u: {$set: {pin: 1}}, multi: true,"
        + " upsert: false, arrayFilters: [{'x.y': 1}], hint: {plan: 1}}, {q: {plan: 'p'}, u: {$set: {plan: 'q'}}}],"
        + " ordered: true, let: {v: 1}}");
    BsonDocument first = out.getArray("updates").get(0).asDocument();
    assertThat(first.getDocument("q")).isEqualTo(new BsonDocument("ssn", eq("'a'")));
    assertThat(first.getDocument("u")).isEqualTo(new BsonDocument("$set", new BsonDocument("pin", enc("1"))));
    assertThat(first.getBoolean("multi").getValue()).isTrue();
    assertThat(first.getArray("arrayFilters")).isEqualTo(doc("{a: [{'x.y': 1}]}").getArray("a"));
    assertThat(first.getDocument("hint")).isEqualTo(doc("{plan: 1}"));
    assertThat(out.getArray("updates").get(1)).isEqualTo(doc("{q: {plan: 'p'}, u: {$set: {plan: 'q'}}}"));
    assertThat(out.getDocument("let")).isEqualTo(doc("{v: 1}"));
    BsonDocument plain = doc("{update: 'coll', updates: [{q: {plan: 'p'}, u: {$inc: {n: 1}}}]}");
    assertThat(analyzer.analyse("db", plain).getArray("updates").get(0).asDocument().getDocument("q"))
        .isEqualTo(doc("{plan: 'p'}"));
  }

  @Test
  void analyse_updateUpsertPipelineWithEncryptedId_isRefusedWith31150() {
    assertRefused(() -> analyse("{update: 'ids', updates: [{q: {}, u: [{$set: {ssn: '$ssn'}}], upsert: true}]}"),
        "_id", "Pipelines in update are not allowed with an encrypted '_id' and 'upsert: true'");
  }

  @Test
  void analyse_updateUpsertWithOperatorsAndEncryptedId_isRefusedWith51130() {
    assertRefused(() -> analyse("{update: 'ids', updates: [{q: {_id: 1}, u: {$set: {ssn: 'a'}}, upsert: true}]}"),
        "_id", "_id must be explicitly provided when configured as encrypted");
    assertThat(analyse("{update: 'ids', updates: [{q: {_id: 1}, u: {$set: {ssn: 'a'}}}]}")
        .getArray("updates").get(0).asDocument().getDocument("u").getDocument("$set").get("ssn"))
        .isEqualTo(enc("'a'"));
  }

  @Test
  void analyse_updateUpsertReplacementWithoutEncryptedId_isRefusedWith51130() {
    assertRefused(() -> analyse("{update: 'ids', updates: [{q: {}, u: {ssn: 'a'}, upsert: true}]}"),
        "_id", "_id must be explicitly provided when configured as encrypted");
    BsonDocument u = analyse("{update: 'ids', updates: [{q: {}, u: {_id: 2, ssn: 'a'}, upsert: true}]}")
        .getArray("updates").get(0).asDocument().getDocument("u");
    assertThat(u.get("_id")).isEqualTo(enc("2"));
    assertThat(u.get("ssn")).isEqualTo(enc("'a'"));
  }

  // ----------------------------------------------------------------- delete, find, count, distinct

  @Test
  void analyse_delete_rewritesEachQ() {
    BsonDocument out = analyse("{delete: 'coll', deletes: [{q: {ssn: 'a'}, limit: 1, hint: 'h'}, {q: {plan: 'p'}, limit: 0}]}");
    assertThat(out.getArray("deletes").get(0)).isEqualTo(new BsonDocument("q", new BsonDocument("ssn", eq("'a'")))
        .append("limit", new BsonInt32(1)).append("hint", new org.bson.BsonString("h")));
    assertThat(out.getArray("deletes").get(1)).isEqualTo(doc("{q: {plan: 'p'}, limit: 0}"));
    BsonDocument plain = doc("{delete: 'coll', deletes: [{q: {plan: 'p'}, limit: 0}]}");
    assertThat(analyzer.analyse("db", plain)).isSameAs(plain);
  }

  @Test
  void analyse_find_rewritesFilterAndProjection_only() {
    BsonDocument command = doc("{find: 'coll', filter: {ssn: 'a'}, projection: {ssn: 1, plan: 1},"
        + " sort: {plan: 1}, hint: {plan: 1}, limit: 3, let: {v: 1}, collation: {locale: 'simple'}}");
    BsonDocument out = analyzer.analyse("db", command);
    assertThat(out.getDocument("filter")).isEqualTo(new BsonDocument("ssn", eq("'a'")));
    for (String unchanged : new String[] {"projection", "sort", "hint", "limit", "let", "collation"}) {
      assertThat(out.get(unchanged)).as(unchanged).isSameAs(command.get(unchanged));
    }
    BsonDocument plain = doc("{find: 'coll', filter: {plan: 'a'}, projection: {ssn: 1}, sort: {plan: 1}}");
    assertThat(analyzer.analyse("db", plain)).isSameAs(plain);
  }

  @Test
  void analyse_findProjectionEvaluatingAnEncryptedField_isRefused() {
    assertRefused(() -> analyse("{find: 'coll', projection: {x: {$toUpper: '$ssn'}}}"), "ssn",
        "Encrypted field 'ssn' is not allowed to be evaluated by");
    assertRefused(() -> analyse("{find: 'coll', projection: {ssn: {$slice: 1}}}"), "ssn",
        "Encrypted field 'ssn' is not allowed to be evaluated by");
    assertRefused(() -> analyse("{find: 'coll', projection: {pin: {$elemMatch: {$eq: 1}}}}"), "pin",
        "Encrypted field 'pin' is not allowed to be evaluated by");
  }

  @Test
  void analyse_findPositionalProjectionOfAnEncryptedField_isRefused() {
    assertRefused(() -> analyse("{find: 'coll', filter: {plan: 'p'}, projection: {'ssn.$': 1}}"),
        "is not allowed to be evaluated by");
  }

  @Test
  void analyse_findSortOnEncryptedField_isRefused_deliberatelyStricter() {
    // mongocryptd copies find's sort; sorting ciphertext gives a meaningless order.
    assertRefused(() -> analyse("{find: 'coll', sort: {ssn: 1}}"), "Sorting on key 'ssn' is not allowed due to encryption.");
  }

  @Test
  void analyse_findMinMaxOnEncryptedField_areRefused_deliberatelyStricter() {
    // mongocryptd copies min/max unchanged, sending their values in plaintext.
    assertRefused(() -> analyse("{find: 'coll', min: {ssn: 'a'}, hint: {ssn: 1}}"), "on encrypted field 'ssn'");
    assertRefused(() -> analyse("{find: 'coll', max: {ssn: 'z'}, hint: {ssn: 1}}"), "on encrypted field 'ssn'");
  }

  @Test
  void analyse_count_rewritesQuery() {
    BsonDocument out = analyse("{count: 'coll', query: {ssn: 'a'}, limit: 1}");
    assertThat(out.getDocument("query")).isEqualTo(new BsonDocument("ssn", eq("'a'")));
    assertThat(out.getInt32("limit").getValue()).isEqualTo(1);
    BsonDocument plain = doc("{count: 'coll', query: {plan: 'a'}}");
    assertThat(analyzer.analyse("db", plain)).isSameAs(plain);
  }

  @Test
  void analyse_distinct_checksTheKey_andRewritesQuery() {
    BsonDocument out = analyse("{distinct: 'coll', key: 'ssn', query: {ssn: 'a'}}");
    assertThat(out.getDocument("query")).isEqualTo(new BsonDocument("ssn", eq("'a'")));
    assertThat(out.getString("key").getValue()).isEqualTo("ssn");
    assertRefused(() -> analyse("{distinct: 'coll', key: 'notes'}"), "notes",
        "The distinct key is not allowed to be marked for encryption with a non-UUID keyId");
    assertRefused(() -> analyse("{distinct: 'coll', key: 'rnd'}"), "rnd",
        "Distinct key is not allowed to be marked for encryption with the randomized encryption algorithm");
    assertRefused(() -> analyse("{distinct: 'coll', key: 'address'}"), "address",
        "Distinct key is not allowed to be a prefix of an encrypted field");
    assertRefused(() -> analyse("{distinct: 'coll', key: 'ssn.x'}"), "ssn.x",
        "Invalid operation on path 'ssn.x' which contains an encrypted path prefix.");
    BsonDocument plain = doc("{distinct: 'coll', key: 'address.city', query: {plan: 'p'}}");
    assertThat(analyzer.analyse("db", plain)).isSameAs(plain);
  }

  // ----------------------------------------------------------------- collation

  @Test
  void analyse_nonSimpleCollationComparingAnEncryptedString_isRefusedWith31054() {
    assertRefused(() -> analyse("{find: 'coll', filter: {ssn: 'a'}, collation: {locale: 'fr', strength: 1}}"),
        "cannot apply non-simple collation when comparing to element");
    assertRefused(() -> analyse("{count: 'coll', query: {ssn: 'a'}, collation: {locale: 'fr'}}"),
        "cannot apply non-simple collation when comparing to element");
    assertRefused(() -> analyse("{delete: 'coll', deletes: [{q: {ssn: 'a'}, limit: 1, collation: {locale: 'fr'}}]}"),
        "cannot apply non-simple collation when comparing to element");
    assertRefused(() -> analyse("{update: 'coll', updates: [{q: {ssn: 'a'}, u: {$set: {plan: 'x'}},"
        + " collation: {locale: 'fr'}}]}"), "cannot apply non-simple collation when comparing to element");
    assertRefused(() -> analyse("{aggregate: 'coll', pipeline: [{$match: {ssn: 'a'}}], cursor: {},"
        + " collation: {locale: 'fr'}}"), "cannot apply non-simple collation when comparing to element");
  }

  @Test
  void analyse_nonSimpleCollationComparingAnEncryptedInt_isMarked() {
    BsonDocument out = analyse("{find: 'coll', filter: {pin: 1}, collation: {locale: 'fr'}}");
    assertThat(out.getDocument("filter")).isEqualTo(new BsonDocument("pin", eq("1")));
  }

  @Test
  void analyse_distinctOnEncryptedStringKeyWithNonSimpleCollation_isRefusedWith31058() {
    assertRefused(() -> analyse("{distinct: 'coll', key: 'ssn', collation: {locale: 'fr'}}"),
        "Distinct key cannot be an encrypted string field if the collation is non-simple");
  }

  @Test
  void analyse_collationNotAnObject_isRefusedWith31084() {
    assertRefused(() -> analyse("{find: 'coll', filter: {ssn: 'a'}, collation: 'fr'}"),
        "collation command parameter must be of type Object");
  }

  // ----------------------------------------------------------------- findAndModify

  @Test
  void analyse_findAndModify_rewritesQueryAndUpdate() {
    BsonDocument out = analyse("{findAndModify: 'coll', query: {ssn: 'a'}, update: {$set: {pin: 2}}, new: true,"
        + " sort: {plan: 1}, fields: {ssn: 1}}");
    assertThat(out.getDocument("query")).isEqualTo(new BsonDocument("ssn", eq("'a'")));
    assertThat(out.getDocument("update")).isEqualTo(new BsonDocument("$set", new BsonDocument("pin", enc("2"))));
    assertThat(out.getDocument("sort")).isEqualTo(doc("{plan: 1}"));
    assertThat(out.getDocument("fields")).isEqualTo(doc("{ssn: 1}"));
    BsonDocument replaced = analyse("{findAndModify: 'coll', query: {plan: 'p'}, update: {ssn: 'b', plan: 'p'}}");
    assertThat(replaced.getDocument("update").get("ssn")).isEqualTo(enc("'b'"));
    BsonDocument plain = doc("{findAndModify: 'coll', query: {plan: 'p'}, remove: true}");
    assertThat(analyzer.analyse("db", plain)).isSameAs(plain);
  }

  @Test
  void analyse_findAndModifyUpsertPipelineWithEncryptedId_isRefusedWith31151() {
    assertRefused(() -> analyse("{findAndModify: 'ids', query: {}, update: [{$set: {ssn: '$ssn'}}], upsert: true}"),
        "_id", "Pipelines in findAndModify are not allowed with an encrypted '_id' and 'upsert: true'");
  }

  @Test
  void analyse_findAndModifyUpsertWithOperatorsAndEncryptedId_isRefusedWith51130() {
    assertRefused(() -> analyse("{findAndModify: 'ids', query: {_id: 1}, update: {$set: {ssn: 'a'}}, upsert: true}"),
        "_id", "_id must be explicitly provided when configured as encrypted");
  }

  @Test
  void analyse_findAndModifySortAndFields_areAnalysed_deliberatelyStricter() {
    // mongocryptd leaves them alone; fle4j checks them as it checks find's.
    assertRefused(() -> analyse("{findAndModify: 'coll', query: {plan: 'p'}, remove: true, sort: {ssn: 1}}"),
        "Sorting on key 'ssn' is not allowed due to encryption.");
    assertRefused(() -> analyse("{findAndModify: 'coll', query: {plan: 'p'}, remove: true,"
        + " fields: {x: {$toUpper: '$ssn'}}}"), "is not allowed to be evaluated by $toUpper");
  }

  // ----------------------------------------------------------------- aggregate

  @Test
  void analyse_aggregate_rewritesThePipeline_andLeavesTheRest() {
    BsonDocument command = doc("{aggregate: 'coll', pipeline: [{$match: {ssn: 'a'}}, {$limit: 1}], cursor: {batchSize: 2},"
        + " allowDiskUse: true}");
    BsonDocument out = analyzer.analyse("db", command);
    assertThat(out.getArray("pipeline")).isEqualTo(new BsonArray(java.util.List.of(
        new BsonDocument("$match", new BsonDocument("ssn", eq("'a'"))), doc("{$limit: 1}"))));
    assertThat(out.get("cursor")).isSameAs(command.get("cursor"));
    BsonDocument plain = doc("{aggregate: 'coll', pipeline: [{$match: {plan: 'a'}}], cursor: {}}");
    assertThat(analyzer.analyse("db", plain).getArray("pipeline")).isEqualTo(plain.getArray("pipeline"));
  }
}
