package io.fle4j.internal.events;

import io.fle4j.EncryptionEvent;
import io.fle4j.EncryptionEventListener;
import java.util.List;
import java.util.function.Consumer;

/**
 * Hands every event to each of several listeners, in order. One listener that throws does not
 * keep the event from the others: the first exception is thrown once all have been called (the
 * later ones added to it as suppressed), and fle4j then logs it as it does any listener's.
 */
public final class ListenerFanOut implements EncryptionEventListener {
  private final List<EncryptionEventListener> listeners;

  public ListenerFanOut(List<? extends EncryptionEventListener> listeners) {
    this.listeners = List.copyOf(listeners);
  }

  private void each(Consumer<EncryptionEventListener> call) {
    RuntimeException first = null;
    for (EncryptionEventListener listener : listeners) {
      try {
        call.accept(listener);
      } catch (RuntimeException e) {
        if (first == null) {
          first = e;
        } else {
          first.addSuppressed(e);
        }
      }
    }
    if (first != null) {
      throw first;
    }
  }

  @Override
  public void kmsRequestStarted(EncryptionEvent.KmsRequestStarted event) {
    each(l -> l.kmsRequestStarted(event));
  }

  @Override
  public void kmsRequest(EncryptionEvent.KmsRequest event) {
    each(l -> l.kmsRequest(event));
  }

  @Override
  public void dataKeyCache(EncryptionEvent.DataKeyCache event) {
    each(l -> l.dataKeyCache(event));
  }

  @Override
  public void keyLifecycle(EncryptionEvent.KeyLifecycle event) {
    each(l -> l.keyLifecycle(event));
  }

  @Override
  public void refusal(EncryptionEvent.Refusal event) {
    each(l -> l.refusal(event));
  }

  @Override
  public void decryptionFailure(EncryptionEvent.DecryptionFailure event) {
    each(l -> l.decryptionFailure(event));
  }

  @Override
  public String toString() {
    return "ListenerFanOut" + listeners;
  }
}
