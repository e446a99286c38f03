package io.fle4j.it.unified;

import com.mongodb.ReadConcern;
import com.mongodb.ReadPreference;
import com.mongodb.WriteConcern;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoDatabase;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.bson.BsonArray;
import org.bson.BsonDocument;
import org.bson.BsonInt32;
import org.bson.BsonString;
import org.bson.BsonValue;
import org.junit.jupiter.api.Assumptions;

/**
 * Runs one test case of a unified test file, as "Executing a Test" says: requirements, {@code
 * initialData} through the internal client, entities, operations with their expected results and
 * errors, then {@code expectEvents} and {@code outcome}. Entities are closed whatever happens.
 *
 * <p>If a {@link CloudKmsStandIn} was asked to wrap or unwrap a key, the case is aborted
 * afterwards, passed or failed: its result would say nothing about fle4j.
 */
final class UnifiedTestCaseRunner {
  private final String fileName;
  private final BsonDocument file;
  private final BsonDocument testCase;
  private final RunnerEnvironment environment;

  UnifiedTestCaseRunner(String fileName, BsonDocument file, BsonDocument testCase,
      RunnerEnvironment environment) {
    this.fileName = fileName;
    this.file = file;
    this.testCase = testCase;
    this.environment = environment;
  }

  private static final java.util.Set<String> FILE_KEYS = java.util.Set.of("description",
      "schemaVersion", "runOnRequirements", "createEntities", "initialData", "tests",
      "_yamlAnchors");
  private static final java.util.Set<String> TEST_KEYS = java.util.Set.of("description",
      "runOnRequirements", "skipReason", "operations", "expectEvents", "outcome");

  void run() throws Throwable {
    String description = testCase.getString("description").getValue();
    // Anything else (expectLogMessages, expectTracingMessages...) must not pass unchecked.
    file.keySet().stream().filter(k -> !FILE_KEYS.contains(k)).findFirst().ifPresent(k -> {
      throw new RunnerException("test file field '" + k + "' is not supported by the runner");
    });
    testCase.keySet().stream().filter(k -> !TEST_KEYS.contains(k)).findFirst().ifPresent(k -> {
      throw new RunnerException("test field '" + k + "' is not supported by the runner");
    });
    if (testCase.containsKey("skipReason")) {
      Assumptions.abort("skipReason in the test file: "
          + testCase.getString("skipReason").getValue());
    }
    Optional<String> unmet = environment.server.unmet(file.get("runOnRequirements"));
    if (unmet.isEmpty()) {
      unmet = environment.server.unmet(testCase.get("runOnRequirements"));
    }
    unmet.ifPresent(Assumptions::abort);
    StandInLimitations.reasonToSkip(fileName, description).ifPresent(Assumptions::abort);

    StandInKmsCalls standInCalls = new StandInKmsCalls();
    EntityMap entities = new EntityMap();
    Throwable failure = null;
    try {
      loadInitialData();
      new EntityFactory(entities, standInCalls).createAll(file.get("createEntities"));
      runOperations(entities);
      entities.clients().forEach(c -> {
        if (c.recorder() != null) {
          c.recorder().stop();
        }
      });
      checkEvents(entities);
      checkOutcome();
    } catch (Throwable t) {
      failure = t;
    } finally {
      try {
        entities.close();
      } catch (RuntimeException e) {
        if (failure == null) {
          failure = e;
        }
      }
    }
    if (standInCalls.any()) {
      Assumptions.abort("needs real " + String.join(", ", standInCalls.providers())
          + " KMS credentials: the key documents are wrapped by the real cloud KMS, and this"
          + " environment has none (the stand-in was asked to wrap or unwrap a data key; "
          + (failure == null ? "the rest of the case passed"
              : "the case then failed with: " + firstLine(failure)) + ")");
    }
    if (failure != null) {
      throw failure;
    }
  }

  // ------------------------------------------------------------------------------ initialData

