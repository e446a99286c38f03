package io.fle4j.internal.vault;

import java.util.Optional;
import java.util.UUID;
import org.bson.BsonDocument;

/** Where data key documents are read from: the key vault, or a fake in tests. */
public interface KeyDocumentSource {
  Optional<BsonDocument> findById(UUID id);

  Optional<BsonDocument> findByAltName(String altName);

  /** {@code db.collection}, for messages. */
  String namespace();
}
