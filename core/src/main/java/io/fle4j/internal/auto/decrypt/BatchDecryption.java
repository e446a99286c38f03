package io.fle4j.internal.auto.decrypt;

import com.mongodb.MongoInterruptedException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.bson.RawBsonDocument;

/**
 * Decrypts a batch of result documents, as raw bytes, on the reading thread and on up to {@code
 * threads} helper threads. A batch is cut into slices of a few dozen documents; helpers and the
 * reader claim slices in order, and the reader takes documents in order, decrypting whatever
 * slice nobody has started instead of waiting. A busy or absent pool therefore only means the
 * reader does all the work, as it would without help.
 *
 * <p>Only bytes-to-bytes decryption runs on the helpers: the application's codecs (POJO
 * constructors, setters) always run on the reading thread.
 */
public final class BatchDecryption implements AutoCloseable {
  /** A slice ends after this many documents or bytes, whichever comes first. */
  private static final int SLICE_DOCUMENTS = 64;
  private static final int SLICE_BYTES = 32 * 1024;
  private static final int UNCLAIMED = 0;
  private static final int CLAIMED = 1;
  private static final int DONE = 2;
  /** Numbers the pools, so that each client's helper threads have names of their own. */
  private static final AtomicInteger POOLS = new AtomicInteger();

  private final RawReplyDecryptor decryptor;
  private final int threads;
  private final ThreadPoolExecutor helpers;

  public BatchDecryption(RawReplyDecryptor decryptor, int threads) {
    this.decryptor = decryptor;
    this.threads = threads;
    if (threads > 0) {
      String prefix = "fle4j-decrypt-" + POOLS.incrementAndGet() + "-";
      AtomicInteger counter = new AtomicInteger();
      ThreadFactory factory = task -> {
        Thread thread = new Thread(task, prefix + counter.incrementAndGet());
        thread.setDaemon(true);
        return thread;
      };
      helpers = new ThreadPoolExecutor(threads, threads, 30, TimeUnit.SECONDS,
          new LinkedBlockingQueue<>(), factory);
      helpers.allowCoreThreadTimeOut(true);
    } else {
      helpers = null;
    }
  }

  /** The decrypted bytes of one document: itself when it holds no ciphertext. */
  public ByteBuffer decrypt(RawBsonDocument document) {
    return decryptor.decryptIfEncrypted(document.getByteBuffer().asNIO());
  }

  /** Starts decrypting {@code documents}; helpers begin at once when the batch is large enough. */
  public Batch start(List<RawBsonDocument> documents) {
    Batch batch = new Batch(documents);
    // When helpers are all busy with other batches, a queued task would only hold this batch in
    // memory until a helper found nothing left to do: the reader goes alone instead.
    if (helpers != null && batch.sliceCount() > 1 && helpers.getQueue().size() < threads) {
      int wanted = Math.min(threads, batch.sliceCount() - 1);
      try {
        for (int i = 0; i < wanted; i++) {
          helpers.execute(batch::help);
        }
      } catch (RejectedExecutionException closing) {
        // the client is closing: the reader decrypts alone
      }
    }
    return batch;
  }

  @Override
  public void close() {
    if (helpers != null) {
      helpers.shutdownNow();
    }
  }

  /** One batch being decrypted. */
  public final class Batch {
    private final List<RawBsonDocument> documents;
    /** Per document: its decrypted ByteBuffer, or the Throwable its decryption threw. */
    private final Object[] results;
    /** In {@link #results}: decrypt this document again when it is asked for. */
    private static final Object RETRY = new Object();
    /** Slice {@code s} holds documents {@code sliceStarts[s]} to {@code sliceStarts[s + 1]}. */
    private final int[] sliceStarts;
    private final AtomicIntegerArray sliceStates;
    private final AtomicInteger nextSlice = new AtomicInteger();
    private final AtomicInteger helped = new AtomicInteger();
    private volatile boolean cancelled;

    private Batch(List<RawBsonDocument> documents) {
      this.documents = documents;
      this.results = new Object[documents.size()];
      List<Integer> starts = new ArrayList<>();
      int bytes = 0;
      int count = 0;
      for (int i = 0; i < documents.size(); i++) {
        if (count == 0) {
          starts.add(i);
        }
        bytes += documents.get(i).getByteBuffer().remaining();
        count++;
        if (count == SLICE_DOCUMENTS || bytes >= SLICE_BYTES) {
          count = 0;
          bytes = 0;
        }
      }
      starts.add(documents.size());
      sliceStarts = starts.stream().mapToInt(Integer::intValue).toArray();
      sliceStates = new AtomicIntegerArray(sliceStarts.length - 1);
    }

    int size() {
      return results.length;
    }

    int sliceCount() {
      return sliceStarts.length - 1;
    }

    /**
     * The decrypted bytes of document {@code index}, decrypting unclaimed slices meanwhile.
     * Throws what its decryption threw, so a bad document fails when it is reached, after the
     * good ones before it have been returned.
     */
    ByteBuffer get(int index) {
      int slice = sliceOf(index);
      while (sliceStates.get(slice) != DONE) {
        if (!decryptNextSlice()) {
          awaitSlice(slice);
        }
      }
      Object result = results[index];
      if (result == RETRY || result instanceof MongoInterruptedException) {
        // An interrupted decryption (a key fetch cut short) says nothing about the document:
        // decrypt it again, on this thread, when it is asked for again.
        if (result == RETRY) {
          try {
            result = decrypt(documents.get(index));
          } catch (MongoInterruptedException e) {
            throw e;
          } catch (RuntimeException | Error e) {
            result = e;
          }
        } else {
          results[index] = RETRY;
          throw (MongoInterruptedException) result;
        }
      }
      if (result == null) {
        throw new IllegalStateException("result " + index + " of this batch was already delivered");
      }
      results[index] = null; // the application has it now; let it go with the application
      if (result instanceof ByteBuffer bytes) {
        return bytes;
      }
      if (result instanceof RuntimeException e) {
        throw e;
      }
      throw (Error) result;
    }

    /** Stops helpers from claiming more slices (the cursor was closed). */
    void cancel() {
      cancelled = true;
    }

    /** How many slices helper threads decrypted (for tests). */
    int slicesDecryptedByHelpers() {
      return helped.get();
    }

    private void help() {
      while (!cancelled && decryptNextSlice()) {
        helped.incrementAndGet();
      }
    }

    /** Claims and decrypts the next unclaimed slice; false when none is left. */
    private boolean decryptNextSlice() {
      int slice = nextSlice.getAndIncrement();
      if (slice >= sliceCount()) {
        return false;
      }
      sliceStates.set(slice, CLAIMED);
      for (int i = sliceStarts[slice]; i < sliceStarts[slice + 1]; i++) {
        try {
          results[i] = decrypt(documents.get(i));
        } catch (RuntimeException | Error e) {
          results[i] = e;
        }
      }
      synchronized (this) {
        sliceStates.set(slice, DONE);
        notifyAll();
      }
      return true;
    }

    private void awaitSlice(int slice) {
      synchronized (this) {
        while (sliceStates.get(slice) != DONE) {
          try {
            wait();
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new MongoInterruptedException("interrupted while results were being decrypted", e);
          }
        }
      }
    }

    private int sliceOf(int index) {
      int low = 0;
      int high = sliceCount() - 1;
      while (low < high) {
        int middle = (low + high + 1) >>> 1;
        if (sliceStarts[middle] <= index) {
          low = middle;
        } else {
          high = middle - 1;
        }
      }
      return low;
    }
  }
}
