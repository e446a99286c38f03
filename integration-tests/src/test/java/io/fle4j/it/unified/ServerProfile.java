package io.fle4j.it.unified;

import com.mongodb.client.MongoClient;
import com.mongodb.connection.ClusterType;
import io.fle4j.testkit.mongo.MongoTestTarget;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.bson.BsonDocument;
import org.bson.BsonValue;

/**
 * The server version and topology the runner evaluates {@code runOnRequirements} against.
 *
 * <p><b>Real MongoDB</b> ({@code FLE4J_MONGODB_URI}): the version from {@code buildInfo} and the
 * topology from the driver's cluster description.
 *
 * <p><b>Embedded stand-in</b> (mongo-java-server behind the testkit relay): it claims
 * <b>4.2.0, {@code single}</b>. mongo-java-server's {@code buildInfo} says 3.6.0, its own
 * compatibility level, but the question a requirement asks is whether the server can carry the
 * test, and for the commands the CSFLE files send (OP_MSG CRUD, {@code listCollections} with the
 * validator the relay keeps, {@code create}, {@code createIndexes}, {@code drop}) it behaves as a
 * standalone MongoDB. 4.2.0 is the lowest version with CSFLE, so no requirement of a newer server
 * is met by accident; where the stand-in cannot carry a particular case (a server feature it
 * lacks), that case is listed with its reason in {@link StandInLimitations}.
 *
 * <p>{@code csfle} requirements are met by fle4j itself (it needs neither libmongocrypt nor
 * mongocryptd); {@code minLibmongocryptVersion} is not compared, since fle4j aims at the
 * behaviour of current libmongocrypt.
 */
final class ServerProfile {
  static final String EMBEDDED_CLAIMED_VERSION = "4.2.0";

  private final String version;
  private final String topology;
  private final String description;

  private ServerProfile(String version, String topology, String description) {
    this.version = version;
    this.topology = topology;
    this.description = description;
  }

  static ServerProfile detect(MongoClient internalClient) {
    BsonDocument buildInfo = internalClient.getDatabase("admin")
        .runCommand(new BsonDocument("buildInfo", new org.bson.BsonInt32(1)), BsonDocument.class);
    String reported = buildInfo.getString("version", new org.bson.BsonString("?")).getValue();
    if (MongoTestTarget.isEmbedded()) {
      return new ServerProfile(EMBEDDED_CLAIMED_VERSION, "single", "embedded mongo-java-server"
          + " (buildInfo " + reported + "), claimed " + EMBEDDED_CLAIMED_VERSION + " single");
    }
    ClusterType type = internalClient.getClusterDescription().getType();
    String topology = switch (type) {
      case REPLICA_SET -> "replicaset";
      case SHARDED -> "sharded";
      case LOAD_BALANCED -> "load-balanced";
      default -> "single";
    };
    return new ServerProfile(reported, topology, "MongoDB " + reported + " " + topology);
  }

  String description() {
    return description;
  }

  /**
   * Why none of {@code requirements} is met, or empty when one is (or there are none).
   *
   * @param requirements a {@code runOnRequirements} array, or {@code null}
   */
  Optional<String> unmet(BsonValue requirements) {
    if (requirements == null || requirements.asArray().isEmpty()) {
      return Optional.empty();
    }
    List<String> reasons = new ArrayList<>();
    for (BsonValue requirement : requirements.asArray()) {
      Optional<String> reason = unmetRequirement(requirement.asDocument());
      if (reason.isEmpty()) {
        return Optional.empty();
      }
      reasons.add(reason.get());
    }
    return Optional.of("runOnRequirements not met by " + description + ": "
        + String.join("; ", reasons));
  }

  private Optional<String> unmetRequirement(BsonDocument requirement) {
    for (String key : requirement.keySet()) {
      BsonValue value = requirement.get(key);
      switch (key) {
        case "minServerVersion" -> {
          if (compareVersions(version, value.asString().getValue()) < 0) {
            return Optional.of("minServerVersion " + value.asString().getValue());
          }
        }
        case "maxServerVersion" -> {
          if (compareVersions(version, value.asString().getValue()) > 0) {
            return Optional.of("maxServerVersion " + value.asString().getValue());
          }
        }
        case "topologies" -> {
          boolean any = value.asArray().stream().map(t -> t.asString().getValue())
              .anyMatch(t -> t.equals(topology)
                  || (topology.equals("sharded") && t.equals("sharded-replicaset")));
          if (!any) {
            return Optional.of("topologies " + value.asArray());
          }
        }
        case "serverless" -> {
          if (value.asString().getValue().equals("require")) {
            return Optional.of("serverless: require");
          }
        }
        case "auth" -> {
          if (value.asBoolean().getValue()) {
            return Optional.of("auth: true (the runner does not run with authentication)");
          }
        }
        case "csfle" -> {
          if (value.isBoolean() && !value.asBoolean().getValue()) {
            return Optional.of("csfle: false (fle4j always supports CSFLE)");
          }
        }
        default -> {
          return Optional.of("unsupported requirement " + key + " (not evaluated)");
        }
      }
    }
    return Optional.empty();
  }

  /** Compares dotted version strings numerically, missing components counting as 0. */
  static int compareVersions(String a, String b) {
    String[] x = a.split("\\.");
    String[] y = b.split("\\.");
    for (int i = 0; i < Math.max(x.length, y.length); i++) {
      int p = i < x.length ? Integer.parseInt(x[i].replaceAll("[^0-9].*", "")) : 0;
      int q = i < y.length ? Integer.parseInt(y[i].replaceAll("[^0-9].*", "")) : 0;
      if (p != q) {
        return Integer.compare(p, q);
      }
    }
    return 0;
  }
}
