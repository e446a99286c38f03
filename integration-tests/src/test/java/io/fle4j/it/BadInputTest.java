package io.fle4j.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.mongodb.client.model.vault.DataKeyOptions;
import com.mongodb.client.model.vault.EncryptOptions;
import com.mongodb.client.model.vault.RewrapManyDataKeyOptions;
import com.mongodb.client.vault.ClientEncryption;
import io.fle4j.Algorithm;
import io.fle4j.CiphertextException;
import io.fle4j.ConfigurationException;
import io.fle4j.DataKeyNotFoundException;
import io.fle4j.DuplicateKeyAltNameException;
import io.fle4j.Fle4jSettings;
import io.fle4j.UnencryptableValueException;
import io.fle4j.internal.kms.FakeKmsProviderFactory.FakeKmsProvider;
import io.fle4j.kms.KmsProviderException;
import io.fle4j.kms.KmsProviderName;
import io.fle4j.kms.SecretBytes;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.bson.BsonBinary;
import org.bson.BsonBinarySubType;
import org.bson.BsonDocument;
import org.bson.BsonNull;
import org.bson.BsonString;
import org.bson.UuidRepresentation;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Every kind of bad input gets a specific, documented error, never shows a secret, and writes
 * nothing to the key vault.
 */
class BadInputTest {
  private static final String DET = Algorithm.DETERMINISTIC.specName();
  private final KeyVaultFixture vault = new KeyVaultFixture();
  private final byte[] masterKey = KeyVaultFixture.randomMasterKey();
  private final String masterKeyBase64 = Base64.getEncoder().encodeToString(masterKey);
  private final ClientEncryption ce = vault.fle4j(Map.of("local", Map.of("key", masterKey)));

  @AfterEach
  void dropVault() throws Exception {
    vault.close();
  }

  @Test
  void decrypt_withTheWrongMasterKey_failsNamingTheProvider() {
    BsonBinary id = ce.createDataKey("local");
    BsonBinary encrypted = ce.encrypt(new BsonString("x"), new EncryptOptions(DET).keyId(id));
    ClientEncryption wrong = vault.fle4j(Map.of("local", Map.of("key", KeyVaultFixture.randomMasterKey())));

    assertThatThrownBy(() -> wrong.decrypt(encrypted))
        .isInstanceOf(KmsProviderException.class)
        .hasMessageContaining("'local'")
        .hasMessageContaining("different master key")
        .hasMessageNotContaining(masterKeyBase64);
  }

  @Test
  void decrypt_tamperedCiphertext_failsAuthenticationInEveryRegion() {
    BsonBinary id = ce.createDataKey("local");
    byte[] data = ce.encrypt(new BsonString("sensitive"), new EncryptOptions(DET).keyId(id)).getData();
    for (int position : new int[] {0, 17, 18, 40, data.length - 1}) {
      byte[] altered = data.clone();
      altered[position] ^= position == 0 ? 0x03 : 0x01;
      assertThatThrownBy(() -> ce.decrypt(new BsonBinary(BsonBinarySubType.ENCRYPTED, altered)))
          .as("byte %d", position)
          .isInstanceOf(CiphertextException.class)
          .hasMessageContaining("authentication")
          .hasMessageNotContaining("sensitive");
    }
    byte[] otherKey = data.clone();
    otherKey[5] ^= 1; // the key id: now names a key that does not exist
    assertThatThrownBy(() -> ce.decrypt(new BsonBinary(BsonBinarySubType.ENCRYPTED, otherKey)))
        .isInstanceOf(DataKeyNotFoundException.class);
  }

  @Test
  void decrypt_truncatedOrNotEncrypted_givesAPreciseReason() {
    BsonBinary id = ce.createDataKey("local");
    byte[] data = ce.encrypt(new BsonString("x"), new EncryptOptions(DET).keyId(id)).getData();
    byte[] truncated = java.util.Arrays.copyOf(data, 60);
    assertThatThrownBy(() -> ce.decrypt(new BsonBinary(BsonBinarySubType.ENCRYPTED, truncated)))
        .isInstanceOf(CiphertextException.class)
        .extracting(e -> ((CiphertextException) e).reason())
        .isEqualTo(CiphertextException.Reason.TOO_SHORT);
    assertThatThrownBy(() -> ce.decrypt(new BsonBinary(data)))
        .extracting(e -> ((CiphertextException) e).reason())
        .isEqualTo(CiphertextException.Reason.NOT_ENCRYPTED_BINARY);
  }

