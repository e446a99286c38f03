package io.fle4j.it.auto.wire;

import static io.fle4j.it.auto.wire.WireFixture.d;
import static io.fle4j.it.auto.wire.WireFixture.p;
import static io.fle4j.it.auto.wire.WireFixture.personDoc;

import com.mongodb.ExplainVerbosity;
import com.mongodb.MongoNamespace;
import com.mongodb.ReadConcern;
import com.mongodb.ReadPreference;
import com.mongodb.WriteConcern;
import com.mongodb.client.AggregateIterable;
import com.mongodb.client.ChangeStreamIterable;
import com.mongodb.client.ClientSession;
import com.mongodb.client.DistinctIterable;
import com.mongodb.client.FindIterable;
import com.mongodb.client.ListCollectionNamesIterable;
import com.mongodb.client.ListCollectionsIterable;
import com.mongodb.client.ListDatabasesIterable;
import com.mongodb.client.ListIndexesIterable;
import com.mongodb.client.ListSearchIndexesIterable;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoCursor;
import com.mongodb.client.MongoDatabase;
import com.mongodb.client.MongoIterable;
import com.mongodb.client.model.Collation;
import com.mongodb.client.model.DeleteOneModel;
import com.mongodb.client.model.IndexModel;
import com.mongodb.client.model.IndexOptions;
import com.mongodb.client.model.InsertOneModel;
import com.mongodb.client.model.SearchIndexModel;
import com.mongodb.client.model.UpdateOneModel;
import com.mongodb.client.model.bulk.ClientNamespacedWriteModel;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.lang.reflect.TypeVariable;
import java.lang.reflect.WildcardType;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Spliterator;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.bson.BsonDocument;
import org.bson.BsonString;
import org.bson.BsonTimestamp;
import org.bson.BsonValue;
import org.bson.Document;
import org.bson.conversions.Bson;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Every public method of the driver interfaces an fle4j client hands out, found by reflection so
 * that a method nobody thought of (or one a driver upgrade adds) is still exercised: arguments are
 * built from parameter types, with canaries in every Bson, pipeline and document argument and the
 * call's control value where the position holds no field value (names, index keys, comments).
 * Methods that cannot send anything, or whose arguments cannot be built, are listed as skipped
 * with the reason (target/wire-canary/surface.md).
 */
class DriverSurfaceWireTest {
  private static WireFixture f;
  private static ClientSession session;
  private static String sessionProblem;

  @BeforeAll
  static void start() {
    f = new WireFixture();
    try {
      session = f.fle4j.startSession();
      f.db.listCollectionNames(session).first(); // the stand-in refuses sessions only on use
    } catch (RuntimeException e) {
      sessionProblem = ProbeRunner.oneLine(e);
      if (session != null) {
        session.close();
      }
      session = null;
    }
  }

  @AfterAll
  static void stop() throws Exception {
    if (session != null) {
      session.close();
    }
    if (f != null) {
      f.close();
    }
  }

  /** Parameter types that can carry a value (and so a canary or the control). */
  private static final java.util.Set<Class<?>> VALUE_TYPES = java.util.Set.of(Bson.class,
      List.class, String.class, Object.class, BsonValue.class, BsonDocument.class,
      MongoNamespace.class);
  /** Catalog listings: their filters match collection/index/database descriptions, not documents. */
  private static final java.util.Set<String> CATALOG = java.util.Set.of("ListCollectionsIterable",
      "ListCollectionNamesIterable", "ListIndexesIterable", "ListDatabasesIterable",
      "ListSearchIndexesIterable");

  /** Thrown while building arguments: the method is skipped, with this reason. */
  private static final class Skip extends Exception {
    Skip(String reason) {
      super(reason);
    }
  }

