package io.fle4j;

import java.util.Optional;
import java.util.UUID;

/**
 * No data key with the given id or alternate name is in the key vault. Values encrypted with a
 * deleted key stay unreadable for good (crypto-shredding).
 */
public class DataKeyNotFoundException extends Fle4jException {
  private static final long serialVersionUID = 1L;
  private final UUID keyId;
  private final String keyAltName;

  private DataKeyNotFoundException(UUID keyId, String keyAltName, String message) {
    super(message);
    this.keyId = keyId;
    this.keyAltName = keyAltName;
  }

  public static DataKeyNotFoundException forId(UUID keyId, String keyVaultNamespace) {
    return new DataKeyNotFoundException(
        keyId, null, "no data key with _id " + keyId + " in key vault " + keyVaultNamespace);
  }

  public static DataKeyNotFoundException forAltName(String altName, String keyVaultNamespace) {
    return new DataKeyNotFoundException(
        null,
        altName,
        "no data key with keyAltName '" + altName + "' in key vault " + keyVaultNamespace);
  }

  /** The id that was looked up, when the lookup was by id. */
  public Optional<UUID> keyId() {
    return Optional.ofNullable(keyId);
  }

  /** The alternate name that was looked up, when the lookup was by name. */
  public Optional<String> keyAltName() {
    return Optional.ofNullable(keyAltName);
  }
}
