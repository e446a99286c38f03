package io.fle4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class QuickstartCommandTest {
  @TempDir Path dataDir;

  private record Run(int exitCode, String out, String err) {}

  private static Run run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine commandLine = Fle4jCommand.newCommandLine();
    commandLine.setOut(new PrintWriter(out, true));
    commandLine.setErr(new PrintWriter(err, true));
    int exitCode = commandLine.execute(args);
    return new Run(exitCode, out.toString(), err.toString());
  }

  @Test
  void quickstart_freshDataDir_showsCiphertextBesidePlaintext_andKeepsTheKeyPrivate() throws Exception {
    Run first = run("quickstart", "--data-dir", dataDir.toString());

    assertThat(first.exitCode()).as(first.err()).isZero();
    assertThat(first.out())
        .contains("master key  " + dataDir.resolve("local-master-key.txt") + " (created")
        .contains("keyAltName 'quickstart-key', created")
        .containsPattern("ssn +Binary\\(6, \\d+ bytes\\) …\\S+ \\(deterministic\\) +\"123-45-6789\"")
        .containsPattern("cardNumber +Binary\\(6, \\d+ bytes\\) …\\S+ \\(random\\) +\"4111 1111 1111 1111\"")
        .containsPattern("plan +\"gold\" +\"gold\"")
        .contains("found Ada Lovelace");
    assertThat(PosixFilePermissions.toString(
        Files.getPosixFilePermissions(dataDir.resolve("local-master-key.txt")))).isEqualTo("rw-------");
    String masterKey = Files.readString(dataDir.resolve("local-master-key.txt")).trim();
    assertThat(first.out() + first.err()).doesNotContain(masterKey);

    Run second = run("quickstart", "--data-dir", dataDir.toString());
    assertThat(second.exitCode()).as(second.err()).isZero();
    assertThat(second.out()).contains("(reused").contains("'quickstart-key', reused");
  }

  @Test
  void quickstart_masterKeyFileReadableByOthers_isRefusedWithTheFix() throws Exception {
    Path keyFile = dataDir.resolve("local-master-key.txt");
    Files.writeString(keyFile, java.util.Base64.getEncoder().encodeToString(new byte[96]));
    Files.setPosixFilePermissions(keyFile, PosixFilePermissions.fromString("rw-r--r--"));

    Run run = run("quickstart", "--data-dir", dataDir.toString());

    assertThat(run.exitCode()).isEqualTo(Fle4jCommand.INVALID_INPUT);
    assertThat(run.err()).contains("can be read or written by other users").contains("chmod 600 " + keyFile);
  }

  @Test
  void quickstart_masterKeyFileOfWrongLength_isRefused() throws Exception {
    Path keyFile = dataDir.resolve("local-master-key.txt");
    Files.createFile(keyFile, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    Files.writeString(keyFile, java.util.Base64.getEncoder().encodeToString(new byte[95]));

    Run run = run("quickstart", "--data-dir", dataDir.toString());

    assertThat(run.exitCode()).isEqualTo(Fle4jCommand.INVALID_INPUT);
    assertThat(run.err()).contains("95 bytes").contains("96 bytes");
  }

  @Test
  void help_listsQuickstartAndExitCodes() {
    Run run = run("--help");
    assertThat(run.exitCode()).isZero();
    assertThat(run.out()).contains("quickstart").contains("Exit codes:");
    assertThat(run("quickstart", "--help").out()).contains("--uri").contains("--data-dir");
  }

  @Test
  void unknownOption_exitsWithUsageError() {
    Run run = run("quickstart", "--nope");
    assertThat(run.exitCode()).isEqualTo(Fle4jCommand.INVALID_INPUT);
    assertThat(run.err()).contains("--nope");
  }
}
