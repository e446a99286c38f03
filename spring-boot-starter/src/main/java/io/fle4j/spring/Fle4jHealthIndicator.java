package io.fle4j.spring;

import com.mongodb.client.vault.ClientEncryption;
import java.util.LinkedHashMap;
import java.util.Map;
import org.bson.BsonDocument;
import org.bson.BsonInt32;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;

/**
 * fle4j's health: DOWN when the key vault cannot be read; otherwise UP, with each configured KMS
 * provider's last call as the application made it (time, operation, outcome). The key vault
 * check reads one key id, never key material; KMS providers are not called, since a probe would
 * cost a KMS request per health check.
 */
final class Fle4jHealthIndicator implements HealthIndicator {
  private final ClientEncryption encryption;
  private final KmsCallLog calls;
  private final String keyVaultNamespace;
  private final Iterable<String> providers;

  Fle4jHealthIndicator(ClientEncryption encryption, KmsCallLog calls, String keyVaultNamespace,
      Iterable<String> providers) {
    this.encryption = encryption;
    this.calls = calls;
    this.keyVaultNamespace = keyVaultNamespace;
    this.providers = providers;
  }

  @Override
  public Health health() {
    Map<String, Object> kms = new LinkedHashMap<>();
    Map<String, KmsCallLog.LastCall> last = calls.lastCalls();
    for (String provider : providers) {
      KmsCallLog.LastCall call = last.get(provider);
      kms.put(provider, call == null ? "no call yet" : Map.of(
          "lastCall", call.at().toString(),
          "operation", call.operation().name().toLowerCase(java.util.Locale.ROOT),
          "outcome", call.outcome().name().toLowerCase(java.util.Locale.ROOT)));
    }
    try {
      encryption.getKeys().projection(new BsonDocument("_id", new BsonInt32(1))).limit(1).first();
    } catch (RuntimeException e) {
      return Health.down().withDetail("keyVault", keyVaultNamespace)
          .withDetail("keyVaultError", e.getClass().getSimpleName())
          .withDetail("kmsProviders", kms).build();
    }
    return Health.up().withDetail("keyVault", keyVaultNamespace)
        .withDetail("kmsProviders", kms).build();
  }
}
