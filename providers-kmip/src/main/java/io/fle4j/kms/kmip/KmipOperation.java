package io.fle4j.kms.kmip;

/**
 * The KMIP operations this client sends, with the protocol minor version libmongocrypt sends
 * each with (formats.md §4.5) and whether repeating one is harmless.
 */
enum KmipOperation {
  CREATE(0x01, "Create", 2, false),
  REGISTER(0x03, "Register", 0, false),
  GET(0x0A, "Get", 0, true),
  ACTIVATE(0x12, "Activate", 0, false),
  /** Deactivates an object; used by {@link KmipKmsProvider#destroyObject} and by tests. */
  REVOKE(0x13, "Revoke", 0, false),
  /** Removes an object's key material for good; used by {@link KmipKmsProvider#destroyObject}. */
  DESTROY(0x14, "Destroy", 0, false),
  ENCRYPT(0x1F, "Encrypt", 2, true),
  DECRYPT(0x20, "Decrypt", 2, true);

  final int code;
  final String displayName;
  final int protocolMinor;
  /**
   * Whether the server's state is the same after this ran twice as after once, so that a request
   * that may or may not have reached the server can be sent again. Register and Create would
   * leave an orphan object; Activate, Revoke and Destroy would fail the second time.
   */
  final boolean idempotent;

  KmipOperation(int code, String displayName, int protocolMinor, boolean idempotent) {
    this.code = code;
    this.displayName = displayName;
    this.protocolMinor = protocolMinor;
    this.idempotent = idempotent;
  }
}
