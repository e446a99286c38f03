package io.fle4j.spring;

import static org.assertj.core.api.Assertions.assertThat;

import com.mongodb.ClientEncryptionSettings;
import com.mongodb.ConnectionString;
import com.mongodb.MongoClientSettings;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.vault.ClientEncryption;
import io.fle4j.ClientEncryptions;
import io.fle4j.testkit.MongoTestTarget;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.bson.BsonBinary;
import org.bson.BsonDocument;
import org.bson.UuidRepresentation;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.data.mongodb.autoconfigure.DataMongoAutoConfiguration;
import org.springframework.boot.data.mongodb.autoconfigure.DataMongoRepositoriesAutoConfiguration;
import org.springframework.boot.mongodb.autoconfigure.MongoAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Configuration;
import org.springframework.data.annotation.Id;
import org.springframework.data.mongodb.core.mapping.Document;
import org.springframework.data.mongodb.repository.MongoRepository;
import org.springframework.data.mongodb.repository.config.EnableMongoRepositories;

/**
 * A Spring Data repository on Boot's MongoClient made automatically encrypting by the starter:
 * the application's code has no encryption in it, MongoDB stores ciphertext, and a derived
 * query on the encrypted field finds the document.
 */
class RepositoryAutoEncryptionTest {
  private static final String DET = "AEAD_AES_256_CBC_HMAC_SHA_512-Deterministic";

  /** A plain entity: nothing in it says "encrypted". */
  @Document("patients")
  public static class Patient {
    @Id
    public Integer id;
    public String name;
    public String ssn;
  }

  /** A plain repository. */
  public interface PatientRepository extends MongoRepository<Patient, Integer> {
    List<Patient> findBySsn(String ssn);
  }

  @Configuration(proxyBeanMethods = false)
  @EnableMongoRepositories(basePackageClasses = PatientRepository.class,
      considerNestedRepositories = true,
      includeFilters = @org.springframework.context.annotation.ComponentScan.Filter(
          type = org.springframework.context.annotation.FilterType.ASSIGNABLE_TYPE,
          classes = PatientRepository.class))
  static class Repositories {}

  @Test
  void repositorySaveAndFindBy_encryptedField_withoutEncryptionCode() {
    byte[] masterKey = new byte[96];
    new SecureRandom().nextBytes(masterKey);
    String db = "repo_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    MongoClientSettings plainSettings = MongoClientSettings.builder()
        .applyConnectionString(new ConnectionString(MongoTestTarget.connectionString()))
        .uuidRepresentation(UuidRepresentation.STANDARD).build();
    try (MongoClient plain = MongoClients.create(plainSettings)) {
      BsonBinary keyId;
      try (ClientEncryption setup = ClientEncryptions.create(ClientEncryptionSettings.builder()
          .keyVaultMongoClientSettings(plainSettings).keyVaultNamespace(db + ".keys")
          .kmsProviders(Map.of("local", Map.of("key", masterKey))).build())) {
        keyId = setup.createDataKey("local");
      }
      String schema = "{bsonType: 'object', properties: {ssn: {encrypt: {bsonType: 'string',"
          + " algorithm: '" + DET + "', keyId: [{$binary: {base64: '"
          + Base64.getEncoder().encodeToString(keyId.getData()) + "', subType: '04'}}]}}}}";
      new ApplicationContextRunner()
          .withConfiguration(AutoConfigurations.of(MongoAutoConfiguration.class,
              DataMongoAutoConfiguration.class, DataMongoRepositoriesAutoConfiguration.class,
              Fle4jAutoConfiguration.class))
          .withUserConfiguration(Repositories.class)
          .withPropertyValues(
              "spring.mongodb.uri=" + MongoTestTarget.connectionString() + "/" + db,
              "spring.mongodb.representation.uuid=standard",
              "fle4j.key-vault-namespace=" + db + ".keys",
              "fle4j.kms-providers.local.key=" + Base64.getEncoder().encodeToString(masterKey),
              "fle4j.auto-encryption.enabled=true",
              "fle4j.auto-encryption.schema-map.[" + db + ".patients]=" + schema)
          .run(context -> {
            assertThat(context).hasNotFailed();
            PatientRepository repository = context.getBean(PatientRepository.class);
            Patient ada = new Patient();
            ada.id = 1;
            ada.name = "Ada";
            ada.ssn = "123-45-6789";
            repository.save(ada);
            BsonDocument stored = plain.getDatabase(db)
                .getCollection("patients", BsonDocument.class).find().first();
            assertThat(stored.getBinary("ssn").getType()).as("stored as ciphertext")
                .isEqualTo((byte) 6);
            assertThat(repository.findBySsn("123-45-6789")).singleElement()
                .satisfies(found -> assertThat(found.name).isEqualTo("Ada"));
            assertThat(repository.findById(1).orElseThrow().ssn).isEqualTo("123-45-6789");
          });
      plain.getDatabase(db).drop();
    }
  }
}
