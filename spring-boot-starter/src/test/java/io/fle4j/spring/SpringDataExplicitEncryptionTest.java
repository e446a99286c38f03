package io.fle4j.spring;

import static org.assertj.core.api.Assertions.assertThat;

import com.mongodb.client.MongoClient;
import com.mongodb.client.vault.ClientEncryption;
import org.bson.BsonDocument;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.BeanFactory;
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
    try (StarterVault vault = new StarterVault()) {
      String db = vault.db;
      MongoClient plain = vault.plain;
      vault.createKey("ssn-key");
      vault.runner()
          .withUserConfiguration(ExplicitEncryptionConfiguration.class)
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
    }
  }
}
