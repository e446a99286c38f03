package io.fle4j.it.crossdriver;

import static io.fle4j.it.crossdriver.CrossDriverVault.DETERMINISTIC;
import static io.fle4j.it.crossdriver.CrossDriverVault.LOCAL_A;
import static io.fle4j.it.crossdriver.CrossDriverVault.LOCAL_B;
import static io.fle4j.it.crossdriver.CrossDriverVault.RANDOM_ALGORITHM;
import static io.fle4j.it.crossdriver.CrossDriverVault.byAltName;
import static io.fle4j.it.crossdriver.CrossDriverVault.byId;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.mongodb.MongoException;
import com.mongodb.client.model.vault.DataKeyOptions;
import com.mongodb.client.vault.ClientEncryption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.bson.BsonBinary;
import org.bson.BsonDocument;
import org.bson.BsonInt64;
import org.bson.BsonString;
import org.bson.BsonValue;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Named local providers {@code local:a} and {@code local:b}, with different master keys, are
 * configured on both sides. Each side creates a key under each; every key is usable by the other
 * side, and each key really is wrapped with its own provider's master key.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class NamedLocalProvidersCrossDriverTest {
  private CrossDriverVault vault;
  private ClientEncryption fle4j;
  private ClientEncryption official;
  /** "creator provider" to key id, for example "fle4j local:a". */
  private final Map<String, BsonBinary> keys = new LinkedHashMap<>();

  @BeforeAll
  void createKeys() {
    vault = new CrossDriverVault();
    fle4j = vault.fle4j();
    official = vault.official();
    for (String provider : List.of(LOCAL_A, LOCAL_B)) {
      keys.put("fle4j " + provider, fle4j.createDataKey(provider,
          new DataKeyOptions().keyAltNames(List.of(altName("fle4j", provider)))));
      keys.put("official " + provider, official.createDataKey(provider,
          new DataKeyOptions().keyAltNames(List.of(altName("official", provider)))));
    }
  }

  @AfterAll
  void dropVault() throws Exception {
    vault.close();
  }

  private static String altName(String side, String provider) {
    return side + "-" + provider.replace(':', '-');
  }

  Stream<Arguments> keysWithReaderAndWriter() {
    List<Arguments> arguments = new ArrayList<>();
    keys.forEach((name, id) -> {
      boolean createdByFle4j = name.startsWith("fle4j");
      arguments.add(Arguments.of(name, id, createdByFle4j));
    });
    return arguments.stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("keysWithReaderAndWriter")
  void createDataKey_namedProvider_masterKeyNamesProvider(
      String name, BsonBinary id, boolean createdByFle4j) {
    String provider = name.substring(name.indexOf(' ') + 1);

    assertThat(vault.rawKey(id).getDocument("masterKey"))
        .isEqualTo(new BsonDocument("provider", new BsonString(provider)));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("keysWithReaderAndWriter")
  void encrypt_otherSidesNamedProviderKey_creatorDecrypts(
      String name, BsonBinary id, boolean createdByFle4j) {
    ClientEncryption creator = createdByFle4j ? fle4j : official;
    ClientEncryption other = createdByFle4j ? official : fle4j;
    BsonValue value = new BsonString("secret under " + name);

    BsonBinary deterministic = other.encrypt(value, byId(DETERMINISTIC, id));
    BsonBinary random = other.encrypt(value, byId(RANDOM_ALGORITHM, id));

    assertThat(creator.decrypt(deterministic)).isEqualTo(value);
    assertThat(creator.decrypt(random)).isEqualTo(value);
    assertThat(deterministic).isEqualTo(creator.encrypt(value, byId(DETERMINISTIC, id)));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("keysWithReaderAndWriter")
  void decrypt_creatorsCiphertextUnderNamedProvider_otherSideDecrypts(
      String name, BsonBinary id, boolean createdByFle4j) {
    ClientEncryption creator = createdByFle4j ? fle4j : official;
    ClientEncryption other = createdByFle4j ? official : fle4j;
    String provider = name.substring(name.indexOf(' ') + 1);
    BsonValue value = new BsonInt64(name.hashCode());

    String altName = altName(createdByFle4j ? "fle4j" : "official", provider);
    BsonBinary ciphertext = creator.encrypt(value, byAltName(RANDOM_ALGORITHM, altName));

    assertThat(other.decrypt(ciphertext)).isEqualTo(value);
  }

  @Test
  void decrypt_readerWithProvidersMasterKeysSwapped_failsOnBothSides() {
    // local:a configured with local:b's master key and vice versa: unwrapping must fail its MAC,
    // which shows each key was wrapped with its own provider's master key on both sides.
    Map<String, Map<String, Object>> swapped = Map.of(
        LOCAL_A, Map.of("key", vault.masterKey(LOCAL_B)),
        LOCAL_B, Map.of("key", vault.masterKey(LOCAL_A)));
    ClientEncryption swappedFle4j = vault.fle4j(swapped);
    ClientEncryption swappedOfficial = vault.official(swapped);

    for (Map.Entry<String, BsonBinary> key : keys.entrySet()) {
      BsonValue value = new BsonString("x");
      BsonBinary ciphertext = fle4j.encrypt(value, byId(DETERMINISTIC, key.getValue()));

      assertThatThrownBy(() -> swappedFle4j.decrypt(ciphertext)).as("fle4j, " + key.getKey())
          .isInstanceOf(MongoException.class)
          .hasMessageContaining("HMAC validation failure");
      assertThatThrownBy(() -> swappedOfficial.decrypt(ciphertext)).as("official, " + key.getKey())
          .isInstanceOf(MongoException.class)
          .hasMessageContaining("HMAC validation failure");
    }
  }

  @Test
  void decrypt_readerConfiguredWithOnlyLocalA_readsLocalAKeysOfBothSides() {
    ClientEncryption onlyAFle4j = vault.fle4j(vault.providers(LOCAL_A));
    ClientEncryption onlyAOfficial = vault.official(vault.providers(LOCAL_A));
    BsonValue value = new BsonString("only a");

    for (String creator : List.of("fle4j", "official")) {
      BsonBinary ciphertext =
          (creator.equals("fle4j") ? fle4j : official)
              .encrypt(value, byId(RANDOM_ALGORITHM, keys.get(creator + " " + LOCAL_A)));

      assertThat(onlyAFle4j.decrypt(ciphertext)).as(creator).isEqualTo(value);
      assertThat(onlyAOfficial.decrypt(ciphertext)).as(creator).isEqualTo(value);
    }
  }
}
