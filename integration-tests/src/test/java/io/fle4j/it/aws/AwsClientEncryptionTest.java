package io.fle4j.it.aws;

import static io.fle4j.it.aws.AwsVault.DETERMINISTIC;
import static io.fle4j.it.aws.AwsVault.RANDOM;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.mongodb.MongoClientException;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.vault.DataKeyOptions;
import com.mongodb.client.model.vault.EncryptOptions;
import com.mongodb.client.model.vault.RewrapManyDataKeyOptions;
import com.mongodb.client.model.vault.RewrapManyDataKeyResult;
import com.mongodb.client.vault.ClientEncryption;
import io.fle4j.kms.KmsProviderException;
import io.fle4j.testkit.kms.aws.AwsKmsEmulator;
import io.fle4j.testkit.kms.http.RecordedHttpRequest;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.bson.BsonBinary;
import org.bson.BsonDocument;
import org.bson.BsonInt32;
import org.bson.BsonString;
import org.bson.BsonValue;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * fle4j's {@code ClientEncryption} with {@code kmsProviders.aws} maps (the drop-in path) against
 * the AWS KMS emulator: data keys, encryption, failures that must write nothing, rewrapping
 * between providers and regions, and credentials supplied on demand.
 */
class AwsClientEncryptionTest {
  private static final String EAST = "us-east-1";
  private static final String WEST = "eu-west-1";
  private static AwsKmsEmulator kms;
  private static String eastKey;
  private static String westKey;

  private AwsVault vault;
  private ClientEncryption fle4j;

  @BeforeAll
  static void startKms() {
    kms = AwsKmsEmulator.start();
    eastKey = kms.createKey(EAST);
    westKey = kms.createKey(WEST);
  }

  @AfterAll
  static void stopKms() {
    kms.close();
  }

  @BeforeEach
  void openVault() {
    kms.faults().clear();
    kms.resetCounters();
    vault = new AwsVault(kms);
    fle4j = vault.fle4j();
  }

  @AfterEach
  void closeVault() throws Exception {
    vault.close();
  }

  @Test
  void createDataKey_keyArnWithoutRegion_storesLibmongocryptMasterKeyAndEncrypts() {
    BsonBinary id = fle4j.createDataKey("aws", new DataKeyOptions()
        .masterKey(vault.masterKey(eastKey, null)).keyAltNames(List.of("ssn")));

    BsonDocument doc = vault.rawKey(id);
    assertThat(doc.keySet()).containsExactly(
        "_id", "keyAltNames", "keyMaterial", "creationDate", "updateDate", "status", "masterKey");
    assertThat(doc.getDocument("masterKey")).isEqualTo(new BsonDocument("provider", new BsonString("aws"))
        .append("region", new BsonString(EAST)).append("key", new BsonString(eastKey))
        .append("endpoint", new BsonString(kms.endpoint())));
    assertThat(doc.getBinary("keyMaterial").getType()).isZero();
    assertThat(kms.requestCount("Encrypt")).isEqualTo(1);

    BsonValue value = new BsonString("123-45-6789");
    BsonBinary det = fle4j.encrypt(value, new EncryptOptions(DETERMINISTIC).keyAltName("ssn"));
    BsonBinary rnd = fle4j.encrypt(value, new EncryptOptions(RANDOM).keyId(id));
    ClientEncryption fresh = vault.fle4j();
    assertThat(fresh.decrypt(det)).isEqualTo(value);
    assertThat(fresh.decrypt(rnd)).isEqualTo(value);
    assertThat(fresh.encrypt(value, new EncryptOptions(DETERMINISTIC).keyId(id))).isEqualTo(det);
  }

  @Test
  void createDataKey_kmsRefuses_writesNothingAndNamesTheKey() {
    long before = vault.keyCount();
    kms.faults().failNext("Encrypt", 1, 400, "AccessDeniedException");

    assertThatThrownBy(() -> fle4j.createDataKey("aws",
        new DataKeyOptions().masterKey(vault.masterKey(eastKey, EAST))))
        .isInstanceOf(MongoClientException.class)
        .isInstanceOf(KmsProviderException.class)
        .hasMessageContaining("AccessDeniedException").hasMessageContaining(eastKey)
        .hasMessageNotContaining(kms.credentials().secretAccessKey());

    assertThat(vault.keyCount()).isEqualTo(before);
    assertThat(kms.requestCount("Encrypt")).isEqualTo(1);
  }

  @Test
  void createDataKey_kmsThrottlesBeyondRetries_writesNothing() {
    long before = vault.keyCount();
    kms.faults().throttleNext(10);

    assertThatThrownBy(() -> fle4j.createDataKey("aws",
        new DataKeyOptions().masterKey(vault.masterKey(eastKey, EAST))))
        .isInstanceOf(KmsProviderException.class)
        .hasMessageContaining("ThrottlingException")
        .satisfies(e -> assertThat(((KmsProviderException) e).isRetryable()).isTrue());

    assertThat(vault.keyCount()).isEqualTo(before);
    assertThat(kms.requestCount("Encrypt")).isEqualTo(3);
  }

