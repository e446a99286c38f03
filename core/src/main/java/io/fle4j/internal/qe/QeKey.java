package io.fle4j.internal.qe;

import io.fle4j.internal.crypto.PooledKey;
import io.fle4j.internal.crypto.SavedStateHmac;
import java.security.GeneralSecurityException;
import java.util.Arrays;
import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * A 96-byte data key as Queryable Encryption splits it (qe-formats.md §2.1), which is not the
 * CSFLE split: bytes 0..31 are the AES-256 key {@code Ke} of the value ciphers, 32..63 their
 * HMAC-SHA-256 key {@code Km}, and 64..95 the TokenKey at the root of every token. The tokens that
 * depend on the key alone (collection level, server level) are derived once here; the TokenKey
 * itself is not kept. Never prints its content.
 */
public final class QeKey extends PooledKey<QeKey.Material, QeKey.Worker> {
  /** Length of a data key. */
  public static final int LENGTH = 96;

  /** The key's split parts and the tokens that depend on the key alone. */
  record Material(SecretKeySpec valueKey, SecretKeySpec macKey, byte[] edc, byte[] esc,
      SecretKeySpec ecoc, byte[] ecocBytes, byte[] serverTokenDerivation,
      SecretKeySpec serverDataEncryption, byte[] serverDataEncryptionBytes) {
    void wipe() {
      Arrays.fill(edc, (byte) 0);
      Arrays.fill(esc, (byte) 0);
      Arrays.fill(ecocBytes, (byte) 0);
      Arrays.fill(serverTokenDerivation, (byte) 0);
      Arrays.fill(serverDataEncryptionBytes, (byte) 0);
    }

    @Override
    public String toString() {
      return "Material[redacted]";
    }
  }

  private QeKey(Material material) {
    super(material, Worker::wipe);
  }

  /** Splits a 96-byte data key and derives its key-level tokens. The array is not kept. */
  public static QeKey of(byte[] key96) {
    if (key96.length != LENGTH) {
      throw new IllegalArgumentException("data key must be " + LENGTH + " bytes, got "
          + key96.length);
    }
    TokenHmac hmac = new TokenHmac();
    byte[] tokenKey = Arrays.copyOfRange(key96, 64, 96);
    byte[] collections = hmac.macU64(tokenKey, QeTokens.COLLECTIONS_LEVEL_1);
    byte[] serverTokenDerivation = hmac.macU64(tokenKey, QeTokens.SERVER_TOKEN_DERIVATION_LEVEL_1);
    byte[] serverData = hmac.macU64(tokenKey, QeTokens.SERVER_DATA_ENCRYPTION_LEVEL_1);
    byte[] ke = Arrays.copyOfRange(key96, 0, 32);
    byte[] km = Arrays.copyOfRange(key96, 32, 64);
    byte[] ecoc = hmac.macU64(collections, QeTokens.ECOC);
    try {
      return new QeKey(new Material(new SecretKeySpec(ke, "AES"), new SecretKeySpec(km, "HmacSHA256"),
          hmac.macU64(collections, QeTokens.EDC), hmac.macU64(collections, QeTokens.ESC),
          new SecretKeySpec(ecoc, "AES"), ecoc, serverTokenDerivation,
          new SecretKeySpec(serverData, "AES"), serverData));
    } finally {
      // SecretKeySpec copies what it is given; the tokens kept above are the only copies left.
      Arrays.fill(tokenKey, (byte) 0);
      Arrays.fill(collections, (byte) 0);
      Arrays.fill(ke, (byte) 0);
      Arrays.fill(km, (byte) 0);
    }
  }

  @Override
  protected Worker build(Material split) {
    return new Worker(split);
  }

  @Override
  protected void forget(Material split) {
    split.wipe();
  }

  @Override
  public String toString() {
    return "QeKey[redacted]";
  }

  /**
   * One borrower's keyed ciphers, HMAC and scratch space for one key. The CBC ciphers are
   * initialised once under an all-zero IV (the same trick as CSFLE's {@code AeadKey.Worker}); CTR
   * is computed from an ECB cipher over counter blocks, so no value pays for {@code Cipher.init}.
   */
  static final class Worker {
    private static final IvParameterSpec ZERO_IV = new IvParameterSpec(new byte[16]);

    private Material material;
    final TokenHmac tokens = new TokenHmac();
    private SavedStateHmac edcHmac;
    private SavedStateHmac escHmac;
    private SavedStateHmac serverHmac;
    final byte[] mac = new byte[32];
    private Mac valueMac;
    private Cipher cbcEncryptor;
    private Cipher cbcDecryptor;
    private Cipher valueKeyBlocks;
    private Cipher ecocBlocks;
    private Cipher serverDataBlocks;
    private byte[] scratch = new byte[64];

    private Worker(Material material) {
      this.material = material;
    }

