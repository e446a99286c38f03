package io.fle4j.internal.auto.driver;

import com.mongodb.MongoNamespace;
import io.fle4j.internal.auto.AutoEncryptionEngine;
import io.fle4j.internal.auto.analysis.CommandRewriter;
import java.util.function.Function;

/**
 * Runs analyses of one collection's command parts (for the collection's own methods and for the
 * builder calls of the iterables it returns), each with its data keys fetched only after it
 * succeeds.
 */
final class CollectionAnalysis {
  private final AutoEncryptionEngine engine;
  private final MongoNamespace namespace;
  private final Class<?> documentClass;

  CollectionAnalysis(AutoEncryptionEngine engine, MongoNamespace namespace, Class<?> documentClass) {
    this.engine = engine;
    this.namespace = namespace;
    this.documentClass = documentClass;
  }

  /** @param analysis must have no side effects: it may run twice (see the engine) */
  <X> X run(Function<CommandRewriter, X> analysis) {
    return engine.analysed(crypto -> analysis.apply(
        engine.rewriter(namespace, documentClass, crypto)));
  }
}
