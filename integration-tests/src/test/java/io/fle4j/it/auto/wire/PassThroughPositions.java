package io.fle4j.it.auto.wire;

import java.util.Map;

/**
 * Calls that deliberately put a canary where no encrypted field's value goes, to record which
 * positions fle4j sends unanalysed, as libmongocrypt does. A canary seen there is not a leak of an
 * encrypted field (nothing compares it with one, or writes it to one); the call must still be
 * sent. Each entry says why the position carries no encrypted field's value.
 */
final class PassThroughPositions {
  private static final String COMMENT = "a comment is echoed into logs and profiler output; it is"
      + " never compared with or stored in a field";
  private static final String LET = "a let variable no expression uses; every use against an"
      + " encrypted field is refused (the $$v probes)";
  private static final String OUTPUT = "a literal returned to the application under an encrypted"
      + " field's name is never stored ($out and $merge are refused) nor compared";
  private static final String OPTION = "an option of the command (index hint, collation,"
      + " storage engine, search index definition), not a field value";
  private static final String NO_USER_DATA = "a field of a command libmongocrypt sends without"
      + " analysis: it never reaches a collection's documents";

  static final Map<String, String> CALLS = Map.ofEntries(
      Map.entry("FindIterable.let(Bson)", LET),
      Map.entry("AggregateIterable.let(Bson)", LET),
      Map.entry("find.let({v: canary}) unused", LET),
      Map.entry("runCommand {find: 'plain', filter: {name: 'CTL'}, let: {v: 'SSN!'}}", LET),
      Map.entry("find {name: 'CTL', $comment: 'SSN!', ssn: 'SSN!'}", COMMENT),
      Map.entry("find.comment(BsonDocument with ssn canary)", COMMENT),
      Map.entry("aggregate.hint/comment(canary doc)", COMMENT),
      Map.entry("runCommand {find: 'people', filter: {name: 'CTL'}, comment: {ssn: 'SSN!'}}",
          COMMENT),
      Map.entry("find.projection({s: {$literal: canary}})", OUTPUT),
      Map.entry("aggregate [{$match: {name: 'CTL'}}, {$addFields: {ssn: 'SSN!'}}]", OUTPUT),
      Map.entry("createCollection indexOptionDefaults/storageEngine canary", OPTION),
      Map.entry("runCommand {count: 'people', query: {name: 'CTL'}, hint: {ssn: 'SSN!'}}", OPTION),
      Map.entry("runCommand {createIndexes: 'people', indexes: [{key: {name: 1}, name: 'i_CTL',"
          + " partialFilterExpression: {ssn: {$exists: true}}, collation: {locale: 'SSN!'}}]}",
          OPTION),
      Map.entry("runCommand {createSearchIndexes: 'people', indexes: [{name: 'CTL', definition:"
          + " {mappings: {dynamic: true}, synonyms: [{name: 'SSN!'}]}}]}", OPTION),
      Map.entry("runCommand {listCollections: 1, filter: {name: 'CTL', 'options.validator.ssn':"
          + " 'SSN!'}}", NO_USER_DATA),
      Map.entry("runCommand {getMore: NumberLong(1), collection: 'people', comment: {name: 'CTL',"
          + " ssn: 'SSN!'}}", NO_USER_DATA),
      Map.entry("runCommand {ping: 1, filter: {name: 'CTL', ssn: 'SSN!'}}", NO_USER_DATA),
      Map.entry("runCommand {hello: 1, comment: {name: 'CTL', ssn: 'SSN!'}}", NO_USER_DATA),
      Map.entry("runCommand {isMaster: 1, comment: {name: 'CTL', ssn: 'SSN!'}}", NO_USER_DATA),
      Map.entry("runCommand {killCursors: 'people', cursors: [], comment: {name: 'CTL', ssn:"
          + " 'SSN!'}}", NO_USER_DATA),
      Map.entry("runCommand {renameCollection: 'wire.nosuch', to: 'wire.n_CTL', comment: {name:"
          + " 'CTL', ssn: 'SSN!'}}", NO_USER_DATA),
      Map.entry("runCommand {drop: 'n_CTL', comment: {name: 'CTL', ssn: 'SSN!'}}", NO_USER_DATA),
      Map.entry("runCommand {dropIndexes: 'people', index: 'i_CTL', comment: {name: 'CTL', ssn:"
          + " 'SSN!'}}", NO_USER_DATA));

  private PassThroughPositions() {}
}
