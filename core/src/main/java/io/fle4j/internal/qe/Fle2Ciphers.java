package io.fle4j.internal.qe;

import io.fle4j.internal.crypto.Aead;
import java.security.GeneralSecurityException;
import java.util.Arrays;
import javax.crypto.Cipher;
import javax.crypto.Mac;

/**
 * The three ciphers of Queryable Encryption (qe-formats.md §3.1), on the keyed objects of a
 * {@link QeKey.Worker}:
 *
 * <ul>
 *   <li>FLE2v2AEAD, every value the client encrypts in protocol v2: {@code IV ‖ S ‖ T} with
 *       {@code S = AES-256-CBC(Ke, IV, P ‖ PKCS#7)} and {@code T = HMAC-SHA-256(Km, AAD ‖ IV ‖ S)};
 *   <li>FLE2AEAD, protocol v1 values (decryption only): the same with AES-256-CTR and no padding;
 *   <li>FLE2, AES-256-CTR without a MAC under a token: {@code p} and the server's envelope.
 * </ul>
 *
 * <p>The MACs have no length block (unlike CSFLE's), and every IV is random.
 */
final class Fle2Ciphers {
  static final int IV_LENGTH = 16;
  static final int BLOCK = 16;
  static final int TAG_LENGTH = 32;
  /** IV, one block of padding at least, and the tag. */
  static final int MIN_V2_AEAD_LENGTH = IV_LENGTH + BLOCK + TAG_LENGTH;

  private Fle2Ciphers() {}

  /** Length of FLE2v2AEAD over {@code plaintextLength} bytes. */
  static int v2AeadLength(int plaintextLength) {
    return IV_LENGTH + (plaintextLength / BLOCK + 1) * BLOCK + TAG_LENGTH;
  }

  /**
   * FLE2v2AEAD of {@code plaintext[pOffset, +pLength)} under the worker's key, written at {@code
   * out[outOffset, +v2AeadLength(pLength))}; the IV is already at {@code out[outOffset, +16)}.
   */
  static void sealV2(QeKey.Worker key, byte[] aad, int aadOffset, int aadLength, byte[] plaintext,
      int pOffset, int pLength, byte[] out, int outOffset) {
    if (pLength == 0) {
      // libmongocrypt refuses this ("input plaintext too small"); no BSON value body is empty.
      throw new IllegalArgumentException("input plaintext too small");
    }
    int padded = (pLength / BLOCK + 1) * BLOCK;
    int s = outOffset + IV_LENGTH;
    System.arraycopy(plaintext, pOffset, out, s, pLength);
    Arrays.fill(out, s + pLength, s + padded, (byte) (padded - pLength));
    // CBC under IV v equals CBC under the zero IV with v XORed into the first block.
    Aead.xorBlock(out, s, out, outOffset);
    try {
      key.cbcEncryptor().doFinal(out, s, padded, out, s);
      Mac mac = key.valueMac();
      mac.update(aad, aadOffset, aadLength);
      mac.update(out, outOffset, IV_LENGTH + padded);
      mac.doFinal(out, s + padded);
    } catch (GeneralSecurityException e) {
      key.discardCiphers();
      Arrays.fill(out, outOffset, outOffset + IV_LENGTH + padded, (byte) 0);
      throw new IllegalStateException("AES-256-CBC / HMAC-SHA-256 failed", e);
    }
  }

