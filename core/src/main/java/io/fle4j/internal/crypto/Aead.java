package io.fle4j.internal.crypto;

import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Arrays;
import javax.crypto.AEADBadTagException;
import javax.crypto.BadPaddingException;
import javax.crypto.Cipher;
import javax.crypto.IllegalBlockSizeException;
import javax.crypto.NoSuchPaddingException;
import javax.crypto.spec.IvParameterSpec;

/**
 * AEAD_AES_256_CBC_HMAC_SHA_512 exactly as libmongocrypt computes it for FLE1 (formats.md §1.4,
 * after draft-mcgrew-aead-aes-cbc-hmac-sha2-05 with a 256-bit tag):
 *
 * <pre>
 * AL = uint64 big-endian bit length of AAD
 * IV = random, or HMAC-SHA-512(Kiv, AAD ‖ AL ‖ P)[0..16) for deterministic encryption
 * S  = AES-256-CBC(Ke, IV, P ‖ PKCS#7 padding)
 * T  = HMAC-SHA-512(Km, AAD ‖ IV ‖ S ‖ AL)[0..32)
 * C  = IV ‖ S ‖ T
 * </pre>
 *
 * <p>Stateless and thread-safe; JCA objects are reused per thread because creating them costs more
 * than using them.
 */
public final class Aead {
  public static final byte[] NO_ASSOCIATED_DATA = new byte[0];
  static final int IV_LENGTH = 16;
  static final int BLOCK = 16;
  static final int TAG_LENGTH = 32;
  /** IV, one block of padding at least, and the tag. */
  public static final int MIN_CIPHERTEXT_LENGTH = IV_LENGTH + BLOCK + TAG_LENGTH;

  private static final SecureRandom RANDOM = new SecureRandom();
  private static final ThreadLocal<Cipher> AES_CBC = ThreadLocal.withInitial(Aead::newCipher);

  private Aead() {}

  /** Length of the ciphertext for a plaintext of {@code plaintextLength} bytes. */
  public static int ciphertextLength(int plaintextLength) {
    return IV_LENGTH + (plaintextLength / BLOCK + 1) * BLOCK + TAG_LENGTH;
  }

  /** Encrypts with a fresh random IV. */
  public static byte[] encryptRandom(AeadKey key, byte[] aad, byte[] plaintext) {
    byte[] iv = new byte[IV_LENGTH];
    RANDOM.nextBytes(iv);
    return encrypt(key, aad, plaintext, iv);
  }

  /** Encrypts with the IV derived from the key, the associated data and the plaintext. */
  public static byte[] encryptDeterministic(AeadKey key, byte[] aad, byte[] plaintext) {
    HmacSha512 mac = key.ivMac();
    mac.update(aad);
    mac.update(associatedDataBitLength(aad));
    mac.update(plaintext);
    byte[] iv = Arrays.copyOf(mac.doFinal(), IV_LENGTH);
    return encrypt(key, aad, plaintext, iv);
  }

  /** Encrypts with the given 16-byte IV. Visible for known-answer tests. */
  public static byte[] encrypt(AeadKey key, byte[] aad, byte[] plaintext, byte[] iv) {
    if (iv.length != IV_LENGTH) {
      throw new IllegalArgumentException("IV must be 16 bytes");
    }
    int padded = (plaintext.length / BLOCK + 1) * BLOCK;
    byte[] out = new byte[IV_LENGTH + padded + TAG_LENGTH];
    System.arraycopy(iv, 0, out, 0, IV_LENGTH);
    // PKCS#7 always pads, a full block when the plaintext is block-aligned.
    byte[] input = Arrays.copyOf(plaintext, padded);
    Arrays.fill(input, plaintext.length, padded, (byte) (padded - plaintext.length));
    try {
      Cipher cipher = AES_CBC.get();
      cipher.init(Cipher.ENCRYPT_MODE, key.encryptionKey(), new IvParameterSpec(iv));
      cipher.doFinal(input, 0, padded, out, IV_LENGTH);
      byte[] tag = tag(key, aad, out, IV_LENGTH + padded);
      System.arraycopy(tag, 0, out, IV_LENGTH + padded, TAG_LENGTH);
      return out;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-256-CBC failed on valid input", e);
    } finally {
      Arrays.fill(input, (byte) 0);
    }
  }

