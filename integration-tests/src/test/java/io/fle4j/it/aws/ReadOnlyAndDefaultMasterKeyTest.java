package io.fle4j.it.aws;

import static io.fle4j.it.aws.AwsVault.DETERMINISTIC;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.mongodb.AutoEncryptionSettings;
import com.mongodb.MongoClientSettings;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.CreateCollectionOptions;
import com.mongodb.client.model.CreateEncryptedCollectionParams;
import com.mongodb.client.model.vault.DataKeyOptions;
import com.mongodb.client.model.vault.EncryptOptions;
import com.mongodb.client.model.vault.RewrapManyDataKeyOptions;
import com.mongodb.client.vault.ClientEncryption;
import io.fle4j.Fle4jMongoClients;
import io.fle4j.Fle4jSettings;
import io.fle4j.KeyVaultReadOnlyException;
import io.fle4j.testkit.kms.aws.AwsKmsEmulator;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.bson.BsonBinary;
import org.bson.BsonDocument;
import org.bson.BsonString;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Read-only mode refuses every key-vault write before any KMS call or write, while reading,
 * encrypting with existing keys and decrypting still work (explicitly and automatically); a
 * default master key lets calls name only the provider.
 */
class ReadOnlyAndDefaultMasterKeyTest {
  private static final String REGION = "us-east-1";

  private AwsKmsEmulator kms;
  private AwsVault vault;
  private ClientEncryption writer;
  private String masterArn;
  private BsonBinary keyId;

  @BeforeEach
  void open() {
    kms = AwsKmsEmulator.start();
    vault = new AwsVault(kms);
    writer = vault.fle4j();
    masterArn = kms.createKey(REGION);
    keyId = writer.createDataKey("aws", new DataKeyOptions()
        .masterKey(vault.masterKey(masterArn, REGION)).keyAltNames(List.of("ssn-key")));
  }

  @AfterEach
  void close() throws Exception {
    vault.close();
    kms.close();
  }

  private List<BsonDocument> rawVault() {
    return vault.keys.find().sort(new BsonDocument("_id", new org.bson.BsonInt32(1)))
        .into(new ArrayList<>());
  }

  @Test
  void readOnly_refusesEveryWrite_beforeAnyKmsCallOrWrite() {
    ClientEncryption readOnly = vault.fle4j(Fle4jSettings.builder().readOnly(true).build());
    List<BsonDocument> before = rawVault();
    kms.resetCounters();

    Map<String, Consumer<ClientEncryption>> writes = new java.util.LinkedHashMap<>();
    writes.put("createDataKey", ce -> ce.createDataKey("aws",
        new DataKeyOptions().masterKey(vault.masterKey(masterArn, REGION))));
    writes.put("deleteKey", ce -> ce.deleteKey(keyId));
    writes.put("addKeyAltName", ce -> ce.addKeyAltName(keyId, "other"));
    writes.put("removeKeyAltName", ce -> ce.removeKeyAltName(keyId, "ssn-key"));
    writes.put("rewrapManyDataKey", ce -> ce.rewrapManyDataKey(new BsonDocument(),
        new RewrapManyDataKeyOptions().provider("local")));
    writes.put("createEncryptedCollection", ce -> ce.createEncryptedCollection(
        vault.client.getDatabase(vault.database), "qe", new CreateCollectionOptions()
            .encryptedFields(BsonDocument.parse("{fields: [{path: 'ssn', bsonType: 'string',"
                + " keyId: null}]}")), new CreateEncryptedCollectionParams("local")));
    writes.forEach((operation, write) -> assertThatThrownBy(() -> write.accept(readOnly))
        .as(operation)
        .isInstanceOfSatisfying(KeyVaultReadOnlyException.class,
            e -> assertThat(e.operation()).isEqualTo(operation))
        .hasMessageContaining("read-only mode is on"));

    assertThat(kms.requestCount()).as("no KMS call").isZero();
    assertThat(rawVault()).as("the key vault, byte for byte").isEqualTo(before);
    assertThat(vault.client.getDatabase(vault.database).listCollectionNames()
        .into(new ArrayList<>())).doesNotContain("qe");

    // Using keys still works: by id and by name, one way and back.
    BsonBinary ciphertext = readOnly.encrypt(new BsonString("123-45-6789"),
        new EncryptOptions(DETERMINISTIC).keyAltName("ssn-key"));
    assertThat(readOnly.decrypt(ciphertext)).isEqualTo(new BsonString("123-45-6789"));
    assertThat(readOnly.getKeyByAltName("ssn-key").getBinary("_id")).isEqualTo(keyId);
  }