  /**
   * Verifies and decrypts FLE2v2AEAD data {@code c[cOffset, +cLength)}.
   *
   * @return the plaintext, or null when the tag does not verify; nothing is decrypted then
   * @throws IllegalArgumentException when the lengths or the padding are malformed
   */
  static byte[] openV2(QeKey.Worker key, byte[] aad, int aadOffset, int aadLength, byte[] c,
      int cOffset, int cLength) {
    if (cLength < MIN_V2_AEAD_LENGTH || (cLength - IV_LENGTH - TAG_LENGTH) % BLOCK != 0) {
      throw new IllegalArgumentException("AES-256-CBC ciphertext of " + cLength
          + " bytes: it must be IV, whole 16-byte blocks (at least one) and a 32-byte tag");
    }
    int sLength = cLength - IV_LENGTH - TAG_LENGTH;
    if (!tagMatches(key, aad, aadOffset, aadLength, c, cOffset, IV_LENGTH + sLength)) {
      return null;
    }
    byte[] padded = new byte[sLength];
    try {
      key.cbcDecryptor().doFinal(c, cOffset + IV_LENGTH, sLength, padded, 0);
    } catch (GeneralSecurityException e) {
      key.discardCiphers();
      throw new IllegalStateException("AES-256-CBC failed", e);
    }
    Aead.xorBlock(padded, 0, c, cOffset);
    int pad = padded[sLength - 1] & 0xff;
    if (pad < 1 || pad > BLOCK) {
      Arrays.fill(padded, (byte) 0);
      throw new IllegalArgumentException("bad PKCS#7 padding byte " + pad);
    }
    byte[] plaintext = Arrays.copyOf(padded, sLength - pad);
    Arrays.fill(padded, (byte) 0);
    return plaintext;
  }

  /**
   * Verifies and decrypts FLE2AEAD (protocol v1, CTR) data {@code c[cOffset, +cLength)}.
   *
   * @return the plaintext, or null when the tag does not verify
   */
  static byte[] openV1(QeKey.Worker key, byte[] aad, int aadOffset, int aadLength, byte[] c,
      int cOffset, int cLength) {
    if (cLength < IV_LENGTH + 1 + TAG_LENGTH) {
      throw new IllegalArgumentException("AES-256-CTR ciphertext of " + cLength
          + " bytes: it must be IV, at least one byte and a 32-byte tag");
    }
    int sLength = cLength - IV_LENGTH - TAG_LENGTH;
    if (!tagMatches(key, aad, aadOffset, aadLength, c, cOffset, IV_LENGTH + sLength)) {
      return null;
    }
    byte[] plaintext = new byte[sLength];
    ctr(key, key.valueKeyBlocks(), c, cOffset, c, cOffset + IV_LENGTH, sLength, plaintext, 0);
    return plaintext;
  }

  /**
   * AES-256-CTR: XORs {@code in[inOffset, +length)} with the key stream of {@code blocks} (an
   * ECB encryptor) starting at the counter block {@code iv[ivOffset, +16)}, into {@code out}.
   * The counter is one 128-bit big-endian integer, as the JCA's CTR mode counts.
   */
  static void ctr(QeKey.Worker key, Cipher blocks, byte[] iv, int ivOffset, byte[] in,
      int inOffset, int length, byte[] out, int outOffset) {
    int streamLength = (length + BLOCK - 1) / BLOCK * BLOCK;
    byte[] stream = key.scratch(streamLength);
    System.arraycopy(iv, ivOffset, stream, 0, IV_LENGTH);
    for (int b = BLOCK; b < streamLength; b += BLOCK) {
      System.arraycopy(stream, b - BLOCK, stream, b, BLOCK);
      for (int i = b + BLOCK - 1; i >= b && ++stream[i] == 0; i--) {
        // carry into the next byte up
      }
    }
    try {
      blocks.doFinal(stream, 0, streamLength, stream, 0);
      for (int i = 0; i < length; i++) {
        out[outOffset + i] = (byte) (in[inOffset + i] ^ stream[i]);
      }
    } catch (GeneralSecurityException e) {
      key.discardCiphers();
      throw new IllegalStateException("AES-256 failed", e);
    } finally {
      Arrays.fill(stream, 0, streamLength, (byte) 0);
    }
  }

  private static boolean tagMatches(QeKey.Worker key, byte[] aad, int aadOffset, int aadLength,
      byte[] c, int cOffset, int macedLength) {
    Mac mac = key.valueMac();
    try {
      mac.update(aad, aadOffset, aadLength);
      mac.update(c, cOffset, macedLength);
      mac.doFinal(key.mac, 0);
    } catch (GeneralSecurityException e) {
      key.discardCiphers();
      throw new IllegalStateException("HMAC-SHA-256 failed", e);
    }
    return Aead.tagMatches(key.mac, c, cOffset + macedLength);
  }
}
