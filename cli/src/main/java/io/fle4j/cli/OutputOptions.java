package io.fle4j.cli;

import picocli.CommandLine.Option;

/** {@code --output table|json}. */
final class OutputOptions {
  enum Format { table, json }

  @Option(names = "--output", paramLabel = "FORMAT", defaultValue = "table",
      description = "table (for people) or json (for scripts). Default: ${DEFAULT-VALUE}.")
  Format output = Format.table;

  boolean json() {
    return output == Format.json;
  }
}
