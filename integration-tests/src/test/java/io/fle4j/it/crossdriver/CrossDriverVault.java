package io.fle4j.it.crossdriver;

import static org.assertj.core.api.Assertions.assertThat;

import com.mongodb.client.model.vault.EncryptOptions;
import io.fle4j.it.TestKeyVault;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.bson.BsonBinary;
import org.bson.BsonValue;

/**
 * A key vault shared by fle4j and the official driver with the same local master keys on both
 * sides: {@code local}, {@code local:a} and {@code local:b}, three different 96-byte keys.
 */
final class CrossDriverVault extends TestKeyVault {
  static final String LOCAL = "local";
  static final String LOCAL_A = "local:a";
  static final String LOCAL_B = "local:b";

  static final String RANDOM_ALGORITHM = RANDOM;

  private static final SecureRandom SECURE_RANDOM = new SecureRandom();

  private final Map<String, byte[]> masterKeys = new LinkedHashMap<>();

  CrossDriverVault() {
    super("keyvault");
    masterKeys.put(LOCAL, randomBytes(96));
    masterKeys.put(LOCAL_A, randomBytes(96));
    masterKeys.put(LOCAL_B, randomBytes(96));
  }

  static byte[] randomBytes(int length) {
    byte[] bytes = new byte[length];
    SECURE_RANDOM.nextBytes(bytes);
    return bytes;
  }

  /** The master key configured for a provider name. */
  byte[] masterKey(String provider) {
    return masterKeys.get(provider).clone();
  }

  /** {@code kmsProviders} holding every provider of this vault. */
  @Override
  public Map<String, Map<String, Object>> kmsProviders() {
    return providers(masterKeys.keySet().toArray(String[]::new));
  }

  /** Every provider of this vault (the same as {@link #kmsProviders()}). */
  Map<String, Map<String, Object>> allProviders() {
    return kmsProviders();
  }

  /** {@code kmsProviders} holding only the given providers, with this vault's master keys. */
  Map<String, Map<String, Object>> providers(String... names) {
    Map<String, Map<String, Object>> map = new LinkedHashMap<>();
    for (String name : names) {
      map.put(name, Map.of("key", masterKey(name)));
    }
    return map;
  }

  static EncryptOptions byId(String algorithm, BsonBinary keyId) {
    return new EncryptOptions(algorithm).keyId(keyId);
  }

  static EncryptOptions byAltName(String algorithm, String keyAltName) {
    return new EncryptOptions(algorithm).keyAltName(keyAltName);
  }

  /**
   * Checks the FLE1 blob header (formats.md section 1): BSON binary subtype 6, blob subtype 1
   * (deterministic) or 2 (random), the 16-byte key id, then the original BSON type.
   */
  static void assertCiphertextHeader(
      BsonBinary ciphertext, String algorithm, BsonBinary keyId, BsonValue plaintext) {
    byte[] data = ciphertext.getData();
    assertThat(ciphertext.getType()).as("binary subtype").isEqualTo((byte) 6);
    assertThat(data.length).as("ciphertext length").isGreaterThan(18);
    assertThat(data[0]).as("blob subtype")
        .isEqualTo(algorithm.equals(DETERMINISTIC) ? (byte) 1 : (byte) 2);
    assertThat(Arrays.copyOfRange(data, 1, 17)).as("key id").isEqualTo(keyId.getData());
    assertThat(data[17]).as("original BSON type")
        .isEqualTo((byte) plaintext.getBsonType().getValue());
  }
}
