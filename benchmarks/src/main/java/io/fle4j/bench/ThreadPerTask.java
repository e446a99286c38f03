package io.fle4j.bench;

import com.mongodb.client.model.vault.EncryptOptions;
import com.mongodb.client.vault.ClientEncryption;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.bson.BsonBinary;
import org.bson.BsonValue;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * One encrypt or decrypt of a 32-byte string per task, as a server running each request on its
 * own thread does it: tasks go either to a fixed pool of two platform threads or to a new
 * virtual thread each (JDK 21+; {@code bench/compare} runs that case on JDK 25). Run with one
 * JMH thread: the executor provides the parallelism.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@OperationsPerInvocation(ThreadPerTask.TASKS)
public class ThreadPerTask {
  static final int TASKS = 1_000;

  @Param({"fle4j", "official"})
  public String impl;

  /** {@code pool}: 2 platform threads; {@code virtual}: a new virtual thread per task. */
  @Param({"pool", "virtual"})
  public String threads;

  @Param({"encrypt", "decrypt"})
  public String operation;

  private Fixture fixture;
  private ExecutorService executor;
  private Runnable task;

  @Setup
  public void setUp() throws Exception {
    fixture = new Fixture();
    ClientEncryption engine = fixture.engine(impl);
    BsonValue plaintext = ExplicitEncryption.plaintext("string32");
    EncryptOptions options = new EncryptOptions("AEAD_AES_256_CBC_HMAC_SHA_512-Random")
        .keyId(fixture.keyId);
    BsonBinary ciphertext = engine.encrypt(plaintext, options);
    task = operation.equals("encrypt")
        ? () -> engine.encrypt(plaintext, options)
        : () -> engine.decrypt(ciphertext);
    executor = threads.equals("pool") ? Executors.newFixedThreadPool(2) : virtualThreadPerTask();
  }

  private static ExecutorService virtualThreadPerTask() throws Exception {
    try {
      // Looked up by name: the benchmarks compile for Java 17, which has no virtual threads.
      return (ExecutorService) Executors.class.getMethod("newVirtualThreadPerTaskExecutor")
          .invoke(null);
    } catch (NoSuchMethodException e) {
      throw new IllegalStateException("virtual threads need JDK 21 or newer; run on JDK 25", e);
    }
  }

  @Benchmark
  public void tasks() throws InterruptedException {
    CountDownLatch done = new CountDownLatch(TASKS);
    AtomicReference<Throwable> failure = new AtomicReference<>();
    for (int i = 0; i < TASKS; i++) {
      executor.execute(() -> {
        try {
          task.run();
        } catch (Throwable t) {
          failure.compareAndSet(null, t);
        } finally {
          done.countDown();
        }
      });
    }
    done.await();
    if (failure.get() != null) {
      throw new IllegalStateException("a task failed", failure.get());
    }
  }

  @TearDown
  public void tearDown() throws InterruptedException {
    executor.shutdown();
    executor.awaitTermination(10, TimeUnit.SECONDS);
    fixture.close();
  }
}
