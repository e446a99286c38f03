package io.fle4j.spring;

import io.fle4j.EncryptionEvent;
import io.fle4j.EncryptionEventListener;
import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Remembers the last KMS call each provider made and how it ended, for the health indicator: a
 * provider's health is what the application's own calls saw, so checking health never costs a
 * KMS request or touches a key.
 */
final class KmsCallLog {
  /** The last call of one provider. */
  record LastCall(Instant at, EncryptionEvent.KmsOperation operation,
      EncryptionEvent.Outcome outcome, String failure) {}

  private final Map<String, LastCall> last = new ConcurrentHashMap<>();
  private final Clock clock;

  KmsCallLog(Clock clock) {
    this.clock = clock;
  }

  /**
   * The listener that fills this log. (The log itself is not a listener, so that it never
   * stands in for the application's own listener bean.)
   */
  EncryptionEventListener listener() {
    return new EncryptionEventListener() {
      @Override
      public void kmsRequest(EncryptionEvent.KmsRequest event) {
        last.put(event.provider(), new LastCall(clock.instant(), event.operation(),
            event.outcome(), event.failure()));
      }
    };
  }

  /** The last call of every provider that made one, by provider name. */
  Map<String, LastCall> lastCalls() {
    return new TreeMap<>(last);
  }
}
