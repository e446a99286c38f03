package io.fle4j;

import java.util.List;

/**
 * Receives {@link EncryptionEvent}s from a {@code ClientEncryption} or an automatically
 * encrypting client (set it with {@link Fle4jSettings.Builder#eventListener}). Override what you
 * need; every method does nothing by default.
 *
 * <p>Methods are called on the thread doing the work, synchronously, so they must be quick and
 * thread-safe. An exception thrown by a listener is logged and otherwise ignored: observing
 * never changes what encryption does. With no listener set, no event is built.
 */
public interface EncryptionEventListener {

  /**
   * One listener that hands every event to each of {@code listeners}, in order, for example
   * metrics and an audit log. A listener that throws does not keep the event from the others.
   */
  static EncryptionEventListener allOf(List<? extends EncryptionEventListener> listeners) {
    return new io.fle4j.internal.events.ListenerFanOut(listeners);
  }

  /** A KMS call is starting (for tracing: pair it with {@link #kmsRequest} by id). */
  default void kmsRequestStarted(EncryptionEvent.KmsRequestStarted event) {}

  /** A KMS call ended. */
  default void kmsRequest(EncryptionEvent.KmsRequest event) {}

  /** A data key was found in the cache, missed, loaded or evicted. */
  default void dataKeyCache(EncryptionEvent.DataKeyCache event) {}

  /** A data key was created, deleted, renamed or rewrapped. */
  default void keyLifecycle(EncryptionEvent.KeyLifecycle event) {}

  /** Automatic encryption refused an operation. */
  default void refusal(EncryptionEvent.Refusal event) {}

  /** A value could not be decrypted. */
  default void decryptionFailure(EncryptionEvent.DecryptionFailure event) {}
}
