package io.fle4j.internal.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fle4j.Algorithm;
import io.fle4j.UnencryptableValueException;
import io.fle4j.kms.Fle1KeyWrap;
import io.fle4j.kms.SecretBytes;
import io.fle4j.testing.SpecData;
import java.util.Map;
import java.util.UUID;
import org.bson.BsonBinary;
import org.bson.BsonDocument;
import org.bson.BsonValue;
import org.junit.jupiter.api.Test;

/**
 * The CSFLE spec corpus (prose test 6), local- and kmip-keyed entries, checked at the crypto layer:
 * deterministic values re-encrypt to exactly the expected bytes, every expected ciphertext decrypts
 * to its value, and forbidden types are refused. The same corpus runs end to end through {@code
 * ClientEncryption} in the integration tests.
 */
class CorpusConformanceTest {

  @Test
  void corpus_localAndKmipEntries_matchByteForByte() throws Exception {
    BsonDocument corpus = SpecData.json("specifications/corpus/corpus.json");
    BsonDocument expected = SpecData.json("specifications/corpus/corpus-encrypted.json");
    SecretBytes localMasterKey = SecretBytes.fromBase64(SpecData.json("derived/offline-vectors.json")
        .getDocument("localMasterKey").getString("base64").getValue());
    SecretBytes kmipSecret = SecretBytes.fromBase64(SpecData.json("derived/kmip-mock-keys.json")
        .getArray("objects").get(0).asDocument().getString("base64").getValue());
    Map<String, Key> keys = Map.of(
        "local", key("specifications/corpus/corpus-key-local.json", localMasterKey),
        "kmip", key("specifications/corpus/corpus-key-kmip.json", kmipSecret));

    int deterministicChecked = 0;
    int decrypted = 0;
    int refused = 0;
    for (String field : corpus.keySet()) {
      if (!corpus.get(field).isDocument()) {
        continue;
      }
      BsonDocument entry = corpus.getDocument(field);
      Key key = keys.get(entry.getString("kms").getValue());
      if (key == null) {
        continue; // aws, azure, gcp entries need the real cloud KMS
      }
      Algorithm algorithm = entry.getString("algo").getValue().equals("det")
          ? Algorithm.DETERMINISTIC : Algorithm.RANDOM;
      BsonValue value = entry.get("value");
      BsonValue stored = expected.getDocument(field).get("value");
      if (!entry.getBoolean("allowed").getValue()) {
        assertThatThrownBy(() -> ValueCipher.encrypt(value, algorithm, key.id, key.aead))
            .as(field).isInstanceOf(UnencryptableValueException.class);
        assertThat(stored).as(field + " stays plaintext").isEqualTo(value);
        refused++;
        continue;
      }
      BsonBinary ciphertext = stored.asBinary();
      ValueCipher.Header header = ValueCipher.parseHeader(ciphertext);
      assertThat(header.keyId()).as(field).isEqualTo(key.id);
      assertThat(header.algorithm()).as(field).isEqualTo(algorithm);
      assertThat(ValueCipher.decrypt(ciphertext, header, key.aead)).as(field).isEqualTo(value);
      decrypted++;
      if (algorithm == Algorithm.DETERMINISTIC) {
        assertThat(ValueCipher.encrypt(value, algorithm, key.id, key.aead).getData())
            .as(field).isEqualTo(ciphertext.getData());
        deterministicChecked++;
      }
    }
    // formats.md §6.1: 89 deterministic and 161 random local/kmip values, plus refused types.
    assertThat(deterministicChecked).isEqualTo(89);
    assertThat(decrypted).isEqualTo(250);
    assertThat(refused).isPositive();
  }

  private static Key key(String keyDocumentPath, SecretBytes kek) throws Exception {
    BsonDocument doc = SpecData.json(keyDocumentPath);
    BsonBinary id = doc.getBinary("_id");
    java.nio.ByteBuffer bytes = java.nio.ByteBuffer.wrap(id.getData());
    byte[] dek = Fle1KeyWrap.unwrap(kek, doc.getBinary("keyMaterial").getData());
    return new Key(new UUID(bytes.getLong(), bytes.getLong()), AeadKey.of(dek));
  }

  private record Key(UUID id, AeadKey aead) {}
}