  @Test
  void everyDriverMethod_withCanaryArguments_neverPutsACanaryOnTheWire() {
    ProbeRunner r = new ProbeRunner(f.capture, WireFixture.KEY_VAULT_COLL);
    surface(r, MongoClient.class, c -> f.fle4j);
    surface(r, MongoDatabase.class, c -> f.db);
    surface(r, MongoCollection.class, c -> f.people);
    surface(r, FindIterable.class, c -> f.people.find(d("{name: 'CTL', ssn: 'SSN!'}", c)));
    surface(r, AggregateIterable.class,
        c -> f.people.aggregate(p("[{$match: {name: 'CTL', ssn: 'SSN!'}}]", c)));
    surface(r, DistinctIterable.class,
        c -> f.people.distinct("name", d("{name: 'CTL', ssn: 'SSN!'}", c), String.class));
    surface(r, ChangeStreamIterable.class, c -> f.people.watch(
        p("[{$match: {'fullDocument.name': 'CTL', 'fullDocument.ssn': 'SSN!'}}]", c)));
    // Catalog listings match collection, index and database descriptions, never documents of an
    // encrypted collection: their bases carry only the control.
    surface(r, ListCollectionsIterable.class, c -> f.db.listCollections().filter(d("{name: 'CTL'}", c)));
    surface(r, ListCollectionNamesIterable.class,
        c -> f.db.listCollectionNames().filter(d("{name: 'CTL'}", c)));
    surface(r, ListIndexesIterable.class, c -> f.people.listIndexes().comment(c));
    surface(r, ListDatabasesIterable.class, c -> f.fle4j.listDatabases().filter(d("{name: 'CTL'}", c)));
    surface(r, ListSearchIndexesIterable.class, c -> f.people.listSearchIndexes().name(c));
    NoPlaintextOnTheWireTest.assertNoLeaks("surface", r.outcomes());
  }

  /** Calls every method of {@code type} on a fresh target from {@code target}. */
  private static void surface(ProbeRunner r, Class<?> type, Function<String, Object> target) {
    for (Method method : methods(type)) {
      String name = type.getSimpleName() + "." + signature(method);
      String skip = skipReason(type, method);
      if (skip != null) {
        r.skip(name, skip);
        continue;
      }
      Object[][] holder = new Object[1][];
      try {
        holder[0] = arguments(type, method, "CTLPROBE");
      } catch (Skip e) {
        r.skip(name, e.getMessage());
        continue;
      }
      ProbeRunner.Call call = c -> {
        Object self = target.apply(c);
        Object result = method.invoke(self, arguments(type, method, c));
        drain(result);
      };
      boolean onBase = type.getSimpleName().endsWith("Iterable"); // the base carries the control
      if (onBase || Arrays.stream(method.getParameterTypes()).anyMatch(VALUE_TYPES::contains)) {
        r.probe(name, call);
      } else {
        r.probeWithoutValue(name, call);
      }
    }
  }

  /** Public instance methods, inherited ones included, once per signature, in a stable order. */
  private static List<Method> methods(Class<?> type) {
    Map<String, Method> unique = new LinkedHashMap<>();
    Arrays.stream(type.getMethods())
        .filter(m -> !Modifier.isStatic(m.getModifiers()) && !m.isSynthetic() && !m.isBridge())
        .filter(m -> m.getDeclaringClass() != Object.class)
        .sorted(Comparator.comparing(DriverSurfaceWireTest::signature))
        .forEach(m -> unique.putIfAbsent(signature(m), m));
    return new ArrayList<>(unique.values());
  }

  static String signature(Method m) {
    return m.getName() + Arrays.stream(m.getParameterTypes()).map(Class::getSimpleName)
        .collect(Collectors.joining(", ", "(", ")"));
  }

  /** Methods that cannot send a value: why, or null to run the method. */
  private static String skipReason(Class<?> type, Method m) {
    String n = m.getName();
    if (n.startsWith("get")) {
      return "accessor or handle factory: sends nothing";
    }
    if (n.startsWith("with")) {
      return "returns a reconfigured view (same fle4j wrapper, probed in the curated test):"
          + " sends nothing";
    }
    if (n.equals("close") || n.equals("appendMetadata")) {
      return "client lifecycle/metadata: carries no value";
    }
    if (n.equals("timeoutMode")) {
      return "TimeoutMode requires the client's timeoutMS (driver check); an enum, no value";
    }
    if (n.equals("toCollection")) {
      return "needs a pipeline ending in $out/$merge; probed in the curated test";
    }
    if (n.equals("startSession")) {
      return "starts a client session: no value parameter";
    }
    if (Arrays.asList(m.getParameterTypes()).contains(ClientSession.class) && session == null) {
      return "needs a ClientSession, and the stand-in has none (" + sessionProblem + "); fle4j"
          + " runs the same analysis as the session-less overload";
    }
    return null;
  }

