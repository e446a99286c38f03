package io.fle4j.internal.auto.schema;

import io.fle4j.Algorithm;
import java.util.Set;
import java.util.UUID;
import org.bson.BsonType;

/**
 * How one schema field is encrypted: the algorithm, the key (exactly one of a key id, a JSON
 * pointer to a key alternate name held in the document, or a fixed key alternate name from an
 * {@code @Encrypted} annotation), and the BSON types the value may have (empty: any).
 */
public record EncryptSpec(Algorithm algorithm, UUID keyId, String keyAltNamePointer, String keyAltName,
    Set<BsonType> bsonTypes) {

  public boolean isDeterministic() {
    return algorithm == Algorithm.DETERMINISTIC;
  }
}
