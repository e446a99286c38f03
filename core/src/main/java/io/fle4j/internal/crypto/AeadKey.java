package io.fle4j.internal.crypto;

import java.security.GeneralSecurityException;
import java.util.Arrays;
import javax.crypto.Cipher;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * A 96-byte FLE1 key split the way libmongocrypt splits it (formats.md §1.3): bytes 0..31 are the
 * HMAC-SHA-512 key, 32..63 the AES-256 key, 64..95 the key for deterministic IVs. Used both for
 * data keys and for the local/KMIP key-encryption keys. Never prints its content.
 */
public final class AeadKey extends PooledKey<AeadKey.Material, AeadKey.Worker> {
  /** Total length of a FLE1 key. */
  public static final int LENGTH = 96;

  /** The split key, from which workers are built. */
  record Material(SecretKeySpec macKey, SecretKeySpec encryptionKey, SecretKeySpec ivKey) {
    @Override
    public String toString() {
      return "Material[redacted]";
    }
  }

  private AeadKey(Material material) {
    super(material, Worker::wipe);
  }

  /** Splits a 96-byte key. The array is copied; the caller may wipe it. */
  public static AeadKey of(byte[] key96) {
    if (key96.length != LENGTH) {
      throw new IllegalArgumentException("FLE1 key must be " + LENGTH + " bytes, got " + key96.length);
    }
    byte[] km = Arrays.copyOfRange(key96, 0, 32);
    byte[] ke = Arrays.copyOfRange(key96, 32, 64);
    byte[] kiv = Arrays.copyOfRange(key96, 64, 96);
    try {
      // SecretKeySpec copies the array it is given, so ours can be wiped right away.
      return new AeadKey(new Material(
          new SecretKeySpec(km, "HmacSHA512"),
          new SecretKeySpec(ke, "AES"),
          new SecretKeySpec(kiv, "HmacSHA512")));
    } finally {
      Arrays.fill(km, (byte) 0);
      Arrays.fill(ke, (byte) 0);
      Arrays.fill(kiv, (byte) 0);
    }
  }

  @Override
  protected Worker build(Material split) {
    return new Worker(split.macKey(), split.encryptionKey(), split.ivKey());
  }

  @Override
  public String toString() {
    return "AeadKey[redacted]";
  }

  /**
   * One borrower's keyed HMACs and AES-CBC ciphers for one key, and its scratch buffers. The
   * ciphers are initialised once with an all-zero IV: doFinal returns a JCA cipher to that state,
   * and CBC under IV {@code v} equals CBC under the zero IV with {@code v} XORed into the first
   * block (on the way in for encryption, on the way out for decryption), so no value pays for
   * {@code Cipher.init}.
   */
  static final class Worker {
    /** Plaintexts up to this many padded bytes are decrypted in the reusable scratch buffer. */
    private static final int SCRATCH_LIMIT = 4096;
    private static final IvParameterSpec ZERO_IV = new IvParameterSpec(new byte[Aead.IV_LENGTH]);

    private SecretKeySpec encryptionKey;
    private SecretKeySpec ivKey;
    final SavedStateHmac tagMac;
    /** The last MAC computed, and the associated data's bit length (AL) being MACed. */
    final byte[] mac = new byte[SavedStateHmac.SHA512_LENGTH];
    final byte[] bitLength = new byte[8];
    private SavedStateHmac ivMac;
    private Cipher encryptor;
    private Cipher decryptor;
    private byte[] scratch = new byte[64];

    private Worker(SecretKeySpec macKey, SecretKeySpec encryptionKey, SecretKeySpec ivKey) {
      this.encryptionKey = encryptionKey;
      this.ivKey = ivKey;
      this.tagMac = hmac(macKey);
    }

    /** The HMAC keyed with the IV key (deterministic encryption only). */
    SavedStateHmac ivMac() {
      if (ivMac == null) {
        ivMac = hmac(ivKey);
      }
      return ivMac;
    }

    private static SavedStateHmac hmac(SecretKeySpec key) {
      byte[] material = key.getEncoded(); // a copy: wiped once the HMAC has absorbed it
      try {
        return SavedStateHmac.sha512(material);
      } finally {
        Arrays.fill(material, (byte) 0);
      }
    }

    /** AES-256-CBC, no padding, encrypting under the zero IV. */
    Cipher encryptor() {
      if (encryptor == null) {
        encryptor = zeroIvCbc(Cipher.ENCRYPT_MODE);
      }
      return encryptor;
    }

    /** AES-256-CBC, no padding, decrypting under the zero IV. */
    Cipher decryptor() {
      if (decryptor == null) {
        decryptor = zeroIvCbc(Cipher.DECRYPT_MODE);
      }
      return decryptor;
    }

    /**
     * A buffer of at least {@code length} bytes: the reusable one for short values, a new one
     * beyond {@link #SCRATCH_LIMIT} so that one large value does not pin a large buffer per
     * thread and key. The caller wipes what it wrote.
     */
    byte[] scratch(int length) {
      if (length > SCRATCH_LIMIT) {
        return new byte[length];
      }
      if (scratch.length < length) {
        scratch = new byte[Math.max(length, 2 * scratch.length)];
      }
      return scratch;
    }

    /**
     * Erases what can be erased (the HMAC states, the buffers) and drops the rest, the JCA
     * ciphers, whose key schedules Java cannot reach. The worker is unusable afterwards.
     */
    void wipe() {
      tagMac.wipe();
      if (ivMac != null) {
        ivMac.wipe();
      }
      Arrays.fill(mac, (byte) 0);
      Arrays.fill(scratch, (byte) 0);
      encryptionKey = null;
      ivKey = null;
      discardCiphers();
    }

    /** Whether {@link #wipe} ran. */
    boolean wiped() {
      return encryptionKey == null;
    }

    /** Drops the ciphers after a failure, so that a cipher in an unknown state is not reused. */
    void discardCiphers() {
      encryptor = null;
      decryptor = null;
    }

    private Cipher zeroIvCbc(int mode) {
      try {
        Cipher cipher = Cipher.getInstance("AES/CBC/NoPadding");
        cipher.init(mode, encryptionKey, ZERO_IV);
        return cipher;
      } catch (GeneralSecurityException e) {
        throw new IllegalStateException("this JVM cannot do AES-256-CBC", e);
      }
    }
  }
}
