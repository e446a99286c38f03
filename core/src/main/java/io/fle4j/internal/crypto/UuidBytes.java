package io.fle4j.internal.crypto;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.UUID;

/**
 * A UUID as the 16 big-endian bytes of the standard representation (BSON binary subtype 4), as
 * key ids appear in key documents, CSFLE ciphertexts and Queryable Encryption payloads.
 */
public final class UuidBytes {
  /** Bytes in a UUID. */
  public static final int LENGTH = 16;
  private static final VarHandle LONGS =
      MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);

  private UuidBytes() {}

  /** Writes {@code id} at {@code target[offset, offset + 16)}. */
  public static void put(byte[] target, int offset, UUID id) {
    LONGS.set(target, offset, id.getMostSignificantBits());
    LONGS.set(target, offset + 8, id.getLeastSignificantBits());
  }

  /** The 16 bytes of {@code id}, in a new array. */
  public static byte[] of(UUID id) {
    byte[] bytes = new byte[LENGTH];
    put(bytes, 0, id);
    return bytes;
  }

  /** The UUID at {@code source[offset, offset + 16)}; the caller checked the length. */
  public static UUID get(byte[] source, int offset) {
    return new UUID((long) LONGS.get(source, offset), (long) LONGS.get(source, offset + 8));
  }
}
