package io.fle4j.internal.qe;

import java.security.DigestException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;

/**
 * HMAC-SHA-256 with a 32-byte key that changes from call to call, the shape of every Queryable
 * Encryption token derivation (qe-formats.md §2): {@code H(k, m) = SHA-256((k ⊕ opad) ‖
 * SHA-256((k ⊕ ipad) ‖ m))}. The JDK's {@code Mac} needs a new key object and an {@code init} per
 * key; here one digest and two pad buffers are reused, so a derivation allocates nothing. (Keys
 * that stay the same over many derivations use {@code SavedStateHmac} instead.) Not thread-safe:
 * one user at a time.
 */
final class TokenHmac {
  static final int LENGTH = 32;
  private static final int BLOCK = 64;

  private final MessageDigest sha256;
  private final byte[] pad = new byte[BLOCK];
  private final byte[] innerHash = new byte[LENGTH];
  private final byte[] counter = new byte[8];

  TokenHmac() {
    sha256 = sha256();
  }

  /** Writes {@code H(key[keyOffset, +32), message[offset, +length))} to {@code out[outOffset, +32)}. */
  void mac(byte[] key, int keyOffset, byte[] message, int offset, int length, byte[] out,
      int outOffset) {
    try {
      padKey(key, keyOffset, (byte) 0x36);
      sha256.update(pad);
      sha256.update(message, offset, length);
      sha256.digest(innerHash, 0, LENGTH);
      padKey(key, keyOffset, (byte) 0x5c);
      sha256.update(pad);
      sha256.update(innerHash);
      sha256.digest(out, outOffset, LENGTH);
    } catch (DigestException e) {
      throw new IllegalStateException("SHA-256 failed", e);
    } finally {
      sha256.reset();
      Arrays.fill(pad, (byte) 0);
      Arrays.fill(innerHash, (byte) 0);
    }
  }

  /** {@code H(key, u64le(n))}: the derivations by a constant, a contention factor or a count. */
  void macU64(byte[] key, int keyOffset, long n, byte[] out, int outOffset) {
    for (int i = 0; i < 8; i++) {
      counter[i] = (byte) (n >>> (8 * i));
    }
    mac(key, keyOffset, counter, 0, 8, out, outOffset);
  }

  /** A new 32-byte token {@code H(key, u64le(n))}. */
  byte[] macU64(byte[] key, long n) {
    byte[] out = new byte[LENGTH];
    macU64(key, 0, n, out, 0);
    return out;
  }

  /** A new 32-byte token {@code H(key, message)}. */
  byte[] mac(byte[] key, byte[] message) {
    byte[] out = new byte[LENGTH];
    mac(key, 0, message, 0, message.length, out, 0);
    return out;
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("this JVM lacks SHA-256", e);
    }
  }

  private void padKey(byte[] key, int keyOffset, byte fill) {
    Arrays.fill(pad, fill);
    for (int i = 0; i < LENGTH; i++) {
      pad[i] ^= key[keyOffset + i];
    }
  }
}
