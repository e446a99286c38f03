package io.fle4j.testkit.mongo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.mongodb.client.MongoClient;
import org.bson.BsonDocument;
import org.bson.BsonInt32;
import org.junit.jupiter.api.Test;

class MongoTestTargetTest {

  @Test
  void connectionString_noEnvironmentVariable_sharesOneEmbeddedServer() {
    assumeTrue(MongoTestTarget.isEmbedded(), MongoTestTarget.URI_ENV + " is set");

    String first = MongoTestTarget.connectionString();

    assertThat(first).matches("mongodb://127\\.0\\.0\\.1:\\d+");
    assertThat(MongoTestTarget.connectionString()).isEqualTo(first);
  }

  @Test
  void connectionString_environmentVariableSet_isThatUri() {
    assumeFalse(MongoTestTarget.isEmbedded(), MongoTestTarget.URI_ENV + " is not set");

    assertThat(MongoTestTarget.connectionString())
        .isEqualTo(System.getenv(MongoTestTarget.URI_ENV).trim());
  }

  @Test
  void newClient_anyTarget_answersPing() {
    try (MongoClient client = MongoTestTarget.newClient()) {
      BsonDocument reply =
          client.getDatabase("admin").runCommand(new BsonDocument("ping", new BsonInt32(1)),
              BsonDocument.class);

      assertThat(reply.get("ok").asNumber().intValue()).isEqualTo(1);
    }
  }
}
