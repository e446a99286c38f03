package io.fle4j.internal.vault;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.bson.BsonDocument;

/** Where data key documents are read from: the key vault, or a fake in tests. */
public interface KeyDocumentSource {
  Optional<BsonDocument> findById(UUID id);

  Optional<BsonDocument> findByAltName(String altName);

  /**
   * Every key document whose {@code _id} is one of {@code ids} or whose {@code keyAltNames} holds
   * one of {@code altNames}, in one read where the source can (the key vault sends libmongocrypt's
   * {@code {$or: [{_id: {$in: ids}}, {keyAltNames: {$in: altNames}}]}}).
   */
  default List<BsonDocument> findKeys(List<UUID> ids, List<String> altNames) {
    Map<BsonDocument, Boolean> found = new LinkedHashMap<>();
    ids.forEach(id -> findById(id).ifPresent(doc -> found.put(doc, true)));
    altNames.forEach(name -> findByAltName(name).ifPresent(doc -> found.put(doc, true)));
    return new ArrayList<>(found.keySet());
  }

  /** {@code db.collection}, for messages. */
  String namespace();
}
