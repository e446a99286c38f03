package io.fle4j.it.auto.wire;

import io.fle4j.Fle4jException;
import java.lang.reflect.InvocationTargetException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.bson.BsonDocument;
import org.bson.json.JsonMode;
import org.bson.json.JsonWriterSettings;

/**
 * Runs one client call at a time and judges it from the bytes the relay saw meanwhile.
 *
 * <p>Each call gets a fresh control value (a plaintext it must put in an unencrypted field) so
 * that "it was sent" is proven by the wire, not assumed. Verdicts:
 *
 * <ul>
 *   <li>{@code REFUSED}: fle4j threw (a {@link Fle4jException}, or an UnsupportedOperationException
 *       from fle4j code) and no message of the call reached the relay;
 *   <li>{@code CLEAN}: the control value was seen, no canary was (a server error is fine);
 *   <li>{@code LEAK}: a canary was seen in any message during the call;
 *   <li>{@code REFUSED_AFTER_SENDING}: fle4j threw, but the call's bytes had gone out;
 *   <li>{@code NO_VALUE_SENT}: a method with no value parameter sent its command, no canary;
 *   <li>{@code UNOBSERVED}: neither refused by fle4j nor seen on the wire (usually the driver
 *       rejected an argument first), so the call proves nothing.
 * </ul>
 *
 * Nothing stops at the first problem: every outcome is kept for one report at the end.
 */
final class ProbeRunner {
  enum Verdict {
    CLEAN, NO_VALUE_SENT, REFUSED, LEAK, REFUSED_AFTER_SENDING, UNOBSERVED, SKIPPED,
    /** A canary in a position no encrypted field's value goes ({@link PassThroughPositions}). */
    PASS_THROUGH
  }

  record Outcome(String call, Verdict verdict, String detail) {}

  @FunctionalInterface
  interface Call {
    void run(String control) throws Throwable;
  }

  /** Messages a client may send on its own during any call: handshakes, heartbeats, cleanup. */
  private static final Set<String> HOUSEKEEPING =
      Set.of("isMaster", "ismaster", "hello", "endSessions", "killCursors", "listCollections");
  private static final JsonWriterSettings JSON =
      JsonWriterSettings.builder().outputMode(JsonMode.RELAXED).build();
  /** Unacknowledged writes return before their bytes are relayed: wait this long for them. */
  private static final long SETTLE_MILLIS = 400;

  private static final int CALL_TIMEOUT_SECONDS = 20;

  private java.util.concurrent.ExecutorService worker =
      java.util.concurrent.Executors.newSingleThreadExecutor(ProbeRunner::daemon);
  private final WireCapture capture;
  private final String keyVaultCollection;
  private final AtomicInteger ids = new AtomicInteger();
  private final List<Outcome> outcomes = new ArrayList<>();

  ProbeRunner(WireCapture capture, String keyVaultCollection) {
    this.capture = capture;
    this.keyVaultCollection = keyVaultCollection;
  }

  List<Outcome> outcomes() {
    return outcomes;
  }

  void skip(String call, String why) {
    outcomes.add(new Outcome(call, Verdict.SKIPPED, why));
  }

  void probe(String call, Call body) {
    probe(call, body, true);
  }

  /**
   * For a method with no parameter that can hold a value (say {@code find()}): there is no
   * control to look for, so "sent" means any message other than housekeeping, and the verdict is
   * {@code NO_VALUE_SENT} when it carried no canary.
   */
  void probeWithoutValue(String call, Call body) {
    probe(call, body, false);
  }

