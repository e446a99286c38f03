package io.fle4j.cli;

import com.mongodb.ErrorCategory;
import com.mongodb.MongoServerException;
import com.mongodb.client.MongoCollection;
import io.fle4j.ConfigurationException;
import io.fle4j.KeyVaultIndexes;
import java.util.ArrayList;
import java.util.List;
import org.bson.BsonDocument;

/**
 * The key vault's unique index on {@code keyAltNames}, made sure of before keys are created: without
 * it two keys can share an alternate name, and encryption by that name picks one at random. When
 * the vault already holds such keys the index cannot be built; the shared names are listed instead
 * of the server's duplicate-key error.
 */
final class KeyVaultIndex {
  private KeyVaultIndex() {}

  static String ensure(MongoCollection<BsonDocument> keyVault) {
    try {
      return KeyVaultIndexes.ensureKeyAltNamesIndex(keyVault);
    } catch (MongoServerException e) {
      if (ErrorCategory.fromErrorCode(e.getCode()) != ErrorCategory.DUPLICATE_KEY) {
        throw e;
      }
      throw new ConfigurationException("keyAltNames", "the key vault holds keys that share"
          + " alternate names, so its unique index cannot be built: " + String.join("; ",
              sharedNames(keyVault)) + ". Remove each name from all but one key (fle4j keys"
          + " remove-alt-name), then run fle4j keyvault init");
    }
  }

  private static List<String> sharedNames(MongoCollection<BsonDocument> keyVault) {
    List<String> out = new ArrayList<>();
    for (BsonDocument group : keyVault.aggregate(List.of(
        BsonDocument.parse("{$unwind: '$keyAltNames'}"),
        BsonDocument.parse("{$group: {_id: '$keyAltNames', ids: {$push: '$_id'}, n: {$sum: 1}}}"),
        BsonDocument.parse("{$match: {n: {$gt: 1}}}"),
        BsonDocument.parse("{$sort: {_id: 1}}")))) {
      List<String> ids = new ArrayList<>();
      group.getArray("ids").forEach(id -> ids.add(id.isBinary() && id.asBinary().getType() == 4
          ? id.asBinary().asUuid().toString() : Output.inline(id)));
      out.add("'" + group.get("_id").asString().getValue() + "' on keys " + String.join(", ", ids));
    }
    return out;
  }
}
