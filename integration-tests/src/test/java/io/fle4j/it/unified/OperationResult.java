package io.fle4j.it.unified;

import java.util.List;
import org.bson.BsonValue;

/**
 * What an operation returned, as BSON: a single value (a document, a number, a binary, {@code
 * BsonNull} for "no document"), or the documents of a fully iterated cursor, which are matched
 * each as a root-level document; {@code null} value and documents for a void operation.
 */
record OperationResult(BsonValue value, List<org.bson.BsonDocument> documents) {

  static OperationResult of(BsonValue value) {
    return new OperationResult(value, null);
  }

  static OperationResult ofDocuments(List<org.bson.BsonDocument> documents) {
    return new OperationResult(null, List.copyOf(documents));
  }

  static OperationResult none() {
    return new OperationResult(null, null);
  }

  boolean isIterable() {
    return documents != null;
  }
}
