package io.fle4j.internal.qe;

import static org.assertj.core.api.Assertions.assertThat;

import io.fle4j.testing.SpecData;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import java.util.stream.Stream;
import org.bson.BsonDocument;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * The token tree against the server's own vectors ({@code tokens/server.json}) and
 * libmongocrypt's ({@code tokens/mc.json}): every one of the 54 tokens of each file, computed
 * with {@link TokenHmac}, and the key-level and data-level tokens fle4j's payloads use computed
 * through {@link QeKey} and {@link QeTokens}.
 */
class QeTokensVectorTest {
  private static final HexFormat HEX = HexFormat.of();

  @TestFactory
  Stream<DynamicTest> everyTokenOfBothFiles() {
    List<DynamicTest> tests = new ArrayList<>();
    for (String file : List.of("server.json", "mc.json")) {
      BsonDocument vector = SpecData.json("libmongocrypt/test-data/tokens/" + file);
      Map<String, byte[]> computed = tree(vector);
      for (String name : vector.keySet()) {
        if (List.of("root", "value", "contentionFactor").contains(name)) {
          continue;
        }
        tests.add(DynamicTest.dynamicTest(file + " " + name, () -> {
          assertThat(computed).as("derivation known for " + name).containsKey(name.toLowerCase());
          assertThat(HEX.formatHex(computed.get(name.toLowerCase())))
              .isEqualTo(vector.getString(name).getValue().toLowerCase());
        }));
      }
    }
    assertThat(tests).hasSize(2 * 54);
    return tests.stream();
  }

  @TestFactory
  Stream<DynamicTest> qeKeyAndQeTokensGiveTheSameTokens() {
    List<DynamicTest> tests = new ArrayList<>();
    for (String file : List.of("server.json", "mc.json")) {
      BsonDocument vector = SpecData.json("libmongocrypt/test-data/tokens/" + file);
      tests.add(DynamicTest.dynamicTest(file, () -> {
        byte[] key96 = new byte[96];
        System.arraycopy(hex(vector, "root"), 0, key96, 64, 32);
        QeKey key = QeKey.of(key96);
        QeKey.Worker worker = key.borrow();
        byte[] value = hex(vector, "value");
        long cf = contention(vector);
        assertThat(worker.edcToken()).isEqualTo(hex(vector, "EDCToken"));
        assertThat(worker.escToken()).isEqualTo(hex(vector, "ESCToken"));
        assertThat(worker.ecocToken()).isEqualTo(hex(vector, "ECOCToken"));
        assertThat(worker.serverDataEncryptionToken())
            .isEqualTo(hex(vector, "serverDataEncryptionLevel1Token"));
        QeTokens.FromData fromData = QeTokens.fromData(worker, value, 0, value.length);
        assertThat(fromData.edc()).isEqualTo(hex(vector, "EDCDerivedFromDataToken"));
        assertThat(fromData.esc()).isEqualTo(hex(vector, "ESCDerivedFromDataToken"));
        assertThat(fromData.server()).isEqualTo(hex(vector, "serverDerivedFromDataToken"));
        assertThat(QeTokens.withContention(worker, fromData.edc(), cf))
            .isEqualTo(hex(vector, "EDCDerivedFromDataTokenAndContentionFactor"));
        assertThat(QeTokens.withContention(worker, fromData.esc(), cf))
            .isEqualTo(hex(vector, "ESCDerivedFromDataTokenAndContentionFactor"));
        key.release(worker);
      }));
    }
    return tests.stream();
  }

  /** Every token of the tree (qe-formats.md §2.3), by lower-cased vector name. */
  private static Map<String, byte[]> tree(BsonDocument vector) {
    TokenHmac h = new TokenHmac();
    BiFunction<byte[], Long, byte[]> u64 = h::macU64;
    Map<String, byte[]> t = new LinkedHashMap<>();
    byte[] root = hex(vector, "root");
    byte[] value = hex(vector, "value");
    long cf = contention(vector);
    byte[] level1 = put(t, "collectionsLevel1Token", u64.apply(root, 1L));
    byte[] serverL1 = put(t, "ServerTokenDerivationLevel1Token", u64.apply(root, 2L));
    put(t, "serverDataEncryptionLevel1Token", u64.apply(root, 3L));
    byte[] edc = put(t, "EDCToken", u64.apply(level1, 1L));
    byte[] esc = put(t, "ESCToken", u64.apply(level1, 2L));
    byte[] ecc = put(t, "ECCToken", u64.apply(level1, 3L));
    put(t, "ECOCToken", u64.apply(level1, 4L));
    byte[] edcData = put(t, "EDCDerivedFromDataToken", h.mac(edc, value));
    byte[] escData = put(t, "ESCDerivedFromDataToken", h.mac(esc, value));
    byte[] eccData = put(t, "ECCDerivedFromDataToken", h.mac(ecc, value));
    byte[] serverData = put(t, "serverDerivedFromDataToken", h.mac(serverL1, value));
    byte[] edcCf = put(t, "EDCDerivedFromDataTokenAndContentionFactor", u64.apply(edcData, cf));
    byte[] escCf = put(t, "ESCDerivedFromDataTokenAndContentionFactor", u64.apply(escData, cf));
    put(t, "ECCDerivedFromDataTokenAndContentionFactor", u64.apply(eccData, cf));
    put(t, "EDCTwiceDerivedToken", u64.apply(edcCf, 1L));
    put(t, "ESCTwiceDerivedTagToken", u64.apply(escCf, 1L));
    put(t, "ESCTwiceDerivedValueToken", u64.apply(escCf, 2L));
    put(t, "serverCountAndContentionFactorEncryptionToken", u64.apply(serverData, 1L));
    put(t, "serverZerosEncryptionToken", u64.apply(serverData, 2L));
    byte[] padding = put(t, "AnchorPaddingTokenRoot", h.mac(esc, new byte[17]));
    put(t, "AnchorPaddingKeyToken", u64.apply(padding, 1L));
    put(t, "AnchorPaddingValueToken", u64.apply(padding, 2L));
    String[] kinds = {"Exact", "Substring", "Suffix", "Prefix"};
    for (int i = 0; i < kinds.length; i++) {
      String kind = kinds[i];
      long type = i + 1;
      byte[] edcText = put(t, "EDCText" + kind + "Token", u64.apply(edc, type));
      byte[] escText = put(t, "ESCText" + kind + "Token", u64.apply(esc, type));
      byte[] serverText = put(t, "ServerText" + kind + "Token", u64.apply(serverL1, type));
      byte[] edcTextData = put(t, "EDCText" + kind + "DerivedFromDataToken", h.mac(edcText, value));
      byte[] escTextData = put(t, "ESCText" + kind + "DerivedFromDataToken", h.mac(escText, value));
      put(t, "ServerText" + kind + "DerivedFromDataToken", h.mac(serverText, value));
      put(t, "EDCText" + kind + "DerivedFromDataTokenAndContentionFactorToken",
          u64.apply(edcTextData, cf));
      put(t, "ESCText" + kind + "DerivedFromDataTokenAndContentionFactorToken",
          u64.apply(escTextData, cf));
    }
    return t;
  }

  private static byte[] put(Map<String, byte[]> tree, String name, byte[] token) {
    tree.put(name.toLowerCase(), token);
    return token;
  }

  private static long contention(BsonDocument vector) {
    return vector.get("contentionFactor").asNumber().longValue();
  }

  private static byte[] hex(BsonDocument vector, String name) {
    return HEX.parseHex(vector.getString(name).getValue());
  }
}
