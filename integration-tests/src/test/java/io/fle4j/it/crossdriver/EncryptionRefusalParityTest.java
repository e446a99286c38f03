package io.fle4j.it.crossdriver;

import static io.fle4j.it.crossdriver.CrossDriverVault.DETERMINISTIC;
import static io.fle4j.it.crossdriver.CrossDriverVault.LOCAL;
import static io.fle4j.it.crossdriver.CrossDriverVault.RANDOM_ALGORITHM;
import static io.fle4j.it.crossdriver.CrossDriverVault.byId;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.mongodb.MongoException;
import com.mongodb.client.vault.ClientEncryption;
import io.fle4j.CiphertextException;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;
import org.bson.BsonBinary;
import org.bson.BsonMaxKey;
import org.bson.BsonMinKey;
import org.bson.BsonNull;
import org.bson.BsonString;
import org.bson.BsonUndefined;
import org.bson.BsonValue;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * What libmongocrypt refuses, fle4j refuses too, and with a {@link MongoException} so code that
 * catches the driver's exceptions keeps working: values that cannot be encrypted (formats.md
 * section 1.5) and ciphertexts that are altered or malformed (section 1.1).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class EncryptionRefusalParityTest {
  private CrossDriverVault vault;
  private ClientEncryption fle4j;
  private ClientEncryption official;
  private BsonBinary keyId;

  @BeforeAll
  void createKey() {
    vault = new CrossDriverVault();
    fle4j = vault.fle4j();
    official = vault.official();
    keyId = official.createDataKey(LOCAL);
  }

  @AfterAll
  void dropVault() throws Exception {
    vault.close();
  }

  static Stream<Arguments> randomOnlyValues() {
    return BsonSamples.randomOnly().entrySet().stream()
        .map(e -> Arguments.of(e.getKey(), e.getValue()));
  }

  static Stream<Arguments> neverEncryptable() {
    Map<String, BsonValue> values = new LinkedHashMap<>();
    values.put("null", BsonNull.VALUE);
    values.put("undefined", new BsonUndefined());
    values.put("minKey", new BsonMinKey());
    values.put("maxKey", new BsonMaxKey());
    values.put("binary subtype 6", new BsonBinary((byte) 6, new byte[] {1, 2, 3}));
    return values.entrySet().stream().map(e -> Arguments.of(e.getKey(), e.getValue()));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("randomOnlyValues")
  void encryptDeterministic_typeForbiddenForDeterministic_bothSidesRefuse(
      String name, BsonValue value) {
    assertThatThrownBy(() -> official.encrypt(value, byId(DETERMINISTIC, keyId)))
        .as("official").isInstanceOf(MongoException.class);
    assertThatThrownBy(() -> fle4j.encrypt(value, byId(DETERMINISTIC, keyId)))
        .as("fle4j").isInstanceOf(MongoException.class);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("neverEncryptable")
  void encrypt_typeForbiddenForEveryAlgorithm_bothSidesRefuse(String name, BsonValue value) {
    for (String algorithm : new String[] {DETERMINISTIC, RANDOM_ALGORITHM}) {
      assertThatThrownBy(() -> official.encrypt(value, byId(algorithm, keyId)))
          .as("official, " + algorithm).isInstanceOf(MongoException.class);
      assertThatThrownBy(() -> fle4j.encrypt(value, byId(algorithm, keyId)))
          .as("fle4j, " + algorithm).isInstanceOf(MongoException.class);
    }
  }

  /** Ways to spoil a valid random ciphertext, each refused by libmongocrypt. */
  static Stream<Arguments> spoiledCiphertexts() {
    Map<String, java.util.function.UnaryOperator<byte[]>> spoilers = new LinkedHashMap<>();
    spoilers.put("last tag byte flipped", b -> flip(b, b.length - 1));
    spoilers.put("ciphertext byte flipped", b -> flip(b, 40));
    spoilers.put("IV byte flipped", b -> flip(b, 20));
    spoilers.put("original BSON type changed", b -> set(b, 17, 0x10));
    spoilers.put("blob subtype 2 changed to 1", b -> set(b, 0, 1));
    spoilers.put("key id byte flipped", b -> flip(b, 5));
    spoilers.put("header only (18 bytes)", b -> Arrays.copyOf(b, 18));
    spoilers.put("one byte short of the minimum (81 bytes)", b -> Arrays.copyOf(b, 81));
    spoilers.put("one block removed", b -> Arrays.copyOf(b, b.length - 16));
    return spoilers.entrySet().stream().map(e -> Arguments.of(e.getKey(), e.getValue()));
  }

  private static byte[] flip(byte[] bytes, int index) {
    byte[] copy = bytes.clone();
    copy[index] ^= 0x01;
    return copy;
  }

  private static byte[] set(byte[] bytes, int index, int value) {
    byte[] copy = bytes.clone();
    copy[index] = (byte) value;
    return copy;
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("spoiledCiphertexts")
  void decrypt_spoiledCiphertext_bothSidesRefuse(
      String name, java.util.function.UnaryOperator<byte[]> spoil) {
    BsonBinary valid = official.encrypt(
        new BsonString("a value long enough for two blocks"), byId(RANDOM_ALGORITHM, keyId));
    BsonBinary spoiled = new BsonBinary((byte) 6, spoil.apply(valid.getData()));

    assertThatThrownBy(() -> official.decrypt(spoiled)).as("official")
        .isInstanceOf(MongoException.class);
    assertThatThrownBy(() -> fle4j.decrypt(spoiled)).as("fle4j")
        .isInstanceOf(MongoException.class);
  }

  @Test
  void decrypt_binaryOfSubtypeZero_bothSidesRefuse() {
    BsonBinary valid = fle4j.encrypt(new BsonString("x"), byId(RANDOM_ALGORITHM, keyId));
    BsonBinary notSubtype6 = new BsonBinary(valid.getData());

    assertThatThrownBy(() -> official.decrypt(notSubtype6)).isInstanceOf(MongoException.class);
    assertThatThrownBy(() -> fle4j.decrypt(notSubtype6)).isInstanceOf(MongoException.class);
  }

  @Test
  void decrypt_csfleMarking_officialReturnsItUnchangedFle4jRefuses() {
    // A known, deliberate difference: libmongocrypt's explicit decrypt hands back a CSFLE
    // intent-to-encrypt marking (blob subtype 0) as is; fle4j refuses it with a
    // CiphertextException, since a marking in hand means a value was never encrypted.
    BsonBinary valid = fle4j.encrypt(new BsonString("x"), byId(RANDOM_ALGORITHM, keyId));
    BsonBinary marking = new BsonBinary((byte) 6, set(valid.getData(), 0, 0));

    assertThat(official.decrypt(marking)).isEqualTo(marking);
    assertThatThrownBy(() -> fle4j.decrypt(marking)).isInstanceOf(CiphertextException.class);
  }

  @Test
  void decrypt_queryableEncryptionFormsWithoutAValue_bothSidesReturnThemUnchanged() {
    // Markings (3) and find payloads (5, 10, 12, 13, 18) carry tokens, not a value.
    BsonBinary valid = fle4j.encrypt(new BsonString("x"), byId(RANDOM_ALGORITHM, keyId));
    for (int blobSubtype : new int[] {3, 5, 10, 12, 13, 18}) {
      BsonBinary other = new BsonBinary((byte) 6, set(valid.getData(), 0, blobSubtype));

      assertThat(official.decrypt(other)).as("official, blob subtype %d", blobSubtype)
          .isEqualTo(other);
      assertThat(fle4j.decrypt(other)).as("fle4j, blob subtype %d", blobSubtype)
          .isEqualTo(other);
    }
  }
}
