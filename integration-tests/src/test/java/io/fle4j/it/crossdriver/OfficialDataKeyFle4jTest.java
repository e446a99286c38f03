package io.fle4j.it.crossdriver;

import com.mongodb.client.vault.ClientEncryption;

/**
 * A data key created by the official driver (libmongocrypt) is used by fle4j: it encrypts and
 * decrypts with it by id and by alternate name, and decrypts the official driver's ciphertexts.
 */
class OfficialDataKeyFle4jTest extends DataKeyInteropTestBase {
  @Override
  ClientEncryption creator(CrossDriverVault vault) {
    return vault.official();
  }

  @Override
  ClientEncryption reader(CrossDriverVault vault) {
    return vault.fle4j();
  }
}
