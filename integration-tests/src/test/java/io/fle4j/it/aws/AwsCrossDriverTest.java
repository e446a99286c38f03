package io.fle4j.it.aws;

import static io.fle4j.it.aws.AwsVault.DETERMINISTIC;
import static io.fle4j.it.aws.AwsVault.RANDOM;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.mongodb.MongoException;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.vault.DataKeyOptions;
import com.mongodb.client.model.vault.EncryptOptions;
import com.mongodb.client.model.vault.RewrapManyDataKeyOptions;
import com.mongodb.client.vault.ClientEncryption;
import io.fle4j.testkit.kms.aws.AwsKmsEmulator;
import io.fle4j.testkit.kms.http.RecordedHttpRequest;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.bson.BsonBinary;
import org.bson.BsonDocument;
import org.bson.BsonString;
import org.bson.BsonValue;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The emulator proven by the official driver: libmongocrypt (through {@code mongodb-crypt})
 * signs and sends its own KMS requests to the emulator, with the endpoint in the masterKey and
 * the emulator's CA in {@code kmsProviderSslContextMap}. Each side creates data keys there and
 * the other side reads them, and both write the same key documents.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AwsCrossDriverTest {
  private static final String REGION = "us-east-1";
  private AwsKmsEmulator kms;
  private String keyArn;
  private AwsVault vault;
  private ClientEncryption fle4j;
  private ClientEncryption official;

  @BeforeAll
  void start() {
    kms = AwsKmsEmulator.start();
    keyArn = kms.createKey(REGION);
    vault = new AwsVault(kms);
    fle4j = vault.fle4j();
    official = vault.official();
  }

  @AfterAll
  void stop() throws Exception {
    vault.close();
    kms.close();
  }

  @BeforeEach
  void resetKms() {
    kms.faults().clear();
    kms.resetCounters();
  }

  private static List<String> failures(AwsKmsEmulator kms) {
    return kms.requests().stream().filter(r -> r.status() != 200).map(Object::toString)
        .collect(Collectors.toList());
  }

  @Test
  void createDataKey_official_onTheEmulator_writesTheSameDocumentShapeAsFle4j() {
    BsonDocument options = vault.masterKey(keyArn, REGION);

    BsonBinary byOfficial = official.createDataKey("aws", new DataKeyOptions().masterKey(options));
    BsonBinary byFle4j = fle4j.createDataKey("aws", new DataKeyOptions().masterKey(options));

    assertThat(failures(kms)).as("requests the emulator refused").isEmpty();
    BsonDocument officialDoc = vault.rawKey(byOfficial);
    BsonDocument fle4jDoc = vault.rawKey(byFle4j);
    assertThat(officialDoc.keySet()).containsExactlyElementsOf(fle4jDoc.keySet());
    BsonDocument officialMasterKey = officialDoc.getDocument("masterKey");
    // libmongocrypt's order, checked on what it wrote: provider, region, key, endpoint.
    assertThat(officialMasterKey.keySet()).containsExactly("provider", "region", "key", "endpoint");
    assertThat(fle4jDoc.getDocument("masterKey")).isEqualTo(officialMasterKey);
    assertThat(fle4jDoc.getDocument("masterKey").keySet())
        .containsExactlyElementsOf(officialMasterKey.keySet());
    assertThat(officialMasterKey.getString("endpoint").getValue()).isEqualTo(kms.endpoint());
  }

  @Test
  void libmongocryptRequests_hostHeaderQuirk_encryptWithoutPortDecryptWithPort() {
    BsonBinary id = official.createDataKey("aws",
        new DataKeyOptions().masterKey(vault.masterKey(keyArn, REGION)));
    ClientEncryption freshOfficial = vault.official();
    freshOfficial.encrypt(new BsonString("x"), new EncryptOptions(RANDOM).keyId(id));

    List<RecordedHttpRequest> requests = kms.requests();
    assertThat(requests).extracting(RecordedHttpRequest::operation)
        .containsExactly("Encrypt", "Decrypt");
    assertThat(requests).allSatisfy(r -> assertThat(r.status()).isEqualTo(200));
    assertThat(requests.get(0).host()).isEqualTo("127.0.0.1");
    assertThat(requests.get(1).host()).isEqualTo(kms.endpoint());
    assertThat(requests.get(0).headerNames()).contains("Connection");
  }

  @Test
  void officialKeys_fle4jDecryptsAndEncryptsTheSameBytes() {
    BsonBinary id = official.createDataKey("aws", new DataKeyOptions()
        .masterKey(vault.masterKey(keyArn, REGION)));
    BsonValue value = new BsonString("made by the official driver");
    BsonBinary det = official.encrypt(value, new EncryptOptions(DETERMINISTIC).keyId(id));
    BsonBinary rnd = official.encrypt(value, new EncryptOptions(RANDOM).keyId(id));

    ClientEncryption reader = vault.fle4j();
    assertThat(reader.decrypt(det)).isEqualTo(value);
    assertThat(reader.decrypt(rnd)).isEqualTo(value);
    assertThat(reader.encrypt(value, new EncryptOptions(DETERMINISTIC).keyId(id))).isEqualTo(det);
    assertThat(failures(kms)).isEmpty();
  }

  @Test
  void fle4jKeys_officialDecryptsAndEncryptsTheSameBytes() {
    // fle4j's own form: no region, taken from the ARN; the stored document has it.
    BsonBinary id = fle4j.createDataKey("aws", new DataKeyOptions()
        .masterKey(vault.masterKey(keyArn, null)));
    BsonValue value = new BsonString("made by fle4j");
    BsonBinary det = fle4j.encrypt(value, new EncryptOptions(DETERMINISTIC).keyId(id));
    BsonBinary rnd = fle4j.encrypt(value, new EncryptOptions(RANDOM).keyId(id));

    ClientEncryption reader = vault.official();
    assertThat(reader.decrypt(det)).isEqualTo(value);
    assertThat(reader.decrypt(rnd)).isEqualTo(value);
    assertThat(reader.encrypt(value, new EncryptOptions(DETERMINISTIC).keyId(id))).isEqualTo(det);
    assertThat(failures(kms)).isEmpty();
  }

  @Test
  void temporaryCredentialsWithSessionToken_bothSidesSignTheToken() {
    AwsKmsEmulator.Credentials temporary = kms.issueTemporaryCredentials(Duration.ofMinutes(10));
    Map<String, Map<String, Object>> providers = Map.of("aws", temporary.asKmsProviderProperties());
    ClientEncryption officialTemp = vault.official(providers);
    ClientEncryption fle4jTemp = vault.fle4j(providers, b -> { });

    BsonBinary id = officialTemp.createDataKey("aws",
        new DataKeyOptions().masterKey(vault.masterKey(keyArn, REGION)));
    BsonValue value = new BsonString("temporary");
    assertThat(fle4jTemp.decrypt(officialTemp.encrypt(value, new EncryptOptions(RANDOM).keyId(id))))
        .isEqualTo(value);
    assertThat(kms.requests()).allSatisfy(r -> {
      assertThat(r.principal()).isEqualTo(temporary.accessKeyId());
      assertThat(r.status()).isEqualTo(200);
    });

    kms.revoke(temporary);
    BsonDocument masterKey = vault.masterKey(keyArn, REGION);
    assertThatThrownBy(() -> vault.official(providers).createDataKey("aws",
        new DataKeyOptions().masterKey(masterKey)))
        .isInstanceOf(MongoException.class).hasMessageContaining("ExpiredTokenException");
    assertThatThrownBy(() -> vault.fle4j(providers, b -> { }).createDataKey("aws",
        new DataKeyOptions().masterKey(masterKey)))
        .isInstanceOf(MongoException.class).hasMessageContaining("ExpiredTokenException");
  }

  @Test
  void namedProviderInAnotherAccount_keysCrossBothWays() {
    String otherKey = kms.createKey(AwsVault.OTHER_ACCOUNT, "eu-central-1");
    BsonDocument masterKey = vault.masterKey(otherKey, "eu-central-1");
    BsonBinary byOfficial = official.createDataKey("aws:other", new DataKeyOptions().masterKey(masterKey));
    BsonBinary byFle4j = fle4j.createDataKey("aws:other", new DataKeyOptions().masterKey(masterKey));
    BsonValue value = new BsonString("named");

    assertThat(vault.rawKey(byOfficial).getDocument("masterKey"))
        .isEqualTo(vault.rawKey(byFle4j).getDocument("masterKey"));
    assertThat(vault.fle4j().decrypt(official.encrypt(value, new EncryptOptions(RANDOM).keyId(byOfficial))))
        .isEqualTo(value);
    assertThat(vault.official().decrypt(fle4j.encrypt(value, new EncryptOptions(RANDOM).keyId(byFle4j))))
        .isEqualTo(value);
    assertThat(failures(kms)).isEmpty();
  }

  @Test
  void rewrap_fle4jMovesOfficialLocalKeysToAws_officialReadsThem() {
    BsonBinary id = official.createDataKey("local");
    BsonValue value = new BsonString("moved");
    BsonBinary ciphertext = official.encrypt(value, new EncryptOptions(RANDOM).keyId(id));

    fle4j.rewrapManyDataKey(Filters.eq("_id", id), new RewrapManyDataKeyOptions()
        .provider("aws").masterKey(vault.masterKey(keyArn, REGION)));

    ClientEncryption awsOnly = vault.official(Map.of("aws", kms.credentials().asKmsProviderProperties()));
    assertThat(awsOnly.decrypt(ciphertext)).isEqualTo(value);
    assertThat(kms.requests()).extracting(RecordedHttpRequest::operation)
        .containsExactly("Encrypt", "Decrypt");
  }

  @Test
  void kmsFailure_officialDriverSeesTheEmulatorsErrorShape() {
    kms.faults().failNext("Encrypt", 1, 400, "AccessDeniedException");
    long before = vault.keyCount();
    assertThatThrownBy(() -> official.createDataKey("aws",
        new DataKeyOptions().masterKey(vault.masterKey(keyArn, REGION))))
        .isInstanceOf(MongoException.class)
        .hasMessageContaining("400");
    assertThat(vault.keyCount()).isEqualTo(before);
  }
}