  private static Object[] arguments(Class<?> owner, Method m, String c) throws Skip {
    Type[] types = m.getGenericParameterTypes();
    Object[] args = new Object[types.length];
    int bsonIndex = 0;
    int stringIndex = 0;
    for (int i = 0; i < types.length; i++) {
      Class<?> raw = m.getParameterTypes()[i];
      if (raw == Bson.class && CATALOG.contains(owner.getSimpleName())) {
        args[i] = d("{name: 'CTL'}", c);
      } else if (raw == Bson.class) {
        args[i] = bson(m.getName(), bsonIndex++, c);
      } else if (raw == String.class) {
        args[i] = string(m.getName(), stringIndex++, c);
      } else {
        args[i] = other(m, raw, types[i], c);
      }
    }
    return args;
  }

  /** A Bson argument by role: index keys, sort and hint hold no values, so only the control. */
  private static Bson bson(String method, int index, String c) {
    switch (method) {
      case "sort", "hint", "createIndex", "dropIndex", "resumeAfter", "startAfter" -> {
        return new Document(c, 1);
      }
      case "updateOne", "updateMany", "findOneAndUpdate" -> {
        if (index == 1) {
          return d("{$set: {name: 'CTL', ssn: 'SSN!', 'address.zip': 'ZIP!', age: AGE!}}", c);
        }
        return d("{name: 'CTL', ssn: 'SSN!'}", c);
      }
      case "let" -> {
        return d("{ctl: 'CTL', v: 'SSN!'}", c);
      }
      case "projection" -> {
        return d("{name: 1, m: {$eq: ['$ssn', 'SSN!']}}", c);
      }
      case "createSearchIndex", "updateSearchIndex" -> {
        // An Atlas Search index definition (mappings, analyzers): no field values.
        return d("{mappings: {dynamic: true}, analyzer: 'CTL'}", c);
      }
      default -> {
        return d("{name: 'CTL', ssn: 'SSN!', 'address.zip': 'ZIP!', age: AGE!, born: BORN!}", c);
      }
    }
  }

  private static String string(String method, int index, String c) {
    return switch (method) {
      case "mapReduce" -> index == 0
          ? "function() { if (this.ssn == '" + Canaries.SSN + "') emit('" + c + "', 1); }"
          : "function(k, v) { return '" + Canaries.SSN + "'; }";
      case "finalizeFunction" -> "function(k, v) { return '" + Canaries.SSN + "' + '" + c + "'; }";
      case "createView" -> index == 0 ? "v" + c : "people";
      case "distinct" -> "name" + c;
      default -> "n" + c;
    };
  }

