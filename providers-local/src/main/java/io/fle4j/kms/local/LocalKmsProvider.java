package io.fle4j.kms.local;

import io.fle4j.ConfigurationException;
import io.fle4j.kms.Fle1KeyWrap;
import io.fle4j.kms.KmsProvider;
import io.fle4j.kms.KmsProviderException;
import io.fle4j.kms.KmsProviderName;
import io.fle4j.kms.SecretBytes;
import java.util.Objects;
import javax.crypto.AEADBadTagException;
import org.bson.BsonDocument;
import org.bson.BsonString;
import org.bson.BsonValue;

/**
 * The {@code local} KMS provider: data keys are wrapped in-process under a 96-byte master key the
 * application holds, exactly as libmongocrypt does (formats.md §2.3). Meant for development and
 * tests; in production the master key should live in a real KMS.
 *
 * <pre>{@code
 * KmsProvider local = LocalKmsProvider.builder()
 *     .name("local:dev")               // optional; "local" by default
 *     .masterKeyBase64(System.getenv("FLE4J_LOCAL_KEY"))
 *     .build();
 * }</pre>
 */
public final class LocalKmsProvider implements KmsProvider {
  /** Length of a local master key. */
  public static final int MASTER_KEY_LENGTH = Fle1KeyWrap.KEY_LENGTH;

  private final KmsProviderName name;
  private final Fle1KeyWrap.Kek kek;

  private LocalKmsProvider(KmsProviderName name, SecretBytes masterKey) {
    this.name = name;
    this.kek = Fle1KeyWrap.prepare(masterKey);
  }

  public static Builder builder() {
    return new Builder();
  }

  @Override
  public KmsProviderName name() {
    return name;
  }

  /** A local master key document holds nothing but {@code provider}. */
  @Override
  public BsonDocument masterKey(BsonDocument dataKeyOptsMasterKey) {
    for (String field : dataKeyOptsMasterKey.keySet()) {
      if (!field.equals("provider")) {
        throw new ConfigurationException("masterKey." + field,
            "unexpected field; a '" + name.type() + "' master key takes no fields");
      }
    }
    BsonValue provider = dataKeyOptsMasterKey.get("provider");
    if (provider != null && !provider.equals(new BsonString(name.toString()))) {
      throw new ConfigurationException("masterKey.provider",
          "is " + provider + " but the key is being created with provider '" + name + "'");
    }
    return new BsonDocument("provider", new BsonString(name.toString()));
  }

  @Override
  public byte[] encryptDataKey(BsonDocument masterKey, byte[] dataKey) {
    try {
      return kek.wrap(dataKey);
    } catch (IllegalStateException e) {
      throw closedOr(e);
    }
  }

  @Override
  public byte[] decryptDataKey(BsonDocument masterKey, byte[] keyMaterial) {
    try {
      return kek.unwrap(keyMaterial);
    } catch (IllegalStateException e) {
      throw closedOr(e);
    } catch (AEADBadTagException e) {
      throw new KmsProviderException(name, false,
          "the local master key cannot unwrap this data key (" + e.getMessage()
              + "): the key was made with a different master key, or its keyMaterial was altered");
    }
  }

  /** Forgets the master key; later calls fail with {@link KmsProviderException}. */
  @Override
  public void close() {
    kek.destroy();
  }

  private RuntimeException closedOr(IllegalStateException e) {
    return kek.destroyed() ? new KmsProviderException(name, false, "this provider was closed") : e;
  }

  @Override
  public String toString() {
    return "LocalKmsProvider{name=" + name + ", masterKey=redacted}";
  }

  /** Builder for {@link LocalKmsProvider}. */
  public static final class Builder {
    private KmsProviderName name = KmsProviderName.of("local");
    private SecretBytes masterKey;

    private Builder() {}

    /** {@code local} (the default) or a named one such as {@code local:backup}. */
    public Builder name(String name) {
      KmsProviderName parsed;
      try {
        parsed = KmsProviderName.parse(Objects.requireNonNull(name, "name"));
      } catch (IllegalArgumentException e) {
        throw new ConfigurationException("name", e.getMessage());
      }
      if (!parsed.type().equals("local")) {
        throw new ConfigurationException("name",
            "a local provider's name is 'local' or 'local:<name>', got '" + name + "'");
      }
      this.name = parsed;
      return this;
    }

    /** The 96-byte master key; copied. */
    public Builder masterKey(byte[] key) {
      this.masterKey = SecretBytes.copyOf(Objects.requireNonNull(key, "key"));
      return this;
    }

    /** The 96-byte master key as standard base64. */
    public Builder masterKeyBase64(String base64) {
      if (base64 == null) {
        throw new ConfigurationException("masterKey", "must not be null");
      }
      try {
        this.masterKey = SecretBytes.fromBase64(base64);
      } catch (IllegalArgumentException e) {
        throw new ConfigurationException("masterKey", "is not valid base64");
      }
      return this;
    }

    /** The 96-byte master key. */
    public Builder masterKey(SecretBytes key) {
      this.masterKey = Objects.requireNonNull(key, "key");
      return this;
    }

    /**
     * @throws ConfigurationException when the master key is missing or not 96 bytes
     */
    public LocalKmsProvider build() {
      if (masterKey == null) {
        throw new ConfigurationException("masterKey", "is required for the local KMS provider");
      }
      if (masterKey.length() != MASTER_KEY_LENGTH) {
        throw new ConfigurationException("masterKey",
            "local key must be " + MASTER_KEY_LENGTH + " bytes, got " + masterKey.length());
      }
      return new LocalKmsProvider(name, masterKey);
    }
  }
}
