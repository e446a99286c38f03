package io.fle4j.spring;

import static org.assertj.core.api.Assertions.assertThat;

import com.mongodb.ClientEncryptionSettings;
import com.mongodb.ConnectionString;
import com.mongodb.MongoClientSettings;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.model.vault.DataKeyOptions;
import com.mongodb.client.vault.ClientEncryption;
import io.fle4j.ClientEncryptions;
import io.fle4j.testkit.MongoTestTarget;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.bson.BsonDocument;
import org.bson.UuidRepresentation;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.BeanFactory;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.data.mongodb.autoconfigure.DataMongoAutoConfiguration;
import org.springframework.boot.mongodb.autoconfigure.MongoAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.data.annotation.Id;
import org.springframework.data.convert.PropertyValueConverterFactory;
import org.springframework.data.mongodb.core.MongoTemplate;
import org.springframework.data.mongodb.core.convert.MongoCustomConversions;
import org.springframework.data.mongodb.core.convert.encryption.MongoEncryptionConverter;
import org.springframework.data.mongodb.core.encryption.EncryptionKeyResolver;
import org.springframework.data.mongodb.core.encryption.MongoClientEncryption;
import org.springframework.data.mongodb.core.mapping.ExplicitEncrypted;

/**
 * Spring Data MongoDB's own explicit encryption ({@code @ExplicitEncrypted} with {@code
 * MongoEncryptionConverter}) running on the starter's fle4j ClientEncryption bean: the field is
 * stored as a CSFLE ciphertext and read back as its value.
 */
class SpringDataExplicitEncryptionTest {
  private static final String DET = "AEAD_AES_256_CBC_HMAC_SHA_512-Deterministic";

  /** An entity with one explicitly encrypted field. */
  public static class Patient {
    @Id
    public Integer id;

    @ExplicitEncrypted(algorithm = DET, keyAltName = "ssn-key")
    public String ssn;
  }

  /** What an application adds to use Spring Data's explicit encryption. */
  @Configuration(proxyBeanMethods = false)
  static class ExplicitEncryptionConfiguration {
    @Bean
    MongoEncryptionConverter encryptingConverter(ClientEncryption clientEncryption) {
      return new MongoEncryptionConverter(MongoClientEncryption.just(clientEncryption),
          EncryptionKeyResolver.annotated(context -> {
            throw new IllegalStateException("every encrypted field names its key here");
          }));
    }

    @Bean
    MongoCustomConversions mongoCustomConversions(BeanFactory beans) {
      return MongoCustomConversions.create(adapter -> adapter.registerPropertyValueConverterFactory(
          PropertyValueConverterFactory.beanFactoryAware(beans)));
    }
  }

  @Test
  void explicitEncryptedField_isStoredEncrypted_andReadBack() {
    byte[] masterKey = new byte[96];
    new SecureRandom().nextBytes(masterKey);
    String db = "sd_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    MongoClientSettings plainSettings = MongoClientSettings.builder()
        .applyConnectionString(new ConnectionString(MongoTestTarget.connectionString()))
        .uuidRepresentation(UuidRepresentation.STANDARD).build();
    try (MongoClient plain = MongoClients.create(plainSettings)) {
      try (ClientEncryption setup = ClientEncryptions.create(ClientEncryptionSettings.builder()
          .keyVaultMongoClientSettings(plainSettings).keyVaultNamespace(db + ".keys")
          .kmsProviders(Map.of("local", Map.of("key", masterKey))).build())) {
        setup.createDataKey("local", new DataKeyOptions().keyAltNames(List.of("ssn-key")));
      }
      new ApplicationContextRunner()
          .withConfiguration(AutoConfigurations.of(MongoAutoConfiguration.class,
              DataMongoAutoConfiguration.class, Fle4jAutoConfiguration.class))
          .withUserConfiguration(ExplicitEncryptionConfiguration.class)
          .withPropertyValues(
              "spring.mongodb.uri=" + MongoTestTarget.connectionString() + "/" + db,
              "spring.mongodb.representation.uuid=standard",
              "fle4j.key-vault-namespace=" + db + ".keys",
              "fle4j.kms-providers.local.key=" + Base64.getEncoder().encodeToString(masterKey))
          .run(context -> {
            assertThat(context).hasNotFailed();
            MongoTemplate template = context.getBean(MongoTemplate.class);
            Patient patient = new Patient();
            patient.id = 1;
            patient.ssn = "123-45-6789";
            template.insert(patient, "patients");
            BsonDocument stored = plain.getDatabase(db)
                .getCollection("patients", BsonDocument.class).find().first();
            assertThat(stored.get("ssn").isBinary()).as("stored as ciphertext: " + stored)
                .isTrue();
            assertThat(stored.getBinary("ssn").getData()[0]).as("deterministic").isEqualTo((byte) 1);
            assertThat(template.findById(1, Patient.class, "patients").ssn)
                .isEqualTo("123-45-6789");
          });
      plain.getDatabase(db).drop();
    }
  }
}
