package io.fle4j.kms;

import org.bson.BsonDocument;

/**
 * A key management service that wraps (encrypts) and unwraps (decrypts) 96-byte data keys under a
 * master key it holds. This is the whole SPI a provider module implements; credentials, HTTP
 * clients, TLS and timeouts are inputs of each provider's builder, never methods here.
 *
 * <p>Implementations are thread-safe: one instance serves every thread of a {@code
 * ClientEncryption}. They throw {@link KmsProviderException} for KMS failures and {@link
 * io.fle4j.ConfigurationException} for an invalid master key document.
 */
public interface KmsProvider extends AutoCloseable {

  /** This provider's name, such as {@code aws} or {@code aws:prod}. */
  KmsProviderName name();

  /**
   * Validates the {@code masterKey} a user passed to {@code createDataKey} or {@code
   * rewrapManyDataKey}, applies defaults, and returns the document stored in the key vault as the
   * key's {@code masterKey}: its first field is {@code provider} holding {@link #name()}, followed
   * only by fields libmongocrypt accepts for this provider type (they are checked strictly by every
   * official driver).
   *
   * @param dataKeyOptsMasterKey the user's master key options, or an empty document for none;
   *     may also already hold {@code provider}
   */
  BsonDocument masterKey(BsonDocument dataKeyOptsMasterKey);

  /**
   * Wraps a data key. May call the KMS.
   *
   * @param masterKey a document returned by {@link #masterKey(BsonDocument)}
   * @param dataKey the 96-byte plaintext data key; not retained
   * @return the bytes stored as the key document's {@code keyMaterial}
   */
  byte[] encryptDataKey(BsonDocument masterKey, byte[] dataKey);

  /**
   * Unwraps a data key. May call the KMS.
   *
   * @param masterKey the key document's {@code masterKey}
   * @param keyMaterial the key document's {@code keyMaterial}
   * @return the 96-byte plaintext data key; the caller wipes it when done
   */
  byte[] decryptDataKey(BsonDocument masterKey, byte[] keyMaterial);

  /**
   * Releases clients and connections. The default does nothing. Never throws a checked
   * exception.
   */
  @Override
  default void close() {}
}
