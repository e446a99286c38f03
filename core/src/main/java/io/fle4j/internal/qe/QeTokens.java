package io.fle4j.internal.qe;

/**
 * The Queryable Encryption token tree (qe-formats.md §2.3). Every token is 32 bytes of
 * HMAC-SHA-256; the key-level tokens live in {@link QeKey}, and the value-level ones are derived
 * here from the BSON value body (or a range edge string) with the index key's worker.
 */
final class QeTokens {
  static final long COLLECTIONS_LEVEL_1 = 1;
  static final long SERVER_TOKEN_DERIVATION_LEVEL_1 = 2;
  static final long SERVER_DATA_ENCRYPTION_LEVEL_1 = 3;
  static final long EDC = 1;
  static final long ESC = 2;
  static final long ECOC = 4;

  private QeTokens() {}

  /** The three tokens a query needs for one value (or edge): EDC, ESC and server, from data. */
  record FromData(byte[] edc, byte[] esc, byte[] server) {}

  /** EDCDerivedFromData, ESCDerivedFromData and ServerDerivedFromData of {@code data}. */
  static FromData fromData(QeKey.Worker index, byte[] data, int offset, int length) {
    byte[] edc = new byte[32];
    byte[] esc = new byte[32];
    byte[] server = new byte[32];
    index.edcHmac().mac(data, offset, length, edc, 0);
    index.escHmac().mac(data, offset, length, esc, 0);
    index.serverHmac().mac(data, offset, length, server, 0);
    return new FromData(edc, esc, server);
  }

  /** The ...AndContentionFactor level of a DerivedFromData token, as a new array. */
  static byte[] withContention(QeKey.Worker index, byte[] fromData, long contentionFactor) {
    return index.tokens.macU64(fromData, contentionFactor);
  }
}
