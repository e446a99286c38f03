package io.fle4j.kms;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fle4j.ConfigurationException;
import java.security.SecureRandom;
import java.util.Arrays;
import org.bson.BsonDocument;
import org.bson.BsonString;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What every {@link KmsProvider} must do, whatever KMS is behind it. Each provider module's tests
 * extend this class and supply a provider wired to a real or emulated KMS.
 */
public abstract class KmsProviderContractTest {
  private static final SecureRandom RANDOM = new SecureRandom();
  protected KmsProvider provider;

  /** A provider ready to use; closed after each test. */
  protected abstract KmsProvider createProvider();

  /** Master key options that {@link KmsProvider#masterKey} accepts for a new key. */
  protected abstract BsonDocument validMasterKeyOptions();

  /** Strings that must never show up in the provider's toString or error messages (secrets). */
  protected abstract Iterable<String> secrets();

  @BeforeEach
  void createIt() {
    provider = createProvider();
  }

  @AfterEach
  void closeIt() {
    if (provider != null) { // null when createProvider aborted the test (a server is missing)
      provider.close();
    }
  }

  protected static byte[] randomDataKey() {
    byte[] key = new byte[96];
    RANDOM.nextBytes(key);
    return key;
  }

  @Test
  void encryptDataKey_thenDecrypt_returnsTheSameKey() {
    BsonDocument masterKey = provider.masterKey(validMasterKeyOptions());
    byte[] dataKey = randomDataKey();
    byte[] material = provider.encryptDataKey(masterKey, dataKey);
    assertThat(material).isNotEqualTo(dataKey);
    assertThat(provider.decryptDataKey(masterKey, material)).isEqualTo(dataKey);
  }

  @Test
  void encryptDataKey_twice_givesDifferentMaterialThatBothDecrypt() {
    BsonDocument masterKey = provider.masterKey(validMasterKeyOptions());
    byte[] dataKey = randomDataKey();
    byte[] first = provider.encryptDataKey(masterKey, dataKey);
    byte[] second = provider.encryptDataKey(masterKey, dataKey);
    assertThat(first).isNotEqualTo(second);
    assertThat(provider.decryptDataKey(masterKey, second)).isEqualTo(dataKey);
  }

  @Test
  void masterKey_startsWithProviderHoldingTheFullName() {
    BsonDocument masterKey = provider.masterKey(validMasterKeyOptions());
    assertThat(masterKey.getFirstKey()).isEqualTo("provider");
    assertThat(masterKey.get("provider")).isEqualTo(new BsonString(provider.name().toString()));
  }

  @Test
  void masterKey_unexpectedField_isRefusedNamingIt() {
    BsonDocument options = validMasterKeyOptions().append("colour", new BsonString("blue"));
    assertThatThrownBy(() -> provider.masterKey(options))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("colour");
  }

  @Test
  void decryptDataKey_alteredMaterial_failsWithKmsProviderException() {
    BsonDocument masterKey = provider.masterKey(validMasterKeyOptions());
    byte[] material = provider.encryptDataKey(masterKey, randomDataKey());
    byte[] altered = Arrays.copyOf(material, material.length);
    altered[altered.length / 2] ^= 0x01;
    assertThatThrownBy(() -> provider.decryptDataKey(masterKey, altered))
        .isInstanceOf(KmsProviderException.class)
        .satisfies(e -> assertThat(((KmsProviderException) e).providerName())
            .isEqualTo(provider.name().toString()))
        .satisfies(e -> assertNoSecretIn(e.getMessage()));
  }

  /**
   * An interrupted thread: the call either completes (a provider with no I/O) or fails with a
   * KmsProviderException that is not retryable; either way the interrupt flag is still set, and
   * the provider works again once the flag is cleared.
   */
  @Test
  void decryptDataKey_onAnInterruptedThread_keepsTheFlag_andFailsNotRetryably() {
    BsonDocument masterKey = provider.masterKey(validMasterKeyOptions());
    byte[] dataKey = randomDataKey();
    byte[] material = provider.encryptDataKey(masterKey, dataKey);
    Thread.currentThread().interrupt();
    Throwable thrown;
    try {
      thrown = org.assertj.core.api.Assertions.catchThrowable(
          () -> provider.decryptDataKey(masterKey, material));
    } finally {
      assertThat(Thread.interrupted()).as("the interrupt flag is still set").isTrue();
    }
    if (thrown != null) {
      assertThat(thrown).isInstanceOf(KmsProviderException.class)
          .hasMessageContaining("interrupted");
      assertThat(((KmsProviderException) thrown).isRetryable()).isFalse();
    }
    assertThat(provider.decryptDataKey(masterKey, material)).isEqualTo(dataKey);
  }

  @Test
  void toString_revealsNoSecret() {
    assertNoSecretIn(provider.toString());
  }

  protected void assertNoSecretIn(String text) {
    for (String secret : secrets()) {
      assertThat(text).doesNotContain(secret);
    }
  }
}
