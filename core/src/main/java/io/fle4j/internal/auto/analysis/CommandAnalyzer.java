package io.fle4j.internal.auto.analysis;

import com.mongodb.MongoNamespace;
import io.fle4j.EncryptedFieldOperationException;
import io.fle4j.internal.auto.schema.CollectionSchema;
import io.fle4j.internal.auto.schema.SchemaParser;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import org.bson.BsonArray;
import org.bson.BsonBoolean;
import org.bson.BsonDocument;
import org.bson.BsonValue;

/**
 * The gate every command of an auto-encrypting client passes: the command is analysed against
 * the schema of the collection it targets (and rewritten with ciphertexts), or it is on
 * libmongocrypt's list of commands that carry no user data, or it is refused before anything is
 * sent — "command not supported for auto encryption: &lt;name&gt;". Command names are matched
 * exactly, as libmongocrypt matches them, so {@code mapreduce} in any spelling is refused.
 */
public final class CommandAnalyzer {
  /** Commands libmongocrypt sends as they are: they carry no user data. */
  public static final Set<String> NO_USER_DATA = Set.of("getMore", "authenticate", "getnonce",
      "logout", "hello", "abortTransaction", "commitTransaction", "endSessions", "startSession",
      "drop", "dropDatabase", "dropIndexes", "killCursors", "listCollections", "listDatabases",
      "listIndexes", "renameCollection", "ping", "saslStart", "saslContinue", "killAllSessions",
      "killSessions", "killAllSessionsByPattern", "refreshSessions", "buildInfo", "buildinfo",
      "getCmdLineOpts", "getLog", "createSearchIndexes", "listSearchIndexes", "dropSearchIndex",
      "updateSearchIndex", "serverStatus", "compactStructuredEncryptionData",
      "cleanupStructuredEncryptionData");
  /** Commands that carry a collection's data and are analysed against its schema. */
  public static final Set<String> ANALYSED = Set.of("aggregate", "count", "distinct", "delete",
      "find", "findAndModify", "insert", "update", "create", "createIndexes", "collMod", "explain");

  /** Fields every command may carry: sessions, transactions, concerns, the stable API. */
  private static final Set<String> GENERIC_FIELDS = Set.of("$db", "lsid", "txnNumber",
      "autocommit", "startTransaction", "readConcern", "writeConcern", "maxTimeMS", "comment",
      "$readPreference", "$clusterTime", "apiVersion", "apiStrict", "apiDeprecationErrors",
      "$client", "mayBypassWriteBlocking", "rawData");
  /**
   * The fields of each analysed command, as the server's command definitions name them. Like
   * mongocryptd, which parses them strictly, an analysed command with any other field is refused:
   * a field fle4j does not know is a field it did not analyse.
   */
  private static final Map<String, Set<String>> FIELDS = Map.ofEntries(
      Map.entry("find", Set.of("filter", "projection", "sort", "hint", "skip", "limit",
          "batchSize", "singleBatch", "max", "min", "returnKey", "showRecordId", "tailable",
          "oplogReplay", "noCursorTimeout", "awaitData", "allowPartialResults", "collation",
          "allowDiskUse", "let", "readOnce", "allowSpeculativeMajorityRead",
          "includeQueryStatsMetrics")),
      Map.entry("aggregate", Set.of("pipeline", "explain", "allowDiskUse", "cursor",
          "bypassDocumentValidation", "collation", "hint", "let", "includeQueryStatsMetrics")),
      Map.entry("count", Set.of("query", "limit", "skip", "hint", "collation", "fields")),
      Map.entry("distinct", Set.of("key", "query", "collation", "hint")),
      Map.entry("insert", Set.of("documents", "ordered", "bypassDocumentValidation")),
      Map.entry("update", Set.of("updates", "ordered", "bypassDocumentValidation", "let")),
      Map.entry("delete", Set.of("deletes", "ordered", "let")),
      Map.entry("findAndModify", Set.of("query", "sort", "remove", "update", "new", "fields",
          "upsert", "bypassDocumentValidation", "collation", "arrayFilters", "hint", "let")),
      Map.entry("explain", Set.of("verbosity")),
      Map.entry("create", Set.of("capped", "autoIndexId", "idIndex", "size", "max",
          "storageEngine", "validator", "validationLevel", "validationAction",
          "indexOptionDefaults", "viewOn", "pipeline", "collation", "changeStreamPreAndPostImages",
          "timeseries", "clusteredIndex", "expireAfterSeconds", "encryptedFields", "temp")),
      Map.entry("collMod", Set.of("validator", "validationLevel", "validationAction", "index",
          "viewOn", "pipeline", "expireAfterSeconds", "changeStreamPreAndPostImages",
          "timeseries", "cappedSize", "cappedMax", "dryRun")),
      Map.entry("createIndexes", Set.of("indexes", "commitQuorum")));