  @Test
  void readOnly_autoEncryptingClient_encryptsAndDecryptsWithExistingKeys() {
    String namespace = vault.database + ".patients";
    BsonDocument schema = BsonDocument.parse("{bsonType: 'object', properties: {ssn: {encrypt:"
        + " {bsonType: 'string', algorithm: '" + DETERMINISTIC + "', keyId: [UUID('"
        + keyId.asUuid() + "')]}}}}");
    MongoClientSettings settings = MongoClientSettings.builder(vault.clientSettings)
        .autoEncryptionSettings(AutoEncryptionSettings.builder()
            .keyVaultNamespace(vault.namespace).kmsProviders(vault.kmsProviders())
            .kmsProviderSslContextMap(vault.tls(vault.kmsProviders()))
            .schemaMap(Map.of(namespace, schema)).build())
        .build();
    List<BsonDocument> before = rawVault();
    try (MongoClient auto = Fle4jMongoClients.create(settings,
        Fle4jSettings.builder().readOnly(true).build())) {
      MongoCollection<BsonDocument> patients = auto.getDatabase(vault.database)
          .getCollection("patients", BsonDocument.class);
      patients.insertOne(BsonDocument.parse("{_id: 1, ssn: '123-45-6789'}"));
      BsonDocument found =
          patients.find(new BsonDocument("ssn", new BsonString("123-45-6789"))).first();
      assertThat(found.getString("ssn").getValue()).isEqualTo("123-45-6789");
    }
    BsonDocument stored = vault.client.getDatabase(vault.database)
        .getCollection("patients", BsonDocument.class).find().first();
    assertThat(stored.getBinary("ssn").getType()).isEqualTo((byte) 6);
    assertThat(rawVault()).isEqualTo(before);
  }

  @Test
  void defaultMasterKey_isUsedWhenACallNamesOnlyTheProvider() {
    String current = kms.createKey(REGION);
    ClientEncryption configured = vault.fle4j(Fle4jSettings.builder()
        .defaultMasterKey("aws", vault.masterKey(current, REGION)).build());

    BsonBinary created = configured.createDataKey("aws");
    assertThat(vault.rawKey(created).getDocument("masterKey").getString("key").getValue())
        .isEqualTo(current);

    // Rewrap everything under "aws" with no master key given: onto the default.
    configured.rewrapManyDataKey(new BsonDocument(), new RewrapManyDataKeyOptions().provider("aws"));
    assertThat(vault.rawKey(keyId).getDocument("masterKey").getString("key").getValue())
        .isEqualTo(current);
    BsonBinary ciphertext = configured.encrypt(new BsonString("x"),
        new EncryptOptions(DETERMINISTIC).keyId(keyId));
    assertThat(vault.official().decrypt(ciphertext)).isEqualTo(new BsonString("x"));

    // A default for a provider that is not configured is refused when the client is made.
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> vault.fle4j(Fle4jSettings.builder()
            .defaultMasterKey("aws:typo", vault.masterKey(current, REGION)).build()))
        .isInstanceOf(io.fle4j.ConfigurationException.class)
        .hasMessageContaining("Fle4jSettings.defaultMasterKey").hasMessageContaining("aws:typo");

    // A master key given in the call wins over the default.
    BsonBinary explicit = configured.createDataKey("aws",
        new DataKeyOptions().masterKey(vault.masterKey(masterArn, REGION)));
    assertThat(vault.rawKey(explicit).getDocument("masterKey").getString("key").getValue())
        .isEqualTo(masterArn);
  }
}