  @Test
  void encrypt_unknownKeyIdOrAltName_isDataKeyNotFound() {
    UUID unknown = UUID.randomUUID();
    assertThatThrownBy(() -> ce.encrypt(new BsonString("x"),
        new EncryptOptions(DET).keyId(new BsonBinary(unknown, UuidRepresentation.STANDARD))))
        .isInstanceOf(DataKeyNotFoundException.class)
        .hasMessageContaining(unknown.toString());
    assertThatThrownBy(() -> ce.encrypt(new BsonString("x"), new EncryptOptions(DET).keyAltName("ghost")))
        .isInstanceOf(DataKeyNotFoundException.class)
        .hasMessageContaining("'ghost'");
  }

  @Test
  void encrypt_badOptions_nameTheOption() {
    BsonBinary id = ce.createDataKey("local", new DataKeyOptions().keyAltNames(List.of("k")));
    assertThatThrownBy(() -> ce.encrypt(new BsonString("x"), new EncryptOptions("AES-please").keyId(id)))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("EncryptOptions.algorithm").hasMessageContaining("'AES-please'");
    assertThatThrownBy(() -> ce.encrypt(new BsonString("x"), new EncryptOptions(DET)))
        .isInstanceOf(ConfigurationException.class).hasMessageContaining("neither");
    assertThatThrownBy(() -> ce.encrypt(new BsonString("x"), new EncryptOptions(DET).keyId(id).keyAltName("k")))
        .isInstanceOf(ConfigurationException.class).hasMessageContaining("both");
    assertThatThrownBy(() -> ce.encrypt(new BsonString("x"), new EncryptOptions(DET).keyId(new BsonBinary(new byte[16]))))
        .isInstanceOf(ConfigurationException.class).hasMessageContaining("EncryptOptions.keyId")
        .hasMessageContaining("subtype 0");
    assertThatThrownBy(() -> ce.encrypt(BsonNull.VALUE, new EncryptOptions(DET).keyId(id)))
        .isInstanceOf(UnencryptableValueException.class);
    assertThatThrownBy(() -> ce.encrypt(new BsonString("x"), new EncryptOptions("Indexed").keyId(id)))
        .isInstanceOf(ConfigurationException.class).hasMessageContaining("EncryptOptions.contentionFactor")
        .hasMessageContaining("contention factor is required for indexed algorithm");
    assertThatThrownBy(() -> ce.encryptExpression(new BsonDocument(), new EncryptOptions("Range")))
        .isInstanceOf(ConfigurationException.class).hasMessageContaining("EncryptOptions.contentionFactor");
    assertThatThrownBy(() -> ce.createEncryptedCollection(null, "c", null, null))
        .isInstanceOf(ConfigurationException.class).hasMessageContaining("database");
  }

  @Test
  void createDataKey_duplicateAltName_isRefusedAndWritesNothing() {
    ce.createDataKey("local", new DataKeyOptions().keyAltNames(List.of("dup")));
    long before = vault.keyCount();
    assertThatThrownBy(() -> ce.createDataKey("local", new DataKeyOptions().keyAltNames(List.of("fresh", "dup"))))
        .isInstanceOf(DuplicateKeyAltNameException.class)
        .hasMessageContaining("dup");
    assertThatThrownBy(() -> ce.createDataKey("local", new DataKeyOptions().keyAltNames(List.of("same", "same"))))
        .isInstanceOf(ConfigurationException.class).hasMessageContaining("'same' is given twice");
    assertThat(vault.keyCount()).isEqualTo(before);
  }

  @Test
  void createDataKey_badOptions_writeNothing() {
    assertThatThrownBy(() -> ce.createDataKey("local", new DataKeyOptions().keyMaterial(new byte[95])))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("DataKeyOptions.keyMaterial").hasMessageContaining("got 95");
    assertThatThrownBy(() -> ce.createDataKey("aws"))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("'aws'").hasMessageContaining("[local]");
    assertThatThrownBy(() -> ce.createDataKey("local",
        new DataKeyOptions().masterKey(new BsonDocument("key", new BsonString("arn")))))
        .isInstanceOf(ConfigurationException.class).hasMessageContaining("masterKey.key");
    assertThat(vault.keyCount()).isZero();
  }

