package io.fle4j.testkit.mongo;

import com.mongodb.ConnectionString;
import com.mongodb.MongoClientSettings;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import org.bson.UuidRepresentation;

/**
 * The MongoDB that tests run against, chosen once per JVM.
 *
 * <p>If the environment variable {@value #URI_ENV} is set (and not blank), tests use that real
 * MongoDB. Otherwise they share one {@link EmbeddedMongo#startInMemory() in-memory stand-in},
 * started on first use and closed by a shutdown hook. Tests sharing the target should use their
 * own database or collection names.
 */
public final class MongoTestTarget {

  /** Environment variable holding the connection string of a real MongoDB to test against. */
  public static final String URI_ENV = "FLE4J_MONGODB_URI";

  private static EmbeddedMongo embedded; // guarded by MongoTestTarget.class

  private MongoTestTarget() {}

  /**
   * The connection string tests should use: {@value #URI_ENV} if set, otherwise that of the shared
   * embedded stand-in (started now if it is not running yet).
   *
   * @return a MongoDB connection string
   */
  public static String connectionString() {
    String uri = configuredUri();
    return uri != null ? uri : sharedEmbedded().connectionString();
  }

  /**
   * Whether tests run against the embedded stand-in rather than a real MongoDB, so that a test can
   * skip what the stand-in cannot do (sessions, pipeline updates, {@code hello}).
   *
   * @return {@code true} when {@value #URI_ENV} is not set
   */
  public static boolean isEmbedded() {
    return configuredUri() == null;
  }

  /**
   * A new client for {@link #connectionString()}, with {@code uuidRepresentation} {@code
   * STANDARD}. The caller owns it and must close it.
   *
   * @return a new client
   */
  public static MongoClient newClient() {
    return MongoClients.create(
        MongoClientSettings.builder()
            .applyConnectionString(new ConnectionString(connectionString()))
            .uuidRepresentation(UuidRepresentation.STANDARD)
            .build());
  }

  private static String configuredUri() {
    String uri = System.getenv(URI_ENV);
    return uri == null || uri.isBlank() ? null : uri.trim();
  }

  private static synchronized EmbeddedMongo sharedEmbedded() {
    if (embedded == null) {
      EmbeddedMongo started = EmbeddedMongo.startInMemory();
      Runtime.getRuntime()
          .addShutdownHook(new Thread(started::close, "fle4j-embedded-mongo-shutdown"));
      embedded = started;
    }
    return embedded;
  }
}
