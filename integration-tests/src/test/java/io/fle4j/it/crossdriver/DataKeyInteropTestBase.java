package io.fle4j.it.crossdriver;

import static io.fle4j.it.crossdriver.CrossDriverVault.DETERMINISTIC;
import static io.fle4j.it.crossdriver.CrossDriverVault.LOCAL;
import static io.fle4j.it.crossdriver.CrossDriverVault.RANDOM_ALGORITHM;
import static io.fle4j.it.crossdriver.CrossDriverVault.assertCiphertextHeader;
import static io.fle4j.it.crossdriver.CrossDriverVault.byAltName;
import static io.fle4j.it.crossdriver.CrossDriverVault.byId;
import static org.assertj.core.api.Assertions.assertThat;

import com.mongodb.client.model.vault.DataKeyOptions;
import com.mongodb.client.vault.ClientEncryption;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.bson.BsonBinary;
import org.bson.BsonValue;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * One side (the "creator") makes a data key with alternate names in a shared key vault; the other
 * side (the "reader") must encrypt and decrypt with it by id and by alternate name, and must
 * decrypt what the creator encrypted with it, for every BSON type each algorithm accepts.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class DataKeyInteropTestBase {
  private static final String ALT_NAME = "interop-key";
  private static final String OTHER_ALT_NAME = "interop-key-2";

  private CrossDriverVault vault;
  private ClientEncryption creator;
  private ClientEncryption reader;
  private BsonBinary keyId;

  /** The side that creates the data key. */
  abstract ClientEncryption creator(CrossDriverVault vault);

  /** The other side. */
  abstract ClientEncryption reader(CrossDriverVault vault);

  @BeforeAll
  void createKey() {
    vault = new CrossDriverVault();
    creator = creator(vault);
    reader = reader(vault);
    keyId = creator.createDataKey(
        LOCAL, new DataKeyOptions().keyAltNames(List.of(ALT_NAME, OTHER_ALT_NAME)));
  }

  @AfterAll
  void dropVault() throws Exception {
    vault.close();
  }

  static Stream<Arguments> deterministicValues() {
    return arguments(BsonSamples.deterministic());
  }

  static Stream<Arguments> allValues() {
    return arguments(BsonSamples.all());
  }

  private static Stream<Arguments> arguments(Map<String, BsonValue> values) {
    return values.entrySet().stream().map(e -> Arguments.of(e.getKey(), e.getValue()));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("deterministicValues")
  void encryptDeterministic_readerByKeyId_bothSidesDecrypt(String name, BsonValue value) {
    BsonBinary ciphertext = reader.encrypt(value, byId(DETERMINISTIC, keyId));

    assertCiphertextHeader(ciphertext, DETERMINISTIC, keyId, value);
    assertThat(reader.decrypt(ciphertext)).isEqualTo(value);
    assertThat(creator.decrypt(ciphertext)).isEqualTo(value);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("allValues")
  void encryptRandom_readerByKeyId_bothSidesDecrypt(String name, BsonValue value) {
    BsonBinary ciphertext = reader.encrypt(value, byId(RANDOM_ALGORITHM, keyId));

    assertCiphertextHeader(ciphertext, RANDOM_ALGORITHM, keyId, value);
    assertThat(reader.decrypt(ciphertext)).isEqualTo(value);
    assertThat(creator.decrypt(ciphertext)).isEqualTo(value);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("deterministicValues")
  void encryptDeterministic_readerByAltName_sameBytesAsByKeyId(String name, BsonValue value) {
    BsonBinary byFirstName = reader.encrypt(value, byAltName(DETERMINISTIC, ALT_NAME));
    BsonBinary bySecondName = reader.encrypt(value, byAltName(DETERMINISTIC, OTHER_ALT_NAME));

    assertThat(byFirstName).isEqualTo(reader.encrypt(value, byId(DETERMINISTIC, keyId)));
    assertThat(bySecondName).isEqualTo(byFirstName);
    assertThat(creator.decrypt(byFirstName)).isEqualTo(value);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("allValues")
  void encryptRandom_readerByAltName_bothSidesDecrypt(String name, BsonValue value) {
    BsonBinary ciphertext = reader.encrypt(value, byAltName(RANDOM_ALGORITHM, ALT_NAME));

    assertCiphertextHeader(ciphertext, RANDOM_ALGORITHM, keyId, value);
    assertThat(reader.decrypt(ciphertext)).isEqualTo(value);
    assertThat(creator.decrypt(ciphertext)).isEqualTo(value);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("deterministicValues")
  void decrypt_creatorsDeterministicCiphertext_readerRecoversValue(String name, BsonValue value) {
    BsonBinary ciphertext = creator.encrypt(value, byId(DETERMINISTIC, keyId));

    assertCiphertextHeader(ciphertext, DETERMINISTIC, keyId, value);
    assertThat(reader.decrypt(ciphertext)).isEqualTo(value);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("allValues")
  void decrypt_creatorsRandomCiphertext_readerRecoversValue(String name, BsonValue value) {
    BsonBinary ciphertext = creator.encrypt(value, byAltName(RANDOM_ALGORITHM, ALT_NAME));

    assertCiphertextHeader(ciphertext, RANDOM_ALGORITHM, keyId, value);
    assertThat(reader.decrypt(ciphertext)).isEqualTo(value);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("allValues")
  void encryptRandom_sameValueOnBothSides_sameLengthDifferentBytes(String name, BsonValue value) {
    BsonBinary fromCreator = creator.encrypt(value, byId(RANDOM_ALGORITHM, keyId));
    BsonBinary fromReader = reader.encrypt(value, byId(RANDOM_ALGORITHM, keyId));

    assertThat(fromReader.getData()).hasSameSizeAs(fromCreator.getData());
    assertThat(fromReader).isNotEqualTo(fromCreator); // fresh random IV on each side
  }
}
