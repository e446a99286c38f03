package io.fle4j.micrometer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.mongodb.ClientEncryptionSettings;
import com.mongodb.ConnectionString;
import com.mongodb.MongoClientSettings;
import com.mongodb.client.model.vault.EncryptOptions;
import com.mongodb.client.vault.ClientEncryption;
import io.fle4j.ClientEncryptions;
import io.fle4j.EncryptionEvent;
import io.fle4j.Fle4jSettings;
import io.fle4j.testkit.mongo.MongoTestTarget;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationHandler;
import io.micrometer.observation.ObservationRegistry;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.bson.BsonBinary;
import org.bson.BsonString;
import org.bson.UuidRepresentation;
import org.junit.jupiter.api.Test;

/** The meters and observations {@link Fle4jMetrics} makes of fle4j's events. */
class Fle4jMetricsTest {
  private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
  private final List<Observation.Context> stopped = new CopyOnWriteArrayList<>();
  private final ObservationRegistry observations = ObservationRegistry.create();

  Fle4jMetricsTest() {
    observations.observationConfig().observationHandler(new ObservationHandler<>() {
      @Override
      public boolean supportsContext(Observation.Context context) {
        return true;
      }

      @Override
      public void onStop(Observation.Context context) {
        stopped.add(context);
      }
    });
  }

  @Test
  void eachEvent_landsOnItsMeter() {
    Fle4jMetrics metrics = Fle4jMetrics.of(meters, observations);
    UUID key = UUID.randomUUID();
    metrics.kmsRequestStarted(new EncryptionEvent.KmsRequestStarted(7, "aws:prod",
        EncryptionEvent.KmsOperation.DECRYPT, "{\"region\": \"eu-west-1\"}"));
    metrics.kmsRequest(new EncryptionEvent.KmsRequest(7, "aws:prod",
        EncryptionEvent.KmsOperation.DECRYPT, "{\"region\": \"eu-west-1\"}",
        Duration.ofMillis(40), EncryptionEvent.Outcome.FAILURE, "KmsProviderException: throttled",
        3));
    metrics.dataKeyCache(new EncryptionEvent.DataKeyCache(EncryptionEvent.CacheActivity.HIT, key,
        null, Duration.ZERO, EncryptionEvent.Outcome.SUCCESS, 3));
    metrics.dataKeyCache(new EncryptionEvent.DataKeyCache(EncryptionEvent.CacheActivity.MISS,
        key, null, Duration.ZERO, EncryptionEvent.Outcome.SUCCESS, 3));
    metrics.dataKeyCache(new EncryptionEvent.DataKeyCache(EncryptionEvent.CacheActivity.LOAD,
        key, null, Duration.ofMillis(5), EncryptionEvent.Outcome.SUCCESS, 4));
    metrics.dataKeyCache(new EncryptionEvent.DataKeyCache(EncryptionEvent.CacheActivity.EVICTION,
        key, null, Duration.ZERO, EncryptionEvent.Outcome.SUCCESS, 3));
    metrics.keyLifecycle(new EncryptionEvent.KeyLifecycle(EncryptionEvent.KeyAction.REWRAPPED,
        key, "local", "aws", null));
    metrics.refusal(new EncryptionEvent.Refusal("app.people", "ssn", "regex on an encrypted"
        + " field"));
    metrics.decryptionFailure(new EncryptionEvent.DecryptionFailure(key,
        "AUTHENTICATION_FAILED"));

    assertThat(meters.get("fle4j.kms.requests").tags("provider", "aws:prod", "operation",
        "decrypt", "outcome", "failure").timer().count()).isEqualTo(1);
    assertThat(meters.get("fle4j.kms.retries").tags("provider", "aws:prod", "operation",
        "decrypt").counter().count()).isEqualTo(2);
    assertThat(meters.get("fle4j.datakey.cache").tag("result", "hit").counter().count())
        .isEqualTo(1);
    assertThat(meters.get("fle4j.datakey.cache").tag("result", "miss").counter().count())
        .isEqualTo(1);
    assertThat(meters.get("fle4j.datakey.loads").tag("outcome", "success").timer()
        .totalTime(java.util.concurrent.TimeUnit.MILLISECONDS)).isEqualTo(5);
    assertThat(meters.get("fle4j.datakey.evictions").counter().count()).isEqualTo(1);
    assertThat(meters.get("fle4j.datakey.cache.size").gauge().value()).isEqualTo(3);
    assertThat(meters.get("fle4j.keys.changes").tag("action", "rewrapped").counter().count())
        .isEqualTo(1);
    assertThat(meters.get("fle4j.auto.refusals").tag("namespace", "app.people").counter()
        .count()).isEqualTo(1);
    assertThat(meters.get("fle4j.decrypt.failures").tag("reason", "AUTHENTICATION_FAILED")
        .counter().count()).isEqualTo(1);
    assertThat(stopped).singleElement().satisfies(context -> {
      assertThat(context.getName()).isEqualTo("fle4j.kms.request");
      assertThat(context.getLowCardinalityKeyValue("provider").getValue()).isEqualTo("aws:prod");
      assertThat(context.getError()).hasMessageContaining("throttled");
    });
  }

