package io.fle4j.internal.crypto;

import java.security.DigestException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;

/**
 * HMAC (RFC 2104) for one key, on digest states that have already absorbed the padded key:
 * {@code H((K ⊕ opad) ‖ H((K ⊕ ipad) ‖ m))}. The JDK's {@code Mac} feeds both padded-key blocks
 * through the digest again for every message, which is half the work for the short messages
 * client-side encryption authenticates and derives tokens from; starting from saved states skips
 * it. HMAC-SHA-512 serves CSFLE's AEAD, HMAC-SHA-256 Queryable Encryption's key-level token
 * derivations. Not thread-safe: one user at a time.
 */
public final class SavedStateHmac {
  /** Output length of {@link #sha512}. */
  public static final int SHA512_LENGTH = 64;
  /** Output length of {@link #sha256}. */
  public static final int SHA256_LENGTH = 32;

  private final String algorithm;
  private final int length;
  private final MessageDigest innerStart;
  private final MessageDigest outerStart;
  private final byte[] innerHash;
  private MessageDigest inner;
  private boolean wiped;

  private SavedStateHmac(String algorithm, int block, int length, byte[] key) {
    if (key.length > block) {
      throw new IllegalArgumentException("HMAC keys here are at most " + block + " bytes");
    }
    this.algorithm = algorithm;
    this.length = length;
    this.innerHash = new byte[length];
    byte[] ipad = new byte[block];
    byte[] opad = new byte[block];
    Arrays.fill(ipad, (byte) 0x36);
    Arrays.fill(opad, (byte) 0x5c);
    for (int i = 0; i < key.length; i++) {
      ipad[i] ^= key[i];
      opad[i] ^= key[i];
    }
    innerStart = digest(algorithm);
    innerStart.update(ipad);
    outerStart = digest(algorithm);
    outerStart.update(opad);
    Arrays.fill(ipad, (byte) 0);
    Arrays.fill(opad, (byte) 0);
  }

  /** HMAC-SHA-512 under {@code key}, which is not kept (the caller may wipe it). */
  public static SavedStateHmac sha512(byte[] key) {
    return new SavedStateHmac("SHA-512", 128, SHA512_LENGTH, key);
  }

  /** HMAC-SHA-256 under {@code key}, which is not kept (the caller may wipe it). */
  public static SavedStateHmac sha256(byte[] key) {
    return new SavedStateHmac("SHA-256", 64, SHA256_LENGTH, key);
  }

  public void update(byte[] bytes) {
    update(bytes, 0, bytes.length);
  }

  public void update(byte[] bytes, int offset, int length) {
    checkNotWiped();
    try {
      inner().update(bytes, offset, length);
    } catch (RuntimeException e) {
      inner = null; // never let a half-fed message prefix the next one
      throw e;
    }
  }

  /** Writes the MAC of everything given since the last call into {@code out[0, ...)}. */
  public void doFinal(byte[] out) {
    doFinal(out, 0);
  }

  /**
   * Writes the MAC of everything given since the last call into {@code out[offset, offset +
   * length)}, and starts over.
   */
  public void doFinal(byte[] out, int offset) {
    checkNotWiped();
    MessageDigest current = inner();
    inner = null;
    try {
      current.digest(innerHash, 0, length);
      // A clone of a saved state costs a few small arrays; absorbing the padded key again would
      // cost a whole digest block.
      MessageDigest outer = (MessageDigest) outerStart.clone();
      outer.update(innerHash);
      outer.digest(out, offset, length);
    } catch (DigestException | CloneNotSupportedException e) {
      throw new IllegalStateException(algorithm + " failed", e);
    } finally {
      Arrays.fill(innerHash, (byte) 0);
    }
  }

  /** The MAC of {@code message[offset, offset + messageLength)}, into {@code out[outOffset...)}. */
  public void mac(byte[] message, int offset, int messageLength, byte[] out, int outOffset) {
    update(message, offset, messageLength);
    doFinal(out, outOffset);
  }

  /** Forgets the key: the saved states return to the digest's initial state. Unusable afterwards. */
  public void wipe() {
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
    // Reset states would compute an unkeyed digest: refuse rather than produce such a "MAC".
    if (wiped) {
      throw new IllegalStateException("this HMAC was wiped");
    }
  }

  private MessageDigest inner() {
    if (inner == null) {
      try {
        inner = (MessageDigest) innerStart.clone();
      } catch (CloneNotSupportedException e) {
        throw new IllegalStateException(algorithm + " digests of this JVM cannot be cloned", e);
      }
    }
    return inner;
  }

  private static MessageDigest digest(String algorithm) {
    try {
      return MessageDigest.getInstance(algorithm);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("this JVM lacks " + algorithm, e);
    }
  }
}
