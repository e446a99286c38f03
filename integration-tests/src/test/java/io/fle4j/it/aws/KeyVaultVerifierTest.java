package io.fle4j.it.aws;

import static org.assertj.core.api.Assertions.assertThat;

import com.mongodb.client.model.vault.DataKeyOptions;
import com.mongodb.client.vault.ClientEncryption;
import io.fle4j.KeyVaultVerifier;
import io.fle4j.KeyVaultVerifier.KeyStatus;
import io.fle4j.KeyVaultVerifier.Reachability;
import io.fle4j.KeyVaultVerifier.Readability;
import io.fle4j.testkit.kms.aws.AwsKmsEmulator;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.bson.BsonBinary;
import org.bson.BsonDocument;
import org.bson.BsonString;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link KeyVaultVerifier} against the AWS KMS emulator and a local key: a disabled master key,
 * a malformed document, shared alternate names and a missing index are each found and named; the
 * provider probe unwraps one key per provider.
 */
class KeyVaultVerifierTest {
  private static final String REGION = "us-east-1";

  private AwsKmsEmulator kms;
  private AwsVault vault;
  private ClientEncryption fle4j;

  @BeforeEach
  void open() {
    kms = AwsKmsEmulator.start();
    vault = new AwsVault(kms);
    fle4j = vault.fle4j();
  }

  @AfterEach
  void close() throws Exception {
    vault.close();
    kms.close();
  }

  private BsonBinary awsKey(String keyArn, String... altNames) {
    return fle4j.createDataKey("aws", new DataKeyOptions()
        .masterKey(vault.masterKey(keyArn, REGION)).keyAltNames(List.of(altNames)));
  }

  @Test
  void aHealthyVaultIsAllFine() {
    awsKey(kms.createKey(REGION), "a");
    fle4j.createDataKey("local", new DataKeyOptions().keyAltNames(List.of("b")));
    kms.resetCounters();

    KeyVaultVerifier.Report report = KeyVaultVerifier.of(fle4j).verify(new BsonDocument(), 4);

    assertThat(report.keys()).hasSize(2).allMatch(k -> k.readability() == Readability.READABLE);
    assertThat(report.indexProblem()).isNull();
    assertThat(report.sharedAltNames()).isEmpty();
    assertThat(report.allFine()).isTrue();
    assertThat(kms.requestCount("Decrypt")).isEqualTo(1);
  }

  @Test
  void findsADisabledMasterKeyAMalformedDocumentAndSharedNames() {
    String disabled = kms.createKey(REGION);
    BsonBinary good = awsKey(kms.createKey(REGION), "shared");
    BsonBinary bad = awsKey(disabled);
    kms.disableKey(disabled);
    // A document no driver would accept: an unknown field, beside a well formed one.
    UUID malformedId = UUID.randomUUID();
    BsonDocument malformed = vault.rawKey(good).clone();
    malformed.put("_id", new BsonBinary(malformedId));
    malformed.put("keyAltNames", new org.bson.BsonArray(List.of(new BsonString("shared"))));
    malformed.put("color", new BsonString("blue"));
    vault.keys.dropIndexes();
    vault.keys.insertOne(malformed);

    KeyVaultVerifier.Report report = KeyVaultVerifier.of(fle4j).verify(new BsonDocument(), 2);

    Map<String, KeyStatus> byId = new java.util.HashMap<>();
    report.keys().forEach(k -> byId.put(k.id(), k));
    assertThat(byId.get(good.asUuid().toString()).readability()).isEqualTo(Readability.READABLE);
    KeyStatus unreadable = byId.get(bad.asUuid().toString());
    assertThat(unreadable.readability()).isEqualTo(Readability.UNREADABLE);
    assertThat(unreadable.provider()).isEqualTo("aws");
    assertThat(unreadable.detail()).contains("KmsProviderException").containsIgnoringCase("disabled");
    KeyStatus wrongShape = byId.get(malformedId.toString());
    assertThat(wrongShape.readability()).isEqualTo(Readability.MALFORMED);
    assertThat(wrongShape.detail()).contains("color");
    assertThat(report.sharedAltNames()).containsOnlyKeys("shared");
    assertThat(report.sharedAltNames().get("shared"))
        .containsExactlyInAnyOrder(good.asUuid().toString(), malformedId.toString());
    assertThat(report.indexProblem()).contains("no unique index on keyAltNames");
    assertThat(report.allFine()).isFalse();
    assertThat(report.toString()).doesNotContain(
        java.util.HexFormat.of().formatHex(vault.rawKey(good).getBinary("keyMaterial").getData()));
  }

  @Test
  void aMasterKeyDocumentTheProviderRefusesIsMalformed() {
    BsonBinary id = awsKey(kms.createKey(REGION));
    vault.keys.updateOne(new BsonDocument("_id", id), BsonDocument.parse(
        "{$unset: {'masterKey.key': 1}}"));

    KeyStatus status = KeyVaultVerifier.of(fle4j).verify(new BsonDocument(), 1).keys().get(0);

    assertThat(status.readability()).isEqualTo(Readability.MALFORMED);
    assertThat(status.detail()).contains("key");
  }

  @Test
  void aKeyOfAProviderThatIsNotConfiguredIsUnreadable_notMalformed() {
    BsonBinary id = awsKey(kms.createKey(REGION));
    vault.keys.updateOne(new BsonDocument("_id", id), BsonDocument.parse(
        "{$set: {'masterKey.provider': 'aws:elsewhere'}}"));

    KeyStatus status = KeyVaultVerifier.of(fle4j).verify(new BsonDocument(), 1).keys().get(0);

    assertThat(status.readability()).isEqualTo(Readability.UNREADABLE);
    assertThat(status.detail()).contains("aws:elsewhere").contains("configured");
  }

  @Test
  void parallelismIsBounded() {
    org.assertj.core.api.Assertions.assertThatThrownBy(() ->
            KeyVaultVerifier.of(fle4j).verify(new BsonDocument(), 1000))
        .isInstanceOf(io.fle4j.ConfigurationException.class).hasMessageContaining("1 to 64");
  }

  @Test
  void probeUnwrapsTheNewestKeyOfEachProvider() {
    String master = kms.createKey(REGION);
    BsonBinary older = awsKey(master);
    BsonBinary newest = awsKey(master);
    vault.keys.updateOne(new BsonDocument("_id", older), new BsonDocument("$set",
        new BsonDocument("updateDate", new org.bson.BsonDateTime(0))));
    kms.resetCounters();

    Map<String, KeyVaultVerifier.ProviderStatus> probe = KeyVaultVerifier.of(fle4j).probeProviders();

    assertThat(probe).containsOnlyKeys("aws", "aws:other", "local");
    assertThat(probe.get("aws").reachability()).isEqualTo(Reachability.REACHABLE);
    assertThat(probe.get("aws").keyId()).isEqualTo(newest.asUuid().toString());
    assertThat(probe.get("aws:other").reachability()).isEqualTo(Reachability.NO_KEY);
    assertThat(probe.get("local").reachability()).isEqualTo(Reachability.NO_KEY);
    assertThat(kms.requestCount("Decrypt")).isEqualTo(1);

    kms.revoke(kms.credentials());
    KeyVaultVerifier.ProviderStatus down = KeyVaultVerifier.of(fle4j).probeProviders().get("aws");
    assertThat(down.reachability()).isEqualTo(Reachability.UNREACHABLE);
    assertThat(down.detail()).contains("KmsProviderException");
  }
}
