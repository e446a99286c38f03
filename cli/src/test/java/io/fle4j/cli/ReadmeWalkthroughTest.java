package io.fle4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs the README's walk-throughs exactly as written, each in an empty folder, the way a new user
 * would: {@code ./fle4j} there is a script that starts this build's command.
 */
class ReadmeWalkthroughTest {
  @TempDir Path dir;

  @Test
  void readmeWalkthrough_runsTopToBottom() throws Exception {
    String output = run("<!-- walkthrough:");
    assertThat(output)
        .contains("found Ada Lovelace")
        .containsPattern("job +encrypt quickstart.customers #[0-9a-f]{8}\\s+scanned +1,000\\s+changed +1,000")
        .contains("Rewrapped 2 of 2 matching key(s) under local:new.")
        .containsPattern("job +rotate quickstart.customers to customers-2 #[0-9a-f]{8}\\s+scanned +1,000\\s+changed +1,000")
        .containsPattern("customers-2 +local:new")
        .containsPattern("job +decrypt quickstart.customers #[0-9a-f]{8}\\s+scanned +1,000\\s+changed +1,000")
        .doesNotContain("failed: ");
  }

  @Test
  void readmeOperationsWalkthrough_runsTopToBottom() throws Exception {
    String output = run("<!-- operations-walkthrough:");
    assertThat(output)
        .contains("2 key(s) not yet under the current provider (local:2027)")
        .containsPattern("customers-2027 +local:2027")
        .containsPattern("job +rotate quickstart.customers to current #[0-9a-f]{8}\\s+scanned +1,000\\s+changed +1,000")
        .contains("Rewrapped 2 of 2 matching key(s) under local:2027.")
        .containsPattern("readable +3\\s+unreadable +0\\s+malformed +0")
        .contains("All keys are readable.")
        .contains("read-only mode is on")
        .contains("read-only: refused")
        .doesNotContain("failed: ");
  }

  /** Runs the sh block after {@code marker} in an empty folder; returns its output (exit 0). */
  private String run(String marker) throws Exception {
    Path readme = Path.of("..", "README.md");
    Assumptions.assumeTrue(Files.exists(readme), "README.md not found beside the cli module");
    String text = Files.readString(readme);
    int at = text.indexOf(marker);
    assertThat(at).as("the README marks its walk-through " + marker).isPositive();
    int start = text.indexOf("```sh\n", at) + "```sh\n".length();
    String script = text.substring(start, text.indexOf("\n```\n", start) + 1);

    Path launcher = dir.resolve("fle4j");
    Files.writeString(launcher, "#!/usr/bin/env bash\nexec '"
        + Path.of(System.getProperty("java.home"), "bin", "java") + "' -cp '"
        + System.getProperty("java.class.path") + "' " + Fle4jCommand.class.getName() + " \"$@\"\n");
    Files.setPosixFilePermissions(launcher, PosixFilePermissions.fromString("rwx------"));
    Files.writeString(dir.resolve("walkthrough.sh"), "set -euo pipefail\n" + script);

    Process process = new ProcessBuilder("bash", "walkthrough.sh").directory(dir.toFile())
        .redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes());
    assertThat(process.waitFor(5, TimeUnit.MINUTES)).isTrue();
    assertThat(process.exitValue()).as(output).isZero();
    return output;
  }
}
