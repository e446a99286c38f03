package io.fle4j.internal.crypto;

import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * A small, bounded, lock-free set of ready objects (keyed ciphers, HMAC states, random
 * generators) that any thread borrows for one operation and gives back. It replaces per-thread
 * copies: a short-lived thread (a virtual thread per request) finds an object ready instead of
 * building one, and the objects belong to their owner, so that closing the owner reaches every
 * copy instead of leaving one in each thread that ever used it.
 *
 * <p>A borrow takes any filled slot, or builds a new object when all are empty (more borrowers
 * at once than slots); a return fills an empty slot, or wipes the object when the pool is full
 * or closed. Each thread starts its search at a slot picked from its identity, so that a few
 * long-lived threads mostly find their own object again, warm in their cache.
 */
public final class ReadyPool<T> {
  /** Slots per pool: enough for every core to hold one object with a spare, bounded. */
  public static final int DEFAULT_SIZE =
      Math.min(64, Math.max(4, 2 * Runtime.getRuntime().availableProcessors()));

  private final AtomicReferenceArray<T> slots;
  private final Supplier<? extends T> factory;
  private final Consumer<? super T> wipe;
  private volatile boolean closed;

  /**
   * @param factory builds a new ready object
   * @param wipe erases what an object holds; run on every object the pool lets go of
   */
  public ReadyPool(int size, Supplier<? extends T> factory, Consumer<? super T> wipe) {
    this.slots = new AtomicReferenceArray<>(size);
    this.factory = factory;
    this.wipe = wipe;
  }

  /** A ready object for this thread alone until it is {@linkplain #release released}. */
  public T borrow() {
    int size = slots.length();
    int start = start(size);
    for (int i = 0; i < size; i++) {
      int slot = (start + i) % size;
      T ready = slots.get(slot);
      if (ready != null && slots.compareAndSet(slot, ready, null)) {
        if (closed) {
          // Put there by a release that raced with close: not to be used after it.
          wipe.accept(ready);
          break;
        }
        return ready;
      }
    }
    return factory.get();
  }

  /** Gives back an object from {@link #borrow}; the caller must not touch it afterwards. */
  public void release(T object) {
    if (!closed) {
      int size = slots.length();
      int start = start(size);
      for (int i = 0; i < size; i++) {
        int slot = (start + i) % size;
        if (slots.get(slot) == null && slots.compareAndSet(slot, null, object)) {
          // A close that ran between the check above and this store did not see it.
          if (closed && slots.compareAndSet(slot, object, null)) {
            wipe.accept(object);
          }
          return;
        }
      }
    }
    wipe.accept(object);
  }

  /**
   * Wipes every object in the pool now; objects borrowed at this moment are wiped when they
   * come back. Borrowing still works afterwards (the owner decides whether to allow it), but
   * nothing is kept.
   */
  public void close() {
    closed = true;
    for (int i = 0; i < slots.length(); i++) {
      T ready = slots.getAndSet(i, null);
      if (ready != null) {
        wipe.accept(ready);
      }
    }
  }

  /** Whether {@link #close} was called. */
  public boolean closed() {
    return closed;
  }

  /** Objects waiting in the pool now. */
  public int idle() {
    int idle = 0;
    for (int i = 0; i < slots.length(); i++) {
      if (slots.get(i) != null) {
        idle++;
      }
    }
    return idle;
  }

  private static int start(int size) {
    // The identity hash is fixed per thread and cheap, and spreads virtual threads too.
    return (System.identityHashCode(Thread.currentThread()) & 0x7fffffff) % size;
  }
}
