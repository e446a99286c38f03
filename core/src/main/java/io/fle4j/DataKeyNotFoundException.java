package io.fle4j;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
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

  /**
   * Keys an operation needed, read in one go, of which the vault lacks some. The message starts
   * with libmongocrypt's text ("not all keys requested were satisfied") so code matching on it
   * keeps working.
   */
  public static DataKeyNotFoundException forBatch(Collection<UUID> ids, Collection<String> altNames,
      String keyVaultNamespace) {
    List<String> missing = new ArrayList<>();
    ids.forEach(id -> missing.add("_id " + id));
    altNames.forEach(name -> missing.add("keyAltName '" + name + "'"));
    return new DataKeyNotFoundException(ids.stream().findFirst().orElse(null),
        ids.isEmpty() ? altNames.stream().findFirst().orElse(null) : null,
        "not all keys requested were satisfied. Verify that key vault DB/collection name was"
            + " correctly specified. Key vault " + keyVaultNamespace + " has no data key with "
            + String.join(", ", missing));
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
