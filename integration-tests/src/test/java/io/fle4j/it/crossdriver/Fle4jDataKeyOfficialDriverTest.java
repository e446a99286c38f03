package io.fle4j.it.crossdriver;

import com.mongodb.client.vault.ClientEncryption;

/**
 * A data key created by fle4j is used by the official driver (libmongocrypt): it encrypts and
 * decrypts with it by id and by alternate name, and decrypts fle4j's ciphertexts.
 */
class Fle4jDataKeyOfficialDriverTest extends DataKeyInteropTestBase {
  @Override
  ClientEncryption creator(CrossDriverVault vault) {
    return vault.fle4j();
  }

  @Override
  ClientEncryption reader(CrossDriverVault vault) {
    return vault.official();
  }
}
