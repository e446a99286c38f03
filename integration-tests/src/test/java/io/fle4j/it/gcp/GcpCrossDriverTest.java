package io.fle4j.it.gcp;

import static io.fle4j.it.gcp.GcpVault.RANDOM;
import static org.assertj.core.api.Assertions.assertThat;

import com.mongodb.client.model.vault.DataKeyOptions;
import com.mongodb.client.model.vault.EncryptOptions;
import com.mongodb.client.vault.ClientEncryption;
import io.fle4j.testkit.kms.http.RecordedHttpRequest;
import io.fle4j.it.CloudKmsCrossDriverTest;
import io.fle4j.it.TestKeyVault;
import io.fle4j.testkit.kms.gcp.GcpKmsEmulator;
import java.time.Duration;
import java.util.List;
import java.util.Map;
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
 * The Cloud KMS emulator proven by the official driver, and fle4j proven against it:
 * libmongocrypt signs its own JWT (base64url with padding, {@code aud} without the port, the
 * custom-endpoint scope) and makes its own encrypt/decrypt requests to the emulator ({@code
 * kmsProviders.gcp.endpoint} and {@code masterKey.endpoint} both {@code 127.0.0.1:<port>}, the
 * emulator's CA in {@code kmsProviderSslContextMap}). Each side's data keys are read by the other
 * and both write the same key documents.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class GcpCrossDriverTest extends CloudKmsCrossDriverTest {
  private GcpKmsEmulator gcp;
  private GcpKmsEmulator.CryptoKey key;
  private GcpVault vault;

  @BeforeAll
  void start() {
    gcp = GcpKmsEmulator.start();
    key = gcp.createKey("global", "fle4j-ring", "fle4j-kek");
    vault = new GcpVault(gcp);
    fle4j = vault.fle4j();
    official = vault.official();
  }

  @AfterAll
  void stop() throws Exception {
    vault.close();
    gcp.close();
  }

  @BeforeEach
  void reset() {
    gcp.faults().clear();
    gcp.resetCounters();
  }

  @Override
  protected String provider() {
    return "gcp";
  }

  @Override
  protected TestKeyVault vault() {
    return vault;
  }

  @Override
  protected BsonDocument masterKey() {
    return key.masterKey();
  }

  /** fle4j's own input form: the endpoint as a full URL; the stored document holds host:port. */
  @Override
  protected BsonDocument fle4jInputMasterKey() {
    return key.masterKey().append("endpoint", new BsonString("https://" + gcp.endpoint() + "/"));
  }

  @Override
  protected BsonDocument missingMasterKey() {
    return key.masterKey().append("keyName", new BsonString("missing"));
  }

  @Override
  protected String missingKeyCode() {
    return "NOT_FOUND";
  }

  @Override
  protected Map<String, Object> accessTokenEntry() {
    return Map.of("accessToken",
        gcp.issueAccessToken(gcp.serviceAccount(), Duration.ofMinutes(10)));
  }

  @Override
  protected List<RecordedHttpRequest> requests() {
    return gcp.requests();
  }

  @Override
  protected int tokenRequests() {
    return gcp.requestCount("token");
  }

  @Test
  void createDataKey_bothSides_writeTheSameMasterKeyInTheSameOrder() {
    String v2 = gcp.createKeyVersion(key);
    BsonBinary byOfficial = official.createDataKey("gcp",
        new DataKeyOptions().masterKey(key.masterKey()));
    BsonBinary byFle4j = fle4j.createDataKey("gcp", new DataKeyOptions().masterKey(key.masterKey()));
    BsonBinary versionedByOfficial = official.createDataKey("gcp",
        new DataKeyOptions().masterKey(key.masterKey(v2)));
    BsonBinary versionedByFle4j = fle4j.createDataKey("gcp",
        new DataKeyOptions().masterKey(key.masterKey(v2)));

    assertThat(refused()).as("requests the emulator refused").isEmpty();
    BsonDocument officialDoc = vault.rawKey(byOfficial);
    BsonDocument fle4jDoc = vault.rawKey(byFle4j);
    assertThat(officialDoc.keySet()).containsExactlyElementsOf(fle4jDoc.keySet());
    BsonDocument officialMasterKey = officialDoc.getDocument("masterKey");
    assertThat(officialMasterKey.keySet())
        .containsExactly("provider", "projectId", "location", "keyRing", "keyName", "endpoint");
    assertThat(fle4jDoc.getDocument("masterKey").keySet())
        .containsExactlyElementsOf(officialMasterKey.keySet());
    assertThat(fle4jDoc.getDocument("masterKey")).isEqualTo(officialMasterKey);

    BsonDocument officialVersioned = vault.rawKey(versionedByOfficial).getDocument("masterKey");
    assertThat(officialVersioned.keySet()).containsExactly("provider", "projectId", "location",
        "keyRing", "keyName", "keyVersion", "endpoint");
    assertThat(vault.rawKey(versionedByFle4j).getDocument("masterKey").keySet())
        .containsExactlyElementsOf(officialVersioned.keySet());
    assertThat(vault.rawKey(versionedByFle4j).getDocument("masterKey")).isEqualTo(officialVersioned);
  }

  @Test
  void libmongocryptRequests_haveItsShape_andTheEmulatorAcceptsThem() {
    String v1 = gcp.primaryVersion(key);
    ClientEncryption freshOfficial = vault.official();
    BsonBinary id = freshOfficial.createDataKey("gcp",
        new DataKeyOptions().masterKey(key.masterKey(v1)));
    vault.official().encrypt(new BsonString("x"), new EncryptOptions(RANDOM).keyId(id));

    List<RecordedHttpRequest> requests = gcp.requests();
    assertThat(requests).extracting(RecordedHttpRequest::operation)
        .containsExactly("token", "encrypt", "token", "decrypt");
    assertThat(requests).allSatisfy(r -> assertThat(r.status()).isEqualTo(200));
    assertThat(requests.get(0).path()).isEqualTo("/token");
    assertThat(requests.get(0).host()).isEqualTo("127.0.0.1");
    assertThat(requests.get(1).path())
        .isEqualTo("/v1/" + key.resourceName() + "/cryptoKeyVersions/" + v1 + ":encrypt");
    assertThat(requests.get(3).path()).isEqualTo("/v1/" + key.resourceName() + ":decrypt");
    assertThat(requests.get(1).headerNames()).contains("Connection");
  }

  @Test
  void namedProviderAndPemKey_keysCrossBothWays() {
    Map<String, Object> pemEntry = vault.otherAccount.asKmsProviderProperties();
    pemEntry.put("privateKey", vault.otherAccount.privateKeyPem());
    ClientEncryption fle4jPem = vault.fle4j(Map.of("gcp:other", pemEntry));
    BsonBinary byOfficial = official.createDataKey("gcp:other",
        new DataKeyOptions().masterKey(key.masterKey()));
    BsonBinary byFle4j = fle4jPem.createDataKey("gcp:other",
        new DataKeyOptions().masterKey(key.masterKey()));
    BsonValue value = new BsonString("named");

    assertThat(vault.rawKey(byOfficial).getDocument("masterKey"))
        .isEqualTo(vault.rawKey(byFle4j).getDocument("masterKey"));
    assertThat(fle4jPem.decrypt(official.encrypt(value, new EncryptOptions(RANDOM).keyId(byOfficial))))
        .isEqualTo(value);
    assertThat(vault.official().decrypt(fle4jPem.encrypt(value,
        new EncryptOptions(RANDOM).keyId(byFle4j)))).isEqualTo(value);
    assertThat(refused()).isEmpty();
  }

}
