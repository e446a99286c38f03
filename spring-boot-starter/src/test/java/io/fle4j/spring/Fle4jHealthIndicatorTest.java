package io.fle4j.spring;

import static org.assertj.core.api.Assertions.assertThat;

import com.mongodb.ClientEncryptionSettings;
import com.mongodb.client.vault.ClientEncryption;
import io.fle4j.ClientEncryptions;
import io.fle4j.EncryptionEvent;
import io.fle4j.EncryptionEventListener;
import io.fle4j.Fle4jSettings;
import io.fle4j.testkit.MutableClock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The probe interval, on a clock the test moves: one KMS request per interval, no more. */
class Fle4jHealthIndicatorTest {
  @Test
  void aProbeIsReusedWithinTheInterval_andRepeatedAfterIt() {
    try (StarterVault vault = new StarterVault()) {
      vault.createKey();
      AtomicInteger kmsRequests = new AtomicInteger();
      KmsCallLog calls = new KmsCallLog(java.time.Clock.systemUTC());
      EncryptionEventListener counter = new EncryptionEventListener() {
        @Override
        public void kmsRequest(EncryptionEvent.KmsRequest event) {
          kmsRequests.incrementAndGet();
        }
      };
      try (ClientEncryption encryption = ClientEncryptions.create(ClientEncryptionSettings.builder()
              .keyVaultMongoClientSettings(vault.plainSettings)
              .keyVaultNamespace(vault.db + ".keys")
              .kmsProviders(Map.of("local", Map.of("key", vault.masterKey))).build(),
          Fle4jSettings.builder().eventListener(
              EncryptionEventListener.allOf(List.of(counter, calls.listener()))).build())) {
        MutableClock clock = new MutableClock();
        Fle4jHealthIndicator health = new Fle4jHealthIndicator(encryption, calls,
            vault.db + ".keys", List.of("local"), Duration.ofMinutes(5), clock);

        assertThat(health.health().getStatus().getCode()).isEqualTo("UP");
        assertThat(kmsRequests).hasValue(1);
        clock.advance(Duration.ofMinutes(4));
        health.health();
        assertThat(kmsRequests).as("within the interval").hasValue(1);
        clock.advance(Duration.ofMinutes(2));
        assertThat(health.health().getStatus().getCode()).isEqualTo("UP");
        assertThat(kmsRequests).as("after it").hasValue(2);
      }
    }
  }
}
