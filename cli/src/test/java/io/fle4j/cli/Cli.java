package io.fle4j.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import picocli.CommandLine;

/** Runs fle4j commands in-process against a MongoDB, with a configuration file of its own. */
final class Cli {
  record Run(int exitCode, String out, String err) {
    @Override
    public String toString() {
      return "exit " + exitCode + "\n--- out\n" + out + "--- err\n" + err;
    }
  }

  final String uri;
  final Path config;
  final Map<String, String> env;

  Cli(String uri, Path config, Map<String, String> env) {
    this.uri = uri;
    this.config = config;
    this.env = env;
  }

  /** A config with local and local:b master keys kept in private key files beside it. */
  static Cli withLocalKeys(String uri, Path dir, String extraConfig) throws IOException {
    for (String name : List.of("a", "b")) {
      Path file = dir.resolve("key-" + name + ".txt");
      byte[] key = new byte[96];
      new SecureRandom().nextBytes(key);
      Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      Files.writeString(file, Base64.getEncoder().encodeToString(key));
    }
    Path config = dir.resolve("fle4j.json");
    Files.writeString(config, """
        {"kmsProviders": {"local": {"keyFile": "key-a.txt"}, "local:b": {"keyFile": "key-b.txt"}}%s}
        """.formatted(extraConfig));
    return new Cli(uri, config, Map.of());
  }

  Run run(String... args) {
    List<String> all = new ArrayList<>(List.of(args));
    if (all.size() > 0 && !all.contains("--help")) {
      all.addAll(List.of("--uri", uri, "--config", config.toString()));
    }
    return raw(all.toArray(new String[0]));
  }

  Run raw(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine commandLine = Fle4jCommand.newCommandLine(env::get);
    commandLine.setOut(new PrintWriter(out, true));
    commandLine.setErr(new PrintWriter(err, true));
    int exitCode = commandLine.execute(args);
    return new Run(exitCode, out.toString(), err.toString());
  }
}