  private void probe(String call, Call body, boolean carriesControl) {
    String control = "CTRL" + ids.incrementAndGet() + "x";
    int mark = capture.mark();
    Throwable thrown = null;
    // On a worker thread with a deadline: a change stream iterated to its end would never return.
    java.util.concurrent.Future<?> future = worker.submit(() -> {
      try {
        body.run(control);
      } catch (Exception | Error e) {
        throw e;
      } catch (Throwable t) {
        throw new RuntimeException(t);
      }
      return null;
    });
    try {
      future.get(CALL_TIMEOUT_SECONDS, java.util.concurrent.TimeUnit.SECONDS);
    } catch (java.util.concurrent.ExecutionException e) {
      thrown = unwrap(e.getCause());
    } catch (java.util.concurrent.TimeoutException e) {
      future.cancel(true);
      worker.shutdownNow();
      worker = java.util.concurrent.Executors.newSingleThreadExecutor(ProbeRunner::daemon);
      thrown = new IllegalStateException("call still running after " + CALL_TIMEOUT_SECONDS + " s");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      thrown = e;
    }
    boolean refused = thrown != null && isFle4jRefusal(thrown);
    List<byte[]> window = capture.since(mark);
    if (!refused && window.stream().noneMatch(m -> Canaries.contains(m, control))) {
      long deadline = System.currentTimeMillis() + SETTLE_MILLIS;
      while (System.currentTimeMillis() < deadline
          && capture.since(mark).stream().noneMatch(m -> Canaries.contains(m, control))) {
        sleep(10);
      }
      window = capture.since(mark);
    }
    Outcome outcome = judge(call, control, refused, thrown, window);
    if (!carriesControl && outcome.verdict() == Verdict.UNOBSERVED && window.stream()
        .map(d -> WireCapture.commandName(WireCapture.decode(d)))
        .anyMatch(n -> !n.equals("hello") && !n.equalsIgnoreCase("isMaster"))) {
      outcome = new Outcome(call, Verdict.NO_VALUE_SENT, thrown == null ? "" : oneLine(thrown));
    }
    outcomes.add(outcome);
  }

  private Outcome judge(String call, String control, boolean refused, Throwable thrown,
      List<byte[]> window) {
    List<String> leaks = new ArrayList<>();
    for (byte[] message : window) {
      List<String> hits = Canaries.found(message);
      if (!hits.isEmpty()) {
        leaks.add(hits + " in " + json(message));
      }
    }
    boolean controlSeen = window.stream().anyMatch(m -> Canaries.contains(m, control));
    String error = thrown == null ? "" : " [" + oneLine(thrown) + "]";
    String passThrough = PassThroughPositions.CALLS.get(call);
    if (!leaks.isEmpty() && passThrough != null && controlSeen) {
      return new Outcome(call, Verdict.PASS_THROUGH, passThrough);
    }
    if (!leaks.isEmpty()) {
      return new Outcome(call, Verdict.LEAK, String.join("\n", leaks) + error);
    }
    if (refused) {
      List<String> sent = window.stream()
          .map(WireCapture::decode)
          .filter(d -> controlSeen || !housekeeping(d))
          .map(d -> d.toJson(JSON))
          .collect(Collectors.toList());
      if (controlSeen || !sent.isEmpty()) {
        return new Outcome(call, Verdict.REFUSED_AFTER_SENDING, sent + error);
      }
      return new Outcome(call, Verdict.REFUSED, oneLine(thrown));
    }
    if (!controlSeen) {
      return new Outcome(call, Verdict.UNOBSERVED, "no message carried the control value"
          + error);
    }
    return new Outcome(call, Verdict.CLEAN, thrown == null ? "" : "server/driver error after"
        + " sending:" + error);
  }

  private boolean housekeeping(BsonDocument command) {
    String name = WireCapture.commandName(command);
    if (HOUSEKEEPING.contains(name)) {
      return true;
    }
    // The key-vault lookup names key ids and alt names, never user values.
    return name.equals("find") && command.get("find").isString()
        && command.getString("find").getValue().equals(keyVaultCollection);
  }

  static String json(byte[] message) {
    String text = WireCapture.decode(message).toJson(JSON);
    return text.length() > 1500 ? text.substring(0, 1500) + "…" : text;
  }

  private static Throwable unwrap(Throwable t) {
    while (t instanceof InvocationTargetException && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }

  /** fle4j's own refusal: its exception type, or an UnsupportedOperationException it threw. */
  static boolean isFle4jRefusal(Throwable thrown) {
    for (Throwable t = thrown; t != null; t = t.getCause()) {
      if (t instanceof Fle4jException) {
        return true;
      }
      if (t instanceof UnsupportedOperationException) {
        StackTraceElement[] trace = t.getStackTrace();
        if (trace.length > 0 && trace[0].getClassName().startsWith("io.fle4j.")
            && !trace[0].getClassName().startsWith("io.fle4j.it.")) {
          return true;
        }
      }
    }
    return false;
  }

  static String oneLine(Throwable t) {
    String text = t.getClass().getSimpleName() + ": " + t.getMessage();
    text = text.replace('\n', ' ');
    return text.length() > 400 ? text.substring(0, 400) + "…" : text;
  }

  private static Thread daemon(Runnable task) {
    Thread thread = new Thread(task, "wire-canary-call");
    thread.setDaemon(true);
    return thread;
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
