package io.fle4j.spring;

import static org.assertj.core.api.Assertions.assertThat;

import com.mongodb.client.MongoClient;
import com.mongodb.client.model.vault.EncryptOptions;
import com.mongodb.client.vault.ClientEncryption;
import io.fle4j.Fle4jSettings;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.Base64;
import java.util.Map;
import org.bson.BsonBinary;
import org.bson.BsonDocument;
import org.bson.BsonString;
import org.bson.Document;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.data.mongodb.core.MongoTemplate;

/**
 * The starter in a Boot application context on the test MongoDB (the embedded stand-in, or
 * FLE4J_MONGODB_URI): beans from {@code fle4j.*} properties, Boot's MongoClient and MongoTemplate
 * encrypting automatically, Micrometer wiring, and configuration errors that name the property.
 */
class Fle4jAutoConfigurationTest {
  private static final String DET = StarterVault.DET;
  private StarterVault vault;
  private String db;
  private byte[] masterKey;
  private MongoClient plain;
  private BsonBinary keyId;
  private ApplicationContextRunner runner;

  @BeforeEach
  void createKey() {
    vault = new StarterVault();
    db = vault.db;
    masterKey = vault.masterKey;
    plain = vault.plain;
    keyId = vault.createKey();
    runner = vault.runner();
  }

  @AfterEach
  void drop() {
    vault.close();
  }

  @Test
  void clientEncryptionBean_encryptsWithTheConfiguredProviders() {
    runner.run(context -> {
      assertThat(context).hasNotFailed();
      ClientEncryption encryption = context.getBean(ClientEncryption.class);
      assertThat(encryption.getClass().getName()).startsWith("io.fle4j.");
      BsonBinary ciphertext = encryption.encrypt(new BsonString("123-45-6789"),
          new EncryptOptions(DET).keyId(keyId));
      assertThat(encryption.decrypt(ciphertext)).isEqualTo(new BsonString("123-45-6789"));
      // Without fle4j.auto-encryption.enabled, Boot's own client is left as it is.
      assertThat(context.getBean(MongoClient.class).getClass().getName())
          .doesNotStartWith("io.fle4j.");
    });
  }

  @Test
  void autoEncryption_makesBootsClientAndMongoTemplateEncrypt() {
    String schema = StarterVault.ssnSchema(keyId);
    runner.withPropertyValues("fle4j.auto-encryption.enabled=true",
        "fle4j.auto-encryption.schema-map.[" + db + ".people]=" + schema).run(context -> {
          assertThat(context).hasNotFailed();
          assertThat(context.getBean(MongoClient.class).getClass().getName())
              .startsWith("io.fle4j.");
          MongoTemplate template = context.getBean(MongoTemplate.class);
          template.insert(new Document("_id", 1).append("ssn", "123-45-6789"), "people");
          BsonDocument stored = plain.getDatabase(db).getCollection("people", BsonDocument.class)
              .find().first();
          assertThat(stored.get("ssn").isBinary()).as("stored as ciphertext").isTrue();
          assertThat(stored.getBinary("ssn").getType()).isEqualTo((byte) 6);
          Document read = template.findById(1, Document.class, "people");
          assertThat(read.getString("ssn")).isEqualTo("123-45-6789");
        });
  }

  @Test
  void schemaFromAResource_andBypassAutoEncryption_areApplied() throws Exception {
    String schema = StarterVault.ssnSchema(keyId);
    java.nio.file.Path file = java.nio.file.Files.createTempFile("people-schema", ".json");
    java.nio.file.Files.writeString(file, schema);
    try {
      runner.withPropertyValues("fle4j.auto-encryption.enabled=true",
          "fle4j.auto-encryption.schema-map.[" + db + ".people]=file:" + file).run(context -> {
            assertThat(context).hasNotFailed();
            context.getBean(MongoTemplate.class)
                .insert(new Document("_id", 1).append("ssn", "123-45-6789"), "people");
            assertThat(plain.getDatabase(db).getCollection("people", BsonDocument.class).find()
                .first().get("ssn").isBinary()).as("encrypted by the schema in the file").isTrue();
          });
      // bypass-auto-encryption: nothing is encrypted, what is stored encrypted is still read.
      runner.withPropertyValues("fle4j.auto-encryption.enabled=true",
          "fle4j.auto-encryption.bypass-auto-encryption=true",
          "fle4j.auto-encryption.schema-map.[" + db + ".people]=file:" + file).run(context -> {
            MongoTemplate template = context.getBean(MongoTemplate.class);
            template.insert(new Document("_id", 2).append("ssn", "987-65-4321"), "people");
            assertThat(plain.getDatabase(db).getCollection("people", BsonDocument.class)
                .find(new BsonDocument("_id", new org.bson.BsonInt32(2))).first().get("ssn")
                .isString()).as("not encrypted with bypass").isTrue();
            assertThat(template.findById(1, Document.class, "people").getString("ssn"))
                .isEqualTo("123-45-6789");
          });
    } finally {
      java.nio.file.Files.deleteIfExists(file);
    }
  }

