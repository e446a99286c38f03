package io.fle4j.internal.crypto;

import java.security.DigestException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;

/**
 * HMAC-SHA-512 (RFC 2104) for one key, on SHA-512 states that have already absorbed the padded
 * key: {@code H((K ⊕ opad) ‖ H((K ⊕ ipad) ‖ m))}. The JDK's {@code Mac} feeds both padded-key
 * blocks through SHA-512 again for every message, which is half the work for the short messages
 * CSFLE authenticates; starting from saved states skips it. Not thread-safe: one user at a time.
 */
final class HmacSha512 {
  static final int LENGTH = 64;
  private static final int BLOCK = 128;

  private final MessageDigest innerStart;
  private final MessageDigest outerStart;
  private final byte[] innerHash = new byte[LENGTH];
  private MessageDigest inner;
  private boolean wiped;

  HmacSha512(byte[] key) {
    if (key.length > BLOCK) {
      throw new IllegalArgumentException("HMAC keys here are 32 bytes");
    }
    byte[] ipad = new byte[BLOCK];
    byte[] opad = new byte[BLOCK];
    Arrays.fill(ipad, (byte) 0x36);
    Arrays.fill(opad, (byte) 0x5c);
    for (int i = 0; i < key.length; i++) {
      ipad[i] ^= key[i];
      opad[i] ^= key[i];
    }
    innerStart = sha512();
    innerStart.update(ipad);
    outerStart = sha512();
    outerStart.update(opad);
    Arrays.fill(ipad, (byte) 0);
    Arrays.fill(opad, (byte) 0);
  }

  void update(byte[] bytes) {
    update(bytes, 0, bytes.length);
  }

  void update(byte[] bytes, int offset, int length) {
    checkNotWiped();
    try {
      inner().update(bytes, offset, length);
    } catch (RuntimeException e) {
      inner = null; // never let a half-fed message prefix the next one
      throw e;
    }
  }

  /**
   * Writes the 64-byte MAC of everything given since the last call into {@code out[0, 64)}, and
   * starts over.
   */
  void doFinal(byte[] out) {
    checkNotWiped();
    MessageDigest current = inner();
    inner = null;
    try {
      current.digest(innerHash, 0, LENGTH);
      // A clone of a saved state costs a few small arrays; absorbing the padded key again would
      // cost a whole SHA-512 block.
      MessageDigest outer = (MessageDigest) outerStart.clone();
      outer.update(innerHash);
      outer.digest(out, 0, LENGTH);
    } catch (DigestException | CloneNotSupportedException e) {
      throw new IllegalStateException("SHA-512 failed", e);
    }
  }

  /** Forgets the key: the saved states return to SHA-512's initial state. Unusable afterwards. */
  void wipe() {
    wiped = true;
    innerStart.reset();
    outerStart.reset();
    if (inner != null) {
      inner.reset();
      inner = null;
    }
    Arrays.fill(innerHash, (byte) 0);
  }

  private void checkNotWiped() {
    // Reset states would compute an unkeyed SHA-512: refuse rather than produce such a "MAC".
    if (wiped) {
      throw new IllegalStateException("this HMAC was wiped");
    }
  }

  private MessageDigest inner() {
    if (inner == null) {
      try {
        inner = (MessageDigest) innerStart.clone();
      } catch (CloneNotSupportedException e) {
        throw new IllegalStateException("SHA-512 digests of this JVM cannot be cloned", e);
      }
    }
    return inner;
  }

  private static MessageDigest sha512() {
    try {
      return MessageDigest.getInstance("SHA-512");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("this JVM lacks SHA-512", e);
    }
  }
}
