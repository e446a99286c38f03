package io.fle4j;

import com.mongodb.client.vault.ClientEncryption;
import io.fle4j.internal.Fle4jClientEncryption;
import io.fle4j.internal.KeyVaultCheck;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.bson.BsonDocument;
import org.bson.conversions.Bson;

/**
 * Checks that a key vault's data keys can still be read: each key document is checked against
 * the shape libmongocrypt accepts and unwrapped by its own KMS (bypassing the data-key cache), so
 * a disabled or deleted master key, revoked credentials or a mangled document show up now rather
 * than when a read first needs the key. Unwrapped key material is wiped at once; results carry
 * ids, names and reasons, never key material.
 *
 * <pre>{@code
 * KeyVaultVerifier.Report report = KeyVaultVerifier.of(clientEncryption).verify(new BsonDocument(), 8);
 * if (!report.allFine()) { ... report.keys() ... }
 * }</pre>
 */
public final class KeyVaultVerifier {
  /** At most this many KMS calls at once: KMS quotas are per second, threads are not free. */
  public static final int MAX_PARALLELISM = 64;

  private final KeyVaultCheck check;

  private KeyVaultVerifier(KeyVaultCheck check) {
    this.check = check;
  }

  /**
   * A verifier using the key vault and KMS providers of {@code encryption}.
   *
   * @throws IllegalArgumentException when {@code encryption} was not made by {@link
   *     ClientEncryptions}
   */
  public static KeyVaultVerifier of(ClientEncryption encryption) {
    Objects.requireNonNull(encryption, "encryption");
    if (!(encryption instanceof Fle4jClientEncryption fle4j)) {
      throw new IllegalArgumentException("a KeyVaultVerifier needs a ClientEncryption made by"
          + " io.fle4j.ClientEncryptions, got " + encryption.getClass().getName());
    }
    return new KeyVaultVerifier(fle4j.keyVaultCheck());
  }

  /**
   * Checks every key matching {@code filter}, plus the vault's unique {@code keyAltNames} index and
   * alternate names shared by several keys.
   *
   * @param filter a key vault query; an empty document for every key
   * @param parallelism at most this many KMS calls at once, 1 to {@value #MAX_PARALLELISM}
   */
  public Report verify(Bson filter, int parallelism) {
    if (parallelism < 1 || parallelism > MAX_PARALLELISM) {
      throw new ConfigurationException("parallelism", "must be 1 to " + MAX_PARALLELISM
          + " (one thread per KMS call in flight), got " + parallelism);
    }
    return check.verify(filter == null ? new BsonDocument() : filter, parallelism);
  }

  /**
   * One KMS call per configured provider: the most recently updated well formed data key that
   * uses it is unwrapped. This is the cheapest call that proves what encryption needs (the KMS answers, the
   * credentials are valid and allowed to unwrap, the master key is usable); metadata calls such as
   * DescribeKey need permissions applications usually do not have.
   *
   * @return one status per configured provider, by full name, sorted
   */
  public Map<String, ProviderStatus> probeProviders() {
    return check.probeProviders();
  }

  /** What the check found for one key. */
  public enum Readability {
    /** The document is well formed and its KMS unwrapped it. */
    READABLE,
    /**
     * The document is well formed but unwrapping failed (see the detail): the KMS refused or
     * failed, or no provider of that name is configured here.
     */
    UNREADABLE,
    /** The document is not a key document libmongocrypt accepts (see the detail). */
    MALFORMED
  }

  /**
   * One key's result.
   *
   * @param id the key's id: a UUID, or the stored {@code _id} as JSON when it is not one
   * @param keyAltNames its alternate names (empty when none or unreadable)
   * @param provider its {@code masterKey.provider}, or {@code null} when missing
   * @param readability what was found
   * @param detail why it is unreadable or malformed; {@code null} when readable
   */
  public record KeyStatus(String id, List<String> keyAltNames, String provider,
      Readability readability, String detail) {
    public KeyStatus {
      keyAltNames = List.copyOf(keyAltNames);
    }
  }

  /**
   * A whole verification.
   *
   * @param keys one status per key checked, in key vault order
   * @param indexProblem what is wrong with the unique {@code keyAltNames} index, or {@code null}
   *     when it is as the MongoDB documentation requires
   * @param sharedAltNames alternate names held by more than one key, each with those keys' ids
   */
  public record Report(List<KeyStatus> keys, String indexProblem,
      Map<String, List<String>> sharedAltNames) {
    public Report {
      keys = List.copyOf(keys);
      sharedAltNames = Map.copyOf(sharedAltNames);
    }

    /** How many keys ended with {@code readability}. */
    public long count(Readability readability) {
      return keys.stream().filter(k -> k.readability() == readability).count();
    }

    /** Every key readable, the index in place and no alternate name shared. */
    public boolean allFine() {
      return count(Readability.READABLE) == keys.size() && indexProblem == null
          && sharedAltNames.isEmpty();
    }
  }

  /** What a provider probe found. */
  public enum Reachability {
    /** The KMS unwrapped a data key. */
    REACHABLE,
    /** The call failed (see the detail). */
    UNREACHABLE,
    /** No data key uses this provider, so there is nothing to unwrap and no call was made. */
    NO_KEY
  }

  /**
   * One provider's probe.
   *
   * @param provider the provider's full name
   * @param reachability what was found
   * @param keyId the data key unwrapped, or {@code null} when none
   * @param detail why it is unreachable, or {@code null}
   * @param checkedAt when the probe ended
   * @param took how long the KMS call took ({@link Duration#ZERO} when none was made)
   */
  public record ProviderStatus(String provider, Reachability reachability, String keyId,
      String detail, Instant checkedAt, Duration took) {}
}
