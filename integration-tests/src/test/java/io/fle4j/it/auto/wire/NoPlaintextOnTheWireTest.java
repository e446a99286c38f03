package io.fle4j.it.auto.wire;

import static io.fle4j.it.auto.wire.WireFixture.d;
import static io.fle4j.it.auto.wire.WireFixture.p;
import static io.fle4j.it.auto.wire.WireFixture.person;
import static io.fle4j.it.auto.wire.WireFixture.personDoc;
import static org.assertj.core.api.Assertions.assertThat;

import com.mongodb.WriteConcern;
import com.mongodb.client.MongoCursor;
import com.mongodb.client.model.BulkWriteOptions;
import com.mongodb.client.model.CountOptions;
import com.mongodb.client.model.CreateCollectionOptions;
import com.mongodb.client.model.DeleteManyModel;
import com.mongodb.client.model.DeleteOneModel;
import com.mongodb.client.model.DeleteOptions;
import com.mongodb.client.model.FindOneAndDeleteOptions;
import com.mongodb.client.model.FindOneAndReplaceOptions;
import com.mongodb.client.model.FindOneAndUpdateOptions;
import com.mongodb.client.model.IndexModel;
import com.mongodb.client.model.IndexOptions;
import com.mongodb.client.model.InsertOneModel;
import com.mongodb.client.model.ReplaceOneModel;
import com.mongodb.client.model.ReplaceOptions;
import com.mongodb.client.model.UpdateManyModel;
import com.mongodb.client.model.UpdateOneModel;
import com.mongodb.client.model.UpdateOptions;
import com.mongodb.client.model.ValidationOptions;
import com.mongodb.client.model.bulk.ClientNamespacedWriteModel;
import com.mongodb.MongoNamespace;
import java.util.List;
import java.util.stream.Collectors;
import org.bson.BsonDocument;
import org.bson.RawBsonDocument;
import org.bson.Document;
import org.bson.io.BasicOutputBuffer;
import org.bson.BsonBinaryWriter;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The promise of automatic encryption, checked on the wire: no plaintext of an encrypted field
 * ever leaves an fle4j client. Hand-written calls put canaries in every position where a value
 * meets an encrypted field (documents, filters, updates, pipelines, expressions, options, raw
 * commands); {@link DriverSurfaceWireTest} covers every driver method by reflection.
 *
 * <p>Report mode: all calls run, then one failure lists every leak (and every call that proved
 * nothing). target/wire-canary/curated.md holds the full table.
 */
class NoPlaintextOnTheWireTest {
  private static WireFixture f;

  @BeforeAll
  static void start() {
    f = new WireFixture();
  }

  @AfterAll
  static void stop() throws Exception {
    if (f != null) {
      f.close();
    }
  }

  @Test
  void curatedCalls_withCanariesInEveryEncryptedPosition_neverPutACanaryOnTheWire() {
    ProbeRunner r = new ProbeRunner(f.capture, WireFixture.KEY_VAULT_COLL);
    documentsAndFilters(r);
    findOptions(r);
    pipelines(r);
    updatesAndDeletes(r);
    bulkAndIndexesAndCollections(r);
    rawCommands(r);
    // Last: the stand-in closes the connection after an unacknowledged (moreToCome) write, which
    // would make the next call on that pooled connection fail before it is sent.
    r.probe("insertOne unacknowledged (w:0)",
        c -> f.people.withWriteConcern(WriteConcern.UNACKNOWLEDGED).insertOne(personDoc(c)));
    assertNoLeaks("curated", r.outcomes());
  }

  static void assertNoLeaks(String name, List<ProbeRunner.Outcome> outcomes) {
    WireFixture.write(name, outcomes);
    List<String> problems = outcomes.stream()
        .filter(o -> o.verdict() == ProbeRunner.Verdict.LEAK
            || o.verdict() == ProbeRunner.Verdict.REFUSED_AFTER_SENDING
            || o.verdict() == ProbeRunner.Verdict.UNOBSERVED)
        .map(o -> o.verdict() + " " + o.call() + "\n    " + o.detail().replace("\n", "\n    "))
        .collect(Collectors.toList());
    assertThat(problems).as("%d problem(s) of %d calls (see target/wire-canary/%s.md):%n%s",
        problems.size(), outcomes.size(), name, String.join("\n", problems)).isEmpty();
  }

  // ------------------------------------------------------------------ documents and filters

  private static void find(ProbeRunner r, String filter) {
    r.probe("find " + filter, c -> f.people.find(d(filter, c)).first());
  }

