package io.fle4j.spring;

import static org.assertj.core.api.Assertions.assertThat;

import com.mongodb.client.MongoClient;
import io.fle4j.spring.app.Patient;
import io.fle4j.spring.app.PatientRepository;
import org.bson.BsonDocument;
import org.junit.jupiter.api.Test;
import org.springframework.boot.data.mongodb.autoconfigure.DataMongoRepositoriesAutoConfiguration;
import org.springframework.context.annotation.Configuration;
import org.springframework.data.mongodb.repository.config.EnableMongoRepositories;

/**
 * A Spring Data repository on Boot's MongoClient made automatically encrypting by the starter:
 * the application's code has no encryption in it, MongoDB stores ciphertext, and a derived
 * query on the encrypted field finds the document.
 */
class RepositoryAutoEncryptionTest {
  private static final String DET = "AEAD_AES_256_CBC_HMAC_SHA_512-Deterministic";

  @Configuration(proxyBeanMethods = false)
  @EnableMongoRepositories(basePackageClasses = PatientRepository.class)
  static class Repositories {}

  @Test
  void repositorySaveAndFindBy_encryptedField_withoutEncryptionCode() {
    try (StarterVault vault = new StarterVault()) {
      String db = vault.db;
      MongoClient plain = vault.plain;
      String schema = StarterVault.ssnSchema(vault.createKey());
      vault.runner(DataMongoRepositoriesAutoConfiguration.class)
          .withUserConfiguration(Repositories.class)
          .withPropertyValues(
              "fle4j.auto-encryption.enabled=true",
              "fle4j.auto-encryption.schema-map.[" + db + ".patients]=" + schema)
          .run(context -> {
            assertThat(context).hasNotFailed();
            PatientRepository repository = context.getBean(PatientRepository.class);
            repository.save(Patient.of(1, "Ada", "123-45-6789"));
            BsonDocument stored = plain.getDatabase(db)
                .getCollection("patients", BsonDocument.class).find().first();
            assertThat(stored.getBinary("ssn").getType()).as("stored as ciphertext")
                .isEqualTo((byte) 6);
            assertThat(repository.findBySsn("123-45-6789")).singleElement()
                .satisfies(found -> assertThat(found.name).isEqualTo("Ada"));
            assertThat(repository.findById(1).orElseThrow().ssn).isEqualTo("123-45-6789");
          });
    }
  }
}
