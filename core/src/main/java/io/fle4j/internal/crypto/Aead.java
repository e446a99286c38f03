package io.fle4j.internal.crypto;

import java.security.GeneralSecurityException;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Objects;
import javax.crypto.AEADBadTagException;
import javax.crypto.BadPaddingException;
import javax.crypto.IllegalBlockSizeException;

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
 * <p>Stateless and thread-safe. The keyed JCA objects are pooled in {@link AeadKey}, and
 * the CSFLE entry points work on the ciphertext where it lies, because at one or two microseconds
 * a value, copies and small objects are a measurable part of the cost.
 */
public final class Aead {
  public static final byte[] NO_ASSOCIATED_DATA = new byte[0];
  static final int IV_LENGTH = 16;
  static final int BLOCK = 16;
  static final int TAG_LENGTH = 32;
  /** IV, one block of padding at least, and the tag. */
  public static final int MIN_CIPHERTEXT_LENGTH = IV_LENGTH + BLOCK + TAG_LENGTH;

  // A few generators that threads borrow: the JDK's default SecureRandom serialises all threads
  // on one lock, and building a generator per thread would cost a seeding per virtual thread.
  private static final ReadyPool<IvSource> RANDOM =
      new ReadyPool<>(ReadyPool.DEFAULT_SIZE, IvSource::new, source -> { });
  /** A generator draws fresh entropy at least this often... */
  static final long RESEED_NANOS = 1_000_000_000L;
  /** ...and after this many IVs, whichever comes first. */
  static final int RESEED_IVS = 1 << 16;

  /**
   * A DRBG, used by one thread at a time, that reseeds from the operating system's entropy source every second and
   * every 65,536 IVs: a process restored from a snapshot (a VM image, CRaC) would otherwise go on
   * from the same generator state and repeat the IVs of every other copy of that snapshot.
   */
  static final class IvSource {
    private final SecureRandom random;
    private final java.util.function.LongSupplier nanos;
    /** Where the next IV is drawn; belongs to whoever borrowed this generator. */
    final byte[] iv = new byte[IV_LENGTH];
    private long reseedAt;
    private int left = RESEED_IVS;

    IvSource() {
      this(newRandom(), System::nanoTime);
    }

    IvSource(SecureRandom random, java.util.function.LongSupplier nanos) {
      this.random = random;
      this.nanos = nanos;
      this.reseedAt = nanos.getAsLong() + RESEED_NANOS;
    }

    void nextBytes(byte[] out) {
      long now = nanos.getAsLong();
      if (--left <= 0 || now - reseedAt >= 0) {
        random.reseed();
        reseedAt = now + RESEED_NANOS;
        left = RESEED_IVS;
      }
      random.nextBytes(out);
    }
  }

  private Aead() {}

  /** Length of the ciphertext for a plaintext of {@code plaintextLength} bytes. */
  public static int ciphertextLength(int plaintextLength) {
    return IV_LENGTH + paddedLength(plaintextLength) + TAG_LENGTH;
  }

  /** Encrypts with a fresh random IV. */
  public static byte[] encryptRandom(AeadKey key, byte[] aad, byte[] plaintext) {
    byte[] c = new byte[ciphertextLength(plaintext.length)];
    randomBytes(c, 0, IV_LENGTH);
    AeadKey.Worker worker = key.borrow();
    try {
      seal(worker, aad, 0, aad.length, plaintext, c, 0);
    } finally {
      key.release(worker);
    }
    return c;
  }

  /** Encrypts with the IV derived from the key, the associated data and the plaintext. */
  public static byte[] encryptDeterministic(AeadKey key, byte[] aad, byte[] plaintext) {
    byte[] c = new byte[ciphertextLength(plaintext.length)];
    AeadKey.Worker worker = key.borrow();
    try {
      deterministicIv(worker, aad, 0, aad.length, plaintext, c, 0);
      seal(worker, aad, 0, aad.length, plaintext, c, 0);
    } finally {
      key.release(worker);
    }
    return c;
  }