  private static void documentsAndFilters(ProbeRunner r) {
    r.probe("insertOne(person)", c -> f.people.insertOne(personDoc(c)));
    r.probe("insertMany(2 persons)", c -> f.people.insertMany(List.of(personDoc(c), personDoc(c))));
    r.probe("insertOne BsonDocument via withDocumentClass",
        c -> f.people.withDocumentClass(BsonDocument.class).insertOne(person(c)));
    r.probe("insertOne via withCodecRegistry",
        c -> f.people.withCodecRegistry(f.people.getCodecRegistry()).insertOne(personDoc(c)));
    r.probe("insertOne nested document given as Map",
        c -> f.people.insertOne(new Document("name", c).append("address",
            java.util.Map.of("zip", Canaries.ZIP, "geo", java.util.Map.of("cell", Canaries.CELL)))));
    r.probe("insertOne tag_ via patternProperties", c -> f.people.insertOne(
        new Document("name", c).append("tag_zz", Canaries.TAG)));
    r.probe("insertOne address as array (schema violation)", c -> f.people.insertOne(
        Document.parse(WireFixture.expand("{name: 'CTL', address: [{zip: 'ZIP!'}]}", c))));
    r.probe("insertOne RawBsonDocument with duplicate ssn key", c -> f.people
        .withDocumentClass(RawBsonDocument.class).insertOne(duplicateKeys(c, "ssn")));
    r.probe("find RawBsonDocument filter with duplicate ssn key",
        c -> f.people.find(duplicateKeys(c, "ssn")).first());
    for (String filter : List.of(
        "{name: 'CTL', ssn: 'SSN!'}",
        "{name: 'CTL', ssn: {$eq: 'SSN!'}}",
        "{name: 'CTL', ssn: {$ne: 'SSN!'}}",
        "{name: 'CTL', ssn: {$in: ['SSN!', 'SSN2!']}}",
        "{name: 'CTL', ssn: {$nin: ['SSN!']}}",
        "{name: 'CTL', ssn: {$not: {$eq: 'SSN!'}}}",
        "{name: 'CTL', ssn: {$gt: 'SSN!'}}",
        "{name: 'CTL', ssn: {$regex: 'SSN!'}}",
        "{name: 'CTL', ssn: {$all: ['SSN!']}}",
        "{name: 'CTL', ssn: {$elemMatch: {$eq: 'SSN!'}}}",
        "{name: 'CTL', $or: [{ssn: 'SSN!'}, {plan: 'x'}]}",
        "{name: 'CTL', $nor: [{ssn: 'SSN!'}]}",
        "{name: 'CTL', $and: [{ssn: 'SSN!'}]}",
        "{name: 'CTL', age: AGE!}",
        "{name: 'CTL', age: {$in: [AGE!]}}",
        "{name: 'CTL', born: BORN!}",
        "{name: 'CTL', secret: 'SECRET!'}",
        "{name: 'CTL', pin: 'PIN!'}",
        "{name: 'CTL', 'address.zip': 'ZIP!'}",
        "{name: 'CTL', 'address.note': 'NOTE!'}",
        "{name: 'CTL', 'address.geo.cell': 'CELL!'}",
        "{name: 'CTL', address: {city: 'Oslo', zip: 'ZIP!'}}",
        "{name: 'CTL', 'address.geo': {cell: 'CELL!'}}",
        "{name: 'CTL', address: {$elemMatch: {zip: 'ZIP!'}}}",
        "{name: 'CTL', tag_b: 'TAG!'}",
        "{name: 'CTL', visits: AGE!}",
        "{name: 'CTL', visits: {$in: [AGE!]}}",
        "{name: 'CTL', $expr: {$eq: ['$ssn', 'SSN!']}}",
        "{name: 'CTL', $expr: {$ne: ['$ssn', 'SSN!']}}",
        "{name: 'CTL', $expr: {$in: ['$ssn', ['SSN!']]}}",
        "{name: 'CTL', $expr: {$eq: ['$ssn', {$literal: 'SSN!'}]}}",
        "{name: 'CTL', $expr: {$eq: ['$address.zip', 'ZIP!']}}",
        "{name: 'CTL', $expr: {$eq: ['$secret', 'SECRET!']}}",
        "{name: 'CTL', $expr: {$gt: ['$ssn', 'SSN!']}}",
        "{name: 'CTL', $expr: {$eq: [{$getField: 'ssn'}, 'SSN!']}}",
        "{name: 'CTL', $expr: {$eq: [{$getField: {field: 'ssn', input: '$$ROOT'}}, 'SSN!']}}",
        "{name: 'CTL', $expr: {$eq: [{$getField: {field: 'zip', input: '$address'}}, 'ZIP!']}}",
        "{name: 'CTL', $expr: {$eq: ['$$ROOT.ssn', 'SSN!']}}",
        "{name: 'CTL', $expr: {$eq: ['$$CURRENT.ssn', 'SSN!']}}",
        "{name: 'CTL', $expr: {$eq: ['$$ROOT', {ssn: 'SSN!'}]}}",
        "{name: 'CTL', $expr: {$eq: ['$address', {zip: 'ZIP!'}]}}",
        "{name: 'CTL', $expr: {$eq: [{$toString: '$ssn'}, 'SSN!']}}",
        "{name: 'CTL', $expr: {$eq: [{$concat: ['$ssn', '']}, 'SSN!']}}",
        "{name: 'CTL', $expr: {$let: {vars: {s: '$ssn'}, in: {$eq: ['$$s', 'SSN!']}}}}",
        "{name: 'CTL', $expr: {$eq: [{$cond: [true, '$ssn', '$ssn']}, 'SSN!']}}",
        "{name: 'CTL', $expr: {$eq: [{$ifNull: ['$ssn', 'SSN!']}, 'x']}}",
        "{name: 'CTL', $expr: {$eq: [{$setField: {field: 'ssn', input: '$$ROOT', value: 'SSN!'}}, {}]}}",
        "{name: 'CTL', $expr: {$function: {body: 'function(s) { return s == \"SSN!\"; }', args: ['$ssn'], lang: 'js'}}}",
        "{name: 'CTL', $where: 'this.ssn == \"SSN!\"'}",
        "{name: 'CTL', $jsonSchema: {properties: {ssn: {enum: ['SSN!']}}}}",
        "{name: 'CTL', $text: {$search: 'SSN!'}}",
        "{name: 'CTL', $comment: 'SSN!', ssn: 'SSN!'}")) {
      find(r, filter);
    }
    r.probe("find().filter({ssn}) on the iterable",
        c -> f.people.find().filter(d("{name: 'CTL', ssn: 'SSN!'}", c)).first());
    r.probe("countDocuments({ssn})",
        c -> f.people.countDocuments(d("{name: 'CTL', ssn: 'SSN!'}", c)));
    r.probe("countDocuments({$expr ssn})",
        c -> f.people.countDocuments(d("{name: 'CTL', $expr: {$eq: ['$ssn', 'SSN!']}}", c)));
    r.probe("countDocuments({ssn}, hint)", c -> f.people.countDocuments(
        d("{name: 'CTL', ssn: 'SSN!'}", c), new CountOptions().hint(new Document("_id", 1))));
    r.probe("distinct('ssn', {ssn})", c -> f.people.distinct("ssn",
        d("{name: 'CTL', ssn: 'SSN!'}", c), String.class).first());
    r.probe("distinct('name', {address.zip})", c -> f.people.distinct("name",
        d("{name: 'CTL', 'address.zip': 'ZIP!'}", c), String.class).first());
    r.probe("distinct iterable .filter({ssn})", c -> f.people.distinct("name", String.class)
        .filter(d("{name: 'CTL', ssn: 'SSN!'}", c)).first());
    r.probe("find explain", c -> f.people.find(d("{name: 'CTL', ssn: 'SSN!'}", c)).explain());
    r.probe("aggregate explain", c -> f.people.aggregate(p("[{$match: {name: 'CTL', ssn: 'SSN!'}}]", c)).explain());
  }

