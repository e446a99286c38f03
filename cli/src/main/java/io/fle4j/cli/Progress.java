package io.fle4j.cli;

import java.io.PrintWriter;
import java.time.Duration;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * Reports a bulk job's progress: a progress bar with rate and ETA on a terminal, plain log lines
 * (at most every few seconds) otherwise, so logs of scheduled runs stay readable.
 */
interface Progress extends AutoCloseable {
  void start(long total, long alreadyDone);

  void advance(long documents);

  @Override
  void close();

  static Progress forTerminalOrLog(String task, PrintWriter log) {
    return System.console() != null ? new Bar(task) : new LogLines(task, log, Duration.ofSeconds(5));
  }

  /** The terminal bar (progressbar, on JLine). */
  final class Bar implements Progress {
    private final String task;
    private ProgressBar bar;

    Bar(String task) {
      this.task = task;
    }

    @Override
    public void start(long total, long alreadyDone) {
      bar = new ProgressBarBuilder().setTaskName(task).setInitialMax(total + alreadyDone)
          .setStyle(ProgressBarStyle.ASCII).showSpeed().setUnit(" docs", 1).startsFrom(alreadyDone, Duration.ZERO)
          .build();
    }

    @Override
    public void advance(long documents) {
      bar.stepBy(documents);
    }

    @Override
    public void close() {
      if (bar != null) {
        bar.close();
      }
    }
  }

  /** Log lines with count, percentage, rate and ETA. */
  final class LogLines implements Progress {
    private final String task;
    private final PrintWriter log;
    private final long intervalNanos;
    private long total;
    private long done;
    private long startedDone;
    private long startedAt;
    private long lastReport;

    LogLines(String task, PrintWriter log, Duration interval) {
      this.task = task;
      this.log = log;
      this.intervalNanos = interval.toNanos();
    }

    @Override
    public void start(long total, long alreadyDone) {
      this.total = total + alreadyDone;
      this.done = alreadyDone;
      this.startedDone = alreadyDone;
      this.startedAt = System.nanoTime();
      this.lastReport = startedAt;
      log.printf("%s: %,d documents to go%s%n", task, total,
          alreadyDone > 0 ? String.format(" (resuming after %,d)", alreadyDone) : "");
      log.flush();
    }

    @Override
    public void advance(long documents) {
      done += documents;
      long now = System.nanoTime();
      if (now - lastReport >= intervalNanos) {
        lastReport = now;
        report(now);
      }
    }

    private void report(long now) {
      double seconds = Math.max(1e-9, (now - startedAt) / 1e9);
      double rate = (done - startedDone) / seconds;
      long remaining = Math.max(0, total - done);
      log.printf("%s: %,d / %,d (%d%%), %,.0f docs/s, ETA %s%n", task, done, total,
          total == 0 ? 100 : done * 100 / total, rate,
          rate > 0 ? Duration.ofSeconds((long) (remaining / rate)).toString().substring(2).toLowerCase() : "?");
      log.flush();
    }

    @Override
    public void close() {
      report(System.nanoTime());
    }
  }
}
