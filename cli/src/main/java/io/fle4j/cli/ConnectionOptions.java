package io.fle4j.cli;

import java.nio.file.Path;
import java.util.function.Function;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** Where the data and the keys are; flags override the configuration file. */
final class ConnectionOptions {
  @Spec(Spec.Target.MIXEE)
  CommandSpec command;

  /** The environment for ${NAME} substitution: the process's, or what a test gave the root command. */
  Function<String, String> environment() {
    Object root = command == null ? null : command.root().userObject();
    return root instanceof Fle4jCommand fle4j ? fle4j.environment : System::getenv;
  }

  @Option(names = "--config", paramLabel = "FILE",
      description = "Configuration file (JSON). Default: $FLE4J_CONFIG, else ./fle4j.json if present.")
  Path config;

  @Option(names = "--uri", paramLabel = "URI",
      description = "MongoDB connection string, or embedded:DIR for the embedded stand-in."
          + " Default: the configuration's uri, else embedded:fle4j-data (the quickstart's).")
  String uri;

  @Option(names = "--key-vault-uri", paramLabel = "URI",
      description = "Connection string of the key vault's MongoDB, when it is not --uri.")
  String keyVaultUri;

  @Option(names = "--key-vault-namespace", paramLabel = "DB.COLL",
      description = "The key vault collection. Default: encryption.__keyVault.")
  String keyVaultNamespace;
}