  @Test
  void createDataKey_whenTheKmsFails_writesNothing() {
    FakeKmsProvider failing = new FakeKmsProvider(KmsProviderName.parse("fake:down"),
        SecretBytes.copyOf(new byte[96]), 0);
    failing.failing = true;
    ClientEncryption withFailing = vault.fle4j(Map.of(), Fle4jSettings.builder().kmsProvider(failing).build());

    assertThatThrownBy(() -> withFailing.createDataKey("fake:down",
        new DataKeyOptions().keyAltNames(List.of("never"))))
        .isInstanceOf(KmsProviderException.class)
        .satisfies(e -> assertThat(((KmsProviderException) e).isRetryable()).isTrue());
    assertThat(vault.keyCount()).isZero();
  }

  @Test
  void rewrapManyDataKey_whenTheTargetKmsFails_leavesEveryKeyAsItWas() {
    FakeKmsProvider target = new FakeKmsProvider(KmsProviderName.parse("fake:target"),
        SecretBytes.copyOf(new byte[96]), 0);
    ClientEncryption both = vault.fle4j(Map.of("local", Map.of("key", masterKey)),
        Fle4jSettings.builder().kmsProvider(target).build());
    for (int i = 0; i < 5; i++) {
      both.createDataKey("local");
    }
    List<BsonDocument> before = vault.keys.find().into(new java.util.ArrayList<>());
    target.failing = true;

    assertThatThrownBy(() -> both.rewrapManyDataKey(new BsonDocument(),
        new RewrapManyDataKeyOptions().provider("fake:target")))
        .isInstanceOf(KmsProviderException.class);

    assertThat(vault.keys.find().into(new java.util.ArrayList<>())).isEqualTo(before);
  }

  @Test
  void rewrapManyDataKey_masterKeyWithoutProvider_isRefused() {
    assertThatThrownBy(() -> ce.rewrapManyDataKey(new BsonDocument(),
        new RewrapManyDataKeyOptions().masterKey(new BsonDocument())))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("requires RewrapManyDataKeyOptions.provider");
  }

  @Test
  void create_malformedKmsProviders_failBeforeAnythingIsUsed() {
    assertThatThrownBy(() -> vault.fle4j(Map.of("local", Map.of("key", new byte[95]))))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("kmsProviders.local.key").hasMessageContaining("96 bytes, got 95");
    assertThatThrownBy(() -> vault.fle4j(Map.of("local", Map.of("key", 7))))
        .isInstanceOf(ConfigurationException.class).hasMessageContaining("kmsProviders.local.key");
    assertThatThrownBy(() -> vault.fle4j(Map.of("local", Map.of())))
        .isInstanceOf(ConfigurationException.class).hasMessageContaining("required");
    assertThatThrownBy(() -> vault.fle4j(Map.of("local:bad-name", Map.of("key", masterKey))))
        .isInstanceOf(ConfigurationException.class).hasMessageContaining("[A-Za-z0-9_]");
    assertThatThrownBy(() -> vault.fle4j(Map.of("nosuchkms", Map.of())))
        .isInstanceOf(ConfigurationException.class).hasMessageContaining("fle4j-kms-nosuchkms");
    Map<String, Object> withExtra = new HashMap<>(Map.of("key", masterKey, "password", "hunter2"));
    assertThatThrownBy(() -> vault.fle4j(Map.of("local", withExtra)))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("kmsProviders.local.password")
        .hasMessageNotContaining("hunter2");
    assertThat(vault.keyCount()).isZero();
  }

  @Test
  void create_badKeyVaultNamespace_isRefused() {
    assertThatThrownBy(() -> io.fle4j.ClientEncryptions.create(vault.settings(
        Map.of("local", Map.of("key", masterKey))).keyVaultNamespace("nodot").build()))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("keyVaultNamespace").hasMessageContaining("'nodot'");
  }
}
