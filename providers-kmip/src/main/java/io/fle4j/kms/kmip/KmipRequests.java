package io.fle4j.kms.kmip;

import java.util.ArrayList;
import java.util.List;

/**
 * The request messages libmongocrypt sends, item for item (formats.md §4.5): one batch item per
 * message, protocol version 1.0 for Register, Activate and Get and 1.2 for Create, Encrypt and
 * Decrypt.
 */
final class KmipRequests {
  static final int OBJECT_TYPE_SYMMETRIC_KEY = 2;
  static final int OBJECT_TYPE_SECRET_DATA = 7;
  static final int SECRET_DATA_TYPE_SEED = 2;
  static final int KEY_FORMAT_OPAQUE = 2;
  static final int ALGORITHM_AES = 3;
  static final int BLOCK_CIPHER_MODE_CBC = 1;
  static final int PADDING_PKCS5 = 3;
  static final int USAGE_MASK_ENCRYPT_DECRYPT = 4 | 8;
  static final int REVOCATION_CESSATION_OF_OPERATION = 6;

  private KmipRequests() {}

  /**
   * Register a SecretData (type Seed, key format Opaque) holding {@code secret}, with a
   * Cryptographic Usage Mask of 0: the server never uses it in a cryptographic operation.
   * The returned message holds {@code secret} itself; wipe it after encoding.
   */
  static Ttlv register(byte[] secret) {
    return message(KmipOperation.REGISTER,
        Ttlv.enumeration(KmipTag.OBJECT_TYPE, OBJECT_TYPE_SECRET_DATA),
        Ttlv.structure(KmipTag.TEMPLATE_ATTRIBUTE,
            attribute("Cryptographic Usage Mask", Ttlv.integer(KmipTag.ATTRIBUTE_VALUE, 0))),
        Ttlv.structure(KmipTag.SECRET_DATA,
            Ttlv.enumeration(KmipTag.SECRET_DATA_TYPE, SECRET_DATA_TYPE_SEED),
            Ttlv.structure(KmipTag.KEY_BLOCK,
                Ttlv.enumeration(KmipTag.KEY_FORMAT_TYPE, KEY_FORMAT_OPAQUE),
                Ttlv.structure(KmipTag.KEY_VALUE, Ttlv.bytes(KmipTag.KEY_MATERIAL, secret)))));
  }

  static Ttlv activate(String uniqueIdentifier) {
    return message(KmipOperation.ACTIVATE, Ttlv.text(KmipTag.UNIQUE_IDENTIFIER, uniqueIdentifier));
  }

  static Ttlv get(String uniqueIdentifier) {
    return message(KmipOperation.GET, Ttlv.text(KmipTag.UNIQUE_IDENTIFIER, uniqueIdentifier));
  }

  /** Create an AES-256 SymmetricKey usable for Encrypt and Decrypt. */
  static Ttlv create() {
    return message(KmipOperation.CREATE,
        Ttlv.enumeration(KmipTag.OBJECT_TYPE, OBJECT_TYPE_SYMMETRIC_KEY),
        Ttlv.structure(KmipTag.TEMPLATE_ATTRIBUTE,
            attribute("Cryptographic Algorithm",
                Ttlv.enumeration(KmipTag.ATTRIBUTE_VALUE, ALGORITHM_AES)),
            attribute("Cryptographic Length", Ttlv.integer(KmipTag.ATTRIBUTE_VALUE, 256)),
            attribute("Cryptographic Usage Mask",
                Ttlv.integer(KmipTag.ATTRIBUTE_VALUE, USAGE_MASK_ENCRYPT_DECRYPT))));
  }

  /** Encrypt {@code data} with AES-CBC and PKCS#5 padding under a server-chosen random IV. */
  static Ttlv encrypt(String uniqueIdentifier, byte[] data) {
    return message(KmipOperation.ENCRYPT,
        Ttlv.text(KmipTag.UNIQUE_IDENTIFIER, uniqueIdentifier),
        cbcParameters(true),
        Ttlv.bytes(KmipTag.DATA, data));
  }

  /** Decrypt AES-CBC/PKCS#5 {@code data} encrypted under {@code iv}. */
  static Ttlv decrypt(String uniqueIdentifier, byte[] iv, byte[] data) {
    return message(KmipOperation.DECRYPT,
        Ttlv.text(KmipTag.UNIQUE_IDENTIFIER, uniqueIdentifier),
        cbcParameters(false),
        Ttlv.bytes(KmipTag.DATA, data),
        Ttlv.bytes(KmipTag.IV_COUNTER_NONCE, iv));
  }

  /** Revoke an object for "cessation of operation": it becomes Deactivated. */
  static Ttlv revoke(String uniqueIdentifier) {
    return message(KmipOperation.REVOKE,
        Ttlv.text(KmipTag.UNIQUE_IDENTIFIER, uniqueIdentifier),
        Ttlv.structure(KmipTag.REVOCATION_REASON,
            Ttlv.enumeration(KmipTag.REVOCATION_REASON_CODE, REVOCATION_CESSATION_OF_OPERATION)));
  }

  /** Destroy an object: its key material is gone for good (it must not be Active). */
  static Ttlv destroy(String uniqueIdentifier) {
    return message(KmipOperation.DESTROY, Ttlv.text(KmipTag.UNIQUE_IDENTIFIER, uniqueIdentifier));
  }

  private static Ttlv cbcParameters(boolean randomIv) {
    List<Ttlv> parameters = new ArrayList<>(List.of(
        Ttlv.enumeration(KmipTag.BLOCK_CIPHER_MODE, BLOCK_CIPHER_MODE_CBC),
        Ttlv.enumeration(KmipTag.PADDING_METHOD, PADDING_PKCS5),
        Ttlv.enumeration(KmipTag.CRYPTOGRAPHIC_ALGORITHM, ALGORITHM_AES)));
    if (randomIv) {
      parameters.add(Ttlv.bool(KmipTag.RANDOM_IV, true));
    }
    return Ttlv.structure(KmipTag.CRYPTOGRAPHIC_PARAMETERS, parameters);
  }

  private static Ttlv attribute(String name, Ttlv value) {
    return Ttlv.structure(KmipTag.ATTRIBUTE, Ttlv.text(KmipTag.ATTRIBUTE_NAME, name), value);
  }

  private static Ttlv message(KmipOperation operation, Ttlv... payload) {
    return Ttlv.structure(KmipTag.REQUEST_MESSAGE,
        Ttlv.structure(KmipTag.REQUEST_HEADER,
            Ttlv.structure(KmipTag.PROTOCOL_VERSION,
                Ttlv.integer(KmipTag.PROTOCOL_VERSION_MAJOR, 1),
                Ttlv.integer(KmipTag.PROTOCOL_VERSION_MINOR, operation.protocolMinor)),
            Ttlv.integer(KmipTag.BATCH_COUNT, 1)),
        Ttlv.structure(KmipTag.BATCH_ITEM,
            Ttlv.enumeration(KmipTag.OPERATION, operation.code),
            Ttlv.structure(KmipTag.REQUEST_PAYLOAD, payload)));
  }
}
