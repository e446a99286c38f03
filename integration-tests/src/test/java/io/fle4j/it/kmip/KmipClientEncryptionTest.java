package io.fle4j.it.kmip;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.mongodb.MongoClientException;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.vault.DataKeyOptions;
import com.mongodb.client.model.vault.EncryptOptions;
import com.mongodb.client.model.vault.RewrapManyDataKeyOptions;
import com.mongodb.client.model.vault.RewrapManyDataKeyResult;
import com.mongodb.client.vault.ClientEncryption;
import io.fle4j.kms.kmip.KmipKeyNotFoundException;
import io.fle4j.testkit.kms.kmip.PyKmipServer;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.bson.BsonBinary;
import org.bson.BsonBoolean;
import org.bson.BsonDocument;
import org.bson.BsonInt32;
import org.bson.BsonString;
import org.bson.BsonValue;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * fle4j's ClientEncryption with the KMIP provider configured the driver's way (map path), against
 * a real KMIP server (PyKMIP): data keys in default and delegated mode, explicit encryption, and
 * rewrapping between modes and providers.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class KmipClientEncryptionTest {
  private static final String DETERMINISTIC = "AEAD_AES_256_CBC_HMAC_SHA_512-Deterministic";
  private static final String RANDOM = "AEAD_AES_256_CBC_HMAC_SHA_512-Random";

  @TempDir static Path dir;
  private Optional<PyKmipServer> started = Optional.empty();
  private PyKmipServer kmip;
  private KmipVault vault;
  private ClientEncryption fle4j;
  private final byte[] localKey = new byte[96];

  @BeforeAll
  void start() {
    started = PyKmipServer.startIfInstalled(dir);
    if (started.isEmpty()) {
      return; // every test is then skipped by requireServer
    }
    kmip = started.get();
    vault = new KmipVault(kmip);
    new SecureRandom().nextBytes(localKey);
    fle4j = vault.fle4j(vault.settings(vault.kmsProviders(Map.of("local", Map.of("key", localKey))),
        Map.of("kmip", kmip.clientSslContext())));
  }

  @BeforeEach
  void requireServer() {
    PyKmipServer.orAbort(started);
  }

  @AfterAll
  void stop() throws Exception {
    if (vault != null) {
      vault.close();
    }
    started.ifPresent(PyKmipServer::close);
  }

  private static EncryptOptions opts(String algorithm, BsonBinary keyId) {
    return new EncryptOptions(algorithm).keyId(keyId);
  }

  @Test
  void createDataKey_defaultMode_storesProviderAndKeyIdAnd160BytesAndEncrypts() {
    BsonBinary id = fle4j.createDataKey("kmip",
        new DataKeyOptions().keyAltNames(List.of("kmip-default")));

    BsonDocument stored = vault.rawKey(id);
    assertThat(stored.getDocument("masterKey").keySet()).containsExactly("provider", "keyId");
    assertThat(stored.getDocument("masterKey").getString("provider").getValue()).isEqualTo("kmip");
    assertThat(stored.getBinary("keyMaterial").getData()).hasSize(160);
    BsonValue value = new BsonString("123-45-6789");
    BsonBinary deterministic = fle4j.encrypt(value, opts(DETERMINISTIC, id));
    assertThat(fle4j.decrypt(deterministic)).isEqualTo(value);
    assertThat(fle4j.decrypt(fle4j.encrypt(value,
        new EncryptOptions(RANDOM).keyAltName("kmip-default")))).isEqualTo(value);
    assertThat(fle4j.encrypt(value, opts(DETERMINISTIC, id))).isEqualTo(deterministic);
  }

  @Test
  void createDataKey_delegated_storesDelegatedTrueAnd128BytesAndEncrypts() {
    BsonBinary id = fle4j.createDataKey("kmip",
        new DataKeyOptions().masterKey(new BsonDocument("delegated", BsonBoolean.TRUE)));

    BsonDocument stored = vault.rawKey(id);
    assertThat(stored.getDocument("masterKey").keySet())
        .containsExactly("provider", "delegated", "keyId");
    assertThat(stored.getBinary("keyMaterial").getData()).hasSize(128);
    BsonValue value = new BsonInt32(42);
    assertThat(fle4j.decrypt(fle4j.encrypt(value, opts(RANDOM, id)))).isEqualTo(value);
  }

  @Test
  void createDataKey_existingKeyIdAndEndpoint_reuseTheKmipObject() {
    BsonBinary first = fle4j.createDataKey("kmip");
    String keyId = vault.rawKey(first).getDocument("masterKey").getString("keyId").getValue();

    BsonBinary second = fle4j.createDataKey("kmip", new DataKeyOptions().masterKey(
        new BsonDocument("keyId", new BsonString(keyId))
            .append("endpoint", new BsonString(kmip.endpoint()))));

    BsonDocument masterKey = vault.rawKey(second).getDocument("masterKey");
    assertThat(masterKey).isEqualTo(new BsonDocument("provider", new BsonString("kmip"))
        .append("endpoint", new BsonString(kmip.endpoint()))
        .append("keyId", new BsonString(keyId)));
    BsonValue value = new BsonString("shared KEK");
    assertThat(fle4j.decrypt(fle4j.encrypt(value, opts(RANDOM, second)))).isEqualTo(value);
  }

  @Test
  void rewrapManyDataKey_betweenDefaultDelegatedAndLocal_keepsEveryCiphertextReadable() {
    BsonBinary id = fle4j.createDataKey("kmip",
        new DataKeyOptions().keyAltNames(List.of("rewrap-me")));
    BsonValue value = new BsonString("survives rewraps");
    BsonBinary ciphertext = fle4j.encrypt(value, opts(DETERMINISTIC, id));
    byte[] before = vault.rawKey(id).getBinary("keyMaterial").getData();

    RewrapManyDataKeyResult toDelegated = fle4j.rewrapManyDataKey(Filters.eq("_id", id),
        new RewrapManyDataKeyOptions().provider("kmip")
            .masterKey(new BsonDocument("delegated", BsonBoolean.TRUE)));
    assertThat(toDelegated.getBulkWriteResult().getModifiedCount()).isEqualTo(1);
    assertThat(vault.rawKey(id).getDocument("masterKey").getBoolean("delegated").getValue())
        .isTrue();
    assertThat(vault.rawKey(id).getBinary("keyMaterial").getData()).hasSize(128);
    assertThat(decryptFresh(ciphertext)).isEqualTo(value);

    fle4j.rewrapManyDataKey(Filters.eq("_id", id),
        new RewrapManyDataKeyOptions().provider("local"));
    assertThat(vault.rawKey(id).getDocument("masterKey"))
        .isEqualTo(new BsonDocument("provider", new BsonString("local")));
    assertThat(decryptFresh(ciphertext)).isEqualTo(value);

    fle4j.rewrapManyDataKey(Filters.eq("_id", id),
        new RewrapManyDataKeyOptions().provider("kmip").masterKey(new BsonDocument()));
    assertThat(vault.rawKey(id).getDocument("masterKey").getString("provider").getValue())
        .isEqualTo("kmip");
    assertThat(vault.rawKey(id).getBinary("keyMaterial").getData()).hasSize(160)
        .isNotEqualTo(before);
    assertThat(decryptFresh(ciphertext)).isEqualTo(value);
    assertThat(fle4j.encrypt(value, opts(DETERMINISTIC, id))).isEqualTo(ciphertext);
  }

  @Test
  void rewrapManyDataKey_underTheirOwnMasterKey_rewrapsBothModesInPlace() {
    BsonBinary plain = fle4j.createDataKey("kmip");
    BsonBinary delegated = fle4j.createDataKey("kmip",
        new DataKeyOptions().masterKey(new BsonDocument("delegated", BsonBoolean.TRUE)));
    BsonDocument plainBefore = vault.rawKey(plain);
    BsonDocument delegatedBefore = vault.rawKey(delegated);

    fle4j.rewrapManyDataKey(Filters.in("_id", plain, delegated));

    for (BsonDocument before : List.of(plainBefore, delegatedBefore)) {
      BsonDocument after = vault.rawKey(before.getBinary("_id"));
      assertThat(after.getDocument("masterKey")).isEqualTo(before.getDocument("masterKey"));
      assertThat(after.getBinary("keyMaterial")).isNotEqualTo(before.getBinary("keyMaterial"));
      BsonValue value = new BsonString("still readable");
      assertThat(decryptFresh(fle4j.encrypt(value, opts(RANDOM, after.getBinary("_id")))))
          .isEqualTo(value);
    }
  }

  @Test
  void createDataKey_unknownKeyId_failsNamingTheKeyAndWritesNothing() {
    long keysBefore = vault.keys.countDocuments();

    assertThatThrownBy(() -> fle4j.createDataKey("kmip", new DataKeyOptions().masterKey(
        new BsonDocument("keyId", new BsonString("no-such-object")))))
        .isInstanceOf(KmipKeyNotFoundException.class)
        .isInstanceOf(MongoClientException.class)
        .hasMessageContaining("KMIP server " + kmip.endpoint())
        .hasMessageContaining("'no-such-object'");
    assertThat(vault.keys.countDocuments()).isEqualTo(keysBefore);
  }

  @Test
  void createDataKey_namedKmipProvider_usesItsOwnTlsContext() {
    ClientEncryption named = vault.fle4j(vault.settings(
        Map.of("kmip:secondary", Map.of("endpoint", kmip.endpoint())),
        Map.of("kmip:secondary", kmip.clientSslContext())));

    BsonBinary id = named.createDataKey("kmip:secondary",
        new DataKeyOptions().masterKey(new BsonDocument("delegated", BsonBoolean.TRUE)));

    assertThat(vault.rawKey(id).getDocument("masterKey").getString("provider").getValue())
        .isEqualTo("kmip:secondary");
    BsonValue value = new BsonString("named");
    assertThat(named.decrypt(named.encrypt(value, opts(RANDOM, id)))).isEqualTo(value);
  }

  /** Decrypts with a new ClientEncryption, so no cached data key hides a wrong keyMaterial. */
  private BsonValue decryptFresh(BsonBinary ciphertext) {
    ClientEncryption fresh = vault.fle4j(vault.settings(
        vault.kmsProviders(Map.of("local", Map.of("key", localKey))),
        Map.of("kmip", kmip.clientSslContext())));
    return fresh.decrypt(ciphertext);
  }
}
