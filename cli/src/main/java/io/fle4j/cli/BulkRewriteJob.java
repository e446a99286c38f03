package io.fle4j.cli;

import io.fle4j.ConfigurationException;

import static com.mongodb.client.model.Filters.and;
import static com.mongodb.client.model.Filters.eq;
import static com.mongodb.client.model.Filters.gt;

import com.mongodb.bulk.BulkWriteResult;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoCursor;
import com.mongodb.client.model.BulkWriteOptions;
import com.mongodb.client.model.ReplaceOptions;
import com.mongodb.client.model.Sorts;
import com.mongodb.client.model.UpdateOneModel;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.UnaryOperator;
import org.bson.BsonArray;
import org.bson.BsonBoolean;
import org.bson.BsonDateTime;
import org.bson.BsonDocument;
import org.bson.BsonInt64;
import org.bson.BsonString;
import org.bson.BsonValue;
import org.bson.conversions.Bson;

/**
 * Rewrites every document of a collection in {@code _id} order, in batches, and can be killed and
 * restarted at any moment:
 *
 * <ul>
 *   <li>after each batch a checkpoint (the last {@code _id} and the counters) is saved in the
 *       database, so a restarted job goes on where the last saved batch ended; the transforms are
 *       idempotent, so a batch written but not checkpointed is simply found to need nothing;
 *   <li>each changed value is verified (decrypted and compared) before anything is written;
 *   <li>writes are compare-and-set: they only match while every changed field still holds the
 *       value that was read, so a concurrent application write is never overwritten — the
 *       document is re-read and transformed again instead.
 * </ul>
 */
final class BulkRewriteJob {
  private static final int MAX_ATTEMPTS = 3;
  private static final int MAX_RECORDED_FAILURES = 100;

  /** Decides whether an old and a new value say the same thing (after decryption). */
  interface Verifier {
    /** @throws RuntimeException with the reason when they do not */
    void verify(String path, BsonValue oldValue, BsonValue newValue);
  }

  /** What a job did. */
  /** The parameter names whose values differ, never the values (a schema may name keys). */
  private String differences(BsonDocument saved) {
    java.util.Set<String> names = new java.util.TreeSet<>(saved.keySet());
    names.addAll(parameters.keySet());
    names.removeIf(name -> java.util.Objects.equals(saved.get(name), parameters.get(name)));
    return "differing: " + String.join(", ", names);
  }

  record Summary(String jobId, long scanned, long changed, long skipped, long failed,
      List<String> failures, Duration elapsed, boolean resumed, boolean dryRun) {

    BsonDocument toDocument() {
      return new BsonDocument("job", new BsonString(jobId))
          .append("scanned", new BsonInt64(scanned)).append("changed", new BsonInt64(changed))
          .append("skipped", new BsonInt64(skipped)).append("failed", new BsonInt64(failed))
          .append("failures", new BsonArray(failures.stream().map(f -> (BsonValue) new BsonString(f)).toList()))
          .append("elapsedMillis", new BsonInt64(elapsed.toMillis()))
          .append("resumed", BsonBoolean.valueOf(resumed)).append("dryRun", BsonBoolean.valueOf(dryRun));
    }
  }

  private final MongoCollection<BsonDocument> collection;
  private final MongoCollection<BsonDocument> checkpoints;
  private final String jobId;
  /** What the job does; a checkpoint saved with other parameters is never resumed. */
  private final BsonDocument parameters;
  private final UnaryOperator<BsonDocument> transform;
  private final Verifier verifier;
  private final int batchSize;
  private final boolean dryRun;

  BulkRewriteJob(MongoCollection<BsonDocument> collection, MongoCollection<BsonDocument> checkpoints,
      String jobId, UnaryOperator<BsonDocument> transform, Verifier verifier, int batchSize,
      boolean dryRun, BsonDocument parameters) {
    this.parameters = parameters;
    this.collection = collection;
    this.checkpoints = checkpoints;
    this.jobId = jobId;
    this.transform = transform;
    this.verifier = verifier;
    this.batchSize = batchSize;
    this.dryRun = dryRun;
  }

