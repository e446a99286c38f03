package io.fle4j.internal.auto.driver;

import com.mongodb.client.AggregateIterable;
import com.mongodb.client.ChangeStreamIterable;
import com.mongodb.client.DistinctIterable;
import com.mongodb.client.FindIterable;
import com.mongodb.client.ListCollectionNamesIterable;
import com.mongodb.client.ListCollectionsIterable;
import com.mongodb.client.ListDatabasesIterable;
import com.mongodb.client.ListIndexesIterable;
import com.mongodb.client.ListSearchIndexesIterable;
import com.mongodb.client.MapReduceIterable;
import com.mongodb.client.MongoIterable;
import io.fle4j.EncryptedFieldOperationException;
import java.lang.reflect.Method;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Every method of every iterable the auto-encrypting wrappers return, classified: {@link
 * Kind#ANALYSED} (its argument goes through the command analysis: a filter, a projection, a sort,
 * index bounds) or {@link Kind#NO_USER_DATA}. The wrappers refuse a method missing from this
 * table, so a driver that adds one cannot pass user data through unanalysed; a test checks the
 * table against the driver's interfaces.
 */
final class IterableMethods {
  enum Kind { ANALYSED, NO_USER_DATA }

  /** What every MongoIterable has, and the common cursor options. */
  private static final String ITERABLE = "batchSize(int) cursor() first() forEach(Consumer)"
      + " into(Collection) iterator() map(Function) spliterator() comment(BsonValue)"
      + " comment(String) maxTime(long,TimeUnit) timeoutMode(TimeoutMode)";
  private static final String EXPLAIN =
      " explain() explain(Class) explain(Class,ExplainVerbosity) explain(ExplainVerbosity)";

  private static final Map<Class<?>, Map<String, Kind>> TABLE = Map.ofEntries(
      Map.entry(MongoIterable.class, table("", ITERABLE)),
      Map.entry(FindIterable.class, table("filter(Bson) projection(Bson) sort(Bson) min(Bson)"
          + " max(Bson) collation(Collation)", ITERABLE + EXPLAIN + " allowDiskUse(Boolean)"
              + " cursorType(CursorType) hint(Bson) hintString(String) let(Bson) limit(int)"
              + " maxAwaitTime(long,TimeUnit) noCursorTimeout(boolean) partial(boolean)"
              + " returnKey(boolean) showRecordId(boolean) skip(int)")),
      // The pipeline is analysed when the iterable is made; let's variables are never encrypted,
      // and the analysis refuses comparing an encrypted field with one.
      Map.entry(AggregateIterable.class, table("collation(Collation)", ITERABLE + EXPLAIN
          + " allowDiskUse(Boolean) bypassDocumentValidation(Boolean) hint(Bson) hintString(String)"
          + " let(Bson) maxAwaitTime(long,TimeUnit) toCollection()")),
      Map.entry(DistinctIterable.class, table("filter(Bson) collation(Collation)", ITERABLE
          + " hint(Bson) hintString(String)")),
      // Resume tokens and options; the pipeline is analysed when the stream is opened.
      Map.entry(ChangeStreamIterable.class, table("", ITERABLE + " collation(Collation)"
          + " fullDocument(FullDocument) fullDocumentBeforeChange(FullDocumentBeforeChange)"
          + " maxAwaitTime(long,TimeUnit) resumeAfter(BsonDocument) showExpandedEvents(boolean)"
          + " startAfter(BsonDocument) startAtOperationTime(BsonTimestamp)"
          + " withDocumentClass(Class)")),
      // Metadata: collection, database, index and search-index descriptions.
      Map.entry(ListCollectionsIterable.class, table("", ITERABLE + " filter(Bson)")),
      Map.entry(ListCollectionNamesIterable.class, table("", ITERABLE
          + " filter(Bson) authorizedCollections(boolean)")),
      Map.entry(ListDatabasesIterable.class, table("", ITERABLE + " filter(Bson)"
          + " authorizedDatabasesOnly(Boolean) nameOnly(Boolean)")),
      Map.entry(ListIndexesIterable.class, table("", ITERABLE)),
      Map.entry(ListSearchIndexesIterable.class, table("", ITERABLE + EXPLAIN + " allowDiskUse(Boolean)"
          + " collation(Collation) name(String)")),
      // Only reachable in bypass mode, where nothing is analysed.
      Map.entry(MapReduceIterable.class, table("", ITERABLE + " action(MapReduceAction)"
          + " bypassDocumentValidation(Boolean) collation(Collation) collectionName(String)"
          + " databaseName(String) filter(Bson) finalizeFunction(String) jsMode(boolean) limit(int)"
          + " scope(Bson) sort(Bson) toCollection() verbose(boolean)")));

  private IterableMethods() {}

  private static Map<String, Kind> table(String analysed, String noUserData) {
    Map<String, Kind> out = new HashMap<>();
    for (String signature : noUserData.trim().split("\\s+")) {
      out.put(signature, Kind.NO_USER_DATA);
    }
    for (String signature : analysed.trim().split("\\s+")) {
      if (!signature.isEmpty()) {
        out.put(signature, Kind.ANALYSED);
      }
    }
    return Map.copyOf(out);
  }

  /** The iterable interfaces this table covers. */
  static Set<Class<?>> interfaces() {
    return TABLE.keySet();
  }

  /** How {@code method} of {@code type} is handled, or null when it is not classified. */
  static Kind kind(Class<?> type, Method method) {
    Map<String, Kind> methods = TABLE.get(type);
    return methods == null ? null : methods.get(signature(method));
  }

  /**
   * Refuses a method the table does not know.
   *
   * @throws EncryptedFieldOperationException naming the method
   */
  static Kind require(Class<?> type, Method method) {
    Kind kind = kind(type, method);
    if (kind == null) {
      throw new EncryptedFieldOperationException("(" + type.getSimpleName() + ")", null,
          "command not supported for auto encryption: " + type.getSimpleName() + "."
              + signature(method) + " is not classified by this fle4j version (a newer driver"
              + " method?), so it is refused rather than sent unanalysed");
    }
    return kind;
  }

  /** {@code name(SimpleType,...)} of the erased parameter types. */
  static String signature(Method method) {
    return method.getName() + "(" + Arrays.stream(method.getParameterTypes())
        .map(Class::getSimpleName).collect(Collectors.joining(",")) + ")";
  }
}
