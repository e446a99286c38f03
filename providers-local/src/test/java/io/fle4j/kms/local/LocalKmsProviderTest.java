package io.fle4j.kms.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fle4j.ConfigurationException;
import io.fle4j.kms.KmsProvider;
import io.fle4j.kms.KmsProviderConfig;
import io.fle4j.kms.KmsProviderContractTest;
import io.fle4j.kms.KmsProviderException;
import io.fle4j.kms.KmsProviderName;
import io.fle4j.testing.SpecData;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.bson.BsonBinary;
import org.bson.BsonDocument;
import org.bson.BsonString;
import org.junit.jupiter.api.Test;

class LocalKmsProviderTest extends KmsProviderContractTest {
  private static final byte[] MASTER_KEY = new byte[96];
  static {
    for (int i = 0; i < 96; i++) {
      MASTER_KEY[i] = (byte) (i * 7 + 3);
    }
  }
  private static final String MASTER_KEY_BASE64 = Base64.getEncoder().encodeToString(MASTER_KEY);

  @Override
  protected KmsProvider createProvider() {
    return LocalKmsProvider.builder().masterKey(MASTER_KEY).build();
  }

  @Override
  protected BsonDocument validMasterKeyOptions() {
    return new BsonDocument();
  }

  @Override
  protected Iterable<String> secrets() {
    return List.of(MASTER_KEY_BASE64, MASTER_KEY_BASE64.substring(0, 16));
  }

  @Test
  void close_forgetsTheMasterKey_laterCallsAreProviderErrors() {
    // Issue 13, item 8: a closed provider's key-encryption key must not stay keyed anywhere.
    KmsProvider closing = LocalKmsProvider.builder().masterKey(MASTER_KEY).build();
    byte[] material = closing.encryptDataKey(new BsonDocument(), randomDataKey());
    closing.close();

    assertThatThrownBy(() -> closing.decryptDataKey(new BsonDocument(), material))
        .isInstanceOf(KmsProviderException.class).hasMessageContaining("closed");
    assertThatThrownBy(() -> closing.encryptDataKey(new BsonDocument(), randomDataKey()))
        .isInstanceOf(KmsProviderException.class).hasMessageContaining("closed");
  }

  @Test
  void encryptDataKey_always160Bytes() {
    assertThat(provider.encryptDataKey(provider.masterKey(new BsonDocument()), randomDataKey()))
        .hasSize(160);
  }

  @Test
  void decryptDataKey_libmongocryptZeroKekKeyDocument_givesTheRecordedDataKey() {
    KmsProvider zeroKek = LocalKmsProvider.builder().masterKey(new byte[96]).build();
    String base = "libmongocrypt/test-data/keys/ABCDEFAB123498761234123456789012";
    BsonDocument doc = SpecData.json(base + "-local-document.json");
    byte[] expected = io.fle4j.testing.Hex.decode(SpecData.text(base + "-key-material.txt"));
    assertThat(zeroKek.decryptDataKey(doc.getDocument("masterKey"),
        doc.getBinary("keyMaterial").getData())).isEqualTo(expected);
  }

  @Test
  void decryptDataKey_wrongMasterKey_failsWithoutLeakingEitherKey() {
    byte[] material = provider.encryptDataKey(provider.masterKey(new BsonDocument()), randomDataKey());
    KmsProvider other = LocalKmsProvider.builder().masterKey(new byte[96]).build();
    assertThatThrownBy(() -> other.decryptDataKey(new BsonDocument(), material))
        .isInstanceOf(KmsProviderException.class)
        .hasMessageContaining("different master key")
        .hasMessageNotContaining(MASTER_KEY_BASE64);
  }

  @Test
  void build_95ByteKey_isRefusedNamingTheLength() {
    assertThatThrownBy(() -> LocalKmsProvider.builder().masterKey(new byte[95]).build())
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("96 bytes, got 95");
  }

  @Test
  void build_noKey_isRefused() {
    assertThatThrownBy(() -> LocalKmsProvider.builder().build())
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("required");
  }

  @Test
  void name_namedProvider_isWrittenIntoTheMasterKey() {
    KmsProvider named = LocalKmsProvider.builder().name("local:backup").masterKey(MASTER_KEY).build();
    assertThat(named.masterKey(new BsonDocument()))
        .isEqualTo(new BsonDocument("provider", new BsonString("local:backup")));
    assertThatThrownBy(() -> LocalKmsProvider.builder().name("aws:x"))
        .isInstanceOf(ConfigurationException.class);
  }

  @Test
  void masterKey_providerOfAnotherName_isRefused() {
    assertThatThrownBy(() -> provider.masterKey(new BsonDocument("provider", new BsonString("local:x"))))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("masterKey.provider");
  }

  @Test
  void factory_acceptsBytesBinaryAndBase64_alike() {
    LocalKmsProviderFactory factory = new LocalKmsProviderFactory();
    BsonDocument masterKey = provider.masterKey(new BsonDocument());
    byte[] dataKey = randomDataKey();
    byte[] material = provider.encryptDataKey(masterKey, dataKey);
    for (Object key : List.of(MASTER_KEY, new BsonBinary(MASTER_KEY), MASTER_KEY_BASE64,
        new org.bson.types.Binary(MASTER_KEY))) {
      KmsProvider built = factory.create(config("local", Map.of("key", key)));
      assertThat(built.decryptDataKey(masterKey, material)).isEqualTo(dataKey);
    }
  }

  @Test
  void factory_malformedEntries_nameTheFieldAndNeverTheKey() {
    LocalKmsProviderFactory factory = new LocalKmsProviderFactory();
    assertThatThrownBy(() -> factory.create(config("local", Map.of())))
        .hasMessageContaining("kmsProviders.local.key").hasMessageContaining("required");
    assertThatThrownBy(() -> factory.create(config("local:a", Map.of("key", new byte[95]))))
        .hasMessageContaining("kmsProviders.local:a.key").hasMessageContaining("96 bytes, got 95");
    assertThatThrownBy(() -> factory.create(config("local", Map.of("key", "%%%TOPSECRET%%%"))))
        .hasMessageContaining("base64").hasMessageNotContaining("TOPSECRET");
    assertThatThrownBy(() -> factory.create(config("local", Map.of("key", MASTER_KEY, "kek", 1))))
        .hasMessageContaining("kmsProviders.local.kek").hasMessageContaining("unexpected");
    assertThatThrownBy(() -> factory.create(config("local", Map.of("key", 42))))
        .hasMessageContaining("Integer");
  }

  private static KmsProviderConfig config(String name, Map<String, Object> properties) {
    return new KmsProviderConfig(KmsProviderName.parse(name), properties, null);
  }
}