  /** Raw bytes with a key twice: {name: CTL, k: "plain", k: canary}; parsers disagree on which wins. */
  private static RawBsonDocument duplicateKeys(String control, String key) {
    BasicOutputBuffer buffer = new BasicOutputBuffer();
    try (BsonBinaryWriter w = new BsonBinaryWriter(buffer)) {
      w.writeStartDocument();
      w.writeString("name", control);
      w.writeString(key, "harmless");
      w.writeString(key, Canaries.SSN);
      w.writeEndDocument();
    }
    return new RawBsonDocument(buffer.toByteArray());
  }

  // ------------------------------------------------------------------ find options

  private static void findOptions(ProbeRunner r) {
    String filter = "{name: 'CTL'}";
    r.probe("find.projection({m: {$eq: [$ssn, canary]}})", c -> f.people.find(d(filter, c))
        .projection(d("{name: 1, m: {$eq: ['$ssn', 'SSN!']}}", c)).first());
    r.probe("find.projection({ssn: {$elemMatch}})", c -> f.people.find(d(filter, c))
        .projection(d("{ssn: {$elemMatch: {$eq: 'SSN!'}}}", c)).first());
    r.probe("find.projection({s: {$literal: canary}})", c -> f.people.find(d(filter, c))
        .projection(d("{ssn: {$literal: 'SSN!'}}", c)).first());
    r.probe("find.sort({ssn: 1})", c -> f.people.find(d(filter, c)).sort(d("{ssn: 1}", c)).first());
    r.probe("find.min({ssn: canary})", c -> f.people.find(d(filter, c))
        .hint(new Document("ssn", 1)).min(d("{ssn: 'SSN!'}", c)).first());
    r.probe("find.max({ssn: canary})", c -> f.people.find(d(filter, c))
        .hint(new Document("ssn", 1)).max(d("{ssn: 'SSN!'}", c)).first());
    r.probe("find.min({age: int canary})", c -> f.people.find(d(filter, c))
        .hint(new Document("age", 1)).min(d("{age: AGE!}", c)).first());
    r.probe("find.let({v: canary}) + $expr $$v", c -> f.people
        .find(d("{name: 'CTL', $expr: {$eq: ['$ssn', '$$v']}}", c)).let(d("{v: 'SSN!'}", c)).first());
    r.probe("find.let({v: canary}) unused", c -> f.people.find(d(filter, c))
        .let(d("{v: 'SSN!'}", c)).first());
    r.probe("find.comment(BsonDocument with ssn canary)", c -> f.people.find(d(filter, c))
        .comment(d("{ssn: 'SSN!'}", c)).first());
    r.probe("find.hint({ssn: 1}) (no value)", c -> f.people.find(d(filter, c))
        .hint(d("{ssn: 1}", c)).first());
    r.probe("findOneAndUpdate projection {$eq ssn}", c -> f.people.findOneAndUpdate(
        d(filter, c), d("{$set: {plan: 'x'}}", c),
        new FindOneAndUpdateOptions().projection(d("{m: {$eq: ['$ssn', 'SSN!']}}", c))));
  }

  // ------------------------------------------------------------------ pipelines

  private static void agg(ProbeRunner r, String pipeline) {
    r.probe("aggregate " + pipeline, c -> f.people.aggregate(p(pipeline, c)).first());
  }

