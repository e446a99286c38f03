package io.fle4j.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.vault.EncryptOptions;
import com.mongodb.client.vault.ClientEncryption;
import io.fle4j.Algorithm;
import io.fle4j.Fle4jSettings;
import io.fle4j.UnencryptableValueException;
import io.fle4j.kms.Fle1KeyWrap;
import io.fle4j.kms.KmsProvider;
import io.fle4j.kms.KmsProviderException;
import io.fle4j.kms.KmsProviderName;
import io.fle4j.kms.SecretBytes;
import io.fle4j.testing.SpecData;
import java.util.Map;
import org.bson.BsonBinary;
import org.bson.BsonDocument;
import org.bson.BsonString;
import org.bson.BsonValue;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * CSFLE prose test 6 (the corpus), local- and kmip-keyed entries, through {@code ClientEncryption}
 * and a real key vault: explicit encryption by id and alt name, the encrypted document stored and
 * read back, deterministic values byte-equal to the corpus, random ones decrypting to the same
 * value, forbidden types refused. The kmip key's SecretData comes from the mock KMIP server's
 * database (spec-data/derived), served by a test double of the KMIP Get.
 */
class CorpusEndToEndTest {
  private final KeyVaultFixture vault = new KeyVaultFixture();

  @AfterEach
  void dropVault() throws Exception {
    vault.close();
  }

  @Test
  void corpus_explicitEncryptionOfEveryLocalAndKmipEntry_matchesTheExpectedDocument() {
    for (String kms : new String[] {"local", "kmip"}) {
      vault.keys.insertOne(SpecData.json("specifications/corpus/corpus-key-" + kms + ".json"));
    }
    BsonDocument vectors = SpecData.json("derived/offline-vectors.json");
    byte[] localMasterKey = java.util.Base64.getDecoder()
        .decode(vectors.getDocument("localMasterKey").getString("base64").getValue());
    SecretBytes kmipSecretData = SecretBytes.fromBase64(SpecData.json("derived/kmip-mock-keys.json")
        .getArray("objects").get(0).asDocument().getString("base64").getValue());
    ClientEncryption ce = vault.fle4j(Map.of("local", Map.of("key", localMasterKey)),
        Fle4jSettings.builder().kmsProvider(new KmipGetDouble(kmipSecretData)).build());

    BsonDocument corpus = SpecData.json("specifications/corpus/corpus.json");
    BsonDocument expected = SpecData.json("specifications/corpus/corpus-encrypted.json");
    BsonDocument toStore = new BsonDocument();
    int checked = 0;
    for (String field : corpus.keySet()) {
      BsonValue entryValue = corpus.get(field);
      if (!entryValue.isDocument()) {
        toStore.put(field, entryValue);
        continue;
      }
      BsonDocument entry = entryValue.asDocument();
      String kms = entry.getString("kms").getValue();
      if (!kms.equals("local") && !kms.equals("kmip")) {
        continue; // needs the real cloud KMS
      }
      EncryptOptions options = new EncryptOptions(entry.getString("algo").getValue().equals("det")
          ? Algorithm.DETERMINISTIC.specName() : Algorithm.RANDOM.specName());
      if (entry.getString("identifier").getValue().equals("id")) {
        options.keyId(SpecData.json("specifications/corpus/corpus-key-" + kms + ".json").getBinary("_id"));
      } else {
        options.keyAltName(kms);
      }
      BsonValue value = entry.get("value");
      BsonDocument stored = entry.clone();
      if (entry.getBoolean("allowed").getValue()) {
        stored.put("value", ce.encrypt(value, options));
      } else {
        assertThatThrownBy(() -> ce.encrypt(value, options)).as(field)
            .isInstanceOf(UnencryptableValueException.class);
      }
      toStore.put(field, stored);
      checked++;
    }
    MongoCollection<BsonDocument> coll =
        vault.client.getDatabase(vault.database).getCollection("corpus", BsonDocument.class);
    coll.insertOne(toStore);
    BsonDocument readBack = coll.find().first();

    for (String field : readBack.keySet()) {
      if (!readBack.get(field).isDocument()) {
        continue;
      }
      BsonDocument entry = readBack.getDocument(field);
      BsonValue actual = entry.get("value");
      BsonValue wanted = expected.getDocument(field).get("value");
      BsonValue plain = corpus.getDocument(field).get("value");
      if (!entry.getBoolean("allowed").getValue()) {
        assertThat(actual).as(field).isEqualTo(plain);
      } else if (entry.getString("algo").getValue().equals("det")) {
        assertThat(actual).as(field).isEqualTo(wanted);
      } else {
        assertThat(actual).as(field).isNotEqualTo(wanted);
        assertThat(ce.decrypt(actual.asBinary())).as(field).isEqualTo(plain);
        assertThat(ce.decrypt(wanted.asBinary())).as(field).isEqualTo(plain);
      }
    }
    assertThat(checked).isEqualTo(170 + 136);
  }

  /**
   * Stands in for a KMIP server in default (non-delegated) mode: the wrap is local under the
   * SecretData a KMIP Get would return (formats.md §2.3). The real client comes with its own issue.
   */
  private static final class KmipGetDouble implements KmsProvider {
    private final SecretBytes secretData;

    KmipGetDouble(SecretBytes secretData) {
      this.secretData = secretData;
    }

    @Override
    public KmsProviderName name() {
      return KmsProviderName.of("kmip");
    }

    @Override
    public BsonDocument masterKey(BsonDocument options) {
      return new BsonDocument("provider", new BsonString("kmip")).append("keyId", new BsonString("1"));
    }

    @Override
    public byte[] encryptDataKey(BsonDocument masterKey, byte[] dataKey) {
      return Fle1KeyWrap.wrap(secretData, dataKey);
    }

    @Override
    public byte[] decryptDataKey(BsonDocument masterKey, byte[] keyMaterial) {
      assertThat(masterKey.getString("keyId").getValue()).isEqualTo("1");
      try {
        return Fle1KeyWrap.unwrap(secretData, keyMaterial);
      } catch (javax.crypto.AEADBadTagException e) {
        throw new KmsProviderException(name(), false, "cannot unwrap");
      }
    }
  }
}
