package io.fle4j.it;

import java.security.SecureRandom;
import java.util.Map;

/**
 * A fresh key vault with no providers of its own: each test passes the {@code kmsProviders} it
 * wants.
 */
final class KeyVaultFixture extends TestKeyVault {
  KeyVaultFixture() {
    super("it");
  }

  static byte[] randomMasterKey() {
    byte[] key = new byte[96];
    new SecureRandom().nextBytes(key);
    return key;
  }

  /** None: tests pass their own. */
  @Override
  public Map<String, Map<String, Object>> kmsProviders() {
    return Map.of();
  }
}