  private static void pipelines(ProbeRunner r) {
    for (String pipeline : List.of(
        "[{$match: {name: 'CTL', ssn: 'SSN!'}}]",
        "[{$match: {name: 'CTL', $expr: {$eq: ['$ssn', 'SSN!']}}}]",
        "[{$match: {name: 'CTL'}}, {$project: {m: {$eq: ['$ssn', 'SSN!']}}}]",
        "[{$match: {name: 'CTL'}}, {$addFields: {copy: '$ssn'}}, {$match: {copy: 'SSN!'}}]",
        "[{$match: {name: 'CTL'}}, {$set: {copy: '$address.zip'}}, {$match: {copy: 'ZIP!'}}]",
        "[{$match: {name: 'CTL'}}, {$set: {a2: '$address'}}, {$match: {'a2.zip': 'ZIP!'}}]",
        "[{$match: {name: 'CTL'}}, {$project: {copy: '$ssn'}}, {$match: {copy: {$in: ['SSN!']}}}]",
        "[{$match: {name: 'CTL'}}, {$replaceWith: {s: '$ssn'}}, {$match: {s: 'SSN!'}}]",
        "[{$match: {name: 'CTL'}}, {$replaceRoot: {newRoot: '$address'}}, {$match: {zip: 'ZIP!'}}]",
        "[{$match: {name: 'CTL'}}, {$replaceWith: {$mergeObjects: ['$$ROOT', {}]}}, {$match: {ssn: 'SSN!'}}]",
        "[{$match: {name: 'CTL'}}, {$group: {_id: '$ssn'}}, {$match: {_id: 'SSN!'}}]",
        "[{$match: {name: 'CTL'}}, {$group: {_id: null, docs: {$push: '$$ROOT'}}}, {$match: {'docs.ssn': 'SSN!'}}]",
        "[{$match: {name: 'CTL'}}, {$group: {_id: {$eq: ['$ssn', 'SSN!']}}}]",
        "[{$match: {name: 'CTL'}}, {$addFields: {ssn: 'SSN!'}}]",
        "[{$match: {name: 'CTL'}}, {$addFields: {m: {$cond: [{$eq: ['$ssn', 'SSN!']}, 1, 0]}}}]",
        "[{$match: {name: 'CTL'}}, {$replaceWith: {$setField: {field: 'ssn', input: '$$ROOT', value: 'SSN!'}}}]",
        "[{$match: {name: 'CTL'}}, {$replaceWith: {$setField: {field: 'x', input: '$$ROOT', value: {$eq: ['$ssn', 'SSN!']}}}}]",
        "[{$match: {name: 'CTL'}}, {$redact: {$cond: [{$eq: ['$ssn', 'SSN!']}, '$$KEEP', '$$PRUNE']}}]",
        "[{$match: {name: 'CTL'}}, {$bucket: {groupBy: '$ssn', boundaries: ['SSN!', 'SSN2!'], default: 'o'}}]",
        "[{$match: {name: 'CTL'}}, {$sortByCount: '$ssn'}, {$match: {_id: 'SSN!'}}]",
        "[{$match: {name: 'CTL'}}, {$facet: {a: [{$match: {ssn: 'SSN!'}}]}}]",
        "[{$match: {name: 'CTL'}}, {$facet: {a: [{$project: {s: '$ssn'}}]}}, {$match: {'a.s': 'SSN!'}}]",
        "[{$match: {name: 'CTL'}}, {$lookup: {from: 'people', pipeline: [{$match: {ssn: 'SSN!'}}], as: 'l'}}]",
        "[{$match: {name: 'CTL'}}, {$lookup: {from: 'people', let: {s: '$ssn'}, pipeline: [{$match: {$expr: {$eq: ['$$s', 'SSN!']}}}], as: 'l'}}]",
        "[{$match: {name: 'CTL'}}, {$lookup: {from: 'people', localField: 'ssn', foreignField: 'ssn', as: 'l'}}, {$match: {'l.ssn': 'SSN!'}}]",
        "[{$match: {name: 'CTL'}}, {$unionWith: {coll: 'people', pipeline: [{$match: {ssn: 'SSN!'}}]}}]",
        "[{$match: {name: 'CTL'}}, {$unionWith: 'plain'}, {$match: {ssn: 'SSN!'}}]",
        "[{$match: {name: 'CTL'}}, {$graphLookup: {from: 'people', startWith: 'SSN!', connectFromField: 'ssn', connectToField: 'ssn', as: 'g'}}]",
        "[{$match: {name: 'CTL'}}, {$graphLookup: {from: 'people', startWith: '$name', connectFromField: 'name', connectToField: 'name', as: 'g', restrictSearchWithMatch: {ssn: 'SSN!'}}}]",
        "[{$match: {name: 'CTL'}}, {$set: {ssn: 'SSN!'}}, {$out: 'people'}]",
        "[{$match: {name: 'CTL'}}, {$set: {ssn: 'SSN!'}}, {$merge: {into: 'people'}}]",
        "[{$match: {name: 'CTL'}}, {$merge: {into: 'people', whenMatched: [{$set: {ssn: 'SSN!'}}]}}]",
        "[{$match: {name: 'CTL'}}, {$merge: {into: 'plain', let: {v: 'SSN!'}, whenMatched: [{$set: {x: '$$v'}}]}}]",
        "[{$match: {name: 'CTL'}}, {$group: {_id: null, a: {$accumulator: {init: 'function() { return \"SSN!\"; }', accumulate: 'function(s, x) { return s; }', accumulateArgs: ['$ssn'], merge: 'function(a, b) { return a; }', lang: 'js'}}}}]",
        "[{$match: {name: 'CTL', $expr: {$function: {body: 'function(s) { return s == \"SSN!\"; }', args: ['$ssn'], lang: 'js'}}}}]",
        "[{$documents: [{name: 'CTL', ssn: 'SSN!'}]}]",
        "[{$match: {name: 'CTL'}}, {$search: {text: {query: 'SSN!', path: 'ssn'}}}]",
        "[{$match: {name: 'CTL'}}, {$densify: {field: 'age', range: {step: 1, bounds: [AGE!, 1597463100]}}}]",
        "[{$match: {name: 'CTL'}}, {$fill: {output: {ssn: {value: 'SSN!'}}}}]",
        "[{$match: {name: 'CTL'}}, {$setWindowFields: {sortBy: {age: 1}, output: {m: {$max: {$cond: [{$eq: ['$ssn', 'SSN!']}, 1, 0]}}}}}]",
        "[{$match: {name: 'CTL'}}, {$unwind: '$visits'}, {$match: {visits: AGE!}}]",
        "[{$match: {name: 'CTL'}}, {$project: {v: '$visits'}}, {$match: {v: AGE!}}]",
        "[{$match: {name: 'CTL'}}, {$addFields: {d: '$born'}}, {$match: {d: BORN!}}]",
        "[{$match: {name: 'CTL'}}, {$project: {t: '$tag_a'}}, {$match: {t: 'TAG!'}}]")) {
      agg(r, pipeline);
    }
    r.probe("aggregate from plain: $lookup people pipeline $match ssn", c -> f.plainColl.aggregate(
        p("[{$match: {name: 'CTL'}}, {$lookup: {from: 'people', pipeline: [{$match: {ssn: 'SSN!'}}], as: 'l'}}]", c)).first());
    r.probe("aggregate from plain: $unionWith people then $match ssn", c -> f.plainColl.aggregate(
        p("[{$match: {name: 'CTL'}}, {$unionWith: 'people'}, {$match: {ssn: 'SSN!'}}]", c)).first());
    r.probe("aggregate.let({v: canary}) + $expr $$v", c -> f.people.aggregate(
        p("[{$match: {name: 'CTL', $expr: {$eq: ['$ssn', '$$v']}}}]", c)).let(d("{v: 'SSN!'}", c)).first());
    r.probe("aggregate $out then toCollection()", c -> f.people.aggregate(
        p("[{$match: {name: 'CTL'}}, {$set: {ssn: 'SSN!'}}, {$out: 'people'}]", c)).toCollection());
    r.probe("aggregate.hint/comment(canary doc)", c -> f.people.aggregate(
        p("[{$match: {name: 'CTL'}}]", c)).comment(d("{ssn: 'SSN!'}", c)).first());
    r.probe("database aggregate $documents", c -> f.db.aggregate(
        p("[{$documents: [{name: 'CTL', ssn: 'SSN!'}]}]", c)).first());
    r.probe("database aggregate $documents + $merge into people", c -> f.db.aggregate(
        p("[{$documents: [{name: 'CTL', ssn: 'SSN!'}]}, {$merge: {into: 'people'}}]", c)).first());
    r.probe("collection watch($match fullDocument.ssn)", c -> watch(f.people.watch(
        p("[{$match: {'fullDocument.name': 'CTL', 'fullDocument.ssn': 'SSN!'}}]", c))));
    r.probe("collection watch($match $expr fullDocument.ssn)", c -> watch(f.people.watch(
        p("[{$match: {'fullDocument.name': 'CTL', $expr: {$eq: ['$fullDocument.ssn', 'SSN!']}}}]", c))));
    r.probe("database watch($match fullDocument.ssn)", c -> watch(f.db.watch(
        p("[{$match: {'fullDocument.name': 'CTL', 'fullDocument.ssn': 'SSN!'}}]", c))));
    r.probe("client watch($match fullDocument.ssn)", c -> watch(f.fle4j.watch(
        p("[{$match: {'fullDocument.name': 'CTL', 'fullDocument.ssn': 'SSN!'}}]", c))));
  }