  Summary run(Progress progress, boolean restart) {
    long started = System.nanoTime();
    BsonDocument checkpoint = dryRun ? null : checkpoints.find(eq("_id", jobId)).first();
    boolean resumed = checkpoint != null && !restart && !checkpoint.getBoolean("done", BsonBoolean.FALSE).getValue();
    if (resumed && !parameters.equals(checkpoint.get("parameters"))) {
      // Resuming would skip the documents the other job already passed, under this job's name.
      throw new ConfigurationException("--job-id", "the unfinished job '" + jobId + "' was started"
          + " with other parameters (" + (checkpoint.containsKey("parameters")
              ? differences(checkpoint.getDocument("parameters")) : "not recorded") + "); run the"
          + " same command to resume it, --restart to start this one from the beginning, or"
          + " another --job-id");
    }
    BsonValue lastId = resumed ? checkpoint.get("lastId") : null;
    long scanned = resumed ? checkpoint.getInt64("scanned").getValue() : 0;
    long changed = resumed ? checkpoint.getInt64("changed").getValue() : 0;
    long skipped = resumed ? checkpoint.getInt64("skipped").getValue() : 0;
    long failed = resumed ? checkpoint.getInt64("failed").getValue() : 0;
    List<String> failures = new ArrayList<>();
    if (resumed) {
      checkpoint.getArray("failures", new BsonArray()).forEach(f -> failures.add(f.asString().getValue()));
    }
    progress.start(collection.countDocuments(lastId == null ? new BsonDocument() : gt("_id", lastId)), scanned);
    // One cursor in _id order for the whole run: sorting once, not once per batch.
    try (MongoCursor<BsonDocument> cursor = collection
        .find(lastId == null ? new BsonDocument() : gt("_id", lastId))
        .sort(Sorts.ascending("_id")).batchSize(batchSize).cursor()) {
      while (cursor.hasNext()) {
        List<BsonDocument> batch = new ArrayList<>(batchSize);
        while (batch.size() < batchSize && cursor.hasNext()) {
          batch.add(cursor.next());
        }
        List<Rewrite> rewrites = new ArrayList<>();
        for (BsonDocument document : batch) {
          scanned++;
          try {
            Rewrite rewrite = plan(document);
            if (rewrite == null) {
              skipped++;
            } else {
              rewrites.add(rewrite);
            }
          } catch (RuntimeException e) {
            failed++;
            record(failures, document.get("_id"), e);
          }
        }
        if (dryRun) {
          changed += rewrites.size();
        } else if (!rewrites.isEmpty()) {
          BulkWriteResult result = collection.bulkWrite(
              rewrites.stream().map(Rewrite::model).toList(), new BulkWriteOptions().ordered(false));
          for (Rewrite rewrite : rewrites) {
            if (result.getMatchedCount() == rewrites.size() || rewrite.isApplied(collection)) {
              changed++;
              continue;
            }
            // Another writer changed the document between our read and our write: start over on it.
            try {
              if (retry(rewrite.id())) {
                changed++;
              } else {
                skipped++;
              }
            } catch (RuntimeException e) {
              failed++;
              record(failures, rewrite.id(), e);
            }
          }
        }
        lastId = batch.get(batch.size() - 1).get("_id");
        if (!dryRun) {
          save(lastId, scanned, changed, skipped, failed, failures, false);
        }
        progress.advance(batch.size());
      }
      if (!dryRun) {
        save(lastId, scanned, changed, skipped, failed, failures, true);
      }
    } finally {
      progress.close();
    }
    return new Summary(jobId, scanned, changed, skipped, failed, List.copyOf(failures),
        Duration.ofNanos(System.nanoTime() - started), resumed, dryRun);
  }