  private final Function<MongoNamespace, CommandRewriter> rewriters;

  /** @param rewriters the analysis of one collection, from its schema */
  public CommandAnalyzer(Function<MongoNamespace, CommandRewriter> rewriters) {
    this.rewriters = rewriters;
  }

  /** Whether a command, by name, carries no user data and passes unanalysed. */
  public static boolean carriesNoUserData(String name) {
    return NO_USER_DATA.contains(name) || name.equalsIgnoreCase("isMaster");
  }

  /**
   * The command to send in place of {@code command}: the same object when nothing in it needs
   * encryption.
   *
   * @throws EncryptedFieldOperationException when automatic encryption refuses it
   */
  public BsonDocument analyse(String database, BsonDocument command) {
    if (command.isEmpty()) {
      throw refuse(database, "invalid empty BSON", "an empty command");
    }
    String name = command.getFirstKey();
    if (carriesNoUserData(name)) {
      return command;
    }
    if (!ANALYSED.contains(name)) {
      throw refuse(database, "command not supported for auto encryption: " + name,
          "fle4j cannot prove it carries no encrypted field");
    }
    for (String field : command.keySet()) {
      if (!field.equals(name) && !GENERIC_FIELDS.contains(field)
          && !FIELDS.get(name).contains(field)) {
        throw refuse(database, "BSON field '" + name + "." + field + "' is an unknown field.",
            "automatic encryption analyses only the fields it knows");
      }
    }
    BsonValue target = command.get(name);
    if (name.equals("explain")) {
      if (!target.isDocument()) {
        throw refuse(database, "explain value is not a document");
      }
      if (target.asDocument().isEmpty()) {
        throw refuse(database, "invalid empty BSON", "explain of an empty command");
      }
      BsonDocument explained = target.asDocument();
      BsonValue innerDb = explained.get("$db");
      if (innerDb != null && !innerDb.equals(new org.bson.BsonString(database))) {
        throw refuse(database, "Mismatched $db in explain command. Expected " + database
            + " but got " + (innerDb.isString() ? innerDb.asString().getValue() : innerDb));
      }
      String inner = explained.getFirstKey();
      if (!ANALYSED.contains(inner) || inner.equals("explain")) {
        throw refuse(database, "Explain failed due to unknown command: " + inner,
            "command not supported for auto encryption: " + inner + " in an explain");
      }
      BsonValue innerTarget = explained.get(inner);
      if (!innerTarget.isString()) {
        throw refuse(database, "non-collection command not supported for auto encryption: "
            + name);
      }
      if (innerTarget.asString().getValue().isEmpty()) {
        throw refuse(database, "empty collection name on command: " + name);
      }
      return with(command, name, explained, analyse(database, explained));
    }
    if (!target.isString()) {
      throw refuse(database, "non-collection command not supported for auto encryption: " + name);
    }
    if (target.asString().getValue().isEmpty()) {
      throw refuse(database, "empty collection name on command: " + name);
    }
    MongoNamespace namespace = new MongoNamespace(database, target.asString().getValue());
    return switch (name) {
      case "create" -> create(namespace, command);
      case "collMod" -> collMod(namespace, command);
      default -> analyse(name, rewriters.apply(namespace), command);
    };
  }

