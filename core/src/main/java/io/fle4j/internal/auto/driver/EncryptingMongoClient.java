package io.fle4j.internal.auto.driver;

import io.fle4j.internal.auto.AutoEncryptionEngine;

import com.mongodb.MongoDriverInformation;
import com.mongodb.client.MongoClient;
import com.mongodb.connection.ClusterDescription;

/**
 * The {@link MongoClient} {@code Fle4jMongoClients.create} returns: the driver's own client
 * (which never saw the auto-encryption settings), with encryption applied around it.
 */
public final class EncryptingMongoClient extends EncryptingMongoCluster implements MongoClient {
  private final MongoClient client;

  public EncryptingMongoClient(MongoClient client, AutoEncryptionEngine engine) {
    super(client, engine);
    this.client = client;
  }

  @Override
  @Handling.NoUserData
  public void close() {
    try {
      client.close();
    } finally {
      try {
        engine.close();
      } catch (Exception e) {
        System.getLogger(EncryptingMongoClient.class.getName())
            .log(System.Logger.Level.WARNING, "closing the KMS providers failed", e);
      }
    }
  }

  @Override
  @Handling.NoUserData
  public ClusterDescription getClusterDescription() {
    return client.getClusterDescription();
  }

  @Override
  @Handling.NoUserData
  public void appendMetadata(MongoDriverInformation mongoDriverInformation) {
    client.appendMetadata(mongoDriverInformation);
  }

  @Override
  public String toString() {
    return "Fle4jMongoClient{" + client.getClusterDescription().getShortDescription() + "}";
  }
}