  /** Re-reads and rewrites one document until its compare-and-set write matches. */
  private boolean retry(BsonValue id) {
    for (int attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      BsonDocument fresh = collection.find(eq("_id", id)).first();
      if (fresh == null) {
        return false; // deleted meanwhile: nothing to do
      }
      Rewrite rewrite = plan(fresh);
      if (rewrite == null) {
        return false;
      }
      if (collection.updateOne(rewrite.model().getFilter(), rewrite.model().getUpdate()).getMatchedCount() == 1) {
        return true;
      }
    }
    throw new IllegalStateException("changed concurrently " + MAX_ATTEMPTS + " times in a row; run the job again");
  }

  /** The verified rewrite of one document, or null when it needs none. */
  private Rewrite plan(BsonDocument document) {
    BsonDocument rewritten = transform.apply(document);
    Map<String, BsonValue[]> changes = new LinkedHashMap<>();
    diff("", document, rewritten, changes);
    if (changes.isEmpty()) {
      return null;
    }
    for (Map.Entry<String, BsonValue[]> change : changes.entrySet()) {
      verifier.verify(change.getKey(), change.getValue()[0], change.getValue()[1]);
    }
    List<Bson> guards = new ArrayList<>();
    guards.add(eq("_id", document.get("_id")));
    BsonDocument set = new BsonDocument();
    for (Map.Entry<String, BsonValue[]> change : changes.entrySet()) {
      guards.add(eq(change.getKey(), change.getValue()[0]));
      set.put(change.getKey(), change.getValue()[1]);
    }
    return new Rewrite(document.get("_id"), set,
        new UpdateOneModel<>(and(guards), new BsonDocument("$set", set)));
  }

  private static void diff(String prefix, BsonDocument before, BsonDocument after,
      Map<String, BsonValue[]> changes) {
    for (Map.Entry<String, BsonValue> field : after.entrySet()) {
      String path = prefix.isEmpty() ? field.getKey() : prefix + "." + field.getKey();
      BsonValue old = before.get(field.getKey());
      BsonValue now = field.getValue();
      if (Objects.equals(old, now)) {
        continue;
      }
      if (old != null && old.isDocument() && now.isDocument()) {
        diff(path, old.asDocument(), now.asDocument(), changes);
      } else {
        if (old == null) {
          throw new IllegalStateException("the rewrite added the field '" + path + "'");
        }
        changes.put(path, new BsonValue[] {old, now});
      }
    }
  }

  private record Rewrite(BsonValue id, BsonDocument newValues, UpdateOneModel<BsonDocument> model) {
    boolean isApplied(MongoCollection<BsonDocument> collection) {
      List<Bson> matches = new ArrayList<>();
      matches.add(eq("_id", id));
      newValues.forEach((path, value) -> matches.add(eq(path, value)));
      return collection.countDocuments(and(matches)) == 1;
    }
  }

  private void record(List<String> failures, BsonValue id, RuntimeException e) {
    if (failures.size() < MAX_RECORDED_FAILURES) {
      failures.add(Output.inline(id) + ": " + e.getMessage());
    }
  }

  private void save(BsonValue lastId, long scanned, long changed, long skipped, long failed,
      List<String> failures, boolean done) {
    BsonDocument checkpoint = new BsonDocument("_id", new BsonString(jobId))
        .append("parameters", parameters)
        .append("namespace", new BsonString(collection.getNamespace().getFullName()))
        .append("lastId", lastId == null ? org.bson.BsonNull.VALUE : lastId)
        .append("scanned", new BsonInt64(scanned)).append("changed", new BsonInt64(changed))
        .append("skipped", new BsonInt64(skipped)).append("failed", new BsonInt64(failed))
        .append("failures", new BsonArray(failures.stream().map(f -> (BsonValue) new BsonString(f)).toList()))
        .append("done", BsonBoolean.valueOf(done))
        .append("updatedAt", new BsonDateTime(Instant.now().toEpochMilli()));
    checkpoints.replaceOne(eq("_id", jobId), checkpoint, new ReplaceOptions().upsert(true));
  }
}
