package io.fle4j.internal.auto.analysis;

import io.fle4j.EncryptedFieldOperationException;
import java.util.List;
import java.util.Map;
import org.bson.BsonDocument;
import org.bson.BsonValue;

/**
 * Change events are decrypted like any reply, but a change stream's own pipeline runs on the
 * server, where encrypted fields are ciphertext. A pipeline that looks into the documents of the
 * events ({@code fullDocument}, {@code fullDocumentBeforeChange}, {@code updateDescription}) of a
 * collection with encrypted fields is refused; one that filters on event metadata (such as
 * {@code operationType} or {@code ns}) passes.
 */
public final class ChangeStreamPipelines {
  private static final List<String> DOCUMENT_FIELDS =
      List.of("fullDocument", "fullDocumentBeforeChange", "updateDescription");

  private ChangeStreamPipelines() {}

  public static List<BsonDocument> check(List<BsonDocument> pipeline, String namespace,
      boolean hasEncryptedFields) {
    if (hasEncryptedFields) {
      for (BsonDocument stage : pipeline) {
        check(stage, namespace);
      }
    }
    return pipeline;
  }

  private static void check(BsonValue value, String namespace) {
    if (value.isDocument()) {
      for (Map.Entry<String, BsonValue> entry : value.asDocument().entrySet()) {
        checkName(entry.getKey(), namespace);
        check(entry.getValue(), namespace);
      }
    } else if (value.isArray()) {
      for (BsonValue element : value.asArray()) {
        check(element, namespace);
      }
    } else if (value.isString() && value.asString().getValue().startsWith("$")) {
      checkName(value.asString().getValue().substring(1), namespace);
    }
  }

  private static void checkName(String path, String namespace) {
    for (String field : DOCUMENT_FIELDS) {
      if (path.equals(field) || path.startsWith(field + ".")) {
        throw new EncryptedFieldOperationException(namespace, path, "a change stream pipeline"
            + " cannot look into the documents of a collection with encrypted fields; filter on"
            + " event metadata (operationType, ns, documentKey) and inspect the decrypted events"
            + " in the application");
      }
    }
  }
}