  @Test
  void kmsEvents_countTheRequestsRetriesIncluded() {
    java.util.List<io.fle4j.EncryptionEvent.KmsRequest> calls =
        new java.util.concurrent.CopyOnWriteArrayList<>();
    ClientEncryption observed = vault.track(io.fle4j.ClientEncryptions.create(
        vault.settings(vault.kmsProviders()).build(), io.fle4j.Fle4jSettings.builder()
            .eventListener(new io.fle4j.EncryptionEventListener() {
              @Override
              public void kmsRequest(io.fle4j.EncryptionEvent.KmsRequest event) {
                calls.add(event);
              }
            }).build()));
    kms.faults().throttleNext(1);
    observed.createDataKey("aws", new DataKeyOptions().masterKey(vault.masterKey(eastKey, EAST)));
    kms.faults().throttleNext(10);
    assertThatThrownBy(() -> observed.createDataKey("aws",
        new DataKeyOptions().masterKey(vault.masterKey(eastKey, EAST))))
        .isInstanceOf(KmsProviderException.class);

    assertThat(calls).extracting(io.fle4j.EncryptionEvent.KmsRequest::outcome,
        io.fle4j.EncryptionEvent.KmsRequest::attempts).containsExactly(
            org.assertj.core.groups.Tuple.tuple(io.fle4j.EncryptionEvent.Outcome.SUCCESS, 2),
            org.assertj.core.groups.Tuple.tuple(io.fle4j.EncryptionEvent.Outcome.FAILURE, 3));
    assertThat(kms.requestCount("Encrypt")).isEqualTo(5);
  }

  @Test
  void createDataKey_disabledKeyOrBadMasterKey_writesNothing() {
    String disabled = kms.createKey(EAST);
    kms.disableKey(disabled);
    long before = vault.keyCount();

    assertThatThrownBy(() -> fle4j.createDataKey("aws",
        new DataKeyOptions().masterKey(vault.masterKey(disabled, null))))
        .hasMessageContaining("DisabledException");
    assertThatThrownBy(() -> fle4j.createDataKey("aws",
        new DataKeyOptions().masterKey(vault.masterKey(eastKey, WEST))))
        .hasMessageContaining("masterKey.region");
    assertThatThrownBy(() -> fle4j.createDataKey("aws",
        new DataKeyOptions().masterKey(vault.masterKey("alias/x", null))))
        .hasMessageContaining("masterKey.region");

    assertThat(vault.keyCount()).isEqualTo(before);
  }

  /** Keys made under one master key, with ciphertexts made with them. */
  private final class Keys {
    final List<BsonBinary> ids = new ArrayList<>();
    final Map<BsonBinary, BsonBinary> ciphertexts = new LinkedHashMap<>();
    final Map<BsonBinary, BsonBinary> deterministic = new LinkedHashMap<>();

    Keys(String provider, BsonDocument masterKey, int count) {
      for (int i = 0; i < count; i++) {
        DataKeyOptions options = new DataKeyOptions();
        if (masterKey != null) {
          options.masterKey(masterKey);
        }
        BsonBinary id = fle4j.createDataKey(provider, options);
        ids.add(id);
        ciphertexts.put(id, fle4j.encrypt(new BsonInt32(i), new EncryptOptions(RANDOM).keyId(id)));
        deterministic.put(id, fle4j.encrypt(new BsonString("v" + i),
            new EncryptOptions(DETERMINISTIC).keyId(id)));
      }
    }

    void assertReadableBy(ClientEncryption reader) {
      int i = 0;
      for (BsonBinary id : ids) {
        assertThat(reader.decrypt(ciphertexts.get(id))).isEqualTo(new BsonInt32(i));
        assertThat(reader.encrypt(new BsonString("v" + i),
            new EncryptOptions(DETERMINISTIC).keyId(id))).isEqualTo(deterministic.get(id));
        i++;
      }
    }
  }

  @Test
  void rewrapManyDataKey_localToAws_everyKeyReadableWithAwsOnly() {
    Keys keys = new Keys("local", null, 3);

    RewrapManyDataKeyResult result = fle4j.rewrapManyDataKey(Filters.in("_id", keys.ids),
        new RewrapManyDataKeyOptions().provider("aws").masterKey(vault.masterKey(eastKey, null)));

    assertThat(result.getBulkWriteResult().getModifiedCount()).isEqualTo(3);
    for (BsonBinary id : keys.ids) {
      assertThat(vault.rawKey(id).getDocument("masterKey").getString("key").getValue())
          .isEqualTo(eastKey);
    }
    Map<String, Map<String, Object>> awsOnly = Map.of("aws", kms.credentials().asKmsProviderProperties());
    kms.resetCounters();
    keys.assertReadableBy(vault.fle4j(awsOnly, b -> { }));
    assertThat(kms.requestCount("Decrypt")).isEqualTo(3); // one per key, then cached
  }

