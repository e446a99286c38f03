package io.fle4j.it.unified;

import com.mongodb.client.MongoClient;
import io.fle4j.testkit.mongo.MongoTestTarget;

/**
 * What all test cases share: the internal (plain, non-encrypting) client the unified format
 * uses for {@code initialData}, {@code outcome} and {@code testRunner} assertions, and the
 * {@link ServerProfile}. Created on first use, closed when the JVM exits.
 */
final class RunnerEnvironment {
  private static RunnerEnvironment instance; // guarded by RunnerEnvironment.class

  final MongoClient internalClient;
  final ServerProfile server;

  private RunnerEnvironment() {
    this.internalClient = MongoTestTarget.newClient();
    this.server = ServerProfile.detect(internalClient);
  }

  static synchronized RunnerEnvironment get() {
    if (instance == null) {
      RunnerEnvironment created = new RunnerEnvironment();
      Runtime.getRuntime().addShutdownHook(
          new Thread(created.internalClient::close, "unified-internal-client-close"));
      instance = created;
    }
    return instance;
  }
}