  private static void watch(com.mongodb.client.ChangeStreamIterable<?> stream) {
    try (MongoCursor<?> cursor = stream.cursor()) {
      cursor.tryNext();
    }
  }

  // ------------------------------------------------------------------ updates and deletes

  private static void update(ProbeRunner r, String update) {
    r.probe("updateOne " + update, c -> f.people.updateOne(d("{name: 'CTL'}", c), d(update, c)));
  }

  private static void updatesAndDeletes(ProbeRunner r) {
    for (String update : List.of(
        "{$set: {ssn: 'SSN!'}}",
        "{$set: {'address.zip': 'ZIP!', 'address.geo.cell': 'CELL!'}}",
        "{$set: {address: {city: 'x', zip: 'ZIP!', geo: {cell: 'CELL!'}}}}",
        "{$set: {'address.geo': {cell: 'CELL!'}}}",
        "{$set: {age: AGE!, born: BORN!, secret: 'SECRET!', tag_c: 'TAG!'}}",
        "{$set: {pin: 'PIN!'}}",
        "{$set: {visits: [AGE!]}}",
        "{$setOnInsert: {ssn: 'SSN!'}}",
        "{$push: {ssn: 'SSN!'}}",
        "{$addToSet: {visits: AGE!}}",
        "{$push: {visits: AGE!}}",
        "{$inc: {age: AGE!}}",
        "{$max: {age: AGE!}}",
        "{$min: {born: BORN!}}",
        "{$mul: {age: AGE!}}",
        "{$pull: {visits: AGE!}}",
        "{$pullAll: {visits: [AGE!]}}",
        "{$set: {'visits.0': AGE!}}",
        "{$set: {'ssn.x': 'SSN!'}}",
        "{$rename: {ssn: 'plainCopy'}, $set: {plan: 'SSN!'}}")) {
      update(r, update);
    }
    r.probe("updateOne filter {ssn} upsert", c -> f.people.updateOne(
        d("{name: 'CTL', ssn: 'SSN!'}", c), d("{$set: {plan: 'x'}}", c), new UpdateOptions().upsert(true)));
    r.probe("updateOne pipeline [$set ssn literal]", c -> f.people.updateOne(
        d("{name: 'CTL'}", c), p("[{$set: {ssn: 'SSN!'}}]", c)));
    r.probe("updateOne pipeline [$set ssn $literal]", c -> f.people.updateOne(
        d("{name: 'CTL'}", c), p("[{$set: {ssn: {$literal: 'SSN!'}}}]", c)));
    r.probe("updateOne pipeline [$replaceWith {ssn}]", c -> f.people.updateOne(
        d("{name: 'CTL'}", c), p("[{$replaceWith: {name: 'CTL', ssn: 'SSN!'}}]", c)));
    r.probe("updateOne pipeline [$set m: $eq ssn]", c -> f.people.updateOne(
        d("{name: 'CTL'}", c), p("[{$set: {m: {$eq: ['$ssn', 'SSN!']}}}]", c)));
    r.probe("updateOne pipeline [$set ssn $cond]", c -> f.people.updateOne(
        d("{name: 'CTL'}", c), p("[{$set: {ssn: {$cond: [true, 'SSN!', '$ssn']}}}]", c)));
    r.probe("updateMany {$set ssn}", c -> f.people.updateMany(
        d("{name: 'CTL'}", c), d("{$set: {ssn: 'SSN!'}}", c)));
    r.probe("updateOne let {v} + $expr $$v", c -> f.people.updateOne(
        d("{name: 'CTL', $expr: {$eq: ['$ssn', '$$v']}}", c), d("{$set: {plan: 'x'}}", c),
        new UpdateOptions().let(d("{v: 'SSN!'}", c))));
    r.probe("updateOne arrayFilters on visits.$[e]", c -> f.people.updateOne(
        d("{name: 'CTL'}", c), d("{$set: {'visits.$[e]': 1}}", c),
        new UpdateOptions().arrayFilters(List.of(d("{e: AGE!}", c)))));
    r.probe("updateOne arrayFilters on ssn.$[e]", c -> f.people.updateOne(
        d("{name: 'CTL'}", c), d("{$set: {'ssn.$[e]': 'x'}}", c),
        new UpdateOptions().arrayFilters(List.of(d("{e: 'SSN!'}", c)))));
    r.probe("updateOne sort {ssn: 1} (no value)", c -> f.people.updateOne(
        d("{name: 'CTL'}", c), d("{$set: {plan: 'x'}}", c), new UpdateOptions().sort(d("{ssn: 1}", c))));
    r.probe("replaceOne(person)", c -> f.people.replaceOne(d("{name: 'CTL'}", c), personDoc(c)));
    r.probe("replaceOne(person) upsert filter ssn", c -> f.people.replaceOne(
        d("{name: 'CTL', ssn: 'SSN!'}", c), personDoc(c), new ReplaceOptions().upsert(true)));
    r.probe("replaceOne let {v}", c -> f.people.replaceOne(
        d("{name: 'CTL', $expr: {$eq: ['$ssn', '$$v']}}", c), personDoc(c),
        new ReplaceOptions().let(d("{v: 'SSN!'}", c))));
    r.probe("deleteOne {ssn}", c -> f.people.deleteOne(d("{name: 'CTL', ssn: 'SSN!'}", c)));
    r.probe("deleteMany {address.zip}", c -> f.people.deleteMany(d("{name: 'CTL', 'address.zip': 'ZIP!'}", c)));
    r.probe("deleteOne let {v}", c -> f.people.deleteOne(
        d("{name: 'CTL', $expr: {$eq: ['$ssn', '$$v']}}", c), new DeleteOptions().let(d("{v: 'SSN!'}", c))));
    r.probe("findOneAndUpdate {$set ssn}", c -> f.people.findOneAndUpdate(
        d("{name: 'CTL', ssn: 'SSN!'}", c), d("{$set: {ssn: 'SSN2!'}}", c)));
    r.probe("findOneAndUpdate let + arrayFilters", c -> f.people.findOneAndUpdate(
        d("{name: 'CTL', $expr: {$eq: ['$ssn', '$$v']}}", c), d("{$set: {'visits.$[e]': 1}}", c),
        new FindOneAndUpdateOptions().let(d("{v: 'SSN!'}", c)).arrayFilters(List.of(d("{e: AGE!}", c)))));
    r.probe("findOneAndUpdate pipeline", c -> f.people.findOneAndUpdate(
        d("{name: 'CTL'}", c), p("[{$set: {ssn: 'SSN!'}}]", c)));
    r.probe("findOneAndReplace(person)", c -> f.people.findOneAndReplace(
        d("{name: 'CTL', ssn: 'SSN!'}", c), personDoc(c)));
    r.probe("findOneAndReplace let", c -> f.people.findOneAndReplace(
        d("{name: 'CTL', $expr: {$eq: ['$ssn', '$$v']}}", c), personDoc(c),
        new FindOneAndReplaceOptions().let(d("{v: 'SSN!'}", c))));
    r.probe("findOneAndDelete {ssn}", c -> f.people.findOneAndDelete(d("{name: 'CTL', ssn: 'SSN!'}", c)));
    r.probe("findOneAndDelete let", c -> f.people.findOneAndDelete(
        d("{name: 'CTL', $expr: {$eq: ['$ssn', '$$v']}}", c),
        new FindOneAndDeleteOptions().let(d("{v: 'SSN!'}", c))));
    r.probe("findOneAndDelete sort {ssn: canary}", c -> f.people.findOneAndDelete(
        d("{name: 'CTL'}", c), new FindOneAndDeleteOptions().sort(d("{ssn: 'SSN!'}", c))));
  }

