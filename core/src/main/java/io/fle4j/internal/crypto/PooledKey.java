package io.fle4j.internal.crypto;

import java.util.function.Consumer;

/**
 * A key that keeps a few keyed workers (ciphers, HMAC states, buffers) ready for any thread to
 * borrow, because keying a Cipher or an HMAC costs as much as using it on a short value. The
 * workers belong to the key, not to the threads that used it: retiring the key wipes them,
 * destroying it also forgets the material they are built from.
 *
 * @param <M> the split key material workers are built from
 * @param <W> a worker
 */
public abstract class PooledKey<M, W> {
  private final ReadyPool<W> workers;
  /** What workers are built from; null once destroyed. */
  private volatile M material;

  /** @param wipe erases a worker the pool lets go of */
  protected PooledKey(M material, Consumer<? super W> wipe) {
    this.material = material;
    this.workers = new ReadyPool<>(ReadyPool.DEFAULT_SIZE, this::newWorker, wipe);
  }

  /** A worker built from the material. */
  protected abstract W build(M material);

  /** Erases what can be erased of the material on {@link #destroy}; nothing by default. */
  protected void forget(M material) {}

  /**
   * Keyed objects for this key, for the calling thread alone until {@link #release}d.
   *
   * @throws IllegalStateException when the key was destroyed
   */
  public final W borrow() {
    return workers.borrow();
  }

  /** Gives back a worker from {@link #borrow}. */
  public final void release(W worker) {
    workers.release(worker);
  }

  /**
   * Lets go of the pooled workers, wiping them: for a key that leaves a cache while other
   * threads may still be using it. Those threads finish normally; a retired key still works,
   * on a worker built for each use.
   */
  public final void retire() {
    workers.close();
  }

  /**
   * Retires the key and forgets its material: for a key its owner is done with, such as a
   * key-encryption key whose provider is closed. Calls already under way finish; later ones
   * fail with IllegalStateException.
   */
  public final void destroy() {
    M split = material;
    material = null;
    workers.close();
    if (split != null) {
      forget(split);
    }
  }

  /** Whether {@link #retire} or {@link #destroy} was called. */
  public final boolean retired() {
    return workers.closed();
  }

  /** Whether {@link #destroy} was called. */
  public final boolean destroyed() {
    return material == null;
  }

  /** Workers ready in the pool now. Visible for tests. */
  final int idleWorkers() {
    return workers.idle();
  }

  private W newWorker() {
    M split = material;
    if (split == null) {
      throw new IllegalStateException("this key was destroyed");
    }
    return build(split);
  }
}
