package io.fle4j.spring.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.mongodb.ClientEncryptionSettings;
import com.mongodb.ConnectionString;
import com.mongodb.MongoClientSettings;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.vault.ClientEncryption;
import io.fle4j.ClientEncryptions;
import io.fle4j.testkit.mongo.MongoTestTarget;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.bson.BsonBinary;
import org.bson.BsonDocument;
import org.bson.UuidRepresentation;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.health.actuate.endpoint.HealthEndpoint;
import org.springframework.boot.micrometer.metrics.actuate.endpoint.MetricsEndpoint;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.data.mongodb.repository.config.EnableMongoRepositories;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * A whole Spring Boot application, as a user would write it: an entity and a repository with no
 * encryption code, the starter configured from properties, and Actuator. MongoDB stores
 * ciphertext, a derived query on the encrypted field finds the entity, and Actuator's metrics and
 * health endpoints show what fle4j did.
 */
@SpringBootTest(classes = PatientsApplicationTest.PatientsApplication.class, properties = {
    "spring.mongodb.representation.uuid=standard",
    "fle4j.auto-encryption.enabled=true",
    "management.endpoints.access.default=unrestricted",
    "spring.jmx.enabled=true",
    "management.endpoints.jmx.exposure.include=health,metrics",
    "management.endpoint.health.show-details=always"})
class PatientsApplicationTest {
  private static final String DB =
      "bootapp_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
  private static final byte[] MASTER_KEY = new byte[96];
  private static final MongoClientSettings PLAIN = MongoClientSettings.builder()
      .applyConnectionString(new ConnectionString(MongoTestTarget.connectionString()))
      .uuidRepresentation(UuidRepresentation.STANDARD).build();

  @SpringBootConfiguration
  @EnableAutoConfiguration
  @EnableMongoRepositories(basePackageClasses = PatientRepository.class)
  static class PatientsApplication {}

  @DynamicPropertySource
  static void properties(DynamicPropertyRegistry registry) {
    new SecureRandom().nextBytes(MASTER_KEY);
    BsonBinary keyId;
    try (ClientEncryption setup = ClientEncryptions.create(ClientEncryptionSettings.builder()
        .keyVaultMongoClientSettings(PLAIN).keyVaultNamespace(DB + ".keys")
        .kmsProviders(Map.of("local", Map.of("key", MASTER_KEY))).build())) {
      keyId = setup.createDataKey("local");
    }
    registry.add("spring.mongodb.uri", () -> MongoTestTarget.connectionString() + "/" + DB);
    registry.add("fle4j.key-vault-namespace", () -> DB + ".keys");
    registry.add("fle4j.kms-providers.local.key",
        () -> Base64.getEncoder().encodeToString(MASTER_KEY));
    registry.add("fle4j.auto-encryption.schema-map.[" + DB + ".patients]",
        () -> "{bsonType: 'object', properties: {ssn: {encrypt: {bsonType: 'string',"
            + " algorithm: 'AEAD_AES_256_CBC_HMAC_SHA_512-Deterministic', keyId: [{$binary:"
            + " {base64: '" + Base64.getEncoder().encodeToString(keyId.getData())
            + "', subType: '04'}}]}}}}");
  }

  @AfterAll
  static void drop() {
    try (MongoClient plain = MongoClients.create(PLAIN)) {
      plain.getDatabase(DB).drop();
    }
  }

  @Autowired PatientRepository patients;
  @Autowired MetricsEndpoint metrics;
  @Autowired HealthEndpoint health;

  @Test
  void repositoryEncrypts_metricsCountTheWork_healthProbesTheKms() {
    patients.save(Patient.of(1, "Ada", "123-45-6789"));
    try (MongoClient plain = MongoClients.create(PLAIN)) {
      BsonDocument stored = plain.getDatabase(DB).getCollection("patients", BsonDocument.class)
          .find().first();
      assertThat(stored.getBinary("ssn").getType()).as("stored as ciphertext").isEqualTo((byte) 6);
    }
    assertThat(patients.findBySsn("123-45-6789")).singleElement()
        .satisfies(found -> assertThat(found.name).isEqualTo("Ada"));
    assertThat(patients.findById(1).orElseThrow().ssn).isEqualTo("123-45-6789");

    // One data key, so one KMS unwrap; after it, every use is a cache hit.
    assertThat(count("fle4j.kms.requests",
        List.of("provider:local", "operation:decrypt", "outcome:success"))).isEqualTo(1.0);
    assertThat(count("fle4j.datakey.cache", List.of("result:miss"))).isEqualTo(1.0);
    assertThat(count("fle4j.datakey.cache", List.of("result:hit"))).isGreaterThanOrEqualTo(2.0);
    assertThat(metrics.metric("fle4j.datakey.cache.size", List.of()).getMeasurements().get(0)
        .getValue()).isEqualTo(1.0);

    // Health: the key vault answers and the local provider unwraps the key (one more request).
    var fle4j = health.healthForPath("fle4j");
    assertThat(fle4j.getStatus().getCode()).isEqualTo("UP");
    assertThat(count("fle4j.kms.requests",
        List.of("provider:local", "operation:decrypt", "outcome:success"))).isEqualTo(2.0);
  }

  private double count(String meter, List<String> tags) {
    MetricsEndpoint.MetricDescriptor descriptor = metrics.metric(meter, tags);
    assertThat(descriptor).as(meter + " " + tags).isNotNull();
    return descriptor.getMeasurements().stream()
        .filter(m -> m.getStatistic().name().equals("COUNT")).findFirst().orElseThrow()
        .getValue();
  }
}