  @Test
  void rewrapManyDataKey_awsToAwsInAnotherRegion_everyKeyReadableAndOldKeyNoLongerNeeded() {
    String retiring = kms.createKey(EAST);
    Keys keys = new Keys("aws", vault.masterKey(retiring, null), 3);

    RewrapManyDataKeyResult result = fle4j.rewrapManyDataKey(Filters.in("_id", keys.ids),
        new RewrapManyDataKeyOptions().provider("aws").masterKey(vault.masterKey(westKey, null)));

    assertThat(result.getBulkWriteResult().getModifiedCount()).isEqualTo(3);
    for (BsonBinary id : keys.ids) {
      BsonDocument masterKey = vault.rawKey(id).getDocument("masterKey");
      assertThat(masterKey.getString("region").getValue()).isEqualTo(WEST);
      assertThat(masterKey.getString("key").getValue()).isEqualTo(westKey);
    }
    kms.disableKey(retiring); // proves the readers below never need it
    keys.assertReadableBy(vault.fle4j());
  }

  @Test
  void rewrapManyDataKey_awsToNamedProviderInAnotherAccount_everyKeyReadable() {
    String otherAccountKey = kms.createKey(AwsVault.OTHER_ACCOUNT, WEST);
    Keys keys = new Keys("aws", vault.masterKey(eastKey, null), 2);

    fle4j.rewrapManyDataKey(Filters.in("_id", keys.ids), new RewrapManyDataKeyOptions()
        .provider("aws:other").masterKey(vault.masterKey(otherAccountKey, null)));

    assertThat(vault.rawKey(keys.ids.get(0)).getDocument("masterKey").getString("provider")
        .getValue()).isEqualTo("aws:other");
    keys.assertReadableBy(vault.fle4j(
        Map.of("aws:other", vault.otherAccount.asKmsProviderProperties()), b -> { }));
  }

  @Test
  void rewrapManyDataKey_kmsFailsMidway_writesNothingAndKeysStayReadable() {
    Keys keys = new Keys("aws", vault.masterKey(eastKey, null), 3);
    List<BsonDocument> before = new ArrayList<>();
    keys.ids.forEach(id -> before.add(vault.rawKey(id)));
    kms.faults().failNext("Encrypt", 1, 400, "AccessDeniedException");

    assertThatThrownBy(() -> fle4j.rewrapManyDataKey(Filters.in("_id", keys.ids),
        new RewrapManyDataKeyOptions().provider("aws").masterKey(vault.masterKey(westKey, null))))
        .hasMessageContaining("AccessDeniedException");

    List<BsonDocument> after = new ArrayList<>();
    keys.ids.forEach(id -> after.add(vault.rawKey(id)));
    assertThat(after).isEqualTo(before);
    keys.assertReadableBy(vault.fle4j());
  }

  @Test
  void kmsProviderPropertySuppliers_credentialsRotatedWhileRunning_nextCallUsesNewOnes() {
    AwsKmsEmulator.Credentials first = kms.createAccessKey(kms.accountId());
    AwsKmsEmulator.Credentials second = kms.createAccessKey(kms.accountId());
    AtomicReference<AwsKmsEmulator.Credentials> current = new AtomicReference<>(first);
    Supplier<Map<String, Object>> supplier = () -> current.get().asKmsProviderProperties();
    Map<String, Map<String, Object>> onDemand = new LinkedHashMap<>();
    onDemand.put("aws", Map.of());
    ClientEncryption rotating = vault.fle4j(onDemand,
        b -> b.kmsProviderPropertySuppliers(Map.of("aws", supplier)));

    BsonBinary firstKey = rotating.createDataKey("aws",
        new DataKeyOptions().masterKey(vault.masterKey(eastKey, null)));
    current.set(second);
    kms.revoke(first);
    BsonBinary secondKey = rotating.createDataKey("aws",
        new DataKeyOptions().masterKey(vault.masterKey(eastKey, null)));

    BsonValue value = new BsonString("rotated");
    assertThat(rotating.decrypt(rotating.encrypt(value,
        new EncryptOptions(RANDOM).keyId(firstKey)))).isEqualTo(value);
    assertThat(rotating.decrypt(rotating.encrypt(value,
        new EncryptOptions(RANDOM).keyId(secondKey)))).isEqualTo(value);
    assertThat(kms.requests()).extracting(RecordedHttpRequest::principal)
        .containsExactly(first.accessKeyId(), second.accessKeyId(), second.accessKeyId(),
            second.accessKeyId());
  }
}