  private BsonDocument analyse(String name, CommandRewriter collection, BsonDocument command) {
    // A command-wide collation applies to every comparison it makes.
    CommandRewriter rewriter = collection.withCollation(command.get("collation"));
    Rewrite rewrite = new Rewrite(command);
    switch (name) {
      case "insert" -> rewrite.eachDocument("documents", rewriter::encryptDocument);
      case "update" -> rewrite.eachDocument("updates", statement -> update(rewriter, statement));
      case "delete" -> rewrite.eachDocument("deletes", statement -> filterField(
          rewriter.withCollation(statement.get("collation")), statement, "q"));
      case "find" -> {
        rewrite.document("filter", rewriter::rewriteFilter);
        rewrite.document("projection", rewriter::rewriteProjection);
        rewrite.check("sort", rewriter::checkSort);
        rewrite.check("min", bounds -> rewriter.checkIndexBounds("min", bounds));
        rewrite.check("max", bounds -> rewriter.checkIndexBounds("max", bounds));
      }
      case "aggregate" -> rewrite.pipeline("pipeline", rewriter::rewritePipeline);
      case "count" -> rewrite.document("query", rewriter::rewriteFilter);
      case "distinct" -> {
        BsonValue key = command.get("key");
        if (key == null || !key.isString()) {
          throw rewriter.refusal().of(null, "distinct needs a string 'key'", "got " + key);
        }
        rewriter.checkDistinctField(key.asString().getValue());
        rewrite.document("query", rewriter::rewriteFilter);
      }
      case "findAndModify" -> {
        rewrite.document("query", rewriter::rewriteFilter);
        rewrite.document("fields", rewriter::rewriteProjection);
        rewrite.check("sort", rewriter::checkSort);
        boolean upsert = command.getBoolean("upsert", BsonBoolean.FALSE).getValue();
        BsonValue update = command.get("update");
        if (update != null && update.isDocument()) {
          rewrite.document("update", u -> rewriter.rewriteUpdate(u, upsert));
        } else if (update != null && update.isArray()) {
          if (upsert && rewriter.schema().resolve("_id").kind()
              == CollectionSchema.Kind.ENCRYPTED) {
            throw rewriter.refusal().of("_id", "Pipelines in findAndModify are not allowed with"
                + " an encrypted '_id' and 'upsert: true'");
          }
          rewrite.pipeline("update", stages -> rewriter.rewriteUpdatePipeline(stages, false));
        }
      }
      case "createIndexes" -> rewrite.eachDocument("indexes", index -> {
        BsonValue partial = index.get("partialFilterExpression");
        if (partial == null) {
          return index;
        }
        if (!partial.isDocument()) {
          throw rewriter.refusal().of(null, "partialFilterExpression must be a document");
        }
        BsonDocument analysed = rewriter.rewriteFilter(partial.asDocument());
        if (analysed != partial) {
          throw rewriter.refusal().of(null, "Comparison to encrypted fields not supported in a"
              + " partialFilterExpression.", "its constants would be stored in plaintext in the"
                  + " index definition");
        }
        return index;
      });
      default -> throw rewriter.refusal().of(null, "command not supported for auto encryption: "
          + name);
    }
    return rewrite.result();
  }

  private static BsonDocument update(CommandRewriter collection, BsonDocument statement) {
    CommandRewriter rewriter = collection.withCollation(statement.get("collation"));
    BsonDocument out = filterField(rewriter, statement, "q");
    boolean upsert = statement.getBoolean("upsert", BsonBoolean.FALSE).getValue();
    BsonValue u = statement.get("u");
    BsonValue rewritten = u;
    if (u != null && u.isDocument()) {
      rewritten = rewriter.rewriteUpdate(u.asDocument(), upsert);
    } else if (u != null && u.isArray()) {
      List<BsonDocument> stages = documents(rewriter, "u", u);
      List<BsonDocument> analysed = rewriter.rewriteUpdatePipeline(stages, upsert);
      rewritten = analysed == stages ? u : new BsonArray(analysed);
    }
    return with(out, "u", u, rewritten);
  }