  /**
   * Verifies the tag in constant time, then decrypts.
   *
   * @throws IllegalBlockSizeException the ciphertext's length cannot be valid
   * @throws AEADBadTagException the tag does not match (wrong key or altered bytes)
   * @throws BadPaddingException the tag matched but the padding is invalid
   */
  public static byte[] decrypt(AeadKey key, byte[] aad, byte[] ciphertext)
      throws GeneralSecurityException {
    int length = ciphertext.length;
    if (length < MIN_CIPHERTEXT_LENGTH || (length - IV_LENGTH - TAG_LENGTH) % BLOCK != 0) {
      throw new IllegalBlockSizeException(
          "ciphertext is "
              + length
              + " bytes; it must be at least "
              + MIN_CIPHERTEXT_LENGTH
              + " and IV + tag + a multiple of 16");
    }
    int tagOffset = length - TAG_LENGTH;
    byte[] expected = tag(key, aad, ciphertext, tagOffset);
    byte[] actual = Arrays.copyOfRange(ciphertext, tagOffset, length);
    if (!MessageDigest.isEqual(expected, actual)) {
      throw new AEADBadTagException("HMAC validation failure");
    }
    return decryptVerified(key, ciphertext, 0, tagOffset);
  }

  private static byte[] decryptVerified(AeadKey key, byte[] bytes, int offset, int tagOffset)
      throws GeneralSecurityException {
    Cipher cipher = AES_CBC.get();
    cipher.init(Cipher.DECRYPT_MODE, key.encryptionKey(), new IvParameterSpec(bytes, offset, IV_LENGTH));
    byte[] padded = cipher.doFinal(bytes, offset + IV_LENGTH, tagOffset - offset - IV_LENGTH);
    int pad = padded[padded.length - 1] & 0xff;
    boolean valid = pad >= 1 && pad <= BLOCK;
    for (int i = padded.length - pad; valid && i < padded.length; i++) {
      valid = padded[i] == (byte) pad;
    }
    if (!valid) {
      Arrays.fill(padded, (byte) 0);
      throw new BadPaddingException("invalid PKCS#7 padding");
    }
    byte[] plaintext = Arrays.copyOf(padded, padded.length - pad);
    Arrays.fill(padded, (byte) 0);
    return plaintext;
  }

  private static byte[] tag(AeadKey key, byte[] aad, byte[] ivAndS, int ivAndSLength) {
    return tag(key, aad, 0, aad.length, ivAndS, 0, ivAndSLength);
  }

  private static byte[] tag(AeadKey key, byte[] aad, int aadOffset, int aadLength, byte[] ivAndS,
      int offset, int length) {
    HmacSha512 mac = key.tagMac();
    mac.update(aad, aadOffset, aadLength);
    mac.update(ivAndS, offset, length);
    mac.update(bitLength(aadLength));
    return Arrays.copyOf(mac.doFinal(), TAG_LENGTH);
  }

  /**
   * Verifies and decrypts {@code C} held in {@code blob[offset, blob.length)}, with the associated
   * data in {@code blob[0, aadLength)}: a CSFLE ciphertext decrypted where it lies, without copies.
   */
  public static byte[] decrypt(AeadKey key, byte[] blob, int aadLength, int offset)
      throws GeneralSecurityException {
    int length = blob.length - offset;
    if (length < MIN_CIPHERTEXT_LENGTH || (length - IV_LENGTH - TAG_LENGTH) % BLOCK != 0) {
      throw new IllegalBlockSizeException("ciphertext is " + length + " bytes; it must be at least "
          + MIN_CIPHERTEXT_LENGTH + " and IV + tag + a multiple of 16");
    }
    int tagOffset = blob.length - TAG_LENGTH;
    byte[] expected = tag(key, blob, 0, aadLength, blob, offset, tagOffset - offset);
    if (!MessageDigest.isEqual(expected, Arrays.copyOfRange(blob, tagOffset, blob.length))) {
      throw new AEADBadTagException("HMAC validation failure");
    }
    return decryptVerified(key, blob, offset, tagOffset);
  }

  /** AL: the associated data's length in bits, as a big-endian uint64. */
  private static byte[] associatedDataBitLength(byte[] aad) {
    return bitLength(aad.length);
  }

  private static byte[] bitLength(int aadLength) {
    long bits = 8L * aadLength;
    byte[] al = new byte[8];
    for (int i = 7; i >= 0; i--) {
      al[i] = (byte) bits;
      bits >>>= 8;
    }
    return al;
  }

  private static Cipher newCipher() {
    try {
      return Cipher.getInstance("AES/CBC/NoPadding");
    } catch (NoSuchAlgorithmException | NoSuchPaddingException e) {
      throw new IllegalStateException("this JVM lacks AES/CBC/NoPadding", e);
    }
  }
}