  // ------------------------------------------------------------------ bulk, indexes, collections

  private static void bulkAndIndexesAndCollections(ProbeRunner r) {
    r.probe("bulkWrite insert", c -> f.people.bulkWrite(List.of(new InsertOneModel<>(personDoc(c)))));
    r.probe("bulkWrite updateOne {$set ssn}", c -> f.people.bulkWrite(List.of(new UpdateOneModel<>(
        d("{name: 'CTL', ssn: 'SSN!'}", c), d("{$set: {ssn: 'SSN2!'}}", c)))));
    r.probe("bulkWrite updateOne arrayFilters + hint", c -> f.people.bulkWrite(List.of(new UpdateOneModel<>(
        d("{name: 'CTL'}", c), d("{$set: {'visits.$[e]': 1}}", c),
        new UpdateOptions().arrayFilters(List.of(d("{e: AGE!}", c)))))));
    r.probe("bulkWrite updateOne let", c -> f.people.bulkWrite(List.of(new UpdateOneModel<>(
        d("{name: 'CTL', $expr: {$eq: ['$ssn', '$$v']}}", c), d("{$set: {plan: 'x'}}", c))),
        new BulkWriteOptions().let(d("{v: 'SSN!'}", c))));
    r.probe("bulkWrite updateMany pipeline", c -> f.people.bulkWrite(List.of(new UpdateManyModel<>(
        d("{name: 'CTL'}", c), p("[{$set: {ssn: 'SSN!'}}]", c)))));
    r.probe("bulkWrite replaceOne", c -> f.people.bulkWrite(List.of(new ReplaceOneModel<>(
        d("{name: 'CTL', ssn: 'SSN!'}", c), personDoc(c)))));
    r.probe("bulkWrite deleteOne/deleteMany", c -> f.people.bulkWrite(List.of(
        new DeleteOneModel<>(d("{name: 'CTL', ssn: 'SSN!'}", c)),
        new DeleteManyModel<>(d("{name: 'CTL', 'address.zip': 'ZIP!'}", c)))));
    r.probe("client bulkWrite insertOne", c -> f.fle4j.bulkWrite(List.of(
        ClientNamespacedWriteModel.insertOne(new MongoNamespace(WireFixture.DB, "people"), personDoc(c)))));
    r.probe("createIndex partialFilterExpression {ssn}", c -> f.people.createIndex(
        new Document("name", 1), new IndexOptions().name("i" + c).partialFilterExpression(d("{ssn: 'SSN!'}", c))));
    r.probe("createIndexes partialFilterExpression $expr", c -> f.people.createIndexes(List.of(
        new IndexModel(new Document("name", 1), new IndexOptions().name("i" + c)
            .partialFilterExpression(d("{$expr: {$eq: ['$ssn', 'SSN!']}}", c))))));
    r.probe("createCollection validator {ssn}", c -> f.db.createCollection("people",
        new CreateCollectionOptions().validationOptions(new ValidationOptions()
            .validator(d("{name: {$ne: 'CTL'}, ssn: 'SSN!'}", c)))));
    r.probe("createCollection validator $jsonSchema enum", c -> f.db.createCollection("people",
        new CreateCollectionOptions().validationOptions(new ValidationOptions()
            .validator(d("{$jsonSchema: {title: 'CTL', properties: {ssn: {enum: ['SSN!']}}}}", c)))));
    r.probe("createCollection validator $expr", c -> f.db.createCollection("people",
        new CreateCollectionOptions().validationOptions(new ValidationOptions()
            .validator(d("{name: {$ne: 'CTL'}, $expr: {$ne: ['$ssn', 'SSN!']}}", c)))));
    r.probe("createCollection indexOptionDefaults/storageEngine canary", c -> f.db.createCollection("people",
        new CreateCollectionOptions().storageEngineOptions(d("{wiredTiger: {configString: 'CTL', ssn: 'SSN!'}}", c))));
    r.probe("createView pipeline $match ssn", c -> f.db.createView("v" + c, "people",
        p("[{$match: {ssn: 'SSN!'}}]", c)));
  }

