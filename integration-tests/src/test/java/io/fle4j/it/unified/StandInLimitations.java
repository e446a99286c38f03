package io.fle4j.it.unified;

import io.fle4j.testkit.MongoTestTarget;
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

  /** {@code "<file name> :: <case description>"} to the reason the stand-in cannot run it. */
  private static final Map<String, String> CASES = Map.of();

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
