package io.fle4j.kms.kmip;

import io.fle4j.ConfigurationException;
import io.fle4j.kms.Fle1KeyWrap;
import io.fle4j.kms.KmsProvider;
import io.fle4j.kms.KmsProviderException;
import io.fle4j.kms.KmsProviderName;
import io.fle4j.kms.SecretBytes;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Arrays;
import javax.crypto.AEADBadTagException;
import org.bson.BsonBoolean;
import org.bson.BsonDocument;
import org.bson.BsonString;

/**
 * The {@code kmip} KMS provider: data keys are protected by a key held on a KMIP 1.x server,
 * reached over mutual TLS, exactly as libmongocrypt does it (formats.md §2.3, §4.5), so keys move
 * freely between fle4j and the official drivers.
 *
 * <p><b>Default mode</b> ({@code masterKey: {}} or {@code {keyId}}): the server holds a 96-byte
 * SecretData. A new key is Registered and Activated; wrapping and unwrapping Get it and use it
 * locally with the same AEAD as the {@code local} provider (160-byte keyMaterial).
 *
 * <p><b>Delegated mode</b> ({@code masterKey: {delegated: true}}): the server holds an AES-256
 * key that never leaves it. A new key is Created and Activated; the server Encrypts and Decrypts
 * with AES-CBC, and keyMaterial is the 16-byte IV followed by the ciphertext.
 *
 * <p>The stored master key is {@code {provider, endpoint?, delegated?, keyId}}: {@code endpoint}
 * only when given (else the provider's endpoint is used), {@code delegated} only when true.
 *
 * <pre>{@code
 * KmsProvider kmip = KmipKmsProvider.builder()
 *     .endpoint("kmip.example.com:5696")
 *     .clientCertificatePem(Path.of("client.pem"))
 *     .clientKeyPem(Path.of("client.key"))
 *     .trustedCaPem(Path.of("ca.pem"))
 *     .build();
 * }</pre>
 *
 * <p>Thread-safe. Close it to close its pooled connections.
 */
public final class KmipKmsProvider implements KmsProvider {
  /** Size of the SecretData registered in default mode. */
  public static final int SECRET_DATA_LENGTH = Fle1KeyWrap.KEY_LENGTH;
  private static final int AES_BLOCK = 16;

  private final KmsProviderName name;
  private final KmipEndpoint endpoint;
  private final KmipClient client;
  private final String tlsSource;
  private final SecureRandom random;

  KmipKmsProvider(KmsProviderName name, KmipEndpoint endpoint, KmipTransport transport,
      String tlsSource) {
    this.name = name;
    this.endpoint = endpoint;
    this.client = new KmipClient(name, transport);
    this.tlsSource = tlsSource;
    this.random = new SecureRandom();
  }

  /** A provider over a given transport. For tests. */
  static KmipKmsProvider withTransport(String name, String endpoint, KmipTransport transport) {
    return new KmipKmsProvider(KmsProviderName.parse(name),
        KmipEndpoint.parse(endpoint, "endpoint"), transport, "test transport");
  }

  /** A builder; {@link KmipKmsProviderBuilder#endpoint(String)} is required. */
  public static KmipKmsProviderBuilder builder() {
    return new KmipKmsProviderBuilder();
  }

  @Override
  public KmsProviderName name() {
    return name;
  }

  /**
   * Validates the master key options and, when they hold no {@code keyId}, makes a new key on
   * the server: Register and Activate a 96-byte SecretData, or in delegated mode Create and
   * Activate an AES-256 key. Returns {@code {provider, endpoint?, delegated?, keyId}}, in the
   * order libmongocrypt writes it.
   *
   * @throws ConfigurationException for an unknown field or a field of the wrong type
   * @throws KmsProviderException when the server cannot make the key
   */
  @Override
  public BsonDocument masterKey(BsonDocument options) {
    KmipMasterKey requested = KmipMasterKey.parse(options, name);
    String keyId = requested.keyId;
    if (keyId == null) {
      KmipEndpoint target = requested.endpointOr(endpoint);
      keyId = requested.delegated ? newServerKey(target) : newSecretData(target);
    }
    BsonDocument stored = new BsonDocument("provider", new BsonString(name.toString()));
    if (requested.endpoint != null) {
      stored.append("endpoint", new BsonString(requested.endpoint.hostAndPort()));
    }
    if (requested.delegated) {
      stored.append("delegated", BsonBoolean.TRUE);
    }
    return stored.append("keyId", new BsonString(keyId));
  }