  /** Encrypts with the given 16-byte IV. Visible for known-answer tests. */
  public static byte[] encrypt(AeadKey key, byte[] aad, byte[] plaintext, byte[] iv) {
    if (iv.length != IV_LENGTH) {
      throw new IllegalArgumentException("IV must be 16 bytes");
    }
    byte[] c = new byte[ciphertextLength(plaintext.length)];
    System.arraycopy(iv, 0, c, 0, IV_LENGTH);
    AeadKey.Worker worker = key.borrow();
    try {
      seal(worker, aad, 0, aad.length, plaintext, c, 0);
    } finally {
      key.release(worker);
    }
    return c;
  }

  /**
   * Encrypts {@code plaintext} into {@code blob} right after the associated data already in
   * {@code blob[0, aadLength)}: C fills {@code blob[aadLength, aadLength +
   * ciphertextLength(plaintext.length))}. This is the layout of a CSFLE ciphertext, built in the
   * array that is stored.
   */
  public static void encryptAfterAssociatedData(
      AeadKey key, boolean deterministic, byte[] blob, int aadLength, byte[] plaintext) {
    if (!deterministic) {
      randomBytes(blob, aadLength, IV_LENGTH);
    }
    AeadKey.Worker worker = key.borrow();
    try {
      if (deterministic) {
        deterministicIv(worker, blob, 0, aadLength, plaintext, blob, aadLength);
      }
      seal(worker, blob, 0, aadLength, plaintext, blob, aadLength);
    } finally {
      key.release(worker);
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
    return decrypt(key, aad, 0, aad.length, ciphertext, 0, ciphertext.length);
  }

  /**
   * Verifies and decrypts C held in {@code c[cOffset, cOffset + cLength)}, with the associated
   * data in {@code aad[aadOffset, aadOffset + aadLength)}: a CSFLE ciphertext is decrypted this
   * way where it lies, inside a reply, without copies.
   *
   * @throws GeneralSecurityException as {@link #decrypt(AeadKey, byte[], byte[])}
   */
  public static byte[] decrypt(AeadKey key, byte[] aad, int aadOffset, int aadLength,
      byte[] c, int cOffset, int cLength) throws GeneralSecurityException {
    checkLengths(aad, aadOffset, aadLength, c, cOffset, cLength);
    int sLength = cLength - IV_LENGTH - TAG_LENGTH;
    AeadKey.Worker worker = key.borrow();
    try {
      byte[] padded = open(worker, aad, aadOffset, aadLength, c, cOffset, cLength);
      try {
        return Arrays.copyOf(padded, plaintextLength(padded, sLength));
      } finally {
        Arrays.fill(padded, 0, sLength, (byte) 0);
      }
    } finally {
      key.release(worker);
    }
  }

  /**
   * As {@link #decrypt(AeadKey, byte[], int, int, byte[], int, int)}, writing the plaintext into
   * {@code dest} at {@code destOffset} instead of a new array: a reply is decrypted straight into
   * its decrypted copy. Nothing is written unless the tag and the padding verify.
   *
   * @return the plaintext's length
   * @throws IndexOutOfBoundsException when the plaintext does not fit in {@code dest}
   */
  public static int decryptInto(AeadKey key, byte[] aad, int aadOffset, int aadLength,
      byte[] c, int cOffset, int cLength, byte[] dest, int destOffset)
      throws GeneralSecurityException {
    checkLengths(aad, aadOffset, aadLength, c, cOffset, cLength);
    int sLength = cLength - IV_LENGTH - TAG_LENGTH;
    AeadKey.Worker worker = key.borrow();
    try {
      byte[] padded = open(worker, aad, aadOffset, aadLength, c, cOffset, cLength);
      try {
        int length = plaintextLength(padded, sLength);
        Objects.checkFromIndexSize(destOffset, length, dest.length);
        System.arraycopy(padded, 0, dest, destOffset, length);
        return length;
      } finally {
        Arrays.fill(padded, 0, sLength, (byte) 0);
      }
    } finally {
      key.release(worker);
    }
  }

  private static void checkLengths(byte[] aad, int aadOffset, int aadLength, byte[] c,
      int cOffset, int cLength) throws IllegalBlockSizeException {
    if (cLength < MIN_CIPHERTEXT_LENGTH || (cLength - IV_LENGTH - TAG_LENGTH) % BLOCK != 0) {
      throw new IllegalBlockSizeException("ciphertext is " + cLength + " bytes; it must be at least "
          + MIN_CIPHERTEXT_LENGTH + " and IV + tag + a multiple of 16");
    }
    Objects.checkFromIndexSize(aadOffset, aadLength, aad.length);
    Objects.checkFromIndexSize(cOffset, cLength, c.length);
  }

  /** The plaintext's length in a verified padded block sequence of {@code sLength} bytes. */
  private static int plaintextLength(byte[] padded, int sLength) {
    return sLength - (padded[sLength - 1] & 0xff);
  }

  /**
   * Verifies the tag, decrypts S and checks its padding: the padded plaintext is left in the
   * returned buffer's first {@code sLength} bytes, which the caller wipes once it has copied the
   * plaintext out. On failure nothing is left there.
   */
  private static byte[] open(AeadKey.Worker worker, byte[] aad, int aadOffset, int aadLength,
      byte[] c, int cOffset, int cLength) throws GeneralSecurityException {
    int sLength = cLength - IV_LENGTH - TAG_LENGTH;
    tag(worker, aad, aadOffset, aadLength, c, cOffset, IV_LENGTH + sLength);
    if (!tagMatches(worker.mac, c, cOffset + IV_LENGTH + sLength)) {
      throw new AEADBadTagException("HMAC validation failure");
    }
    byte[] padded = worker.scratch(sLength);
    boolean verified = false;
    try {
      try {
        worker.decryptor().doFinal(c, cOffset + IV_LENGTH, sLength, padded, 0);
      } catch (GeneralSecurityException | RuntimeException e) {
        worker.discardCiphers();
        throw e;
      }
      // Decrypted under the zero IV: the first block still needs the real one.
      xorBlock(padded, 0, c, cOffset);
      int pad = padded[sLength - 1] & 0xff;
      boolean valid = pad >= 1 && pad <= BLOCK;
      for (int i = sLength - pad; valid && i < sLength; i++) {
        valid = padded[i] == (byte) pad;
      }
      if (!valid) {
        throw new BadPaddingException("invalid PKCS#7 padding");
      }
      verified = true;
      return padded;
    } finally {
      if (!verified) {
        Arrays.fill(padded, 0, sLength, (byte) 0);
      }
    }
  }

  /** S and T into {@code out[cOffset + 16, ...)}, where the IV already is at {@code cOffset}. */
  private static void seal(AeadKey.Worker worker, byte[] aad, int aadOffset, int aadLength,
      byte[] plaintext, byte[] out, int cOffset) {
    int padded = paddedLength(plaintext.length);
    int sOffset = cOffset + IV_LENGTH;
    // The padded plaintext is assembled in the worker's scratch buffer and encrypted from there
    // into out: encrypting in place would make the JCA allocate, copy and wipe a buffer of its
    // own for every value.
    byte[] p = worker.scratch(padded);
    try {
      System.arraycopy(plaintext, 0, p, 0, plaintext.length);
      // PKCS#7 always pads, a full block when the plaintext is block-aligned.
      Arrays.fill(p, plaintext.length, padded, (byte) (padded - plaintext.length));
      // The cipher runs under the zero IV, so the real IV goes into the first block here.
      xorBlock(p, 0, out, cOffset);
      worker.encryptor().doFinal(p, 0, padded, out, sOffset);
    } catch (GeneralSecurityException | RuntimeException e) {
      Arrays.fill(out, sOffset, sOffset + padded, (byte) 0);
      worker.discardCiphers();
      throw new IllegalStateException("AES-256-CBC failed on valid input", e);
    } finally {
      Arrays.fill(p, 0, padded, (byte) 0);
    }
    tag(worker, aad, aadOffset, aadLength, out, cOffset, IV_LENGTH + padded);
    System.arraycopy(worker.mac, 0, out, sOffset + padded, TAG_LENGTH);
  }

  /** HMAC-SHA-512(Km, AAD ‖ IV ‖ S ‖ AL) into {@code worker.mac}. */
  private static void tag(AeadKey.Worker worker, byte[] aad, int aadOffset, int aadLength,
      byte[] ivAndS, int offset, int length) {
    SavedStateHmac mac = worker.tagMac;
    mac.update(aad, aadOffset, aadLength);
    mac.update(ivAndS, offset, length);
    mac.update(bitLength(worker, aadLength));
    mac.doFinal(worker.mac);
  }

  /** HMAC-SHA-512(Kiv, AAD ‖ AL ‖ P)[0..16) into {@code out[ivOffset, ivOffset + 16)}. */
  private static void deterministicIv(AeadKey.Worker worker, byte[] aad, int aadOffset,
      int aadLength, byte[] plaintext, byte[] out, int ivOffset) {
    SavedStateHmac mac = worker.ivMac();
    mac.update(aad, aadOffset, aadLength);
    mac.update(bitLength(worker, aadLength));
    mac.update(plaintext);
    mac.doFinal(worker.mac);
    System.arraycopy(worker.mac, 0, out, ivOffset, IV_LENGTH);
  }

  /**
   * Fills {@code out[offset, offset + length)} from the pooled random generators, the source of
   * every IV: for the random parts of Queryable Encryption payloads.
   */
  public static void randomBytes(byte[] out, int offset, int length) {
    IvSource source = RANDOM.borrow();
    try {
      for (int done = 0; done < length; done += IV_LENGTH) {
        source.nextBytes(source.iv);
        System.arraycopy(source.iv, 0, out, offset + done, Math.min(IV_LENGTH, length - done));
      }
    } finally {
      Arrays.fill(source.iv, (byte) 0);
      RANDOM.release(source);
    }
  }

  /**
   * Whether the 32-byte tag at {@code c[tagOffset]} equals {@code mac[0, 32)}, in constant time:
   * every byte is compared whatever the first difference. Also for Queryable Encryption's tags.
   */
  public static boolean tagMatches(byte[] mac, byte[] c, int tagOffset) {
    int difference = 0;
    for (int i = 0; i < TAG_LENGTH; i++) {
      difference |= mac[i] ^ c[tagOffset + i];
    }
    return difference == 0;
  }

  /** XORs the 16-byte block at {@code mask[maskOffset]} into {@code target[targetOffset]}. */
  public static void xorBlock(byte[] target, int targetOffset, byte[] mask, int maskOffset) {
    for (int i = 0; i < BLOCK; i++) {
      target[targetOffset + i] ^= mask[maskOffset + i];
    }
  }

  /** AL: the associated data's length in bits, as a big-endian uint64, in the worker's buffer. */
  private static byte[] bitLength(AeadKey.Worker worker, int aadLength) {
    long bits = 8L * aadLength;
    byte[] al = worker.bitLength;
    for (int i = 7; i >= 0; i--) {
      al[i] = (byte) bits;
      bits >>>= 8;
    }
    return al;
  }

  private static int paddedLength(int plaintextLength) {
    return (plaintextLength / BLOCK + 1) * BLOCK;
  }

  private static SecureRandom newRandom() {
    try {
      // NIST SP 800-90A DRBG, seeded from the operating system's entropy source.
      return SecureRandom.getInstance("DRBG");
    } catch (NoSuchAlgorithmException e) {
      return new SecureRandom();
    }
  }
}
