package io.fle4j;

import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.IndexOptions;
import com.mongodb.client.model.Indexes;

/**
 * Creates the index the MongoDB documentation requires on a key vault collection: unique on
 * {@code keyAltNames}, restricted by a partial filter to keys that have alternate names. Without
 * it, two keys can claim the same alternate name and encryption by name becomes ambiguous.
 * Drivers do not create it; run this once when setting up a key vault. Creating it again is a
 * no-op.
 */
public final class KeyVaultIndexes {
  /** The index's name, as MongoDB derives it from its key. */
  public static final String KEY_ALT_NAMES_INDEX = "keyAltNames_1";

  private KeyVaultIndexes() {}

  /**
   * Creates the unique partial index on {@code keyAltNames} if it is not there.
   *
   * @return the index name
   */
  public static String ensureKeyAltNamesIndex(MongoCollection<?> keyVault) {
    return keyVault.createIndex(
        Indexes.ascending("keyAltNames"),
        new IndexOptions()
            .unique(true)
            .partialFilterExpression(Filters.exists("keyAltNames")));
  }
}
