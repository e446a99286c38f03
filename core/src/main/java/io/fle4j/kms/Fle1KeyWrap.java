package io.fle4j.kms;

import io.fle4j.internal.crypto.Aead;
import io.fle4j.internal.crypto.AeadKey;
import java.util.Arrays;
import javax.crypto.AEADBadTagException;

/**
 * The local key wrap libmongocrypt uses for the {@code local} provider and for KMIP in its default
 * (non-delegated) mode: AEAD_AES_256_CBC_HMAC_SHA_512 with a random IV and no associated data,
 * keyed by a 96-byte key-encryption key split as MAC key, encryption key, unused (formats.md
 * §2.3). A 96-byte data key always wraps to 160 bytes.
 */
public final class Fle1KeyWrap {
  /** Size of a key-encryption key and of a data key. */
  public static final int KEY_LENGTH = 96;
  /** Size of a wrapped 96-byte data key. */
  public static final int WRAPPED_LENGTH = 160;

  private Fle1KeyWrap() {}

  /** Wraps {@code dataKey} under {@code kek}. */
  public static byte[] wrap(SecretBytes kek, byte[] dataKey) {
    Kek prepared = prepare(kek);
    try {
      return prepared.wrap(dataKey);
    } finally {
      prepared.destroy(); // a one-off key leaves nothing keyed behind
    }
  }

  /**
   * A key-encryption key split and keyed once, for providers that wrap and unwrap many data keys
   * under the same key (keying it costs as much as using it).
   */
  public static Kek prepare(SecretBytes kek) {
    return new Kek(aeadKey(kek));
  }

  /**
   * A prepared key-encryption key. Thread-safe; never shows its content. {@link #destroy} it
   * when done: its keyed workers and its split material go with it.
   */
  public static final class Kek {
    private final AeadKey key;

    private Kek(AeadKey key) {
      this.key = key;
    }

    /** Wraps {@code dataKey}: 160 bytes for a 96-byte key. */
    public byte[] wrap(byte[] dataKey) {
      return Aead.encryptRandom(key, Aead.NO_ASSOCIATED_DATA, dataKey);
    }

    /** Unwraps, as {@link Fle1KeyWrap#unwrap(SecretBytes, byte[])}. */
    public byte[] unwrap(byte[] wrapped) throws AEADBadTagException {
      return Fle1KeyWrap.unwrap(key, wrapped);
    }

    /**
     * Forgets this key: calls under way finish, later ones throw IllegalStateException. Idempotent.
     */
    public void destroy() {
      key.destroy();
    }

    /** Whether {@link #destroy} was called. */
    public boolean destroyed() {
      return key.destroyed();
    }

    @Override
    public String toString() {
      return "Fle1KeyWrap.Kek[redacted]";
    }
  }

  /**
   * Unwraps {@code wrapped} under {@code kek}.
   *
   * @throws AEADBadTagException when the tag does not verify (a wrong key-encryption key or
   *     altered bytes), or the bytes are not a wrapped 96-byte key; providers turn it into a
   *     {@link KmsProviderException}
   */
  public static byte[] unwrap(SecretBytes kek, byte[] wrapped) throws AEADBadTagException {
    AeadKey key = aeadKey(kek);
    try {
      return unwrap(key, wrapped);
    } finally {
      key.destroy();
    }
  }

  private static byte[] unwrap(AeadKey key, byte[] wrapped) throws AEADBadTagException {
    if (wrapped.length != WRAPPED_LENGTH) {
      throw new AEADBadTagException(
          "wrapped data key is " + wrapped.length + " bytes, expected " + WRAPPED_LENGTH);
    }
    try {
      return Aead.decrypt(key, Aead.NO_ASSOCIATED_DATA, wrapped);
    } catch (AEADBadTagException e) {
      throw e;
    } catch (java.security.GeneralSecurityException e) {
      // The tag verified, so this is a well-authenticated but malformed wrap: report it the same way.
      throw new AEADBadTagException("wrapped data key is malformed: " + e.getMessage());
    }
  }

  private static AeadKey aeadKey(SecretBytes kek) {
    if (kek.length() != KEY_LENGTH) {
      throw new IllegalArgumentException(
          "key-encryption key must be " + KEY_LENGTH + " bytes, got " + kek.length());
    }
    byte[] raw = kek.copy();
    try {
      return AeadKey.of(raw);
    } finally {
      Arrays.fill(raw, (byte) 0);
    }
  }
}
