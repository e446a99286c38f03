package io.fle4j.internal.auto.driver;

import com.mongodb.client.model.Collation;
import io.fle4j.internal.auto.analysis.CommandRewriter;
import java.lang.reflect.Method;
import java.util.List;
import java.util.function.Function;
import org.bson.BsonDocument;
import org.bson.conversions.Bson;

/**
 * What an iterable was made from (its filter, pipeline or distinct key, and its collation), so
 * that a builder call made later is analysed together with it: a new filter under the collation
 * already set, a collation against the filter or pipeline already given.
 */
final class IterableInputs {
  private final CollectionAnalysis analysis;
  private final Function<Bson, BsonDocument> toBson;
  private final List<BsonDocument> pipeline;
  private final String distinctKey;
  private BsonDocument filter;
  private BsonDocument collation;

  private IterableInputs(CollectionAnalysis analysis, Function<Bson, BsonDocument> toBson,
      BsonDocument filter, List<BsonDocument> pipeline, String distinctKey) {
    this.analysis = analysis;
    this.toBson = toBson;
    this.filter = filter;
    this.pipeline = pipeline;
    this.distinctKey = distinctKey;
  }

  static IterableInputs find(CollectionAnalysis analysis, Function<Bson, BsonDocument> toBson,
      BsonDocument filter) {
    return new IterableInputs(analysis, toBson, filter, null, null);
  }

  static IterableInputs distinct(CollectionAnalysis analysis, Function<Bson, BsonDocument> toBson,
      String key, BsonDocument filter) {
    return new IterableInputs(analysis, toBson, filter, null, key);
  }

  static IterableInputs aggregate(CollectionAnalysis analysis,
      Function<Bson, BsonDocument> toBson, List<BsonDocument> pipeline) {
    return new IterableInputs(analysis, toBson, null, pipeline, null);
  }

  /** The arguments to forward for a builder call classified as analysed. */
  synchronized Object[] rewrite(Method method, Object[] args) {
    Object argument = args == null || args.length != 1 ? null : args[0];
    switch (method.getName()) {
      case "filter" -> {
        BsonDocument plain = argument == null ? null : toBson.apply((Bson) argument);
        BsonDocument rewritten = analysis.run(r -> check(r).rewriteFilter(plain));
        filter = plain;
        return new Object[] {rewritten};
      }
      case "projection" -> {
        BsonDocument plain = argument == null ? null : toBson.apply((Bson) argument);
        return new Object[] {analysis.run(r -> r.rewriteProjection(plain))};
      }
      case "sort" -> {
        BsonDocument plain = argument == null ? null : toBson.apply((Bson) argument);
        analysis.run(r -> {
          r.checkSort(plain);
          return null;
        });
      }
      case "min", "max" -> {
        BsonDocument plain = argument == null ? null : toBson.apply((Bson) argument);
        analysis.run(r -> {
          r.checkIndexBounds(method.getName(), plain);
          return null;
        });
      }
      case "collation" -> {
        BsonDocument previous = collation;
        collation = argument == null ? null : ((Collation) argument).asDocument();
        try {
          // The inputs already given, again, under the new collation (only refusals can change).
          analysis.run(r -> {
            CommandRewriter checked = check(r);
            if (filter != null) {
              checked.rewriteFilter(filter);
            }
            if (pipeline != null) {
              checked.rewritePipeline(pipeline);
            }
            return null;
          });
        } catch (RuntimeException e) {
          collation = previous;
          throw e;
        }
      }
      default -> throw new IllegalStateException("no analysis for " + method);
    }
    return args;
  }

  /** The collection's analysis under this iterable's collation, with its distinct key checked. */
  private CommandRewriter check(CommandRewriter collectionRewriter) {
    CommandRewriter r = collectionRewriter.withCollation(collation);
    if (distinctKey != null) {
      r.checkDistinctField(distinctKey);
    }
    return r;
  }
}
