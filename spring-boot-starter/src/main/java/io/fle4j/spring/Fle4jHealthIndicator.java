package io.fle4j.spring;

import com.mongodb.client.vault.ClientEncryption;
import io.fle4j.KeyVaultVerifier;
import io.fle4j.KeyVaultVerifier.ProviderStatus;
import io.fle4j.KeyVaultVerifier.Reachability;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.bson.BsonDocument;
import org.bson.BsonInt32;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;

/**
 * fle4j's health: DOWN when the key vault cannot be read or a KMS provider cannot unwrap a data
 * key; otherwise UP. Each configured provider shows its probe (one unwrap of its newest data key,
 * see {@link KeyVaultVerifier#probeProviders()}) and the application's last call to it. Probes
 * are repeated at most once per interval, since each costs a KMS request; with probing off, only
 * the last calls are shown. Nothing here holds key material.
 */
final class Fle4jHealthIndicator implements HealthIndicator {
  private final ClientEncryption encryption;
  private final KmsCallLog calls;
  private final String keyVaultNamespace;
  private final Iterable<String> providers;
  private final Duration probeInterval;
  private final Clock clock;
  /** Null when probes are off, or the ClientEncryption bean is not fle4j's. */
  private final KeyVaultVerifier verifier;
  /** One probe at a time; health checks that arrive meanwhile get the last result. */
  private final java.util.concurrent.locks.ReentrantLock probing =
      new java.util.concurrent.locks.ReentrantLock();
  /** The last probe and when it ran, published together. */
  private volatile Probe last;

  private record Probe(Map<String, ProviderStatus> results, Instant at) {}

  /**
   * @param probeInterval how long a probe's result is reused; {@code null} probes nothing
   */
  Fle4jHealthIndicator(ClientEncryption encryption, KmsCallLog calls, String keyVaultNamespace,
      Iterable<String> providers, Duration probeInterval, Clock clock) {
    this.encryption = encryption;
    this.calls = calls;
    this.keyVaultNamespace = keyVaultNamespace;
    this.providers = providers;
    this.probeInterval = probeInterval;
    this.clock = clock;
    KeyVaultVerifier made = null;
    if (probeInterval != null) {
      try {
        made = KeyVaultVerifier.of(encryption);
      } catch (IllegalArgumentException e) {
        // The application's own ClientEncryption bean: fle4j cannot probe through it.
      }
    }
    this.verifier = made;
  }

  @Override
  public Health health() {
    try {
      encryption.getKeys().projection(new BsonDocument("_id", new BsonInt32(1))).limit(1).first();
    } catch (RuntimeException e) {
      return Health.down().withDetail("keyVault", keyVaultNamespace)
          .withDetail("keyVaultError", e.getClass().getSimpleName())
          .withDetail("kmsProviders", providerDetails(Map.of())).build();
    }
    Map<String, ProviderStatus> probe = verifier == null ? Map.of() : probe();
    boolean reachable = probe.values().stream()
        .noneMatch(p -> p.reachability() == Reachability.UNREACHABLE);
    return (reachable ? Health.up() : Health.down()).withDetail("keyVault", keyVaultNamespace)
        .withDetail("kmsProviders", providerDetails(probe)).build();
  }

  /**
   * The last probe while it is fresh, else a new one. Only one thread probes; a health check
   * arriving meanwhile gets the previous result instead of waiting on a slow KMS (the first
   * ones, with no result yet, wait).
   */
  private Map<String, ProviderStatus> probe() {
    Probe seen = last;
    Instant now = clock.instant();
    if (seen != null && now.isBefore(seen.at().plus(probeInterval))) {
      return seen.results();
    }
    if (seen != null && !probing.tryLock()) {
      return seen.results();
    }
    if (seen == null) {
      probing.lock();
    }
    try {
      if (last != seen) {
        return last.results(); // another thread probed while this one waited for the lock
      }
      try {
        Probe fresh = new Probe(verifier.probeProviders(), now);
        last = fresh;
        return fresh.results();
      } catch (RuntimeException e) {
        // The key vault answered a moment ago; a failure now is reported, not cached.
        Map<String, ProviderStatus> failed = new LinkedHashMap<>();
        for (String provider : providers) {
          failed.put(provider, new ProviderStatus(provider, Reachability.UNREACHABLE, null,
              "probe failed: " + e.getClass().getSimpleName(), now, Duration.ZERO));
        }
        return failed;
      }
    } finally {
      probing.unlock();
    }
  }

  private Map<String, Object> providerDetails(Map<String, ProviderStatus> probe) {
    Map<String, Object> out = new LinkedHashMap<>();
    Map<String, KmsCallLog.LastCall> last = calls.lastCalls();
    for (String provider : providers) {
      Map<String, Object> detail = new LinkedHashMap<>();
      ProviderStatus status = probe.get(provider);
      if (status != null) {
        detail.put("probe", status.reachability().name().toLowerCase(Locale.ROOT).replace('_', ' '));
        detail.put("probedAt", status.checkedAt().toString());
        if (status.keyId() != null) {
          detail.put("probeKeyId", status.keyId());
          detail.put("probeMillis", status.took().toMillis());
        }
        if (status.reachability() == Reachability.UNREACHABLE) {
          detail.put("probeError", status.detail());
        }
      }
      KmsCallLog.LastCall call = last.get(provider);
      detail.put("lastCall", call == null ? "no call yet" : Map.of(
          "at", call.at().toString(),
          "operation", call.operation().name().toLowerCase(Locale.ROOT),
          "outcome", call.outcome().name().toLowerCase(Locale.ROOT)));
      out.put(provider, detail);
    }
    return out;
  }
}
