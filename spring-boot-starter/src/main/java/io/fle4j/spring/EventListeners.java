package io.fle4j.spring;

import io.fle4j.EncryptionEvent;
import io.fle4j.EncryptionEventListener;
import java.util.List;

/** Hands every event to each of several listeners, in order. */
final class EventListeners implements EncryptionEventListener {
  private final List<EncryptionEventListener> listeners;

  EventListeners(List<EncryptionEventListener> listeners) {
    this.listeners = List.copyOf(listeners);
  }

  @Override
  public void kmsRequestStarted(EncryptionEvent.KmsRequestStarted event) {
    listeners.forEach(l -> l.kmsRequestStarted(event));
  }

  @Override
  public void kmsRequest(EncryptionEvent.KmsRequest event) {
    listeners.forEach(l -> l.kmsRequest(event));
  }

  @Override
  public void dataKeyCache(EncryptionEvent.DataKeyCache event) {
    listeners.forEach(l -> l.dataKeyCache(event));
  }

  @Override
  public void keyLifecycle(EncryptionEvent.KeyLifecycle event) {
    listeners.forEach(l -> l.keyLifecycle(event));
  }

  @Override
  public void refusal(EncryptionEvent.Refusal event) {
    listeners.forEach(l -> l.refusal(event));
  }

  @Override
  public void decryptionFailure(EncryptionEvent.DecryptionFailure event) {
    listeners.forEach(l -> l.decryptionFailure(event));
  }
}
