package io.fle4j.internal.vault;

import static com.mongodb.client.model.Filters.and;
import static com.mongodb.client.model.Filters.eq;
import static com.mongodb.client.model.Filters.exists;

import com.mongodb.ErrorCategory;
import com.mongodb.MongoBulkWriteException;
import com.mongodb.MongoCommandException;
import com.mongodb.MongoNamespace;
import com.mongodb.MongoServerException;
import com.mongodb.MongoWriteException;
import com.mongodb.ReadConcern;
import com.mongodb.WriteConcern;
import com.mongodb.bulk.BulkWriteResult;
import com.mongodb.client.FindIterable;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.FindOneAndUpdateOptions;
import com.mongodb.client.model.ReturnDocument;
import com.mongodb.client.model.UpdateOneModel;
import com.mongodb.client.model.Updates;
import com.mongodb.client.result.DeleteResult;
import io.fle4j.DuplicateKeyAltNameException;
import io.fle4j.Fle4jException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Supplier;
import org.bson.BsonArray;
import org.bson.BsonDocument;
import org.bson.BsonString;
import org.bson.BsonValue;
import org.bson.conversions.Bson;

/**
 * The key vault collection, read and written with majority read and write concern as the CSFLE
 * specification requires, so a key that was acknowledged is never lost on fail-over and a key
 * that is read was durable.
 */
public final class KeyVault implements KeyDocumentSource {
  /** Bounded so a pathological stream of concurrent changes cannot spin forever. */
  private static final int MAX_COMPARE_AND_SET_ATTEMPTS = 100;

  private final MongoCollection<BsonDocument> keys;
  private final String namespace;
  /** Set once the server has refused an update pipeline; volatile: any thread may see it first. */
  private volatile boolean pipelineUpdatesRefused;

  /** Refuses every write (the last line of read-only mode; callers refuse before KMS calls). */
  private final boolean readOnly;

  public KeyVault(MongoClient client, MongoNamespace namespace) {
    this(client, namespace, false);
  }

  public KeyVault(MongoClient client, MongoNamespace namespace, boolean readOnly) {
    this.readOnly = readOnly;
    this.namespace = namespace.getFullName();
    this.keys =
        client
            .getDatabase(namespace.getDatabaseName())
            .getCollection(namespace.getCollectionName(), BsonDocument.class)
            .withReadConcern(ReadConcern.MAJORITY)
            .withWriteConcern(WriteConcern.MAJORITY);
  }

  /** Whether writes are refused. */
  public boolean readOnly() {
    return readOnly;
  }

  /** @throws KeyVaultReadOnlyException in read-only mode */
  public void writable(String operation) {
    if (readOnly) {
      throw new io.fle4j.KeyVaultReadOnlyException(operation, namespace);
    }
  }

  @Override
  public String namespace() {
    return namespace;
  }

  /** The vault collection itself, with majority concerns. */
  public MongoCollection<BsonDocument> collection() {
    return keys;
  }

  @Override
  public Optional<BsonDocument> findById(UUID id) {
    return Optional.ofNullable(keys.find(eq("_id", KeyDocument.uuidBinary(id))).first());
  }

  @Override
  public Optional<BsonDocument> findByAltName(String altName) {
    return Optional.ofNullable(keys.find(eq("keyAltNames", altName)).first());
  }

  @Override
  public List<BsonDocument> findKeys(List<UUID> ids, List<String> altNames) {
    BsonArray idValues = new BsonArray();
    ids.forEach(id -> idValues.add(KeyDocument.uuidBinary(id)));
    BsonArray names = new BsonArray();
    altNames.forEach(name -> names.add(new BsonString(name)));
    // The shape libmongocrypt sends, so a key vault's logs and the specification's command
    // expectations read the same for fle4j as for the official driver.
    BsonDocument filter = new BsonDocument("$or", new BsonArray(List.of(
        new BsonDocument("_id", new BsonDocument("$in", idValues)),
        new BsonDocument("keyAltNames", new BsonDocument("$in", names)))));
    return keys.find(filter).into(new ArrayList<>());
  }

  public FindIterable<BsonDocument> find(Bson filter) {
    return keys.find(filter);
  }

  /**
   * Inserts a new key document.
   *
   * @throws DuplicateKeyAltNameException when the unique index on {@code keyAltNames} refuses it
   */
  public void insert(BsonDocument keyDocument) {
    writable("insert");
    String names = keyDocument.containsKey("keyAltNames")
        ? describeNames(keyDocument.getArray("keyAltNames")) : "";
    translatingDuplicates(names, () -> keys.insertOne(keyDocument));
  }

  public DeleteResult delete(UUID id) {
    writable("delete");
    return keys.deleteOne(eq("_id", KeyDocument.uuidBinary(id)));
  }

  /**
   * Adds an alternate name atomically ({@code $addToSet}); adding a name the key already has is
   * not an error.
   *
   * @return the key document as it was before, or null when there is no such key
   */
  public BsonDocument addAltName(UUID id, String altName) {
    writable("addAltName");
    return translatingDuplicates(altName, () -> keys.findOneAndUpdate(
        eq("_id", KeyDocument.uuidBinary(id)),
        Updates.addToSet("keyAltNames", altName),
        new FindOneAndUpdateOptions().returnDocument(ReturnDocument.BEFORE)));
  }

