package io.fle4j.kms;

import java.util.Arrays;
import java.util.Base64;
import java.util.Objects;

/**
 * Key material or a credential held in memory. It never shows its content in {@link #toString()},
 * is compared in constant time, and can be wiped with {@link #destroy()}. Deliberately not a
 * record: a record's generated {@code toString} would print the bytes.
 */
public final class SecretBytes {
  private final byte[] bytes;
  private volatile boolean destroyed;

  private SecretBytes(byte[] bytes) {
    this.bytes = bytes;
  }

  /** Copies {@code bytes}; the caller may wipe its own array afterwards. */
  public static SecretBytes copyOf(byte[] bytes) {
    return new SecretBytes(Objects.requireNonNull(bytes, "bytes").clone());
  }

  /**
   * Decodes standard base64 (with or without padding).
   *
   * @throws IllegalArgumentException if the text is not base64; the message does not repeat it
   */
  public static SecretBytes fromBase64(String base64) {
    Objects.requireNonNull(base64, "base64");
    try {
      return new SecretBytes(Base64.getDecoder().decode(base64.trim()));
    } catch (IllegalArgumentException e) {
      // The JDK's message quotes the offending character; keep even that out.
      throw new IllegalArgumentException("not valid base64");
    }
  }

  /** Number of bytes held. */
  public int length() {
    return bytes.length;
  }

  /** A copy of the bytes; the caller owns it and should wipe it when done. */
  public byte[] copy() {
    checkNotDestroyed();
    return bytes.clone();
  }

  /** A copy of bytes {@code [from, to)}. */
  public byte[] copyOfRange(int from, int to) {
    checkNotDestroyed();
    return Arrays.copyOfRange(bytes, from, to);
  }

  /** Overwrites the bytes with zeros; later reads fail. */
  public void destroy() {
    Arrays.fill(bytes, (byte) 0);
    destroyed = true;
  }

  private void checkNotDestroyed() {
    if (destroyed) {
      throw new IllegalStateException("secret was destroyed");
    }
  }

  /** Constant-time comparison. */
  @Override
  public boolean equals(Object o) {
    return o instanceof SecretBytes other && java.security.MessageDigest.isEqual(bytes, other.bytes);
  }

  @Override
  public int hashCode() {
    return bytes.length; // deliberately weak: a hash must not leak content
  }

  @Override
  public String toString() {
    return "SecretBytes[" + bytes.length + " bytes, redacted]";
  }
}