  @Test
  void aRealClientEncryption_feedsTheMeters_withoutKeyMaterialInAnyTag() {
    byte[] masterKey = new byte[96];
    new SecureRandom().nextBytes(masterKey);
    String db = "metrics_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    MongoClientSettings client = MongoClientSettings.builder()
        .applyConnectionString(new ConnectionString(MongoTestTarget.connectionString()))
        .uuidRepresentation(UuidRepresentation.STANDARD).build();
    try (ClientEncryption encryption = ClientEncryptions.create(ClientEncryptionSettings.builder()
        .keyVaultMongoClientSettings(client).keyVaultNamespace(db + ".keys")
        .kmsProviders(Map.of("local", Map.of("key", masterKey))).build(),
        Fle4jSettings.builder().eventListener(Fle4jMetrics.of(meters, observations)).build())) {
      BsonBinary keyId = encryption.createDataKey("local");
      EncryptOptions options =
          new EncryptOptions("AEAD_AES_256_CBC_HMAC_SHA_512-Random").keyId(keyId);
      for (int i = 0; i < 3; i++) {
        encryption.decrypt(encryption.encrypt(new BsonString("v" + i), options));
      }
      assertThatThrownBy(() -> encryption.decrypt(new BsonBinary((byte) 6, new byte[5])));
      assertThat(meters.get("fle4j.kms.requests").tags("operation", "encrypt").timer().count())
          .isEqualTo(1);
      assertThat(meters.get("fle4j.kms.requests").tags("operation", "decrypt").timer().count())
          .isEqualTo(1);
      assertThat(meters.get("fle4j.datakey.cache").tag("result", "miss").counter().count())
          .isEqualTo(1);
      assertThat(meters.get("fle4j.datakey.cache").tag("result", "hit").counter().count())
          .isEqualTo(5);
      assertThat(meters.get("fle4j.keys.changes").tag("action", "created").counter().count())
          .isEqualTo(1);
      assertThat(meters.get("fle4j.decrypt.failures").tag("reason", "TOO_SHORT").counter()
          .count()).isEqualTo(1);
      assertThat(stopped).hasSize(2);
      String hex = java.util.HexFormat.of().formatHex(masterKey);
      String base64 = java.util.Base64.getEncoder().encodeToString(masterKey);
      for (Meter meter : meters.getMeters()) {
        assertThat(meter.getId().toString()).doesNotContain(hex).doesNotContain(base64);
      }
    } finally {
      try (var plain = com.mongodb.client.MongoClients.create(client)) {
        plain.getDatabase(db).drop();
      }
    }
  }
}