    byte[] edcToken() {
      return material.edc();
    }

    byte[] escToken() {
      return material.esc();
    }

    byte[] ecocToken() {
      return material.ecocBytes();
    }

    byte[] serverTokenDerivationToken() {
      return material.serverTokenDerivation();
    }

    byte[] serverDataEncryptionToken() {
      return material.serverDataEncryptionBytes();
    }

    /** HMAC-SHA-256 keyed with the EDC token, from saved states. */
    SavedStateHmac edcHmac() {
      if (edcHmac == null) {
        edcHmac = SavedStateHmac.sha256(material.edc());
      }
      return edcHmac;
    }

    /** HMAC-SHA-256 keyed with the ESC token, from saved states. */
    SavedStateHmac escHmac() {
      if (escHmac == null) {
        escHmac = SavedStateHmac.sha256(material.esc());
      }
      return escHmac;
    }

    /** HMAC-SHA-256 keyed with ServerTokenDerivationLevel1, from saved states. */
    SavedStateHmac serverHmac() {
      if (serverHmac == null) {
        serverHmac = SavedStateHmac.sha256(material.serverTokenDerivation());
      }
      return serverHmac;
    }

    /** HMAC-SHA-256 keyed with {@code Km}. */
    Mac valueMac() {
      if (valueMac == null) {
        try {
          valueMac = Mac.getInstance("HmacSHA256");
          valueMac.init(material.macKey());
        } catch (GeneralSecurityException e) {
          throw new IllegalStateException("this JVM cannot do HMAC-SHA-256", e);
        }
      }
      return valueMac;
    }

    /** AES-256-CBC without padding, encrypting under {@code Ke} and the zero IV. */
    Cipher cbcEncryptor() {
      if (cbcEncryptor == null) {
        cbcEncryptor = cipher("AES/CBC/NoPadding", Cipher.ENCRYPT_MODE, material.valueKey());
      }
      return cbcEncryptor;
    }

    /** AES-256-CBC without padding, decrypting under {@code Ke} and the zero IV. */
    Cipher cbcDecryptor() {
      if (cbcDecryptor == null) {
        cbcDecryptor = cipher("AES/CBC/NoPadding", Cipher.DECRYPT_MODE, material.valueKey());
      }
      return cbcDecryptor;
    }

    /** AES-256 block encryption under {@code Ke}: the key stream of the v1 (CTR) value cipher. */
    Cipher valueKeyBlocks() {
      if (valueKeyBlocks == null) {
        valueKeyBlocks = cipher("AES/ECB/NoPadding", Cipher.ENCRYPT_MODE, material.valueKey());
      }
      return valueKeyBlocks;
    }

    /** AES-256 block encryption under the ECOC token: the key stream of {@code p}. */
    Cipher ecocBlocks() {
      if (ecocBlocks == null) {
        ecocBlocks = cipher("AES/ECB/NoPadding", Cipher.ENCRYPT_MODE, material.ecoc());
      }
      return ecocBlocks;
    }

    /** AES-256 block encryption under ServerDataEncryptionLevel1: a stored value's envelope. */
    Cipher serverDataBlocks() {
      if (serverDataBlocks == null) {
        serverDataBlocks =
            cipher("AES/ECB/NoPadding", Cipher.ENCRYPT_MODE, material.serverDataEncryption());
      }
      return serverDataBlocks;
    }

    /** A buffer of at least {@code length} bytes; the caller wipes what it wrote. */
    byte[] scratch(int length) {
      if (length > 4096) {
        return new byte[length];
      }
      if (scratch.length < length) {
        scratch = new byte[Math.max(length, 2 * scratch.length)];
      }
      return scratch;
    }

    /** Drops the ciphers after a failure, so that one in an unknown state is not reused. */
    void discardCiphers() {
      cbcEncryptor = null;
      cbcDecryptor = null;
      valueKeyBlocks = null;
      ecocBlocks = null;
      serverDataBlocks = null;
      valueMac = null;
    }

    void wipe() {
      for (SavedStateHmac keyed : new SavedStateHmac[] {edcHmac, escHmac, serverHmac}) {
        if (keyed != null) {
          keyed.wipe();
        }
      }
      edcHmac = null;
      escHmac = null;
      serverHmac = null;
      Arrays.fill(mac, (byte) 0);
      Arrays.fill(scratch, (byte) 0);
      discardCiphers();
      material = null;
    }

    private static Cipher cipher(String transformation, int mode, SecretKeySpec key) {
      try {
        Cipher cipher = Cipher.getInstance(transformation);
        if (transformation.contains("CBC")) {
          cipher.init(mode, key, ZERO_IV);
        } else {
          cipher.init(mode, key);
        }
        return cipher;
      } catch (GeneralSecurityException e) {
        throw new IllegalStateException("this JVM cannot do " + transformation, e);
      }
    }
  }
}
