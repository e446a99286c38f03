package io.fle4j.it.crossdriver;

import static io.fle4j.it.crossdriver.CrossDriverVault.DETERMINISTIC;
import static io.fle4j.it.crossdriver.CrossDriverVault.LOCAL;
import static io.fle4j.it.crossdriver.CrossDriverVault.RANDOM_ALGORITHM;
import static io.fle4j.it.crossdriver.CrossDriverVault.byId;
import static org.assertj.core.api.Assertions.assertThat;

import com.mongodb.client.vault.ClientEncryption;
import java.util.HexFormat;
import org.bson.BsonBinary;
import org.bson.BsonDocument;
import org.bson.BsonRegularExpression;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A top-level BSON regular expression is re-appended by libmongocrypt with libbson's {@code
 * bson_append_regex}, which rewrites its options to the characters of {@code "ilmsux"} that occur
 * in them, in that order, once each ({@code BSON_REGEX_OPTIONS_SORTED}). It does so before
 * encrypting and again after decrypting: options {@code "gi"} are encrypted, and come back, as
 * {@code "i"}; {@code "ii"} as {@code "i"}; {@code "xyz"} as {@code "x"}. Regexes nested in a
 * document or array are copied as raw bytes and keep their options.
 *
 * <p>fle4j must do the same to produce libmongocrypt's bytes: otherwise a deterministic ciphertext
 * of such a regex differs between the two (equality queries across drivers miss), and the same
 * ciphertext decrypts to different values on each side.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RegexOptionsCanonicalizationTest {
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

  @ParameterizedTest(name = "options \"{0}\"")
  @ValueSource(strings = {"", "i", "im", "ilmsux", "mix"})
  void encryptDeterministic_regexWithCanonicalOptions_byteIdenticalOnBothSides(String options) {
    BsonRegularExpression regex = new BsonRegularExpression("^ab+c$", options);

    assertThat(hex(fle4j.encrypt(regex, byId(DETERMINISTIC, keyId))))
        .isEqualTo(hex(official.encrypt(regex, byId(DETERMINISTIC, keyId))));
  }

  @ParameterizedTest(name = "options \"{0}\"")
  @ValueSource(strings = {"g", "gi", "ii", "xyz"})
  void encryptDeterministic_regexWithOptionsOutsideIlmsux_byteIdenticalOnBothSides(String options) {
    BsonRegularExpression regex = new BsonRegularExpression("^ab+c$", options);

    // FAILS with fle4j 0.1.0-SNAPSHOT: fle4j encrypts the options as given.
    assertThat(hex(fle4j.encrypt(regex, byId(DETERMINISTIC, keyId))))
        .as("fle4j's deterministic ciphertext of /^ab+c$/%s; libmongocrypt encrypts the options"
            + " as \"%s\"", options, canonical(options))
        .isEqualTo(hex(official.encrypt(regex, byId(DETERMINISTIC, keyId))));
  }

  @ParameterizedTest(name = "options \"{0}\"")
  @ValueSource(strings = {"g", "gi", "ii", "xyz"})
  void decrypt_fle4jRandomCiphertextOfRegexWithOptionsOutsideIlmsux_sameValueOnBothSides(
      String options) {
    BsonBinary ciphertext =
        fle4j.encrypt(new BsonRegularExpression("^ab+c$", options), byId(RANDOM_ALGORITHM, keyId));

    // FAILS with fle4j 0.1.0-SNAPSHOT: libmongocrypt returns the canonical options, fle4j the
    // options it encrypted.
    assertThat(official.decrypt(ciphertext))
        .isEqualTo(new BsonRegularExpression("^ab+c$", canonical(options)));
    assertThat(fle4j.decrypt(ciphertext)).as("fle4j's decryption of its own ciphertext")
        .isEqualTo(official.decrypt(ciphertext));
  }

  @Test
  void decrypt_officialCiphertextOfRegex_fle4jSeesCanonicalOptions() {
    BsonBinary ciphertext = official.encrypt(
        new BsonRegularExpression("^ab+c$", "gxi"), byId(RANDOM_ALGORITHM, keyId));

    assertThat(fle4j.decrypt(ciphertext)).isEqualTo(new BsonRegularExpression("^ab+c$", "ix"));
  }

  @Test
  void encryptRandom_regexNestedInDocument_optionsKeptVerbatimOnBothSides() {
    // The canonicalization applies to the top-level value only; a fix must not reach inside.
    BsonDocument document = new BsonDocument("r", new BsonRegularExpression("a", "xyz"));

    assertThat(official.decrypt(fle4j.encrypt(document, byId(RANDOM_ALGORITHM, keyId))))
        .isEqualTo(document);
    assertThat(fle4j.decrypt(official.encrypt(document, byId(RANDOM_ALGORITHM, keyId))))
        .isEqualTo(document);
  }

  /** libbson's rewrite: the characters of "ilmsux" found in the options, in that order. */
  static String canonical(String options) {
    StringBuilder canonical = new StringBuilder();
    for (char c : "ilmsux".toCharArray()) {
      if (options.indexOf(c) >= 0) {
        canonical.append(c);
      }
    }
    return canonical.toString();
  }

  private static String hex(BsonBinary binary) {
    return HexFormat.of().formatHex(binary.getData());
  }
}