  private void loadInitialData() {
    BsonValue initialData = file.get("initialData");
    if (initialData == null) {
      return;
    }
    MongoClient client = environment.internalClient;
    for (BsonValue value : initialData.asArray()) {
      BsonDocument data = value.asDocument();
      MongoDatabase database = client.getDatabase(data.getString("databaseName").getValue())
          .withWriteConcern(WriteConcern.MAJORITY);
      String name = data.getString("collectionName").getValue();
      database.getCollection(name).drop();
      database.getCollection("enxcol_." + name + ".esc").drop();
      database.getCollection("enxcol_." + name + ".ecoc").drop();
      BsonDocument createOptions = data.getDocument("createOptions", null);
      if (createOptions != null) {
        BsonDocument create = new BsonDocument("create", new BsonString(name));
        create.putAll(createOptions);
        create.put("writeConcern", new BsonDocument("w", new BsonString("majority")));
        database.runCommand(create);
      }
      List<BsonDocument> documents = new ArrayList<>();
      data.getArray("documents").forEach(d -> documents.add(d.asDocument()));
      if (!documents.isEmpty()) {
        database.getCollection(name, BsonDocument.class).insertMany(documents);
      } else if (createOptions == null) {
        database.createCollection(name);
      }
    }
  }

  // ------------------------------------------------------------------------------ operations

  private void runOperations(EntityMap entities) throws Exception {
    OperationExecutor executor = new OperationExecutor(entities);
    ValueMatcher matcher = new ValueMatcher(entities);
    BsonArray operations = testCase.getArray("operations");
    for (int i = 0; i < operations.size(); i++) {
      BsonDocument operation = operations.get(i).asDocument();
      String object = operation.getString("object").getValue();
      String name = operation.getString("name").getValue();
      String where = "operation " + i + " (" + name + " on " + object + ")";
      Arguments fields = new Arguments(where, operation);
      fields.required("object");
      fields.required("name");
      BsonValue arguments = fields.optional("arguments");
      BsonValue expectResult = fields.optional("expectResult");
      BsonValue expectError = fields.optional("expectError");
      BsonValue saveAs = fields.optional("saveResultAsEntity");
      BsonValue ignore = fields.optional("ignoreResultAndError");
      fields.requireAllUsed();
      if (object.equals("testRunner")) {
        new SpecialOperations(environment.internalClient).run(name,
            arguments == null ? new BsonDocument() : arguments.asDocument());
        continue;
      }
      OperationResult result = null;
      Throwable error = null;
      try {
        result = executor.execute(object, name,
            arguments == null ? new BsonDocument() : arguments.asDocument());
      } catch (RunnerException e) {
        throw e;
      } catch (RuntimeException e) {
        error = e;
      }
      if (ignore != null && ignore.asBoolean().getValue()) {
        continue;
      }
      if (expectError != null) {
        if (error == null) {
          throw new AssertionError(where + ": expected an error " + expectError.asDocument().toJson()
              + " but it succeeded" + (result == null || result.value() == null ? ""
                  : " with " + result.value()));
        }
        try {
          ExpectedErrorAssertions.check(expectError.asDocument(), error, matcher);
        } catch (AssertionError e) {
          throw new AssertionError(where + ": " + e.getMessage(), error);
        }
        continue;
      }
      if (error != null) {
        throw new AssertionError(where + ": unexpected error: "
            + ExpectedErrorAssertions.describe(error), error);
      }
      if (expectResult != null) {
        try {
          if (result.isIterable()) {
            matcher.assertDocumentsMatch(expectResult, result.documents());
          } else {
            matcher.assertMatches(expectResult, result.value());
          }
        } catch (AssertionError e) {
          throw new AssertionError(where + " result: " + e.getMessage(), e);
        }
      }
      if (saveAs != null) {
        if (result == null || (result.value() == null && !result.isIterable())) {
          throw new RunnerException(where + ": no result to save as " + saveAs);
        }
        entities.put(saveAs.asString().getValue(),
            result.isIterable() ? new BsonArray(result.documents()) : result.value());
      }
    }
  }

  // ------------------------------------------------------------------------------ events