  private static BsonDocument filterField(CommandRewriter rewriter, BsonDocument statement,
      String field) {
    BsonValue filter = statement.get(field);
    if (filter == null) {
      return statement;
    }
    if (!filter.isDocument()) {
      throw rewriter.refusal().of(null, field + " must be a document", "got "
          + filter.getBsonType());
    }
    return with(statement, field, filter, rewriter.rewriteFilter(filter.asDocument()));
  }

  /**
   * {@code document} with {@code field} replaced, as a shallow copy: the same document when the
   * analysis left the value as it was.
   */
  private static BsonDocument with(BsonDocument document, String field, BsonValue before,
      BsonValue after) {
    if (after == before) {
      return document;
    }
    BsonDocument copy = new BsonDocument();
    copy.putAll(document);
    copy.put(field, after);
    return copy;
  }

  // ----------------------------------------------------------------- create, collMod

  /**
   * {@code create}: a view is refused (its pipeline would be stored and run without the client);
   * a validator is analysed against its own {@code $jsonSchema}, parsed as a local schema, since
   * the collection does not exist yet.
   */
  private BsonDocument create(MongoNamespace namespace, BsonDocument command) {
    if (command.containsKey("viewOn") || command.containsKey("pipeline")) {
      throw refuse(namespace.getFullName(), "Creating a view is not supported with automatic"
          + " encryption");
    }
    checkValidator(namespace, command, true);
    return command;
  }

  private BsonDocument collMod(MongoNamespace namespace, BsonDocument command) {
    if (command.containsKey("viewOn") || command.containsKey("pipeline")) {
      throw refuse(namespace.getFullName(), "Creating a view is not supported with automatic"
          + " encryption", "collMod of a view's pipeline");
    }
    checkValidator(namespace, command, false);
    return command;
  }

  private void checkValidator(MongoNamespace namespace, BsonDocument command, boolean create) {
    BsonValue validator = command.get("validator");
    if (validator == null) {
      return;
    }
    if (!validator.isDocument()) {
      throw refuse(namespace.getFullName(), "validator must be a document");
    }
    BsonDocument doc = validator.asDocument();
    CommandRewriter rewriter;
    if (doc.containsKey("$jsonSchema")) {
      if (doc.size() != 1) {
        throw refuse(namespace.getFullName(), "Unsupported match expression operator for"
            + " encryption: $jsonSchema", "a validator may hold $jsonSchema alone");
      }
      BsonValue schema = doc.get("$jsonSchema");
      if (!schema.isDocument()) {
        throw refuse(namespace.getFullName(), "$jsonSchema must be an object");
      }
      // Parsed as mongocryptd parses it: as a local schema, so its rules apply before it is sent.
      SchemaParser.parse(schema.asDocument(), false,
          (create ? "create" : "collMod") + " validator of " + namespace.getFullName());
      return;
    }
    // The schema libmongocrypt would use: schemaMap's entry, else the server's (for create,
    // none yet).
    rewriter = rewriters.apply(namespace);
    if (rewriter.rewriteFilter(doc) != doc) {
      throw rewriter.refusal().of(null, "Comparison to encrypted fields not supported in"
          + " collection validator.", "its constants would be stored in plaintext");
    }
  }

  // ----------------------------------------------------------------- helpers

  private static EncryptedFieldOperationException refuse(String namespace, String specText) {
    return new Refusal(namespace).of(null, specText);
  }

  private static EncryptedFieldOperationException refuse(String namespace, String specText,
      String detail) {
    return new Refusal(namespace).of(null, specText, detail);
  }

