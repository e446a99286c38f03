package io.fle4j.it.crossdriver;

import static io.fle4j.it.crossdriver.CrossDriverVault.DETERMINISTIC;
import static io.fle4j.it.crossdriver.CrossDriverVault.LOCAL;
import static io.fle4j.it.crossdriver.CrossDriverVault.byAltName;
import static io.fle4j.it.crossdriver.CrossDriverVault.byId;
import static org.assertj.core.api.Assertions.assertThat;

import com.mongodb.client.model.vault.DataKeyOptions;
import com.mongodb.client.vault.ClientEncryption;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.bson.BsonBinary;
import org.bson.BsonInt32;
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
 * Deterministic encryption is a function of (data key, value): fle4j and the official driver must
 * produce byte-identical ciphertexts, whichever side created the key and however the key is named.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DeterministicCiphertextIdentityTest {
  private CrossDriverVault vault;
  private ClientEncryption fle4j;
  private ClientEncryption official;
  private final Map<String, BsonBinary> keyIds = new java.util.LinkedHashMap<>();

  @BeforeAll
  void createKeys() {
    vault = new CrossDriverVault();
    fle4j = vault.fle4j();
    official = vault.official();
    keyIds.put("fle4j key", fle4j.createDataKey(
        LOCAL, new DataKeyOptions().keyAltNames(List.of("det-fle4j"))));
    keyIds.put("official key", official.createDataKey(
        LOCAL, new DataKeyOptions().keyAltNames(List.of("det-official"))));
  }

  @AfterAll
  void dropVault() throws Exception {
    vault.close();
  }

  Stream<Arguments> keysAndValues() {
    Map<String, BsonValue> values = new java.util.LinkedHashMap<>(BsonSamples.deterministic());
    List<BsonString> strings = BsonSamples.stringsOfLengths0To33();
    for (int length = 0; length < strings.size(); length++) {
      values.put("string length " + length, strings.get(length));
    }
    values.put("int32 1", new BsonInt32(1));
    values.put("int32 -123456", new BsonInt32(-123456));
    values.put("int64 0", new BsonInt64(0));
    values.put("int64 min", new BsonInt64(Long.MIN_VALUE));
    List<Arguments> arguments = new ArrayList<>();
    keyIds.forEach((keyName, keyId) -> values.forEach(
        (valueName, value) -> arguments.add(Arguments.of(keyName, valueName, keyId, value))));
    return arguments.stream();
  }

  @ParameterizedTest(name = "{0}, {1}")
  @MethodSource("keysAndValues")
  void encryptDeterministic_sameKeyAndValue_byteIdenticalOnBothSides(
      String keyName, String valueName, BsonBinary keyId, BsonValue value) {
    BsonBinary fromFle4j = fle4j.encrypt(value, byId(DETERMINISTIC, keyId));
    BsonBinary fromOfficial = official.encrypt(value, byId(DETERMINISTIC, keyId));

    assertThat(fromFle4j.getType()).isEqualTo(fromOfficial.getType());
    assertThat(hex(fromFle4j)).isEqualTo(hex(fromOfficial));
  }

  @Test
  void encryptDeterministic_byAltNameOnEachSide_byteIdenticalToByKeyId() {
    BsonString value = new BsonString("alt-name lookup");
    for (Map.Entry<String, BsonBinary> key : keyIds.entrySet()) {
      String altName = key.getKey().equals("fle4j key") ? "det-fle4j" : "det-official";
      BsonBinary expected = official.encrypt(value, byId(DETERMINISTIC, key.getValue()));

      assertThat(hex(fle4j.encrypt(value, byAltName(DETERMINISTIC, altName))))
          .as(key.getKey()).isEqualTo(hex(expected));
      assertThat(hex(official.encrypt(value, byAltName(DETERMINISTIC, altName))))
          .as(key.getKey()).isEqualTo(hex(expected));
    }
  }

  @Test
  void encryptDeterministic_stringsOfLengths0To33_lengthsFollowCbcPadding() {
    // FLE1 deterministic: 1 + 16 (key id) + 1 (type) + 16 (IV) + CBC(bson bytes) + 32 (HMAC).
    // A BSON string of n UTF-8 bytes serializes to 4 + n + 1 bytes.
    BsonBinary keyId = keyIds.get("official key");
    List<BsonString> strings = BsonSamples.stringsOfLengths0To33();
    for (BsonString value : strings) {
      int plaintext = 4 + value.getValue().length() + 1;
      int expected = 1 + 16 + 1 + 16 + (plaintext / 16 + 1) * 16 + 32;
      assertThat(fle4j.encrypt(value, byId(DETERMINISTIC, keyId)).getData())
          .as("length %d", value.getValue().length()).hasSize(expected);
      assertThat(official.encrypt(value, byId(DETERMINISTIC, keyId)).getData())
          .as("length %d", value.getValue().length()).hasSize(expected);
    }
  }

  @Test
  void encryptDeterministic_oneMegabyteString_byteIdenticalOnBothSides() {
    BsonString value = new BsonString("0123456789abcdef".repeat(65_536));
    BsonBinary keyId = keyIds.get("fle4j key");

    assertThat(fle4j.encrypt(value, byId(DETERMINISTIC, keyId)).getData())
        .isEqualTo(official.encrypt(value, byId(DETERMINISTIC, keyId)).getData());
  }

  private static String hex(BsonBinary binary) {
    return HexFormat.of().formatHex(binary.getData());
  }
}