  private void checkEvents(EntityMap entities) {
    BsonValue expectEvents = testCase.get("expectEvents");
    if (expectEvents == null) {
      return;
    }
    ValueMatcher matcher = new ValueMatcher(entities);
    for (BsonValue value : expectEvents.asArray()) {
      Arguments expected = new Arguments("expectEvents", value.asDocument());
      String clientId = expected.requiredString("client");
      BsonValue eventType = expected.optional("eventType");
      if (eventType != null && !eventType.asString().getValue().equals("command")) {
        throw new RunnerException("expectEvents eventType " + eventType
            + " is not supported by the runner");
      }
      BsonValue ignoreExtra = expected.optional("ignoreExtraEvents");
      BsonArray events = expected.required("events").asArray();
      expected.requireAllUsed();
      CommandEventRecorder recorder = entities.client(clientId).recorder();
      if (recorder == null) {
        throw new RunnerException("client " + clientId + " has no observeEvents");
      }
      List<CommandEventRecorder.ObservedEvent> actual = recorder.events();
      boolean extraAllowed = ignoreExtra != null && ignoreExtra.asBoolean().getValue();
      if (actual.size() < events.size() || (!extraAllowed && actual.size() != events.size())) {
        throw new AssertionError("events of " + clientId + ": expected " + events.size()
            + " but observed " + actual.size() + "\n  expected: " + events
            + "\n  observed:\n    " + String.join("\n    ",
                actual.stream().map(Object::toString).toList()));
      }
      for (int i = 0; i < events.size(); i++) {
        try {
          matchEvent(events.get(i).asDocument(), actual.get(i), matcher);
        } catch (AssertionError e) {
          throw new AssertionError("event " + i + " of " + clientId + ": " + e.getMessage()
              + "\n  observed: " + actual.get(i), e);
        }
      }
    }
  }

  private static void matchEvent(BsonDocument expected, CommandEventRecorder.ObservedEvent actual,
      ValueMatcher matcher) {
    String kind = expected.getFirstKey();
    if (!kind.equals(actual.kind())) {
      throw new AssertionError("expected a " + kind + " but observed a " + actual.kind() + " ("
          + actual.commandName() + ")");
    }
    Arguments fields = new Arguments(kind, expected.getDocument(kind));
    BsonValue commandName = fields.optional("commandName");
    if (commandName != null && !commandName.asString().getValue().equals(actual.commandName())) {
      throw new AssertionError("expected command " + commandName.asString().getValue()
          + " but observed " + actual.commandName());
    }
    BsonValue databaseName = fields.optional("databaseName");
    if (databaseName != null
        && !databaseName.asString().getValue().equals(actual.databaseName())) {
      throw new AssertionError("expected database " + databaseName.asString().getValue()
          + " but observed " + actual.databaseName());
    }
    BsonValue command = fields.optional(kind.equals(CommandEventRecorder.SUCCEEDED)
        ? "reply" : "command");
    if (command != null) {
      matcher.assertMatches(command, actual.document());
    }
    fields.requireAllUsed();
  }

  // ------------------------------------------------------------------------------ outcome

  private void checkOutcome() {
    BsonValue outcome = testCase.get("outcome");
    if (outcome == null) {
      return;
    }
    for (BsonValue value : outcome.asArray()) {
      BsonDocument data = value.asDocument();
      String namespace = data.getString("databaseName").getValue() + "."
          + data.getString("collectionName").getValue();
      MongoCollection<BsonDocument> collection = environment.internalClient
          .getDatabase(data.getString("databaseName").getValue())
          .getCollection(data.getString("collectionName").getValue(), BsonDocument.class)
          .withReadPreference(ReadPreference.primary())
          .withReadConcern(ReadConcern.LOCAL);
      List<BsonDocument> actual = collection.find()
          .sort(new BsonDocument("_id", new BsonInt32(1))).into(new ArrayList<>());
      BsonArray expected = data.getArray("documents");
      if (expected.size() != actual.size()) {
        throw new AssertionError("outcome " + namespace + ": expected " + expected.size()
            + " documents but found " + actual.size() + "\n  expected: " + expected
            + "\n  found:    " + actual);
      }
      for (int i = 0; i < actual.size(); i++) {
        // Exact comparison (no matching rules), key order aside: BsonDocument.equals ignores it.
        if (!expected.get(i).equals(actual.get(i))) {
          throw new AssertionError("outcome " + namespace + " document " + i + ":\n  expected: "
              + expected.get(i).asDocument().toJson() + "\n  found:    " + actual.get(i).toJson());
        }
      }
    }
  }

  private static String firstLine(Throwable t) {
    String message = t.getClass().getSimpleName() + ": " + t.getMessage();
    int newline = message.indexOf('\n');
    return newline < 0 ? message : message.substring(0, newline);
  }
}
