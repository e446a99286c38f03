package io.fle4j.it.azure;

import static io.fle4j.it.azure.AzureVault.RANDOM;
import static org.assertj.core.api.Assertions.assertThat;

import com.mongodb.client.model.vault.DataKeyOptions;
import com.mongodb.client.model.vault.EncryptOptions;
import com.mongodb.client.vault.ClientEncryption;
import io.fle4j.testkit.kms.http.RecordedHttpRequest;
import io.fle4j.it.CloudKmsCrossDriverTest;
import io.fle4j.it.TestKeyVault;
import io.fle4j.testkit.kms.azure.AzureKeyVaultEmulator;
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
 * The Azure Key Vault emulator proven by the official driver, and fle4j proven against it:
 * libmongocrypt (through {@code mongodb-crypt}) makes its own token and wrapkey/unwrapkey
 * requests to the emulator ({@code identityPlatformEndpoint} and {@code keyVaultEndpoint} both
 * {@code 127.0.0.1:<port>}, the emulator's CA in {@code kmsProviderSslContextMap}). Each side's
 * data keys are read by the other, and both write the same key documents.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AzureCrossDriverTest extends CloudKmsCrossDriverTest {
  private static final String KEY = "fle4j-kek";
  private AzureKeyVaultEmulator azure;
  private String firstVersion;
  private AzureVault vault;

  @BeforeAll
  void start() {
    azure = AzureKeyVaultEmulator.start();
    firstVersion = azure.createKey(KEY);
    vault = new AzureVault(azure);
    fle4j = vault.fle4j();
    official = vault.official();
  }

  @AfterAll
  void stop() throws Exception {
    vault.close();
    azure.close();
  }

  @BeforeEach
  void reset() {
    azure.faults().clear();
    azure.resetCounters();
  }

  @Override
  protected String provider() {
    return "azure";
  }

  @Override
  protected TestKeyVault vault() {
    return vault;
  }

  @Override
  protected BsonDocument masterKey() {
    return vault.masterKey(KEY, null);
  }

  /** fle4j's own input form: a full URL; the stored document holds host:port. */
  @Override
  protected BsonDocument fle4jInputMasterKey() {
    return vault.masterKey(KEY, firstVersion)
        .append("keyVaultEndpoint", new BsonString("https://" + azure.endpoint() + "/keys/"));
  }

  @Override
  protected BsonDocument missingMasterKey() {
    return vault.masterKey("no-such-key", null);
  }

  @Override
  protected String missingKeyCode() {
    return "KeyNotFound";
  }

  @Override
  protected Map<String, Object> accessTokenEntry() {
    return Map.of("accessToken", azure.issueAccessToken(vault.app));
  }

  @Override
  protected List<RecordedHttpRequest> requests() {
    return azure.requests();
  }

  @Override
  protected int tokenRequests() {
    return azure.requestCount("token");
  }

  @Test
  void createDataKey_bothSides_writeTheSameMasterKeyInTheSameOrder() {
    BsonBinary byOfficial = official.createDataKey("azure",
        new DataKeyOptions().masterKey(vault.masterKey(KEY, null)));
    BsonBinary byFle4j = fle4j.createDataKey("azure",
        new DataKeyOptions().masterKey(vault.masterKey(KEY, null)));
    BsonBinary versionedByOfficial = official.createDataKey("azure",
        new DataKeyOptions().masterKey(vault.masterKey(KEY, firstVersion)));
    BsonBinary versionedByFle4j = fle4j.createDataKey("azure",
        new DataKeyOptions().masterKey(vault.masterKey(KEY, firstVersion)));

    assertThat(refused()).as("requests the emulator refused").isEmpty();
    BsonDocument officialDoc = vault.rawKey(byOfficial);
    BsonDocument fle4jDoc = vault.rawKey(byFle4j);
    assertThat(officialDoc.keySet()).containsExactlyElementsOf(fle4jDoc.keySet());
    BsonDocument officialMasterKey = officialDoc.getDocument("masterKey");
    // What libmongocrypt wrote: provider, keyVaultEndpoint (host:port), keyName.
    assertThat(officialMasterKey.keySet()).containsExactly("provider", "keyVaultEndpoint", "keyName");
    assertThat(officialMasterKey.getString("keyVaultEndpoint").getValue()).isEqualTo(azure.endpoint());
    assertThat(fle4jDoc.getDocument("masterKey").keySet())
        .containsExactlyElementsOf(officialMasterKey.keySet());
    assertThat(fle4jDoc.getDocument("masterKey")).isEqualTo(officialMasterKey);

    BsonDocument officialVersioned = vault.rawKey(versionedByOfficial).getDocument("masterKey");
    assertThat(officialVersioned.keySet())
        .containsExactly("provider", "keyVaultEndpoint", "keyName", "keyVersion");
    assertThat(vault.rawKey(versionedByFle4j).getDocument("masterKey").keySet())
        .containsExactlyElementsOf(officialVersioned.keySet());
    assertThat(vault.rawKey(versionedByFle4j).getDocument("masterKey")).isEqualTo(officialVersioned);
    assertThat(vault.rawKey(byOfficial).getBinary("keyMaterial").getData()).hasSize(256);
  }

  @Test
  void libmongocryptRequests_haveItsShape_andTheEmulatorAcceptsThem() {
    ClientEncryption freshOfficial = vault.official();
    freshOfficial.createDataKey("azure", new DataKeyOptions().masterKey(vault.masterKey(KEY, null)));

    List<RecordedHttpRequest> requests = azure.requests();
    assertThat(requests).extracting(RecordedHttpRequest::operation)
        .containsExactly("token", "wrapkey");
    assertThat(requests).allSatisfy(r -> assertThat(r.status()).isEqualTo(200));
    assertThat(requests.get(0).path()).isEqualTo("/" + azure.tenantId() + "/oauth2/v2.0/token");
    assertThat(requests.get(0).host()).isEqualTo("127.0.0.1"); // the host, without the port
    assertThat(requests.get(1).path()).isEqualTo("/keys/" + KEY + "//wrapkey");
    assertThat(requests.get(1).query()).isEqualTo("api-version=7.1");
    assertThat(requests.get(1).headerNames()).contains("Connection");
  }

  @Test
  void namedProvider_keysCrossBothWays() {
    BsonDocument masterKey = vault.masterKey(KEY, null);
    BsonBinary byOfficial = official.createDataKey("azure:other", new DataKeyOptions().masterKey(masterKey));
    BsonBinary byFle4j = fle4j.createDataKey("azure:other", new DataKeyOptions().masterKey(masterKey));
    BsonValue value = new BsonString("named");

    assertThat(vault.rawKey(byOfficial).getDocument("masterKey"))
        .isEqualTo(vault.rawKey(byFle4j).getDocument("masterKey"));
    assertThat(vault.rawKey(byOfficial).getDocument("masterKey").getString("provider").getValue())
        .isEqualTo("azure:other");
    assertThat(vault.fle4j().decrypt(official.encrypt(value, new EncryptOptions(RANDOM).keyId(byOfficial))))
        .isEqualTo(value);
    assertThat(vault.official().decrypt(fle4j.encrypt(value, new EncryptOptions(RANDOM).keyId(byFle4j))))
        .isEqualTo(value);
    assertThat(refused()).isEmpty();
  }

}
