package io.fle4j.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.mongodb.client.model.Filters;
import com.mongodb.client.model.vault.DataKeyOptions;
import com.mongodb.client.model.vault.EncryptOptions;
import com.mongodb.client.model.vault.RewrapManyDataKeyOptions;
import com.mongodb.client.model.vault.RewrapManyDataKeyResult;
import com.mongodb.client.vault.ClientEncryption;
import io.fle4j.Algorithm;
import io.fle4j.DataKeyNotFoundException;
import io.fle4j.DuplicateKeyAltNameException;
import io.fle4j.testing.SpecData;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.bson.BsonArray;
import org.bson.BsonBinary;
import org.bson.BsonBinarySubType;
import org.bson.BsonDocument;
import org.bson.BsonInt32;
import org.bson.BsonString;
import org.bson.BsonValue;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The whole ClientEncryption API against a real key vault (embedded or FLE4J_MONGODB_URI). */
class ClientEncryptionEndToEndTest {
  private static final String DET = Algorithm.DETERMINISTIC.specName();
  private static final String RND = Algorithm.RANDOM.specName();

  private final KeyVaultFixture vault = new KeyVaultFixture();
  private final byte[] masterKeyA = KeyVaultFixture.randomMasterKey();
  private final byte[] masterKeyB = KeyVaultFixture.randomMasterKey();
  private final ClientEncryption ce = vault.fle4j(Map.of(
      "local", Map.of("key", masterKeyA),
      "local:b", Map.of("key", masterKeyB)));

  @AfterEach
  void dropVault() throws Exception {
    vault.close();
  }

  @Test
  void createDataKey_writesExactlyTheLibmongocryptDocument() {
    BsonBinary id = ce.createDataKey("local", new DataKeyOptions().keyAltNames(List.of("a", "b")));

    BsonDocument doc = vault.keys.find(Filters.eq("_id", id)).first();
    assertThat(doc.keySet()).containsExactly(
        "_id", "keyAltNames", "keyMaterial", "creationDate", "updateDate", "status", "masterKey");
    assertThat(id.getType()).isEqualTo(BsonBinarySubType.UUID_STANDARD.getValue());
    assertThat(id.getData()[6] & 0xf0).as("UUID version 4").isEqualTo(0x40);
    assertThat(doc.getArray("keyAltNames")).containsExactly(new BsonString("a"), new BsonString("b"));
    assertThat(doc.getBinary("keyMaterial").getType()).isZero();
    assertThat(doc.getBinary("keyMaterial").getData()).hasSize(160);
    assertThat(doc.get("creationDate")).isEqualTo(doc.get("updateDate"));
    assertThat(doc.get("status")).isEqualTo(new BsonInt32(0));
    assertThat(doc.getDocument("masterKey")).isEqualTo(new BsonDocument("provider", new BsonString("local")));
  }

  @Test
  void createDataKey_withoutAltNames_hasNoKeyAltNamesField() {
    BsonBinary id = ce.createDataKey("local:b");
    BsonDocument doc = ce.getKey(id);
    assertThat(doc.containsKey("keyAltNames")).isFalse();
    assertThat(doc.getDocument("masterKey").getString("provider").getValue()).isEqualTo("local:b");
  }

  @Test
  void createDataKey_customKeyMaterial_reproducesProseTest1() {
    BsonDocument example = SpecData.json("derived/offline-vectors.json").getDocument("worked_example");
    byte[] dek = Base64.getDecoder().decode(example.getString("dek_base64").getValue());
    BsonBinary id = ce.createDataKey("local", new DataKeyOptions().keyMaterial(dek));
    // As in the prose test: copy the key under an all-zero id, then encrypt with it.
    BsonDocument key = ce.getKey(id);
    BsonBinary zeroId = new BsonBinary(BsonBinarySubType.UUID_STANDARD, new byte[16]);
    key.put("_id", zeroId);
    vault.keys.insertOne(key);

    BsonBinary encrypted = ce.encrypt(new BsonString("test"), new EncryptOptions(DET).keyId(zeroId));

    assertThat(Base64.getEncoder().encodeToString(encrypted.getData()))
        .isEqualTo(example.getString("blobBase64").getValue());
  }

  @Test
  void encrypt_byIdAndByAltName_giveIdenticalDeterministicBytes_andDecrypt() {
    BsonBinary id = ce.createDataKey("local", new DataKeyOptions().keyAltNames(List.of("ssn")));
    BsonValue value = new BsonString("123-45-6789");

    BsonBinary byId = ce.encrypt(value, new EncryptOptions(DET).keyId(id));
    BsonBinary byName = ce.encrypt(value, new EncryptOptions(DET).keyAltName("ssn"));
    BsonBinary random = ce.encrypt(value, new EncryptOptions(RND).keyAltName("ssn"));

    assertThat(byId).isEqualTo(byName).isNotEqualTo(random);
    assertThat(ce.decrypt(byId)).isEqualTo(value);
    assertThat(ce.decrypt(random)).isEqualTo(value);
  }

