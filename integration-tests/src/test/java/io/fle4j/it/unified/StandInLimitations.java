package io.fle4j.it.unified;

import io.fle4j.testkit.mongo.MongoTestTarget;
import java.util.Map;
import java.util.Optional;

/**
 * The one list of spec test cases the embedded MongoDB stand-in (mongo-java-server behind the
 * testkit relay) cannot carry, each with the server feature it lacks. Consulted only when no real
 * MongoDB is configured ({@code FLE4J_MONGODB_URI}); against a real server every case runs.
 *
 * <p>Only gaps of the <em>server</em> belong here. A case that fails because of fle4j is a finding
 * to report and fix, never an entry of this list.
 */
final class StandInLimitations {

  private static final String NO_PIPELINE_UPDATES = "mongo-java-server has no update pipelines;"
      + " removeKeyAltName sends the specification's findAndModify with a pipeline, which it"
      + " refuses, and fle4j then falls back to guarded updates, so the command events differ";

  /** {@code "<file name> :: <case description>"} to the reason the stand-in cannot run it. */
  private static final Map<String, String> CASES = Map.of(
      "removeKeyAltName.json :: remove keyAltName from non-existent data key", NO_PIPELINE_UPDATES,
      "removeKeyAltName.json :: remove non-existent keyAltName from existing data key",
      NO_PIPELINE_UPDATES,
      "removeKeyAltName.json :: remove an existing keyAltName from an existing data key",
      NO_PIPELINE_UPDATES,
      "removeKeyAltName.json :: remove the last keyAltName from an existing data key",
      NO_PIPELINE_UPDATES);

  private StandInLimitations() {}

  static Optional<String> reasonToSkip(String fileName, String description) {
    if (!MongoTestTarget.isEmbedded()) {
      return Optional.empty();
    }
    return Optional.ofNullable(CASES.get(fileName + " :: " + description))
        .map(reason -> "the embedded MongoDB stand-in cannot run this case: " + reason
            + " (runs against a real MongoDB via " + MongoTestTarget.URI_ENV + ")");
  }
}
