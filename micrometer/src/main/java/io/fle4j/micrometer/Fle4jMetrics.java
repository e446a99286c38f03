package io.fle4j.micrometer;

import io.fle4j.EncryptionEvent;
import io.fle4j.EncryptionEventListener;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Records fle4j's {@link EncryptionEvent}s as Micrometer meters, and KMS calls also as
 * Observations (for tracing). Give it to {@code Fle4jSettings.builder().eventListener(...)}:
 *
 * <pre>{@code
 * Fle4jSettings.builder().eventListener(Fle4jMetrics.of(meterRegistry, observationRegistry))
 * }</pre>
 *
 * <table>
 *   <caption>Meters</caption>
 *   <tr><th>name</th><th>type</th><th>tags</th><th>what</th></tr>
 *   <tr><td>{@code fle4j.kms.requests}</td><td>timer</td><td>{@code provider}, {@code operation}
 *       (encrypt, decrypt), {@code outcome} (success, failure)</td><td>KMS calls, retries
 *       included</td></tr>
 *   <tr><td>{@code fle4j.kms.retries}</td><td>counter</td><td>{@code provider}, {@code
 *       operation}</td><td>requests sent again after a failed attempt</td></tr>
 *   <tr><td>{@code fle4j.datakey.cache}</td><td>counter</td><td>{@code result} (hit, miss)</td>
 *       <td>data-key lookups</td></tr>
 *   <tr><td>{@code fle4j.datakey.loads}</td><td>timer</td><td>{@code outcome}</td><td>key-vault
 *       read plus KMS unwrap after a miss</td></tr>
 *   <tr><td>{@code fle4j.datakey.evictions}</td><td>counter</td><td></td><td>keys leaving the
 *       cache (expired, deleted, rewrapped)</td></tr>
 *   <tr><td>{@code fle4j.datakey.cache.size}</td><td>gauge</td><td></td><td>keys cached, as last
 *       reported</td></tr>
 *   <tr><td>{@code fle4j.keys.changes}</td><td>counter</td><td>{@code action} (created, deleted,
 *       alt_name_added, alt_name_removed, rewrapped)</td><td>key lifecycle</td></tr>
 *   <tr><td>{@code fle4j.auto.refusals}</td><td>counter</td><td>{@code namespace}</td><td>operations
 *       automatic encryption refused</td></tr>
 *   <tr><td>{@code fle4j.decrypt.failures}</td><td>counter</td><td>{@code reason}</td><td>values
 *       that could not be decrypted</td></tr>
 * </table>
 *
 * <p>The observation of a KMS call is named {@code fle4j.kms.request}, with the low-cardinality
 * keys {@code provider} and {@code operation}. No meter or observation carries key material,
 * credentials or plaintext; only provider names, namespaces and reasons.
 */
public final class Fle4jMetrics implements EncryptionEventListener {
  private final MeterRegistry meters;
  private final ObservationRegistry observations;
  private final AtomicLong cacheSize = new AtomicLong();
  private final Map<Long, Observation> kmsCalls = new ConcurrentHashMap<>();

  private Fle4jMetrics(MeterRegistry meters, ObservationRegistry observations) {
    this.meters = Objects.requireNonNull(meters, "meters");
    this.observations = Objects.requireNonNull(observations, "observations");
    Gauge.builder("fle4j.datakey.cache.size", cacheSize, AtomicLong::get)
        .description("Data keys cached, as last reported").register(meters);
  }

  /** Meters only. */
  public static Fle4jMetrics of(MeterRegistry meters) {
    return new Fle4jMetrics(meters, ObservationRegistry.NOOP);
  }

  /** Meters, and an Observation around every KMS call. */
  public static Fle4jMetrics of(MeterRegistry meters, ObservationRegistry observations) {
    return new Fle4jMetrics(meters, observations);
  }

  @Override
  public void kmsRequestStarted(EncryptionEvent.KmsRequestStarted event) {
    if (observations.isNoop()) {
      return;
    }
    Observation observation = Observation.createNotStarted("fle4j.kms.request", observations)
        .contextualName("kms " + lower(event.operation()))
        .lowCardinalityKeyValue("provider", event.provider())
        .lowCardinalityKeyValue("operation", lower(event.operation()))
        .start();
    kmsCalls.put(event.id(), observation);
  }

  @Override
  public void kmsRequest(EncryptionEvent.KmsRequest event) {
    Timer.builder("fle4j.kms.requests")
        .description("KMS calls, retries included")
        .tag("provider", event.provider())
        .tag("operation", lower(event.operation()))
        .tag("outcome", lower(event.outcome()))
        .register(meters)
        .record(event.duration());
    if (event.attempts() > 1) {
      Counter.builder("fle4j.kms.retries")
          .description("KMS requests sent again after a failed attempt")
          .tag("provider", event.provider())
          .tag("operation", lower(event.operation()))
          .register(meters).increment(event.attempts() - 1);
    }
    Observation observation = kmsCalls.remove(event.id());
    if (observation != null) {
      if (event.outcome() == EncryptionEvent.Outcome.FAILURE) {
        observation.error(new KmsCallFailed(event.failure()));
      }
      observation.stop();
    }
  }

  @Override
  public void dataKeyCache(EncryptionEvent.DataKeyCache event) {
    cacheSize.set(event.cacheSize());
    switch (event.activity()) {
      case HIT, MISS -> Counter.builder("fle4j.datakey.cache")
          .description("Data-key lookups")
          .tag("result", lower(event.activity()))
          .register(meters).increment();
      case LOAD -> Timer.builder("fle4j.datakey.loads")
          .description("Key-vault read and KMS unwrap after a cache miss")
          .tag("outcome", lower(event.outcome()))
          .register(meters).record(event.duration());
      case EVICTION -> Counter.builder("fle4j.datakey.evictions")
          .description("Data keys that left the cache")
          .register(meters).increment();
    }
  }

  @Override
  public void keyLifecycle(EncryptionEvent.KeyLifecycle event) {
    Counter.builder("fle4j.keys.changes")
        .description("Data keys created, deleted, renamed or rewrapped")
        .tag("action", lower(event.action()))
        .register(meters).increment();
  }

  @Override
  public void refusal(EncryptionEvent.Refusal event) {
    Counter.builder("fle4j.auto.refusals")
        .description("Operations automatic encryption refused")
        .tag("namespace", event.namespace())
        .register(meters).increment();
  }

  @Override
  public void decryptionFailure(EncryptionEvent.DecryptionFailure event) {
    Counter.builder("fle4j.decrypt.failures")
        .description("Values that could not be decrypted")
        .tag("reason", event.reason())
        .register(meters).increment();
  }

  private static String lower(Enum<?> value) {
    return value.name().toLowerCase(Locale.ROOT);
  }

  /** The failure of a KMS call as an Observation error: its text only, no stack of ours. */
  static final class KmsCallFailed extends RuntimeException {
    private static final long serialVersionUID = 1L;

    KmsCallFailed(String message) {
      super(message, null, false, false);
    }
  }
}
