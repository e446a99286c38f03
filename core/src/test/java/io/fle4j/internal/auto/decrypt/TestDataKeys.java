package io.fle4j.internal.auto.decrypt;

import io.fle4j.Algorithm;
import io.fle4j.internal.crypto.AeadKey;
import io.fle4j.internal.crypto.ValueCipher;
import io.fle4j.internal.kms.FakeKmsProviderFactory.FakeKmsProvider;
import io.fle4j.internal.kms.KmsProviderRegistry;
import io.fle4j.internal.vault.DataKeys;
import io.fle4j.internal.vault.KeyDocument;
import io.fle4j.internal.vault.KeyDocumentSource;
import io.fle4j.kms.Fle1KeyWrap;
import io.fle4j.kms.KmsProviderName;
import io.fle4j.kms.SecretBytes;
import java.time.Duration;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.bson.BsonBinary;
import org.bson.BsonDocument;
import org.bson.BsonValue;

/**
 * One data key behind a fake KMS and an in-memory key vault, for the decryptors' tests and the
 * reply fuzz target.
 */
public final class TestDataKeys {
  public final UUID keyId;
  private final byte[] dataKey;
  public final DataKeys dataKeys;

  /** Key lookups that fail as interrupted before the vault answers (see the cursor tests). */
  final java.util.concurrent.atomic.AtomicInteger interruptedLookups =
      new java.util.concurrent.atomic.AtomicInteger();

  TestDataKeys() {
    this(UUID.randomUUID(), dataKeyWithOneByteSet());
  }

  /** The data key {@code dataKey} (96 bytes) under id {@code keyId}. */
  public TestDataKeys(UUID keyId, byte[] dataKey) {
    this.keyId = keyId;
    this.dataKey = dataKey.clone();
    SecretBytes kek = SecretBytes.copyOf(new byte[96]);
    FakeKmsProvider provider = new FakeKmsProvider(KmsProviderName.of("fake"), kek, 0);
    BsonDocument keyDocument = KeyDocument.create(keyId, List.of(), Fle1KeyWrap.wrap(kek, dataKey),
        provider.masterKey(new BsonDocument()), new Date());
    KeyDocumentSource source = new KeyDocumentSource() {
      @Override
      public Optional<BsonDocument> findById(UUID id) {
        if (interruptedLookups.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
          throw new com.mongodb.MongoInterruptedException("interrupted (test)",
              new InterruptedException());
        }
        return id.equals(keyId) ? Optional.of(keyDocument) : Optional.empty();
      }

      @Override
      public Optional<BsonDocument> findByAltName(String name) {
        return Optional.empty();
      }

      @Override
      public String namespace() {
        return "db.keys";
      }
    };
    dataKeys = new DataKeys(source, KmsProviderRegistry.create(Map.of(), Map.of(), Map.of(),
        List.of(provider), getClass().getClassLoader()), Duration.ZERO);
  }

  private static byte[] dataKeyWithOneByteSet() {
    byte[] key = new byte[96];
    key[5] = 7;
    return key;
  }

  /** {@code value} encrypted at random under the data key. */
  BsonBinary encrypt(BsonValue value) {
    return ValueCipher.encrypt(value, Algorithm.RANDOM, keyId, AeadKey.of(dataKey));
  }
}
