package io.fle4j.internal.qe;

import io.fle4j.internal.crypto.Aead;

/**
 * Where the random parts of Queryable Encryption payloads come from: IVs and the draw of a
 * contention factor. The default is the pooled DRBG of every other IV; tests give libmongocrypt's
 * recorded bytes to reproduce its payloads exactly.
 */
@FunctionalInterface
interface QeRandom {
  QeRandom SECURE = Aead::randomBytes;

  /** Fills {@code out[offset, offset + length)} with random bytes. */
  void fill(byte[] out, int offset, int length);

  /**
   * A contention factor uniform in {@code [0, max]}, drawn as libmongocrypt draws it
   * (qe-formats.md §4.2): nothing is drawn when {@code max} is 0; otherwise 8 bytes are read as a
   * little-endian unsigned integer, redrawn while below {@code 2^64 mod (max + 1)} (rejection
   * sampling against modulo bias), and reduced modulo {@code max + 1}.
   */
  default long contentionFactor(long max) {
    if (max == 0) {
      return 0;
    }
    long n = max + 1; // max < Long.MAX_VALUE, checked with the options
    long threshold = Long.remainderUnsigned(-n, n);
    byte[] bytes = new byte[8];
    while (true) {
      fill(bytes, 0, 8);
      long r = 0;
      for (int i = 7; i >= 0; i--) {
        r = (r << 8) | (bytes[i] & 0xff);
      }
      if (Long.compareUnsigned(r, threshold) >= 0) {
        return Long.remainderUnsigned(r, n);
      }
    }
  }
}
