package io.fle4j.it.unified;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.opentest4j.TestAbortedException;

/**
 * One line per test case (file, description, passed / skipped / failed, and the reason or the
 * first lines of the failure), written to {@code target/unified-csfle-results.tsv} so that a
 * report can be made from a run without parsing surefire output.
 */
final class UnifiedResultsLog {
  private static final List<String> LINES = new ArrayList<>();

  private UnifiedResultsLog() {}

  static synchronized void record(String file, String description, Throwable outcome) {
    String status;
    String detail;
    if (outcome == null) {
      status = "passed";
      detail = "";
    } else if (outcome instanceof TestAbortedException) {
      status = "skipped";
      detail = outcome.getMessage();
    } else {
      status = "failed";
      detail = outcome.getClass().getSimpleName() + ": " + outcome.getMessage();
    }
    LINES.add(String.join("\t", file, description, status, clean(detail)));
  }

  static synchronized void write(Path file) {
    try {
      Files.createDirectories(file.getParent());
      Files.write(file, LINES, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String clean(String text) {
    String oneLine = String.valueOf(text).replace("\t", " ").replace("\r", "")
        .replace("\n", " \\n ");
    return oneLine.length() > 4000 ? oneLine.substring(0, 4000) + "..." : oneLine;
  }
}