  @Test
  void ciphertext_storedAndReadBackThroughMongo_isUnchangedAndQueryable() {
    BsonBinary id = ce.createDataKey("local");
    BsonBinary ssn = ce.encrypt(new BsonString("123-45-6789"), new EncryptOptions(DET).keyId(id));
    var people = vault.client.getDatabase(vault.database).getCollection("people", BsonDocument.class);
    people.insertOne(new BsonDocument("_id", new BsonInt32(1)).append("ssn", ssn));
    people.insertOne(new BsonDocument("_id", new BsonInt32(2)).append("ssn",
        ce.encrypt(new BsonString("987-65-4321"), new EncryptOptions(DET).keyId(id))));

    BsonDocument found = people.find(Filters.eq("ssn",
        ce.encrypt(new BsonString("123-45-6789"), new EncryptOptions(DET).keyId(id)))).first();

    assertThat(found.getInt32("_id").getValue()).isEqualTo(1);
    assertThat(found.getBinary("ssn")).isEqualTo(ssn);
    assertThat(ce.decrypt(found.getBinary("ssn"))).isEqualTo(new BsonString("123-45-6789"));
  }

  @Test
  void getKeyGetKeysGetKeyByAltName_returnWhatIsStored() {
    BsonBinary first = ce.createDataKey("local", new DataKeyOptions().keyAltNames(List.of("one")));
    BsonBinary second = ce.createDataKey("local:b");
    assertThat(ce.getKey(first).getBinary("_id")).isEqualTo(first);
    assertThat(ce.getKeyByAltName("one").getBinary("_id")).isEqualTo(first);
    assertThat(ce.getKeyByAltName("none")).isNull();
    assertThat(ce.getKey(new BsonBinary(UUID.randomUUID(), org.bson.UuidRepresentation.STANDARD))).isNull();
    List<BsonValue> ids = new ArrayList<>();
    ce.getKeys().forEach(doc -> ids.add(doc.get("_id")));
    assertThat(ids).containsExactlyInAnyOrder(first, second);
  }

  @Test
  void addKeyAltName_returnsThePreviousDocument_andIsIdempotent() {
    BsonBinary id = ce.createDataKey("local");
    BsonDocument before = ce.addKeyAltName(id, "x");
    assertThat(before.containsKey("keyAltNames")).isFalse();
    BsonDocument again = ce.addKeyAltName(id, "x");
    assertThat(again.getArray("keyAltNames")).containsExactly(new BsonString("x"));
    assertThat(ce.getKey(id).getArray("keyAltNames")).containsExactly(new BsonString("x"));
    assertThat(ce.addKeyAltName(new BsonBinary(UUID.randomUUID(), org.bson.UuidRepresentation.STANDARD), "y")).isNull();
  }

  @Test
  void addKeyAltName_nameOfAnotherKey_isRefusedAndChangesNothing() {
    ce.createDataKey("local", new DataKeyOptions().keyAltNames(List.of("taken")));
    BsonBinary other = ce.createDataKey("local");
    assertThatThrownBy(() -> ce.addKeyAltName(other, "taken"))
        .isInstanceOf(DuplicateKeyAltNameException.class)
        .hasMessageContaining("'taken'");
    assertThat(ce.getKey(other).containsKey("keyAltNames")).isFalse();
  }

  @Test
  void removeKeyAltName_lastName_removesTheField() {
    BsonBinary id = ce.createDataKey("local", new DataKeyOptions().keyAltNames(List.of("p", "q")));
    assertThat(ce.removeKeyAltName(id, "p").getArray("keyAltNames")).hasSize(2);
    assertThat(ce.getKey(id).getArray("keyAltNames")).containsExactly(new BsonString("q"));
    assertThat(ce.removeKeyAltName(id, "q").getArray("keyAltNames")).containsExactly(new BsonString("q"));
    assertThat(ce.getKey(id).containsKey("keyAltNames")).isFalse();
    assertThat(ce.removeKeyAltName(id, "q").containsKey("keyAltNames")).isFalse();
    assertThat(ce.removeKeyAltName(new BsonBinary(UUID.randomUUID(), org.bson.UuidRepresentation.STANDARD), "q")).isNull();
  }

