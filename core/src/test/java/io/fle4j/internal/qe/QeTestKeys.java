package io.fle4j.internal.qe;

import io.fle4j.testing.SpecData;
import java.nio.ByteBuffer;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** libmongocrypt's two test data keys (test-data/keys), by id, as Queryable Encryption keys. */
final class QeTestKeys {
  static final UUID KEY_123 = uuid("12345678123498761234123456789012");
  static final UUID KEY_ABC = uuid("ABCDEFAB123498761234123456789012");

  private QeTestKeys() {}

  static byte[] material(UUID id) {
    String hex = id.toString().replace("-", "").toUpperCase(java.util.Locale.ROOT);
    return HexFormat.of().parseHex(SpecData.text(
        "libmongocrypt/test-data/keys/" + hex + "-key-material.txt").trim());
  }

  static QeKey key(UUID id) {
    return QeKey.of(material(id));
  }

  /** Both keys, for a decryption lookup; any other id is not found, as in a real vault. */
  static QeDecryption.KeyLookup lookup() {
    Map<UUID, QeKey> keys = Map.of(KEY_123, key(KEY_123), KEY_ABC, key(KEY_ABC));
    return id -> {
      QeKey key = keys.get(id);
      if (key == null) {
        throw io.fle4j.DataKeyNotFoundException.forBatch(List.of(id), List.of(), "test.keys");
      }
      return key;
    };
  }

  static UUID uuid(String hex) {
    ByteBuffer bytes = ByteBuffer.wrap(HexFormat.of().parseHex(hex));
    return new UUID(bytes.getLong(), bytes.getLong());
  }

  /** A random source replaying fixed bytes, as libmongocrypt's tests inject them. */
  static QeRandom replay(String hex) {
    byte[] bytes = HexFormat.of().parseHex(hex);
    int[] next = {0};
    return (out, offset, length) -> {
      if (next[0] + length > bytes.length) {
        throw new AssertionError("asked for more random bytes than the vector recorded");
      }
      System.arraycopy(bytes, next[0], out, offset, length);
      next[0] += length;
    };
  }
}