  private static Object other(Method m, Class<?> raw, Type type, String c) throws Skip {
    if (raw == ClientSession.class) {
      return session;
    }
    if (raw == Object.class && type instanceof TypeVariable<?>) {
      return personDoc(c);
    }
    if (raw == Class.class) {
      return Document.class;
    }
    if (raw == BsonValue.class) {
      return new BsonString(c); // a comment: an annotation, not a field value
    }
    if (raw == BsonDocument.class) {
      return new BsonDocument("_data", new BsonString(c)); // resume tokens
    }
    if (List.class.isAssignableFrom(raw)) {
      return list(m, type, c);
    }
    if (Collection.class.isAssignableFrom(raw)) {
      return new ArrayList<>();
    }
    if (raw == Consumer.class) {
      return (Consumer<Object>) x -> { };
    }
    if (raw == Function.class) {
      return Function.identity();
    }
    if (raw == com.mongodb.Function.class) {
      return (com.mongodb.Function<Object, Object>) x -> x; // MongoIterable.map
    }
    if (raw == com.mongodb.client.model.bulk.ClientBulkWriteOptions.class) {
      return com.mongodb.client.model.bulk.ClientBulkWriteOptions.clientBulkWriteOptions();
    }
    if (raw == long.class || raw == Long.class) {
      return 1000L;
    }
    if (raw == int.class || raw == Integer.class) {
      return 1;
    }
    if (raw == boolean.class || raw == Boolean.class) {
      return false;
    }
    if (raw == TimeUnit.class) {
      return TimeUnit.SECONDS;
    }
    if (raw == ReadPreference.class) {
      return ReadPreference.primary();
    }
    if (raw == ReadConcern.class) {
      return ReadConcern.DEFAULT;
    }
    if (raw == WriteConcern.class) {
      return WriteConcern.ACKNOWLEDGED;
    }
    if (raw == Collation.class) {
      return Collation.builder().locale("en").build();
    }
    if (raw == BsonTimestamp.class) {
      return new BsonTimestamp(1, 1);
    }
    if (raw == ExplainVerbosity.class) {
      return ExplainVerbosity.QUERY_PLANNER;
    }
    if (raw == MongoNamespace.class) {
      return new MongoNamespace(WireFixture.DB, "r" + c);
    }
    if (raw.isEnum()) {
      return raw.getEnumConstants()[0];
    }
    try {
      return raw.getConstructor().newInstance(); // options classes: their defaults
    } catch (ReflectiveOperationException e) {
      throw new Skip("cannot build an argument of type " + type.getTypeName());
    }
  }

  private static List<?> list(Method m, Type type, String c) throws Skip {
    Type element = type instanceof ParameterizedType pt ? pt.getActualTypeArguments()[0] : Object.class;
    if (element instanceof WildcardType w) {
      element = w.getUpperBounds()[0];
    }
    Class<?> raw = element instanceof ParameterizedType pt ? (Class<?>) pt.getRawType()
        : element instanceof Class<?> k ? k : Object.class;
    String n = m.getName();
    if (raw == Bson.class) {
      if (n.equals("arrayFilters")) {
        return List.of(d("{e: 'SSN!', f: 'CTL'}", c));
      }
      if (n.startsWith("update") || n.equals("findOneAndUpdate")) {
        return p("[{$set: {name: 'CTL', ssn: 'SSN!', 'address.zip': 'ZIP!'}}]", c);
      }
      return p("[{$match: {name: 'CTL', ssn: 'SSN!', 'address.zip': 'ZIP!', age: AGE!}}]", c);
    }
    if (element instanceof TypeVariable<?>) {
      return List.of(personDoc(c));
    }
    if (raw == com.mongodb.client.model.WriteModel.class) {
      return List.of(new InsertOneModel<>(personDoc(c)),
          new UpdateOneModel<Document>(d("{name: 'CTL', ssn: 'SSN!'}", c), d("{$set: {ssn: 'SSN2!'}}", c)),
          new DeleteOneModel<Document>(d("{name: 'CTL', 'address.zip': 'ZIP!'}", c)));
    }
    if (raw == IndexModel.class) {
      return List.of(new IndexModel(new Document("name", 1), new IndexOptions().name("i" + c)
          .partialFilterExpression(d("{ssn: 'SSN!'}", c))));
    }
    if (raw == SearchIndexModel.class) {
      return List.of(new SearchIndexModel(c, d("{mappings: {dynamic: true}, analyzer: 'CTL'}", c)));
    }
    if (raw == ClientNamespacedWriteModel.class) {
      return List.of(ClientNamespacedWriteModel.insertOne(
          new MongoNamespace(WireFixture.DB, "people"), personDoc(c)));
    }
    throw new Skip("cannot build a list of " + element.getTypeName());
  }

  /** Makes a lazy result do its I/O: iterables are run, cursors opened and closed. */
  private static void drain(Object result) {
    if (result instanceof ChangeStreamIterable<?> stream) {
      try (MongoCursor<?> cursor = stream.cursor()) {
        cursor.tryNext();
      }
    } else if (result instanceof MongoIterable<?> iterable) {
      iterable.first();
    } else if (result instanceof MongoCursor<?> cursor) {
      try (cursor) {
        cursor.tryNext();
      }
    } else if (result instanceof Spliterator<?> spliterator) {
      spliterator.tryAdvance(x -> { });
    }
  }
}