  @Test
  void removeKeyAltName_concurrentWithAdds_losesNoName() throws Exception {
    List<String> initial = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      initial.add("old" + i);
    }
    BsonBinary id = ce.createDataKey("local", new DataKeyOptions().keyAltNames(initial));
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      CountDownLatch start = new CountDownLatch(1);
      List<Future<?>> done = new ArrayList<>();
      for (int i = 0; i < 8; i++) {
        int n = i;
        done.add(pool.submit(() -> {
          start.await();
          ce.removeKeyAltName(id, "old" + n);
          ce.addKeyAltName(id, "new" + n);
          return null;
        }));
      }
      start.countDown();
      for (Future<?> f : done) {
        f.get();
      }
    } finally {
      pool.shutdownNow();
    }
    BsonArray names = ce.getKey(id).getArray("keyAltNames");
    assertThat(names.getValues().stream().map(v -> v.asString().getValue()))
        .containsExactlyInAnyOrder("new0", "new1", "new2", "new3", "new4", "new5", "new6", "new7");
  }

  @Test
  void deleteKey_makesItsCiphertextsUnreadable() {
    BsonBinary id = ce.createDataKey("local");
    BsonBinary encrypted = ce.encrypt(new BsonString("shred me"), new EncryptOptions(RND).keyId(id));
    assertThat(ce.decrypt(encrypted)).isEqualTo(new BsonString("shred me")); // now cached

    assertThat(ce.deleteKey(id).getDeletedCount()).isEqualTo(1);

    assertThatThrownBy(() -> ce.decrypt(encrypted))
        .isInstanceOf(DataKeyNotFoundException.class)
        .hasMessageContaining(vault.namespace);
  }

  @Test
  void rewrapManyDataKey_toAnotherProvider_keepsEveryKeyReadable() {
    BsonBinary k1 = ce.createDataKey("local", new DataKeyOptions().keyAltNames(List.of("k1")));
    BsonBinary k2 = ce.createDataKey("local");
    ce.createDataKey("local:b"); // not matched by the filter
    BsonBinary c1 = ce.encrypt(new BsonString("one"), new EncryptOptions(RND).keyId(k1));
    BsonBinary c2 = ce.encrypt(new BsonInt32(2), new EncryptOptions(DET).keyId(k2));
    BsonDocument before = ce.getKey(k1);

    RewrapManyDataKeyResult result = ce.rewrapManyDataKey(
        Filters.eq("masterKey.provider", "local"), new RewrapManyDataKeyOptions().provider("local:b"));

    assertThat(result.getBulkWriteResult().getMatchedCount()).isEqualTo(2);
    assertThat(result.getBulkWriteResult().getModifiedCount()).isEqualTo(2);
    BsonDocument after = ce.getKey(k1);
    assertThat(after.getDocument("masterKey").getString("provider").getValue()).isEqualTo("local:b");
    assertThat(after.getBinary("keyMaterial")).isNotEqualTo(before.getBinary("keyMaterial"));
    assertThat(after.getDateTime("updateDate").getValue())
        .isGreaterThanOrEqualTo(before.getDateTime("updateDate").getValue());
    assertThat(after.keySet()).containsExactlyElementsOf(before.keySet());
    // A client that holds only the new master key reads the old ciphertexts.
    ClientEncryption onlyB = vault.fle4j(Map.of("local:b", Map.of("key", masterKeyB)));
    assertThat(onlyB.decrypt(c1)).isEqualTo(new BsonString("one"));
    assertThat(onlyB.decrypt(c2)).isEqualTo(new BsonInt32(2));
  }

  @Test
  void removeKeyAltName_theNameStopsWorkingAtOnce_evenWhenCached() {
    // Issue 13, item 10: the name stayed usable from this client's cache until it expired.
    BsonBinary id = ce.createDataKey("local", new DataKeyOptions().keyAltNames(List.of("gone")));
    ce.encrypt(new BsonString("x"), new EncryptOptions(RND).keyAltName("gone")); // cached by name

    ce.removeKeyAltName(id, "gone");

    assertThatThrownBy(() -> ce.encrypt(new BsonString("x"), new EncryptOptions(RND).keyAltName("gone")))
        .isInstanceOf(DataKeyNotFoundException.class);
  }

  @Test
  void rewrapManyDataKey_noOptions_rewrapsUnderTheSameMasterKey() {
    BsonBinary id = ce.createDataKey("local");
    BsonBinary encrypted = ce.encrypt(new BsonString("v"), new EncryptOptions(RND).keyId(id));
    BsonBinary material = ce.getKey(id).getBinary("keyMaterial");

    RewrapManyDataKeyResult result = ce.rewrapManyDataKey(new BsonDocument());

    assertThat(result.getBulkWriteResult().getModifiedCount()).isEqualTo(1);
    assertThat(ce.getKey(id).getBinary("keyMaterial")).isNotEqualTo(material);
    ClientEncryption fresh = vault.fle4j(Map.of("local", Map.of("key", masterKeyA)));
    assertThat(fresh.decrypt(encrypted)).isEqualTo(new BsonString("v"));
  }

  @Test
  void rewrapManyDataKey_nothingMatches_hasNoBulkWriteResult() {
    ce.createDataKey("local");
    RewrapManyDataKeyResult result = ce.rewrapManyDataKey(Filters.eq("keyAltNames", "absent"));
    assertThat(result.getBulkWriteResult()).isNull();
  }
}
