package io.fle4j.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.mongodb.client.model.Filters;
import com.mongodb.client.model.vault.EncryptOptions;
import com.mongodb.client.model.vault.RewrapManyDataKeyOptions;
import com.mongodb.client.vault.ClientEncryption;
import io.fle4j.Algorithm;
import io.fle4j.Fle4jSettings;
import io.fle4j.KeyChangedDuringRewrapException;
import io.fle4j.kms.KmsProvider;
import io.fle4j.kms.KmsProviderName;
import io.fle4j.kms.local.LocalKmsProvider;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import org.bson.BsonBinary;
import org.bson.BsonDocument;
import org.bson.BsonString;
import org.bson.BsonValue;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 13, item 10: two rewraps of the same keys at once. By default (the specification's
 * {@code {_id}} filter) the later writer wins even with a stale read; with {@link
 * Fle4jSettings.Builder#rewrapOnlyUnchangedKeys} a key changed since it was read is left alone
 * and named, and every key stays readable.
 */
class ConcurrentRewrapTest {
  private final KeyVaultFixture vault = new KeyVaultFixture();
  private final byte[] keyA = KeyVaultFixture.randomMasterKey();
  private final byte[] keyB = KeyVaultFixture.randomMasterKey();
  private final byte[] keyC = KeyVaultFixture.randomMasterKey();
  private final Map<String, Map<String, Object>> all = Map.of(
      "local", Map.of("key", keyA), "local:c", Map.of("key", keyC));

  @AfterEach
  void close() throws Exception {
    vault.close();
  }

  @Test
  void guardedRewrap_keyRewrappedByAnotherMeanwhile_isLeftAsIsAndNamed() {
    ClientEncryption setup = vault.fle4j(all);
    BsonBinary first = setup.createDataKey("local");
    BsonBinary second = setup.createDataKey("local");
    BsonBinary third = setup.createDataKey("local");
    BsonValue secret = new BsonString("still readable");
    BsonBinary firstValue = setup.encrypt(secret,
        new EncryptOptions(Algorithm.RANDOM.specName()).keyId(first));

    // While this rewrap (to local:b) wraps its first key, another one moves `first` to local:c.
    KmsProvider target = localBMovingToLocalCMeanwhile(first);
    ClientEncryption guarded = vault.fle4j(all, Fle4jSettings.builder()
        .kmsProvider(target).rewrapOnlyUnchangedKeys(true).build());

    assertThatThrownBy(() -> guarded.rewrapManyDataKey(new BsonDocument(),
        new RewrapManyDataKeyOptions().provider("local:b")))
        .isInstanceOf(KeyChangedDuringRewrapException.class)
        .hasMessageContaining(uuid(first).toString())
        .satisfies(e -> {
          KeyChangedDuringRewrapException changed = (KeyChangedDuringRewrapException) e;
          assertThat(changed.changedKeyIds()).containsExactly(uuid(first));
          assertThat(changed.rewrapped()).isEqualTo(2);
        });

    assertThat(provider(first)).isEqualTo("local:c"); // the other rewrap's result stands
    assertThat(provider(second)).isEqualTo("local:b");
    assertThat(provider(third)).isEqualTo("local:b");
    ClientEncryption reader = vault.fle4j(Map.of("local:b", Map.of("key", keyB),
        "local:c", Map.of("key", keyC)));
    assertThat(reader.decrypt(firstValue)).isEqualTo(secret);
  }

  @Test
  void defaultRewrap_staleWriterWins_asTheSpecificationSendsIt() {
    // What the guard prevents: the same race without it moves `first` away from local:c again.
    ClientEncryption setup = vault.fle4j(all);
    BsonBinary first = setup.createDataKey("local");
    KmsProvider target = localBMovingToLocalCMeanwhile(first);
    ClientEncryption unguarded = vault.fle4j(all, Fle4jSettings.builder().kmsProvider(target).build());

    unguarded.rewrapManyDataKey(new BsonDocument(), new RewrapManyDataKeyOptions().provider("local:b"));

    assertThat(provider(first)).isEqualTo("local:b");
  }

  /**
   * The provider {@code local:b}, which, before its first wrap, has another client rewrap {@code
   * key} to {@code local:c}: a concurrent rewrap that lands between a rewrap's read and its write.
   */
  private KmsProvider localBMovingToLocalCMeanwhile(BsonBinary key) {
    ClientEncryption other = vault.fle4j(all);
    AtomicBoolean interfered = new AtomicBoolean();
    return new Interfering(LocalKmsProvider.builder().name("local:b").masterKey(keyB).build(),
        () -> {
          if (interfered.compareAndSet(false, true)) {
            other.rewrapManyDataKey(Filters.eq("_id", key),
                new RewrapManyDataKeyOptions().provider("local:c"));
          }
        });
  }

  private String provider(BsonBinary id) {
    return vault.keys.find(Filters.eq("_id", id)).first().getDocument("masterKey")
        .getString("provider").getValue();
  }

  private static UUID uuid(BsonBinary id) {
    return id.asUuid();
  }

  /** A provider that runs {@code meanwhile} before each wrap, as a concurrent actor would. */
  private static final class Interfering implements KmsProvider {
    private final KmsProvider delegate;
    private final Runnable meanwhile;

    Interfering(KmsProvider delegate, Runnable meanwhile) {
      this.delegate = delegate;
      this.meanwhile = meanwhile;
    }

    @Override
    public KmsProviderName name() {
      return delegate.name();
    }

    @Override
    public BsonDocument masterKey(BsonDocument options) {
      return delegate.masterKey(options);
    }

    @Override
    public byte[] encryptDataKey(BsonDocument masterKey, byte[] dataKey) {
      meanwhile.run();
      return delegate.encryptDataKey(masterKey, dataKey);
    }

    @Override
    public byte[] decryptDataKey(BsonDocument masterKey, byte[] keyMaterial) {
      return delegate.decryptDataKey(masterKey, keyMaterial);
    }
  }
}