  private static List<BsonDocument> documents(CommandRewriter rewriter, String field,
      BsonValue value) {
    List<BsonDocument> out = new ArrayList<>();
    for (BsonValue element : value.asArray()) {
      if (!element.isDocument()) {
        throw rewriter.refusal().of(null, field + " must hold documents", "got "
            + element.getBsonType());
      }
      out.add(element.asDocument());
    }
    return out;
  }

  /** Copy-on-write rewriting of a command's top-level fields. */
  private static final class Rewrite {
    private final BsonDocument command;
    private BsonDocument out;

    Rewrite(BsonDocument command) {
      this.command = command;
    }

    void document(String field, Function<BsonDocument, BsonDocument> rewrite) {
      BsonValue value = command.get(field);
      if (value == null || value.isNull()) {
        return;
      }
      if (!value.isDocument()) {
        throw new Refusal(command.get(command.getFirstKey()).toString()).of(null,
            "'" + field + "' must be a document", "got " + value.getBsonType());
      }
      put(field, value, rewrite.apply(value.asDocument()));
    }

    void check(String field, java.util.function.Consumer<BsonDocument> check) {
      BsonValue value = command.get(field);
      if (value != null && value.isDocument()) {
        check.accept(value.asDocument());
      }
    }

    void pipeline(String field, Function<List<BsonDocument>, List<BsonDocument>> rewrite) {
      BsonValue value = command.get(field);
      if (value == null) {
        return;
      }
      if (!value.isArray()) {
        throw new Refusal(command.get(command.getFirstKey()).toString()).of(null,
            "'" + field + "' must be an array", "got " + value.getBsonType());
      }
      List<BsonDocument> stages = new ArrayList<>();
      for (BsonValue stage : value.asArray()) {
        if (!stage.isDocument()) {
          throw new Refusal(command.get(command.getFirstKey()).toString()).of(null,
              "Each element of the 'pipeline' array must be an object");
        }
        stages.add(stage.asDocument());
      }
      List<BsonDocument> rewritten = rewrite.apply(stages);
      if (!sameElements(rewritten, stages)) {
        put(field, value, new BsonArray(rewritten));
      }
    }

    void eachDocument(String field, Function<BsonDocument, BsonDocument> rewrite) {
      BsonValue value = command.get(field);
      if (value == null) {
        return;
      }
      if (!value.isArray()) {
        throw new Refusal(command.get(command.getFirstKey()).toString()).of(null,
            "'" + field + "' must be an array", "got " + value.getBsonType());
      }
      BsonArray rewritten = null;
      int i = 0;
      for (BsonValue element : value.asArray()) {
        if (!element.isDocument()) {
          throw new Refusal(command.get(command.getFirstKey()).toString()).of(null,
              "'" + field + "' must hold documents", "got " + element.getBsonType());
        }
        BsonDocument result = rewrite.apply(element.asDocument());
        if (result != element && rewritten == null) {
          rewritten = new BsonArray(new ArrayList<>(value.asArray().subList(0, i)));
        }
        if (rewritten != null) {
          rewritten.add(result);
        }
        i++;
      }
      if (rewritten != null) {
        put(field, value, rewritten);
      }
    }

    private void put(String field, BsonValue before, BsonValue after) {
      if (after == before) {
        return;
      }
      if (out == null) {
        // Shallow: the fields not rewritten are shared, never modified.
        out = new BsonDocument();
        out.putAll(command);
      }
      out.put(field, after);
    }

    BsonDocument result() {
      return out == null ? command : out;
    }

    private static boolean sameElements(List<BsonDocument> a, List<BsonDocument> b) {
      if (a == b) {
        return true;
      }
      if (a.size() != b.size()) {
        return false;
      }
      for (int i = 0; i < a.size(); i++) {
        if (a.get(i) != b.get(i)) {
          return false;
        }
      }
      return true;
    }
  }
}
