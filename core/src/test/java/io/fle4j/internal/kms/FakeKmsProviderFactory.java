package io.fle4j.internal.kms;

import io.fle4j.ConfigurationException;
import io.fle4j.kms.Fle1KeyWrap;
import io.fle4j.kms.KmsProvider;
import io.fle4j.kms.KmsProviderConfig;
import io.fle4j.kms.KmsProviderException;
import io.fle4j.kms.KmsProviderFactory;
import io.fle4j.kms.KmsProviderName;
import io.fle4j.kms.SecretBytes;
import java.util.concurrent.atomic.AtomicInteger;
import org.bson.BsonDocument;
import org.bson.BsonString;

/**
 * A test-only provider type {@code fake}: wraps keys locally under a key given as {@code secret}
 * (base64, 96 bytes), counts its calls and can be slowed down, to test what sits above the SPI.
 */
public final class FakeKmsProviderFactory implements KmsProviderFactory {

  @Override
  public String type() {
    return "fake";
  }

  @Override
  public KmsProvider create(KmsProviderConfig config) {
    Object secret = config.properties().get("secret");
    if (!(secret instanceof String text)) {
      throw new ConfigurationException(config.fieldPath("secret"), "is required");
    }
    return new FakeKmsProvider(config.name(), SecretBytes.fromBase64(text), 0);
  }

  /** The provider itself, usable directly as a typed provider too. */
  public static final class FakeKmsProvider implements KmsProvider {
    private final KmsProviderName name;
    private final SecretBytes kek;
    private final long delayMillis;
    public final AtomicInteger decrypts = new AtomicInteger();
    public final AtomicInteger encrypts = new AtomicInteger();
    public volatile boolean failing;

    public FakeKmsProvider(KmsProviderName name, SecretBytes kek, long delayMillis) {
      this.name = name;
      this.kek = kek;
      this.delayMillis = delayMillis;
    }

    @Override
    public KmsProviderName name() {
      return name;
    }

    @Override
    public BsonDocument masterKey(BsonDocument options) {
      return new BsonDocument("provider", new BsonString(name.toString()));
    }

    @Override
    public byte[] encryptDataKey(BsonDocument masterKey, byte[] dataKey) {
      encrypts.incrementAndGet();
      checkFailing();
      return Fle1KeyWrap.wrap(kek, dataKey);
    }

    @Override
    public byte[] decryptDataKey(BsonDocument masterKey, byte[] keyMaterial) {
      decrypts.incrementAndGet();
      checkFailing();
      try {
        Thread.sleep(delayMillis); // widen the window in which concurrent misses overlap
        return Fle1KeyWrap.unwrap(kek, keyMaterial);
      } catch (javax.crypto.AEADBadTagException e) {
        throw new KmsProviderException(name, false, "cannot unwrap");
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new KmsProviderException(name, true, "interrupted");
      }
    }

    private void checkFailing() {
      if (failing) {
        throw new KmsProviderException(name, true, "injected failure");
      }
    }
  }
}
