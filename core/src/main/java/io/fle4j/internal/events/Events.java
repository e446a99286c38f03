package io.fle4j.internal.events;

import io.fle4j.CiphertextException;
import io.fle4j.EncryptionEvent;
import io.fle4j.EncryptionEvent.CacheActivity;
import io.fle4j.EncryptionEvent.KeyAction;
import io.fle4j.EncryptionEvent.KmsOperation;
import io.fle4j.EncryptionEvent.Outcome;
import io.fle4j.EncryptionEventListener;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * Builds events and hands them to the listener, or does nothing at all when there is none:
 * callers on hot paths test {@link #enabled()} before building anything. A listener's exception
 * is logged (the first, then every 10,000th) and never reaches the operation being observed.
 */
public final class Events {
  /** No listener: every method returns at once. */
  public static final Events NONE = new Events(null);
  private static final System.Logger LOG = System.getLogger(Events.class.getName());
  private static final AtomicLong KMS_REQUEST_IDS = new AtomicLong();

  private final EncryptionEventListener listener;
  private final AtomicLong listenerFailures = new AtomicLong();

  private Events(EncryptionEventListener listener) {
    this.listener = listener;
  }

  /** Events for {@code listener}; {@link #NONE} when it is null. */
  public static Events of(EncryptionEventListener listener) {
    return listener == null ? NONE : new Events(listener);
  }

  /** Whether anyone listens. */
  public boolean enabled() {
    return listener != null;
  }

  /** Announces a KMS call and returns its id, for {@link #kmsRequestEnded}. */
  public long kmsRequestStarted(String provider, KmsOperation operation, String keyReference) {
    long id = KMS_REQUEST_IDS.incrementAndGet();
    deliver(l -> l.kmsRequestStarted(
        new EncryptionEvent.KmsRequestStarted(id, provider, operation, keyReference)));
    return id;
  }

  public void kmsRequestEnded(long id, String provider, KmsOperation operation,
      String keyReference, long startNanos, Throwable failure, int attempts) {
    if (listener == null) {
      return;
    }
    Duration duration = Duration.ofNanos(System.nanoTime() - startNanos);
    deliver(l -> l.kmsRequest(new EncryptionEvent.KmsRequest(id, provider, operation,
        keyReference, duration, failure == null ? Outcome.SUCCESS : Outcome.FAILURE,
        failure == null ? null : failure.getClass().getSimpleName() + ": "
            + failure.getMessage(), attempts)));
  }

  public void cache(CacheActivity activity, UUID keyId, String keyAltName, long cacheSize) {
    if (listener == null) {
      return;
    }
    deliver(l -> l.dataKeyCache(new EncryptionEvent.DataKeyCache(activity, keyId, keyAltName,
        Duration.ZERO, Outcome.SUCCESS, cacheSize)));
  }

  public void cacheLoad(UUID keyId, String keyAltName, long startNanos, boolean succeeded,
      long cacheSize) {
    if (listener == null) {
      return;
    }
    Duration duration = Duration.ofNanos(System.nanoTime() - startNanos);
    deliver(l -> l.dataKeyCache(new EncryptionEvent.DataKeyCache(CacheActivity.LOAD, keyId,
        keyAltName, duration, succeeded ? Outcome.SUCCESS : Outcome.FAILURE, cacheSize)));
  }

  public void keyLifecycle(KeyAction action, UUID keyId, String providerBefore,
      String providerAfter, String keyAltName) {
    if (listener == null) {
      return;
    }
    deliver(l -> l.keyLifecycle(new EncryptionEvent.KeyLifecycle(action, keyId, providerBefore,
        providerAfter, keyAltName)));
  }

  public void refusal(String namespace, String field, String rule) {
    if (listener == null) {
      return;
    }
    deliver(l -> l.refusal(new EncryptionEvent.Refusal(namespace, field, rule)));
  }

  /**
   * Reports a value that could not be decrypted and returns {@code failure} for the caller to
   * throw. The reason is the {@link CiphertextException.Reason}, or the exception's type.
   *
   * @param keyId the key the value's header names, or null when the header is unreadable
   */
  public RuntimeException decryptionFailed(UUID keyId, RuntimeException failure) {
    if (listener != null) {
      String reason = failure instanceof CiphertextException c ? c.reason().name()
          : failure.getClass().getSimpleName();
      deliver(l -> l.decryptionFailure(new EncryptionEvent.DecryptionFailure(keyId, reason)));
    }
    return failure;
  }

  private void deliver(Consumer<EncryptionEventListener> call) {
    if (listener == null) {
      return;
    }
    try {
      call.accept(listener);
    } catch (RuntimeException e) {
      long failures = listenerFailures.incrementAndGet();
      if (failures == 1 || failures % 10_000 == 0) {
        LOG.log(System.Logger.Level.WARNING, "the EncryptionEventListener "
            + listener.getClass().getName() + " threw (" + failures + " time(s) so far); its"
            + " exceptions are ignored", e);
      }
    }
  }
}