  private String newSecretData(KmipEndpoint target) {
    byte[] secret = new byte[SECRET_DATA_LENGTH];
    random.nextBytes(secret);
    try {
      String keyId = client.register(target, secret);
      client.activate(target, keyId);
      return keyId;
    } finally {
      Arrays.fill(secret, (byte) 0);
    }
  }

  private String newServerKey(KmipEndpoint target) {
    String keyId = client.create(target);
    client.activate(target, keyId);
    return keyId;
  }

  /**
   * Wraps a data key: Get the SecretData and wrap locally, or in delegated mode Encrypt on the
   * server.
   */
  @Override
  public byte[] encryptDataKey(BsonDocument masterKey, byte[] dataKey) {
    KmipMasterKey key = KmipMasterKey.parseStored(masterKey, name);
    KmipEndpoint target = key.endpointOr(endpoint);
    if (key.delegated) {
      return client.encrypt(target, key.keyId, dataKey);
    }
    SecretBytes kek = getKek(target, key.keyId);
    try {
      return Fle1KeyWrap.wrap(kek, dataKey);
    } finally {
      kek.destroy();
    }
  }

  /**
   * Unwraps a data key: Get the SecretData and unwrap locally, or in delegated mode Decrypt on
   * the server with the IV stored in front of the ciphertext.
   */
  @Override
  public byte[] decryptDataKey(BsonDocument masterKey, byte[] keyMaterial) {
    KmipMasterKey key = KmipMasterKey.parseStored(masterKey, name);
    KmipEndpoint target = key.endpointOr(endpoint);
    if (key.delegated) {
      int dataLength = keyMaterial.length - AES_BLOCK;
      if (dataLength < AES_BLOCK || dataLength % AES_BLOCK != 0) {
        throw new KmsProviderException(name, false, "keyMaterial of a delegated KMIP key must be"
            + " a 16-byte IV followed by AES-CBC blocks, got " + keyMaterial.length + " bytes"
            + " (key '" + key.keyId + "' at " + target + ")");
      }
      byte[] iv = Arrays.copyOfRange(keyMaterial, 0, AES_BLOCK);
      byte[] data = Arrays.copyOfRange(keyMaterial, AES_BLOCK, keyMaterial.length);
      return client.decrypt(target, key.keyId, iv, data);
    }
    SecretBytes kek = getKek(target, key.keyId);
    try {
      return Fle1KeyWrap.unwrap(kek, keyMaterial);
    } catch (AEADBadTagException e) {
      throw new KmsProviderException(name, false, "the KMIP SecretData '" + key.keyId + "' at "
          + target + " cannot unwrap this data key (" + e.getMessage() + "): it was wrapped"
          + " under another KMIP object, or its keyMaterial was altered");
    } finally {
      kek.destroy();
    }
  }

  /**
   * Retires the KMIP object a master key names: Revoke (cessation of operation), then Destroy.
   * For operators, once no data key is wrapped under it any more; whatever it wrapped becomes
   * unreadable for good. An object that was never activated is destroyed without the revoke.
   *
   * @param masterKey a key document's {@code masterKey} ({@code keyId}, optional {@code
   *     endpoint})
   * @throws KmipKeyNotFoundException when the server has no such object (already destroyed)
   */
  public void destroyObject(BsonDocument masterKey) {
    KmipMasterKey key = KmipMasterKey.parseStored(masterKey, name);
    KmipEndpoint target = key.endpointOr(endpoint);
    try {
      client.revoke(target, key.keyId);
    } catch (KmipKeyStateException e) {
      // Pre-Active or already Deactivated: nothing to revoke, Destroy decides.
    }
    client.destroy(target, key.keyId);
  }

  private SecretBytes getKek(KmipEndpoint target, String keyId) {
    SecretBytes secret = client.getSecretData(target, keyId);
    if (secret.length() != SECRET_DATA_LENGTH) {
      int length = secret.length();
      secret.destroy();
      throw new KmsProviderException(name, false, "KMIP SecretData '" + keyId + "' at " + target
          + " is " + length + " bytes; a key-encryption key is " + SECRET_DATA_LENGTH + " bytes");
    }
    return secret;
  }

  /** Closes the pooled connections. */
  @Override
  public void close() {
    client.close();
  }

  @Override
  public String toString() {
    return "KmipKmsProvider{name=" + name + ", endpoint=" + endpoint + ", tls=" + tlsSource + "}";
  }
}
