package io.fle4j.it;

import static io.fle4j.it.TestKeyVault.DETERMINISTIC;
import static io.fle4j.it.TestKeyVault.RANDOM;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.mongodb.MongoException;
import com.mongodb.client.model.vault.DataKeyOptions;
import com.mongodb.client.model.vault.EncryptOptions;
import com.mongodb.client.vault.ClientEncryption;
import io.fle4j.testkit.kms.http.RecordedHttpRequest;
import java.util.List;
import java.util.Map;
import org.bson.BsonBinary;
import org.bson.BsonDocument;
import org.bson.BsonString;
import org.bson.BsonValue;
import org.junit.jupiter.api.Test;

/**
 * What every cloud KMS emulator is held to with both clients on one key vault: keys made by
 * either side are read by the other and encrypt to the same bytes, an access-token entry works
 * on both sides with no token request, and a KMS error fails both sides with no key written.
 * Each cloud's test says how its master keys, tokens and errors look, and adds what is its own.
 */
public abstract class CloudKmsCrossDriverTest {
  /** fle4j's ClientEncryption on {@link #vault()}, opened by the subclass. */
  protected ClientEncryption fle4j;
  /** The official driver's ClientEncryption on {@link #vault()}, opened by the subclass. */
  protected ClientEncryption official;

  /** The provider name, such as {@code azure}. */
  protected abstract String provider();

  protected abstract TestKeyVault vault();

  /** A master key as a user of either driver gives it. */
  protected abstract BsonDocument masterKey();

  /** The same master key in an input form only fle4j accepts (a full https URL endpoint). */
  protected abstract BsonDocument fle4jInputMasterKey();

  /** A master key naming a key the KMS does not have. */
  protected abstract BsonDocument missingMasterKey();

  /** The error code the KMS answers for {@link #missingMasterKey()}. */
  protected abstract String missingKeyCode();

  /** A {@code kmsProviders} entry holding a ready access token. */
  protected abstract Map<String, Object> accessTokenEntry();

  /** The requests the emulator received. */
  protected abstract List<RecordedHttpRequest> requests();

  /** Token requests the emulator received. */
  protected abstract int tokenRequests();

  /** The requests the emulator refused, for assertions that there are none. */
  protected List<String> refused() {
    return requests().stream().filter(r -> r.status() != 200).map(Object::toString).toList();
  }

  @Test
  void officialKeys_fle4jDecryptsAndEncryptsTheSameBytes() {
    BsonBinary id = official.createDataKey(provider(),
        new DataKeyOptions().masterKey(masterKey()));
    BsonValue value = new BsonString("made by the official driver");
    BsonBinary det = official.encrypt(value, new EncryptOptions(DETERMINISTIC).keyId(id));
    BsonBinary rnd = official.encrypt(value, new EncryptOptions(RANDOM).keyId(id));

    ClientEncryption reader = vault().fle4j();
    assertThat(reader.decrypt(det)).isEqualTo(value);
    assertThat(reader.decrypt(rnd)).isEqualTo(value);
    assertThat(reader.encrypt(value, new EncryptOptions(DETERMINISTIC).keyId(id))).isEqualTo(det);
    assertThat(refused()).isEmpty();
  }

  @Test
  void fle4jKeys_officialDecryptsAndEncryptsTheSameBytes() {
    BsonBinary id = fle4j.createDataKey(provider(),
        new DataKeyOptions().masterKey(fle4jInputMasterKey()));
    BsonValue value = new BsonString("made by fle4j");
    BsonBinary det = fle4j.encrypt(value, new EncryptOptions(DETERMINISTIC).keyId(id));
    BsonBinary rnd = fle4j.encrypt(value, new EncryptOptions(RANDOM).keyId(id));

    ClientEncryption reader = vault().official();
    assertThat(reader.decrypt(det)).isEqualTo(value);
    assertThat(reader.decrypt(rnd)).isEqualTo(value);
    assertThat(reader.encrypt(value, new EncryptOptions(DETERMINISTIC).keyId(id))).isEqualTo(det);
    assertThat(refused()).isEmpty();
  }

  @Test
  void accessTokenEntry_bothSidesUseIt() {
    Map<String, Map<String, Object>> providers = Map.of(provider(), accessTokenEntry());
    ClientEncryption officialToken = vault().official(providers);
    ClientEncryption fle4jToken = vault().fle4j(providers);
    BsonBinary id = officialToken.createDataKey(provider(),
        new DataKeyOptions().masterKey(masterKey()));
    BsonValue value = new BsonString("token");
    assertThat(fle4jToken.decrypt(officialToken.encrypt(value,
        new EncryptOptions(RANDOM).keyId(id)))).isEqualTo(value);
    assertThat(tokenRequests()).isZero();
    assertThat(refused()).isEmpty();
  }

  @Test
  void kmsError_bothSidesFail_andNoKeyIsWritten() {
    long before = vault().keyCount();
    BsonDocument missing = missingMasterKey();
    assertThatThrownBy(() -> vault().official().createDataKey(provider(),
        new DataKeyOptions().masterKey(missing)))
        .isInstanceOf(MongoException.class).hasMessageContaining("404");
    assertThatThrownBy(() -> fle4j.createDataKey(provider(),
        new DataKeyOptions().masterKey(missing)))
        .isInstanceOf(MongoException.class).hasMessageContaining("404")
        .hasMessageContaining(missingKeyCode());
    assertThat(vault().keyCount()).isEqualTo(before);
  }
}
