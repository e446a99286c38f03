package io.fle4j.cli;

import java.util.List;
import java.util.concurrent.Callable;
import org.bson.BsonDocument;
import org.bson.BsonString;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Spec;

/** {@code fle4j keyvault init}. */
@Command(name = "keyvault", mixinStandardHelpOptions = true,
    description = "Set up the key vault collection.",
    subcommands = {KeyVaultCommand.Init.class})
final class KeyVaultCommand {

  @Command(name = "init", mixinStandardHelpOptions = true,
      description = {"Creates the key vault's unique index on keyAltNames (with the partial filter"
          + " the MongoDB documentation requires). Safe to run again."})
  static final class Init implements Callable<Integer> {
    @Mixin ConnectionOptions connection;
    @Mixin OutputOptions output;
    @Spec picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
      try (CliContext context = CliContext.open(connection)) {
        String index = KeyVaultIndex.ensure(context.keyVault());
        if (output.json()) {
          Output.json(spec.commandLine().getOut(), new BsonDocument("keyVault",
              new BsonString(context.keyVaultNamespace)).append("index", new BsonString(index)));
        } else {
          Output.fields(spec.commandLine().getOut(), List.of(
              new String[] {"key vault", context.keyVaultNamespace},
              new String[] {"index", index + " (unique on keyAltNames, partial: keyAltNames exists)"}));
        }
      }
      return 0;
    }
  }
}