  /**
   * Removes an alternate name, removing the {@code keyAltNames} field with its last name.
   *
   * <p>As the specification says, with one {@code findAndModify} whose update is a pipeline
   * (atomic on the server: the field goes away with its last name, so the array is never left
   * empty to collide in the unique index). A server that has no pipeline updates (some
   * MongoDB-compatible servers, the embedded stand-in) refuses that command; then, and from then
   * on for this vault, fle4j uses {@link #removeAltNameWithGuardedUpdates}.
   *
   * @return the key document as it was before, or null when there is no such key
   */
  public BsonDocument removeAltName(UUID id, String altName) {
    writable("removeAltName");
    if (!pipelineUpdatesRefused) {
      BsonString name = new BsonString(altName);
      BsonDocument stillOthers = new BsonDocument("$filter", new BsonDocument("input",
          new BsonString("$keyAltNames")).append("cond", new BsonDocument("$ne",
              new BsonArray(List.of(new BsonString("$$this"), name)))));
      BsonDocument keyAltNames = new BsonDocument("$cond", new BsonArray(List.of(
          new BsonDocument("$eq", new BsonArray(List.of(new BsonString("$keyAltNames"),
              new BsonArray(List.of(name))))),
          new BsonString("$$REMOVE"), stillOthers)));
      try {
        return keys.findOneAndUpdate(eq("_id", KeyDocument.uuidBinary(id)),
            List.of(new BsonDocument("$set", new BsonDocument("keyAltNames", keyAltNames))));
      } catch (MongoCommandException e) {
        // Refused as a command (not a write error): the server cannot run update pipelines.
        pipelineUpdatesRefused = true;
      }
    }
    return removeAltNameWithGuardedUpdates(id, altName);
  }

  /**
   * Removes an alternate name with two guarded single-field updates, which every
   * MongoDB-compatible server supports: {@code $unset} only while the array is exactly {@code
   * [name]}, {@code $pull} only while it holds the name and at least one other. Each guard is
   * checked atomically with its update, so a name another writer adds in between is never lost
   * and the array is never left empty; when a guard no longer matches, the document is re-read
   * and the step retried.
   */
  BsonDocument removeAltNameWithGuardedUpdates(UUID id, String altName) {
    BsonValue idValue = KeyDocument.uuidBinary(id);
    FindOneAndUpdateOptions before = new FindOneAndUpdateOptions().returnDocument(ReturnDocument.BEFORE);
    for (int attempt = 0; attempt < MAX_COMPARE_AND_SET_ATTEMPTS; attempt++) {
      BsonDocument current = keys.find(eq("_id", idValue)).first();
      if (current == null) {
        return null;
      }
      BsonValue names = current.get("keyAltNames");
      if (names == null || !names.isArray() || !names.asArray().contains(new BsonString(altName))) {
        return current;
      }
      BsonDocument previous =
          names.asArray().size() == 1
              ? keys.findOneAndUpdate(
                  and(eq("_id", idValue), eq("keyAltNames", new BsonArray(List.of(new BsonString(altName))))),
                  Updates.unset("keyAltNames"), before)
              : keys.findOneAndUpdate(
                  and(eq("_id", idValue), eq("keyAltNames", altName), exists("keyAltNames.1")),
                  Updates.pull("keyAltNames", altName), before);
      if (previous != null) {
        return previous;
      }
    }
    throw new Fle4jException("removeKeyAltName: key " + id + " kept changing concurrently; gave up after "
        + MAX_COMPARE_AND_SET_ATTEMPTS + " attempts");
  }

  /** Applies key updates as one unordered bulk write; each update is atomic on its own key. */
  public BulkWriteResult bulkUpdate(List<UpdateOneModel<BsonDocument>> updates) {
    writable("bulkUpdate");
    return keys.bulkWrite(updates);
  }

  private static String describeNames(BsonArray names) {
    return names.getValues().stream().map(v -> v.asString().getValue()).toList().toString();
  }

  private static <T> T translatingDuplicates(String altNames, Supplier<T> write) {
    try {
      return write.get();
    } catch (MongoWriteException | MongoCommandException | MongoBulkWriteException e) {
      if (isDuplicateAltName(e)) {
        throw new DuplicateKeyAltNameException(altNames, e);
      }
      throw e;
    }
  }

  private static void translatingDuplicates(String altNames, Runnable write) {
    translatingDuplicates(altNames, () -> {
      write.run();
      return null;
    });
  }

  private static boolean isDuplicateAltName(MongoServerException e) {
    boolean duplicate = e instanceof MongoWriteException w
        ? w.getError().getCategory() == ErrorCategory.DUPLICATE_KEY
        : ErrorCategory.fromErrorCode(e.getCode()) == ErrorCategory.DUPLICATE_KEY
            || (e instanceof MongoBulkWriteException b && b.getWriteErrors().stream()
                .anyMatch(err -> err.getCategory() == ErrorCategory.DUPLICATE_KEY));
    return duplicate && String.valueOf(e.getMessage()).contains("keyAltNames");
  }
}
