package io.fle4j.it.unified;

import java.util.LinkedHashSet;
import java.util.Set;
import org.bson.BsonDocument;
import org.bson.BsonValue;

/**
 * The fields of an {@code arguments} (or entity definition) document, read by name; {@link
 * #requireAllUsed} fails on any field nobody read, so that an option the runner does not
 * implement can never be silently ignored (unified test format: "MUST raise an error for an
 * unsupported argument").
 */
final class Arguments {
  private final String context;
  private final BsonDocument document;
  private final Set<String> used = new LinkedHashSet<>();

  Arguments(String context, BsonDocument document) {
    this.context = context;
    this.document = document == null ? new BsonDocument() : document;
  }

  boolean has(String key) {
    return document.containsKey(key);
  }

  BsonValue required(String key) {
    if (!document.containsKey(key)) {
      throw new RunnerException(context + ": missing required argument '" + key + "'");
    }
    used.add(key);
    return document.get(key);
  }

  /** The value, or {@code null} when absent. */
  BsonValue optional(String key) {
    used.add(key);
    return document.get(key);
  }

  /** Runs {@code action} on the argument when it is given. */
  void ifPresent(String key, java.util.function.Consumer<BsonValue> action) {
    BsonValue value = optional(key);
    if (value != null) {
      action.accept(value);
    }
  }

  String requiredString(String key) {
    return required(key).asString().getValue();
  }

  BsonDocument requiredDocument(String key) {
    return required(key).asDocument();
  }

  /** Marks a field as deliberately ignored (the caller documents why). */
  void ignore(String key) {
    used.add(key);
  }

  void requireAllUsed() {
    for (String key : document.keySet()) {
      if (!used.contains(key)) {
        throw new RunnerException(context + ": the runner does not support '"
            + key + "' (" + document.get(key) + ")");
      }
    }
  }
}
