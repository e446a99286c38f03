package io.fle4j.internal.crypto;

import java.util.Arrays;
import javax.crypto.spec.SecretKeySpec;

/**
 * A 96-byte FLE1 key split the way libmongocrypt splits it (formats.md §1.3): bytes 0..31 are the
 * HMAC-SHA-512 key, 32..63 the AES-256 key, 64..95 the key for deterministic IVs. Used both for
 * data keys and for the local/KMIP key-encryption keys. Never prints its content.
 */
public final class AeadKey {
  /** Total length of a FLE1 key. */
  public static final int LENGTH = 96;

  private final SecretKeySpec encryptionKey;
  // Keying an HMAC costs as much as MACing a short value, so each thread keeps its keyed Macs
  // (doFinal leaves a Mac keyed and ready for the next message).
  private final ThreadLocal<HmacSha512> tagMacs;
  private final ThreadLocal<HmacSha512> ivMacs;

  private AeadKey(SecretKeySpec macKey, SecretKeySpec encryptionKey, SecretKeySpec ivKey) {
    this.encryptionKey = encryptionKey;
    this.tagMacs = ThreadLocal.withInitial(() -> new HmacSha512(macKey.getEncoded()));
    this.ivMacs = ThreadLocal.withInitial(() -> new HmacSha512(ivKey.getEncoded()));
  }

  /** This thread's HMAC keyed with the MAC key. */
  HmacSha512 tagMac() {
    return tagMacs.get();
  }

  /** This thread's HMAC keyed with the IV key. */
  HmacSha512 ivMac() {
    return ivMacs.get();
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
      return new AeadKey(
          new SecretKeySpec(km, "HmacSHA512"),
          new SecretKeySpec(ke, "AES"),
          new SecretKeySpec(kiv, "HmacSHA512"));
    } finally {
      Arrays.fill(km, (byte) 0);
      Arrays.fill(ke, (byte) 0);
      Arrays.fill(kiv, (byte) 0);
    }
  }

  SecretKeySpec encryptionKey() {
    return encryptionKey;
  }

  @Override
  public String toString() {
    return "AeadKey[redacted]";
  }
}