  // ------------------------------------------------------------------ runCommand shapes

  private static void cmd(ProbeRunner r, String command) {
    r.probe("runCommand " + command, c -> f.db.runCommand(d(command, c)));
  }

  private static void rawCommands(ProbeRunner r) {
    String q = "{name: 'CTL', ssn: 'SSN!'}";
    String u = "{q: {name: 'CTL'}, u: {$set: {ssn: 'SSN!'}}}";
    List<String> commands = new java.util.ArrayList<>(List.of(
        "{find: 'people', filter: " + q + "}",
        "{find: 'people', filter: {name: 'CTL'}, projection: {m: {$eq: ['$ssn', 'SSN!']}}}",
        "{find: 'people', filter: {name: 'CTL'}, sort: {ssn: 'SSN!'}}",
        "{find: 'people', filter: {name: 'CTL'}, hint: {ssn: 1}, min: {ssn: 'SSN!'}}",
        "{find: 'people', filter: {name: 'CTL'}, hint: {ssn: 1}, max: {ssn: 'SSN!'}}",
        "{find: 'people', filter: {name: 'CTL', $expr: {$eq: ['$ssn', '$$v']}}, let: {v: 'SSN!'}}",
        "{find: 'people', filter: {name: 'CTL'}, comment: {ssn: 'SSN!'}}",
        "{find: 'people', filter: {name: 'CTL'}, unknownOption: {ssn: 'SSN!'}}",
        "{find: 'plain', filter: {name: 'CTL'}, let: {v: 'SSN!'}}",
        "{aggregate: 'people', pipeline: [{$match: " + q + "}], cursor: {}}",
        "{aggregate: 'people', pipeline: [{$match: {name: 'CTL', $expr: {$eq: ['$ssn', '$$v']}}}], let: {v: 'SSN!'}, cursor: {}}",
        "{aggregate: 'people', pipeline: [{$match: {name: 'CTL'}}, {$set: {ssn: 'SSN!'}}, {$out: 'people'}], cursor: {}}",
        "{aggregate: 1, pipeline: [{$documents: [{name: 'CTL', ssn: 'SSN!'}]}], cursor: {}}",
        "{aggregate: 'plain', pipeline: [{$match: {name: 'CTL'}}, {$lookup: {from: 'people', pipeline: [{$match: {ssn: 'SSN!'}}], as: 'l'}}], cursor: {}}",
        "{count: 'people', query: " + q + "}",
        "{count: 'people', query: {name: 'CTL'}, hint: {ssn: 'SSN!'}}",
        "{distinct: 'people', key: 'name', query: " + q + "}",
        "{distinct: 'people', key: 'ssn', query: {name: 'CTL'}}",
        "{insert: 'people', documents: [" + person("CTL").toJson() + "]}",
        "{insert: 'people', documents: [{name: 'CTL', ssn: 'SSN!'}], ordered: true}",
        "{update: 'people', updates: [" + u + "]}",
        "{update: 'people', updates: [{q: {name: 'CTL'}, u: {$set: {'visits.$[e]': 1}}, arrayFilters: [{e: AGE!}]}]}",
        "{update: 'people', updates: [{q: {name: 'CTL', $expr: {$eq: ['$ssn', '$$v']}}, u: {$set: {plan: 'x'}}}], let: {v: 'SSN!'}}",
        "{update: 'people', updates: [{q: {name: 'CTL'}, u: [{$set: {ssn: 'SSN!'}}]}]}",
        "{delete: 'people', deletes: [{q: " + q + ", limit: 1}]}",
        "{delete: 'people', deletes: [{q: {name: 'CTL', $expr: {$eq: ['$ssn', '$$v']}}, limit: 1}], let: {v: 'SSN!'}}",
        "{findAndModify: 'people', query: " + q + ", update: {$set: {ssn: 'SSN2!'}}}",
        "{findAndModify: 'people', query: {name: 'CTL'}, update: {$set: {ssn: 'SSN!'}}}",
        "{findAndModify: 'people', query: {name: 'CTL'}, remove: true, fields: {m: {$eq: ['$ssn', 'SSN!']}}}",
        "{findAndModify: 'people', query: {name: 'CTL'}, remove: true, sort: {ssn: 'SSN!'}}",
        "{findAndModify: 'people', query: {name: 'CTL', $expr: {$eq: ['$ssn', '$$v']}}, remove: true, let: {v: 'SSN!'}}",
        "{findAndModify: 'people', query: {name: 'CTL'}, update: {$set: {'visits.$[e]': 1}}, arrayFilters: [{e: AGE!}]}",
        "{findandmodify: 'people', query: " + q + ", remove: true}",
        "{FindAndModify: 'people', query: " + q + ", remove: true}",
        "{findAndmodify: 'people', query: " + q + ", remove: true}",
        "{FIND: 'people', filter: " + q + "}",
        "{create: 'people', validator: {name: {$ne: 'CTL'}, ssn: 'SSN!'}}",
        "{create: 'people', validator: {$jsonSchema: {title: 'CTL', properties: {ssn: {enum: ['SSN!']}}}}}",
        "{create: 'v_CTL', viewOn: 'people', pipeline: [{$match: {ssn: 'SSN!'}}]}",
        "{collMod: 'people', validator: {name: {$ne: 'CTL'}, ssn: 'SSN!'}}",
        "{collMod: 'people', validator: {name: {$ne: 'CTL'}, $expr: {$eq: ['$ssn', 'SSN!']}}}",
        "{collMod: 'v_CTL', viewOn: 'people', pipeline: [{$match: {ssn: 'SSN!'}}]}",
        "{createIndexes: 'people', indexes: [{key: {name: 1}, name: 'i_CTL', partialFilterExpression: {ssn: 'SSN!'}}]}",
        "{createIndexes: 'people', indexes: [{key: {name: 1}, name: 'i_CTL', partialFilterExpression: {ssn: {$exists: true}}, collation: {locale: 'SSN!'}}]}",
        "{mapReduce: 'people', map: 'function() { if (this.ssn == \"SSN!\") emit(1, 1); }', reduce: 'function(k, v) { return 1; }', out: {inline: 1}, query: {name: 'CTL'}}",
        "{mapreduce: 'people', map: 'function() { emit(\"SSN!\", 1); }', reduce: 'function(k, v) { return 1; }', out: {inline: 1}, query: {name: 'CTL'}}",
        "{MapReduce: 'people', map: 'function() { emit(1, 1); }', reduce: 'function(k, v) { return 1; }', out: {inline: 1}, query: " + q + "}",
        "{bulkWrite: 1, ops: [{insert: 0, document: {name: 'CTL', ssn: 'SSN!'}}], nsInfo: [{ns: 'wire.people'}]}",
        "{applyOps: [{op: 'i', ns: 'wire.people', o: {name: 'CTL', ssn: 'SSN!'}}]}",
        "{eval: 'db.people.insert({name: \"CTL\", ssn: \"SSN!\"})'}",
        "{geoNear: 'people', near: [0, 0], query: " + q + "}",
        "{group: {ns: 'people', key: {name: 1}, cond: " + q + ", $reduce: 'function() {}', initial: {}}}",
        "{validate: 'people', comment: " + q + "}",
        "{dbHash: 1, collections: ['people'], comment: " + q + "}",
        "{listCollections: 1, filter: {name: 'CTL', 'options.validator.ssn': 'SSN!'}}",
        "{getMore: NumberLong(1), collection: 'people', comment: " + q + "}",
        "{ping: 1, filter: " + q + "}",
        "{hello: 1, comment: " + q + "}",
        "{isMaster: 1, comment: " + q + "}",
        "{killCursors: 'people', cursors: [], comment: " + q + "}",
        "{renameCollection: 'wire.nosuch', to: 'wire.n_CTL', comment: " + q + "}",
        "{drop: 'n_CTL', comment: " + q + "}",
        "{dropIndexes: 'people', index: 'i_CTL', comment: " + q + "}",
        "{createSearchIndexes: 'people', indexes: [{name: 'CTL', definition: {mappings: {dynamic: true}, synonyms: [{name: 'SSN!'}]}}]}"));
    for (String inner : List.of(
        "{find: 'people', filter: " + q + "}",
        "{aggregate: 'people', pipeline: [{$match: " + q + "}], cursor: {}}",
        "{count: 'people', query: " + q + "}",
        "{distinct: 'people', key: 'name', query: " + q + "}",
        "{update: 'people', updates: [" + u + "]}",
        "{delete: 'people', deletes: [{q: " + q + ", limit: 1}]}",
        "{findAndModify: 'people', query: " + q + ", remove: true}",
        "{findandmodify: 'people', query: " + q + ", remove: true}",
        "{insert: 'people', documents: [{name: 'CTL', ssn: 'SSN!'}]}",
        "{find: 'people', filter: {name: 'CTL', $expr: {$eq: ['$ssn', '$$v']}}, let: {v: 'SSN!'}}",
        "{aggregate: 1, pipeline: [{$documents: [{name: 'CTL', ssn: 'SSN!'}]}], cursor: {}}",
        "{mapReduce: 'people', map: 'function() { emit(\"SSN!\", 1); }', reduce: 'function(k, v) { return 1; }', out: {inline: 1}, query: {name: 'CTL'}}")) {
      commands.add("{explain: " + inner + ", verbosity: 'queryPlanner'}");
    }
    commands.add("{explain: {find: 'people', filter: " + q + "}, jsonSchema: {}}");
    for (String command : commands) {
      cmd(r, command);
    }
    r.probe("runCommand RawBsonDocument {find, filter, filter} duplicate key", c -> {
      BasicOutputBuffer buffer = new BasicOutputBuffer();
      try (BsonBinaryWriter w = new BsonBinaryWriter(buffer)) {
        w.writeStartDocument();
        w.writeString("find", "people");
        w.writeName("filter");
        w.pipe(new org.bson.BsonDocumentReader(d("{name: 'CTL'}", c)));
        w.writeName("filter");
        w.pipe(new org.bson.BsonDocumentReader(d("{name: 'CTL', ssn: 'SSN!'}", c)));
        w.writeEndDocument();
      }
      f.db.runCommand(new RawBsonDocument(buffer.toByteArray()));
    });
    r.probe("runCommand RawBsonDocument {find, filter{ssn, ssn}} duplicate key in filter", c -> {
      BasicOutputBuffer buffer = new BasicOutputBuffer();
      try (BsonBinaryWriter w = new BsonBinaryWriter(buffer)) {
        w.writeStartDocument();
        w.writeString("find", "people");
        w.writeName("filter");
        w.pipe(new org.bson.BsonDocumentReader(duplicateKeys(c, "ssn")));
        w.writeEndDocument();
      }
      f.db.runCommand(new RawBsonDocument(buffer.toByteArray()));
    });
    r.probe("runCommand on admin: aggregate 1 $documents", c -> f.fle4j.getDatabase("admin")
        .runCommand(d("{aggregate: 1, pipeline: [{$documents: [{name: 'CTL', ssn: 'SSN!'}]}], cursor: {}}", c)));
    r.probe("runCommand on another db: find people (not in schemaMap)", c -> f.fle4j.getDatabase("other")
        .runCommand(d("{find: 'people', filter: {name: 'CTL'}}", c)));
  }
}
