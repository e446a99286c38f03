package io.fle4j.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code fle4j} command.
 *
 * <p>Exit codes: 0 success; 1 the operation failed (a KMS, key vault or MongoDB error); 2 the
 * command line or configuration is invalid.
 */
@Command(
    name = "fle4j",
    mixinStandardHelpOptions = true,
    versionProvider = Fle4jCommand.Version.class,
    description = "Client-side field-level encryption for MongoDB, in pure Java.",
    subcommands = {QuickstartCommand.class, KeyVaultCommand.class, KeysCommand.class,
        ValueCommands.Encrypt.class, ValueCommands.Decrypt.class, CollectionCommand.class,
        KmsCommand.class,
        CommandLine.HelpCommand.class},
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
        "0:success",
        "1:the operation failed (KMS, key vault or MongoDB error)",
        "2:invalid command line or configuration",
        "3:a bulk job finished, but some documents failed (see its summary)",
        "4:cancelled (a confirmation was declined)",
        "5:keyvault verify found keys that cannot be read or are malformed, or alternate-name problems"})
public final class Fle4jCommand implements Runnable {
  /** Exit code for a failed operation. */
  static final int FAILED = 1;
  /** Exit code for invalid input. */
  static final int INVALID_INPUT = 2;
  /** Exit code for a bulk job that completed with failed documents. */
  static final int PARTIAL_FAILURE = 3;
  /** Exit code for a declined confirmation. */
  static final int CANCELLED = 4;
  /** Exit code for a key vault that verification found problems in. */
  static final int KEY_VAULT_PROBLEMS = 5;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  /** Where ${NAME} in the configuration file is looked up. */
  final java.util.function.Function<String, String> environment;

  private Fle4jCommand(java.util.function.Function<String, String> environment) {
    this.environment = environment;
  }

  public static void main(String[] args) {
    System.exit(newCommandLine().execute(args));
  }

  /** The command line with fle4j's error handling, on the process's environment. */
  public static CommandLine newCommandLine() {
    return newCommandLine(System::getenv);
  }

  /** The command line on a given environment; tests drive it directly. */
  static CommandLine newCommandLine(java.util.function.Function<String, String> environment) {
    CommandLine commandLine = new CommandLine(new Fle4jCommand(environment));
    commandLine.setExecutionExceptionHandler(new ErrorHandler());
    return commandLine;
  }

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  /** Prints a failure as one clear line instead of a stack trace, and picks the exit code. */
  static final class ErrorHandler implements CommandLine.IExecutionExceptionHandler {
    @Override
    public int handleExecutionException(
        Exception e, CommandLine commandLine, CommandLine.ParseResult parseResult) {
      boolean invalidInput = e instanceof io.fle4j.ConfigurationException
          || e instanceof IllegalArgumentException
          || e instanceof io.fle4j.DataKeyNotFoundException;
      commandLine.getErr().println("fle4j: " + e.getMessage());
      return invalidInput ? INVALID_INPUT : FAILED;
    }
  }

  /** Reads the version from the jar manifest when there is one. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String version = Fle4jCommand.class.getPackage().getImplementationVersion();
      return new String[] {"fle4j " + (version == null ? "(development build)" : version)};
    }
  }
}
