package io.fle4j.it.crossdriver;

import static io.fle4j.it.crossdriver.CrossDriverVault.DETERMINISTIC;
import static io.fle4j.it.crossdriver.CrossDriverVault.LOCAL;
import static io.fle4j.it.crossdriver.CrossDriverVault.RANDOM_ALGORITHM;
import static io.fle4j.it.crossdriver.CrossDriverVault.byAltName;
import static io.fle4j.it.crossdriver.CrossDriverVault.byId;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.mongodb.ErrorCategory;
import com.mongodb.MongoException;
import com.mongodb.MongoServerException;
import com.mongodb.MongoWriteException;
import com.mongodb.client.model.vault.DataKeyOptions;
import com.mongodb.client.vault.ClientEncryption;
import io.fle4j.DataKeyNotFoundException;
import io.fle4j.DuplicateKeyAltNameException;
import java.util.List;
import java.util.UUID;
import org.bson.BsonArray;
import org.bson.BsonBinary;
import org.bson.BsonDocument;
import org.bson.BsonString;
import org.bson.BsonValue;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Key management across the two sides on one key vault: alternate names added by fle4j are
 * honoured by the official driver's encryption by name (and the other way round), both sides'
 * {@code addKeyAltName} behave alike, the unique alternate-name index refuses duplicates from
 * either side, and a key deleted by one side is gone for the other. (The official {@code
 * removeKeyAltName} sends a pipeline update the embedded stand-in cannot run, so only fle4j's
 * removal is exercised.)
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class KeyManagementCrossDriverTest {
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

  private static String uniqueName(String prefix) {
    return prefix + "-" + UUID.randomUUID();
  }

  @Test
  void addKeyAltName_byFle4jOnOfficialKey_officialEncryptsByNewName() {
    BsonBinary id = official.createDataKey(LOCAL);
    String name = uniqueName("added-by-fle4j");
    BsonValue value = new BsonString("found by its new name");

    BsonDocument before = fle4j.addKeyAltName(id, name);

    assertThat(before).doesNotContainKey("keyAltNames");
    assertThat(before.get("_id")).isEqualTo(id);
    BsonBinary ciphertext = official.encrypt(value, byAltName(DETERMINISTIC, name));
    assertThat(ciphertext).isEqualTo(official.encrypt(value, byId(DETERMINISTIC, id)));
    assertThat(official.decrypt(ciphertext)).isEqualTo(value);
    assertThat(fle4j.decrypt(ciphertext)).isEqualTo(value);
    assertThat(official.getKeyByAltName(name).get("_id")).isEqualTo(id);
  }

  @Test
  void addKeyAltName_byFle4jOnFle4jKeyWithNames_officialEncryptsByEveryName() {
    String first = uniqueName("first");
    BsonBinary id = fle4j.createDataKey(LOCAL, new DataKeyOptions().keyAltNames(List.of(first)));
    String second = uniqueName("second");
    BsonValue value = new BsonString("two names, one key");

    fle4j.addKeyAltName(id, second);

    BsonBinary byFirst = official.encrypt(value, byAltName(DETERMINISTIC, first));
    BsonBinary bySecond = official.encrypt(value, byAltName(DETERMINISTIC, second));
    assertThat(bySecond).isEqualTo(byFirst);
    assertThat(fle4j.decrypt(official.encrypt(value, byAltName(RANDOM_ALGORITHM, second))))
        .isEqualTo(value);
    assertThat(vault.rawKey(id).getArray("keyAltNames"))
        .containsExactly(new BsonString(first), new BsonString(second));
  }

  @Test
  void addKeyAltName_sameOperationOnEachSide_sameBeforeAndAfterDocuments() {
    String original = uniqueName("orig");
    BsonBinary fle4jKey =
        fle4j.createDataKey(LOCAL, new DataKeyOptions().keyAltNames(List.of(original + "-f")));
    BsonBinary officialKey =
        official.createDataKey(LOCAL, new DataKeyOptions().keyAltNames(List.of(original + "-o")));
    BsonDocument fle4jKeyBefore = vault.rawKey(fle4jKey);
    BsonDocument officialKeyBefore = vault.rawKey(officialKey);

    // Each side adds a name to the other side's key; both return the document as it was before.
    assertThat(fle4j.addKeyAltName(officialKey, original + "-o2")).isEqualTo(officialKeyBefore);
    assertThat(official.addKeyAltName(fle4jKey, original + "-f2")).isEqualTo(fle4jKeyBefore);

    assertThat(vault.rawKey(officialKey).getArray("keyAltNames")).isEqualTo(new BsonArray(
        List.of(new BsonString(original + "-o"), new BsonString(original + "-o2"))));
    assertThat(vault.rawKey(fle4jKey).getArray("keyAltNames")).isEqualTo(new BsonArray(
        List.of(new BsonString(original + "-f"), new BsonString(original + "-f2"))));
    // Each side encrypts by the name the other side added.
    BsonValue value = new BsonString("by an added name");
    assertThat(fle4j.encrypt(value, byAltName(DETERMINISTIC, original + "-o2")))
        .isEqualTo(official.encrypt(value, byId(DETERMINISTIC, officialKey)));
    assertThat(official.encrypt(value, byAltName(DETERMINISTIC, original + "-f2")))
        .isEqualTo(fle4j.encrypt(value, byId(DETERMINISTIC, fle4jKey)));
    // Adding a name the key already has changes nothing, on both sides.
    assertThat(fle4j.addKeyAltName(fle4jKey, original + "-f2").getArray("keyAltNames"))
        .hasSize(2);
    assertThat(official.addKeyAltName(officialKey, original + "-o2").getArray("keyAltNames"))
        .hasSize(2);
  }

  @Test
  void addKeyAltName_unknownKey_nullOnBothSides() {
    BsonBinary unknown = new BsonBinary(UUID.randomUUID(), org.bson.UuidRepresentation.STANDARD);

    assertThat(fle4j.addKeyAltName(unknown, uniqueName("ghost"))).isNull();
    assertThat(official.addKeyAltName(unknown, uniqueName("ghost"))).isNull();
  }

  @Test
  void removeKeyAltName_byFle4j_freshOfficialCannotEncryptByRemovedName() {
    String kept = uniqueName("kept");
    String removed = uniqueName("removed");
    BsonBinary id = official.createDataKey(
        LOCAL, new DataKeyOptions().keyAltNames(List.of(kept, removed)));

    fle4j.removeKeyAltName(id, removed);

    ClientEncryption freshOfficial = vault.official(vault.providers(LOCAL));
    BsonValue value = new BsonString("v");
    assertThat(freshOfficial.encrypt(value, byAltName(DETERMINISTIC, kept)))
        .isEqualTo(freshOfficial.encrypt(value, byId(DETERMINISTIC, id)));
    assertThatThrownBy(() -> freshOfficial.encrypt(value, byAltName(DETERMINISTIC, removed)))
        .isInstanceOf(MongoException.class)
        .hasMessageContaining("not all keys requested were satisfied");
    assertThat(official.getKeyByAltName(removed)).isNull();
  }

  @Test
  void createDataKey_altNameTakenByOtherSidesKey_bothSidesRefuseAndWriteNothing() {
    String fle4jName = uniqueName("taken-f");
    String officialName = uniqueName("taken-o");
    fle4j.createDataKey(LOCAL, new DataKeyOptions().keyAltNames(List.of(fle4jName)));
    official.createDataKey(LOCAL, new DataKeyOptions().keyAltNames(List.of(officialName)));
    long keys = vault.keys.countDocuments();

    // The official driver lets the server's E11000 through; fle4j wraps it (cause kept).
    assertThatThrownBy(() -> official.createDataKey(
            LOCAL, new DataKeyOptions().keyAltNames(List.of(fle4jName))))
        .isInstanceOf(MongoWriteException.class)
        .satisfies(e -> assertThat(((MongoWriteException) e).getError().getCategory())
            .isEqualTo(ErrorCategory.DUPLICATE_KEY));
    assertThatThrownBy(() -> fle4j.createDataKey(
            LOCAL, new DataKeyOptions().keyAltNames(List.of(officialName))))
        .isInstanceOf(DuplicateKeyAltNameException.class)
        .isInstanceOf(MongoException.class)
        .hasCauseInstanceOf(MongoWriteException.class);
    assertThat(vault.keys.countDocuments()).isEqualTo(keys);
  }

  @Test
  void addKeyAltName_nameTakenByOtherSidesKey_bothSidesRefuse() {
    String fle4jName = uniqueName("add-taken-f");
    String officialName = uniqueName("add-taken-o");
    BsonBinary fle4jKey =
        fle4j.createDataKey(LOCAL, new DataKeyOptions().keyAltNames(List.of(fle4jName)));
    BsonBinary officialKey =
        official.createDataKey(LOCAL, new DataKeyOptions().keyAltNames(List.of(officialName)));

    assertThatThrownBy(() -> official.addKeyAltName(officialKey, fle4jName))
        .isInstanceOf(MongoServerException.class)
        .satisfies(e -> assertThat(
                ErrorCategory.fromErrorCode(((MongoServerException) e).getCode()))
            .isEqualTo(ErrorCategory.DUPLICATE_KEY));
    assertThatThrownBy(() -> fle4j.addKeyAltName(fle4jKey, officialName))
        .isInstanceOf(DuplicateKeyAltNameException.class)
        .hasCauseInstanceOf(MongoServerException.class);
    assertThat(vault.rawKey(fle4jKey).getArray("keyAltNames"))
        .containsExactly(new BsonString(fle4jName));
    assertThat(vault.rawKey(officialKey).getArray("keyAltNames"))
        .containsExactly(new BsonString(officialName));
  }

  @Test
  void deleteKey_byOneSide_otherSideCannotUseTheKeyAnyMore() {
    BsonBinary fle4jKey = fle4j.createDataKey(LOCAL);
    BsonBinary officialKey = official.createDataKey(LOCAL);
    BsonValue value = new BsonString("soon unreadable");
    BsonBinary underFle4jKey = fle4j.encrypt(value, byId(RANDOM_ALGORITHM, fle4jKey));
    BsonBinary underOfficialKey = official.encrypt(value, byId(RANDOM_ALGORITHM, officialKey));

    assertThat(official.deleteKey(fle4jKey).getDeletedCount()).isEqualTo(1);
    assertThat(fle4j.deleteKey(officialKey).getDeletedCount()).isEqualTo(1);

    assertThat(fle4j.getKey(fle4jKey)).isNull();
    assertThat(official.getKey(officialKey)).isNull();
    ClientEncryption freshFle4j = vault.fle4j(vault.providers(LOCAL));
    ClientEncryption freshOfficial = vault.official(vault.providers(LOCAL));
    for (BsonBinary ciphertext : List.of(underFle4jKey, underOfficialKey)) {
      assertThatThrownBy(() -> freshFle4j.decrypt(ciphertext))
          .isInstanceOf(DataKeyNotFoundException.class);
      assertThatThrownBy(() -> freshOfficial.decrypt(ciphertext))
          .isInstanceOf(MongoException.class)
          .hasMessageContaining("not all keys requested were satisfied");
    }
  }
}
