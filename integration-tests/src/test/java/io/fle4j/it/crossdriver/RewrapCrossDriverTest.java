package io.fle4j.it.crossdriver;

import static io.fle4j.it.crossdriver.CrossDriverVault.DETERMINISTIC;
import static io.fle4j.it.crossdriver.CrossDriverVault.LOCAL;
import static io.fle4j.it.crossdriver.CrossDriverVault.LOCAL_A;
import static io.fle4j.it.crossdriver.CrossDriverVault.LOCAL_B;
import static io.fle4j.it.crossdriver.CrossDriverVault.RANDOM_ALGORITHM;
import static io.fle4j.it.crossdriver.CrossDriverVault.byId;
import static io.fle4j.it.crossdriver.KeyDocumentCompatibilityTest.schema;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.mongodb.MongoException;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.vault.DataKeyOptions;
import com.mongodb.client.model.vault.RewrapManyDataKeyOptions;
import com.mongodb.client.model.vault.RewrapManyDataKeyResult;
import com.mongodb.client.vault.ClientEncryption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.bson.BsonBinary;
import org.bson.BsonDocument;
import org.bson.BsonInt32;
import org.bson.BsonString;
import org.bson.BsonValue;
import org.bson.conversions.Bson;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * {@code rewrapManyDataKey} by either side on keys the other side created: the data key itself
 * is unchanged (old ciphertexts still decrypt, deterministic ciphertexts stay identical), only its
 * wrapping and {@code masterKey} change, and the rewritten documents keep the shape libmongocrypt
 * gives them.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RewrapCrossDriverTest {
  private static final BsonValue DET_VALUE = new BsonString("rewrap me");
  private static final BsonValue RANDOM_VALUE = new BsonDocument("n", new BsonInt32(42));

  private CrossDriverVault vault;
  private ClientEncryption fle4j;
  private ClientEncryption official;

  @BeforeAll
  void openVault() {
    vault = new CrossDriverVault();
    fle4j = vault.fle4j();
    official = vault.official();
  }

  @AfterAll
  void dropVault() throws Exception {
    vault.close();
  }

  /** Keys made by one side, with the ciphertexts it made with them and their documents before. */
  private final class Keys {
    final List<BsonBinary> ids = new ArrayList<>();
    final Map<BsonBinary, BsonBinary> deterministic = new LinkedHashMap<>();
    final Map<BsonBinary, BsonBinary> random = new LinkedHashMap<>();
    final Map<BsonBinary, BsonDocument> before = new LinkedHashMap<>();

    Keys(ClientEncryption creator, String provider, int count) {
      for (int i = 0; i < count; i++) {
        BsonBinary id = creator.createDataKey(provider, new DataKeyOptions()
            .keyAltNames(List.of("rewrap-" + UUID.randomUUID())));
        ids.add(id);
        deterministic.put(id, creator.encrypt(DET_VALUE, byId(DETERMINISTIC, id)));
        random.put(id, creator.encrypt(RANDOM_VALUE, byId(RANDOM_ALGORITHM, id)));
        before.put(id, vault.rawKey(id));
      }
    }

    Bson filter() {
      return Filters.in("_id", ids);
    }

    /** A reader that never saw these keys (no cached unwrapped key) decrypts every ciphertext. */
    void assertReadableBy(ClientEncryption freshReader, String who) {
      for (BsonBinary id : ids) {
        assertThat(freshReader.decrypt(deterministic.get(id))).as(who).isEqualTo(DET_VALUE);
        assertThat(freshReader.decrypt(random.get(id))).as(who).isEqualTo(RANDOM_VALUE);
        assertThat(freshReader.encrypt(DET_VALUE, byId(DETERMINISTIC, id))).as(who)
            .isEqualTo(deterministic.get(id));
      }
    }

    /** Each document: same fields in the same order, new wrapping, new masterKey, same key. */
    void assertRewrapped(String provider) {
      for (BsonBinary id : ids) {
        BsonDocument old = before.get(id);
        BsonDocument now = vault.rawKey(id);

        assertThat(schema(now)).isEqualTo(schema(old));
        assertThat(now.getDocument("masterKey"))
            .isEqualTo(new BsonDocument("provider", new BsonString(provider)));
        assertThat(now.getBinary("keyMaterial").getType()).isEqualTo((byte) 0);
        assertThat(now.getBinary("keyMaterial").getData()).hasSize(160)
            .isNotEqualTo(old.getBinary("keyMaterial").getData());
        assertThat(now.get("_id")).isEqualTo(old.get("_id"));
        assertThat(now.get("keyAltNames")).isEqualTo(old.get("keyAltNames"));
        assertThat(now.get("creationDate")).isEqualTo(old.get("creationDate"));
        assertThat(now.get("status")).isEqualTo(old.get("status"));
        assertThat(now.getDateTime("updateDate").getValue())
            .isGreaterThanOrEqualTo(old.getDateTime("updateDate").getValue());
      }
    }
  }

  private static void assertRewrote(RewrapManyDataKeyResult result, int count) {
    assertThat(result.getBulkWriteResult()).isNotNull();
    assertThat(result.getBulkWriteResult().getMatchedCount()).isEqualTo(count);
    assertThat(result.getBulkWriteResult().getModifiedCount()).isEqualTo(count);
  }

  @Test
  void rewrapManyDataKey_fle4jMovesOfficialKeysFromLocalAToLocalB_officialStillDecrypts() {
    Keys keys = new Keys(official, LOCAL_A, 2);

    RewrapManyDataKeyResult result =
        fle4j.rewrapManyDataKey(keys.filter(), new RewrapManyDataKeyOptions().provider(LOCAL_B));

    assertRewrote(result, 2);
    keys.assertRewrapped(LOCAL_B);
    keys.assertReadableBy(vault.official(vault.providers(LOCAL_B)), "official with only local:b");
    keys.assertReadableBy(vault.fle4j(vault.providers(LOCAL_B)), "fle4j with only local:b");
    keys.assertReadableBy(official, "the official instance that created the keys");
    ClientEncryption onlyA = vault.official(vault.providers(LOCAL_A));
    assertThatThrownBy(() -> onlyA.decrypt(keys.random.get(keys.ids.get(0))))
        .as("official with only local:a after the move")
        .isInstanceOf(MongoException.class).hasMessageContaining(LOCAL_B);
  }

  @Test
  void rewrapManyDataKey_officialMovesFle4jKeysFromLocalAToLocalB_fle4jStillDecrypts() {
    Keys keys = new Keys(fle4j, LOCAL_A, 2);

    RewrapManyDataKeyResult result =
        official.rewrapManyDataKey(keys.filter(), new RewrapManyDataKeyOptions().provider(LOCAL_B));

    assertRewrote(result, 2);
    keys.assertRewrapped(LOCAL_B);
    keys.assertReadableBy(vault.fle4j(vault.providers(LOCAL_B)), "fle4j with only local:b");
    keys.assertReadableBy(vault.official(vault.providers(LOCAL_B)), "official with only local:b");
    ClientEncryption onlyA = vault.fle4j(vault.providers(LOCAL_A));
    assertThatThrownBy(() -> onlyA.decrypt(keys.random.get(keys.ids.get(0))))
        .as("fle4j with only local:a after the move")
        .isInstanceOf(MongoException.class).hasMessageContaining(LOCAL_B);
  }

  @Test
  void rewrapManyDataKey_fle4jNoOptionsOnOfficialKeys_sameProviderOfficialStillDecrypts() {
    Keys keys = new Keys(official, LOCAL, 2);

    RewrapManyDataKeyResult result = fle4j.rewrapManyDataKey(keys.filter());

    assertRewrote(result, 2);
    keys.assertRewrapped(LOCAL);
    keys.assertReadableBy(vault.official(vault.providers(LOCAL)), "official");
    keys.assertReadableBy(vault.fle4j(vault.providers(LOCAL)), "fle4j");
  }

  @Test
  void rewrapManyDataKey_officialNoOptionsOnFle4jKeys_sameProviderFle4jStillDecrypts() {
    Keys keys = new Keys(fle4j, LOCAL, 2);

    RewrapManyDataKeyResult result = official.rewrapManyDataKey(keys.filter());

    assertRewrote(result, 2);
    keys.assertRewrapped(LOCAL);
    keys.assertReadableBy(vault.fle4j(vault.providers(LOCAL)), "fle4j");
    keys.assertReadableBy(vault.official(vault.providers(LOCAL)), "official");
  }

  @Test
  void rewrapManyDataKey_namedProviderKeysOfBothSidesNoOptions_eachSideKeepsProvider() {
    Keys fromFle4j = new Keys(fle4j, LOCAL_B, 1);
    Keys fromOfficial = new Keys(official, LOCAL_B, 1);

    RewrapManyDataKeyOptions none = new RewrapManyDataKeyOptions();
    assertRewrote(fle4j.rewrapManyDataKey(fromOfficial.filter(), none), 1);
    assertRewrote(official.rewrapManyDataKey(fromFle4j.filter(), none), 1);

    fromFle4j.assertRewrapped(LOCAL_B);
    fromOfficial.assertRewrapped(LOCAL_B);
    // The two sides' rewritten documents have the same shape.
    assertThat(schema(vault.rawKey(fromFle4j.ids.get(0))))
        .isEqualTo(schema(vault.rawKey(fromOfficial.ids.get(0))));
    fromFle4j.assertReadableBy(vault.official(vault.providers(LOCAL_B)), "official");
    fromOfficial.assertReadableBy(vault.fle4j(vault.providers(LOCAL_B)), "fle4j");
  }

  @Test
  void rewrapManyDataKey_filterMatchingNothing_noBulkWriteResultOnBothSides() {
    Bson nothing = Filters.eq("keyAltNames", "no-such-key-" + UUID.randomUUID());

    assertThat(fle4j.rewrapManyDataKey(nothing).getBulkWriteResult()).isNull();
    assertThat(official.rewrapManyDataKey(nothing).getBulkWriteResult()).isNull();
  }
}