  @Test
  void aMissingSchemaResource_failsStartup_namingTheProperty() {
    runner.withPropertyValues("fle4j.auto-encryption.enabled=true",
        "fle4j.auto-encryption.schema-map.[app.people]=classpath:no-such-schema.json")
        .run(context -> {
          assertThat(context).hasFailed();
          String all = "";
          for (Throwable t = context.getStartupFailure(); t != null; t = t.getCause()) {
            all += " | " + t.getMessage();
          }
          assertThat(all).contains("fle4j.auto-encryption.schema-map[app.people]");
        });
  }

  @Test
  void aMeterRegistryBean_getsFle4jMeters() {
    runner.withBean(MeterRegistry.class, SimpleMeterRegistry::new).run(context -> {
      assertThat(context).hasNotFailed();
      assertThat(context.getBean(Fle4jSettings.class).eventListener()).isPresent();
      context.getBean(ClientEncryption.class).encrypt(new BsonString("x"),
          new EncryptOptions(DET).keyId(keyId));
      assertThat(context.getBean(MeterRegistry.class).get("fle4j.kms.requests").timer().count())
          .isEqualTo(1);
    });
  }

  private static org.springframework.boot.health.contributor.HealthIndicator health(
      org.springframework.context.ApplicationContext context) {
    return context.getBean(
        "fle4jHealthIndicator", org.springframework.boot.health.contributor.HealthIndicator.class);
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> provider(
      org.springframework.boot.health.contributor.Health health, String name) {
    return ((Map<String, Map<String, Object>>) health.getDetails().get("kmsProviders")).get(name);
  }

  @Test
  void healthIndicator_probesEachProviderByUnwrappingItsNewestKey() {
    java.util.concurrent.atomic.AtomicInteger kmsRequests = new java.util.concurrent.atomic.AtomicInteger();
    io.fle4j.EncryptionEventListener counter = new io.fle4j.EncryptionEventListener() {
      @Override
      public void kmsRequest(io.fle4j.EncryptionEvent.KmsRequest event) {
        kmsRequests.incrementAndGet();
      }
    };
    runner.withBean(io.fle4j.EncryptionEventListener.class, () -> counter).run(context -> {
      org.springframework.boot.health.contributor.Health first = health(context).health();
      assertThat(first.getStatus().getCode()).isEqualTo("UP");
      assertThat(first.getDetails()).containsEntry("keyVault", db + ".keys");
      Map<String, Object> local = provider(first, "local");
      assertThat(local).containsEntry("probe", "reachable")
          .containsEntry("probeKeyId", keyId.asUuid().toString())
          .doesNotContainKey("probeError");
      // The probe was a real unwrap, so it is also the provider's last call.
      assertThat(local.get("lastCall")).asInstanceOf(
          org.assertj.core.api.InstanceOfAssertFactories.MAP).containsEntry("outcome", "success");
      assertThat(kmsRequests).hasValue(1);
      // Within the interval (5 minutes by default) the probe is not repeated: no KMS request.
      assertThat(provider(health(context).health(), "local").get("probedAt"))
          .isEqualTo(local.get("probedAt"));
      assertThat(kmsRequests).hasValue(1);
      assertThat(first.toString()).doesNotContain(Base64.getEncoder().encodeToString(masterKey));
    });
  }

  @Test
  void healthIndicator_isDown_whenAProviderCannotUnwrap() {
    byte[] otherKey = new byte[96];
    new java.security.SecureRandom().nextBytes(otherKey);
    runner.withPropertyValues(
            "fle4j.kms-providers.local.key=" + Base64.getEncoder().encodeToString(otherKey))
        .run(context -> {
          org.springframework.boot.health.contributor.Health health = health(context).health();
          assertThat(health.getStatus().getCode()).isEqualTo("DOWN");
          assertThat(provider(health, "local")).containsEntry("probe", "unreachable")
              .containsKey("probeError");
          assertThat(health.toString())
              .doesNotContain(Base64.getEncoder().encodeToString(otherKey))
              .doesNotContain(Base64.getEncoder().encodeToString(masterKey));
        });
  }

  @Test
  void healthIndicator_withoutProbes_showsTheLastCallOnly() {
    runner.withPropertyValues("fle4j.health.probe-kms=false").run(context -> {
      org.springframework.boot.health.contributor.Health before = health(context).health();
      assertThat(before.getStatus().getCode()).isEqualTo("UP");
      assertThat(provider(before, "local")).containsExactly(Map.entry("lastCall", "no call yet"));
      context.getBean(ClientEncryption.class).encrypt(new BsonString("x"),
          new EncryptOptions(DET).keyId(keyId));
      assertThat(provider(health(context).health(), "local").get("lastCall")).asInstanceOf(
              org.assertj.core.api.InstanceOfAssertFactories.MAP)
          .containsEntry("outcome", "success").containsEntry("operation", "decrypt");
    });
  }

  @Test
  void healthIndicator_isDown_whenTheKeyVaultCannotBeRead() {
    runner.withPropertyValues("fle4j.key-vault-uri=mongodb://127.0.0.1:1/?serverSelectionTimeoutMS=300")
        .run(context -> assertThat(health(context).health().getStatus().getCode())
            .isEqualTo("DOWN"));
  }

  @Test
  void readOnly_refusesKeyWrites_butEncrypts() {
    runner.withPropertyValues("fle4j.read-only=true").run(context -> {
      ClientEncryption encryption = context.getBean(ClientEncryption.class);
      org.assertj.core.api.Assertions.assertThatThrownBy(() -> encryption.createDataKey("local"))
          .isInstanceOf(io.fle4j.KeyVaultReadOnlyException.class);
      BsonBinary ciphertext = encryption.encrypt(new BsonString("x"),
          new EncryptOptions(DET).keyId(keyId));
      assertThat(encryption.decrypt(ciphertext)).isEqualTo(new BsonString("x"));
    });
  }

  @Test
  void aTooShortProbeInterval_failsStartup_namingTheProperty() {
    runner.withPropertyValues("fle4j.health.probe-interval=1s").run(context -> {
      assertThat(context).hasFailed();
      assertThat(context.getStartupFailure()).rootCause().hasMessageContaining("at least 10s");
      assertThat(messages(context.getStartupFailure())).contains("fle4j.health.probe-interval");
    });
  }

  @Test
  void aBadProviderEntry_failsStartup_namingTheProperty_notTheValue() {
    runner.withPropertyValues("fle4j.kms-providers.local.key=not*base64*at*all").run(context -> {
      assertThat(context).hasFailed();
      assertThat(context.getStartupFailure()).rootCause().hasMessageContaining("base64");
      Throwable failure = context.getStartupFailure();
      String all = failure.toString();
      for (Throwable t = failure; t != null; t = t.getCause()) {
        all += " | " + t.getMessage();
      }
      assertThat(all).contains("fle4j.kms-providers.local.key").doesNotContain("not*base64*at*all");
    });
  }

  @Test
  void propertyNames_mapBetweenKebabAndTheDriversCamelCase() {
    assertThat(Fle4jAutoConfiguration.camelCase("access-key-id")).isEqualTo("accessKeyId");
    assertThat(Fle4jAutoConfiguration.camelCase("key")).isEqualTo("key");
    assertThat(Fle4jAutoConfiguration.property("kmsProviders.aws:prod.secretAccessKey"))
        .isEqualTo("fle4j.kms-providers.[aws:prod].secret-access-key");
  }

  private static String messages(Throwable failure) {
    StringBuilder out = new StringBuilder();
    for (Throwable t = failure; t != null; t = t.getCause()) {
      out.append(t.getMessage()).append('\n');
    }
    return out.toString();
  }
}
