package io.fle4j.cli;

import io.fle4j.KeyVaultVerifier;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.bson.BsonArray;
import org.bson.BsonBoolean;
import org.bson.BsonDocument;
import org.bson.BsonInt64;
import org.bson.BsonNull;
import org.bson.BsonString;
import org.bson.BsonValue;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code fle4j keyvault init | verify}. */
@Command(name = "keyvault", mixinStandardHelpOptions = true,
    description = "Set up and verify the key vault collection.",
    subcommands = {KeyVaultCommand.Init.class, KeyVaultCommand.Verify.class})
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
        context.requireWritable("keyvault init");
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

  @Command(name = "verify", mixinStandardHelpOptions = true,
      description = {"Unwraps every data key with its KMS (in parallel, bounded), checks each key"
          + " document's shape against what libmongocrypt accepts, the unique keyAltNames index and"
          + " alternate names shared by several keys. Exit 0 only when all is fine, 5 otherwise."})
  static final class Verify implements Callable<Integer> {
    @Mixin ConnectionOptions connection;
    @Mixin OutputOptions output;
    @Spec picocli.CommandLine.Model.CommandSpec spec;

    @Option(names = "--filter", paramLabel = "JSON", description = "Only keys matching this query.")
    String filter;

    @Option(names = "--parallel", paramLabel = "N", defaultValue = "8",
        description = "At most N KMS calls at once. Default: ${DEFAULT-VALUE}.")
    int parallel;

    @Override
    public Integer call() throws Exception {
      if (parallel < 1) {
        throw new io.fle4j.ConfigurationException("--parallel", "must be at least 1, got " + parallel);
      }
      try (CliContext context = CliContext.open(connection)) {
        KeyVaultVerifier.Report report = KeyVaultVerifier.of(context.encryption).verify(
            filter == null ? new BsonDocument() : KeysCommand.KeyCommand.parseJson(filter, "--filter"),
            parallel);
        PrintWriter out = spec.commandLine().getOut();
        if (output.json()) {
          Output.json(out, toDocument(context.keyVaultNamespace, report));
        } else {
          print(out, context.keyVaultNamespace, report);
        }
        return report.allFine() ? 0 : Fle4jCommand.KEY_VAULT_PROBLEMS;
      }
    }

    private static BsonDocument toDocument(String namespace, KeyVaultVerifier.Report report) {
      BsonArray keys = new BsonArray();
      for (KeyVaultVerifier.KeyStatus key : report.keys()) {
        BsonDocument doc = new BsonDocument("_id", new BsonString(key.id()))
            .append("keyAltNames", new BsonArray(key.keyAltNames().stream()
                .map(n -> (BsonValue) new BsonString(n)).toList()))
            .append("provider", key.provider() == null ? BsonNull.VALUE : new BsonString(key.provider()))
            .append("status", new BsonString(key.readability().name().toLowerCase(Locale.ROOT)));
        if (key.detail() != null) {
          doc.append("reason", new BsonString(key.detail()));
        }
        keys.add(doc);
      }
      BsonDocument shared = new BsonDocument();
      report.sharedAltNames().forEach((name, ids) -> shared.append(name,
          new BsonArray(ids.stream().map(id -> (BsonValue) new BsonString(id)).toList())));
      return new BsonDocument("keyVault", new BsonString(namespace))
          .append("ok", BsonBoolean.valueOf(report.allFine()))
          .append("readable", new BsonInt64(report.count(KeyVaultVerifier.Readability.READABLE)))
          .append("unreadable", new BsonInt64(report.count(KeyVaultVerifier.Readability.UNREADABLE)))
          .append("malformed", new BsonInt64(report.count(KeyVaultVerifier.Readability.MALFORMED)))
          .append("indexProblem", report.indexProblem() == null ? BsonNull.VALUE
              : new BsonString(report.indexProblem()))
          .append("sharedAltNames", shared)
          .append("keys", keys);
    }

    private static void print(PrintWriter out, String namespace, KeyVaultVerifier.Report report) {
      Output.table(out, List.of("id", "keyAltNames", "provider", "status", "reason"),
          report.keys().stream().map(k -> List.of(k.id(), String.join(",", k.keyAltNames()),
              k.provider() == null ? "" : k.provider(),
              k.readability().name().toLowerCase(Locale.ROOT),
              k.detail() == null ? "" : k.detail())).toList());
      out.println();
      List<String[]> fields = new ArrayList<>();
      fields.add(new String[] {"key vault", namespace});
      fields.add(new String[] {"readable", String.valueOf(report.count(KeyVaultVerifier.Readability.READABLE))});
      fields.add(new String[] {"unreadable", String.valueOf(report.count(KeyVaultVerifier.Readability.UNREADABLE))});
      fields.add(new String[] {"malformed", String.valueOf(report.count(KeyVaultVerifier.Readability.MALFORMED))});
      fields.add(new String[] {"keyAltNames index",
          report.indexProblem() == null ? "ok (unique, partial)" : report.indexProblem()});
      fields.add(new String[] {"shared alt names", report.sharedAltNames().isEmpty() ? "none"
          : report.sharedAltNames().entrySet().stream().map(e -> "'" + e.getKey() + "' on "
              + String.join(", ", e.getValue())).collect(java.util.stream.Collectors.joining("; "))});
      Output.fields(out, fields);
      out.println(report.allFine() ? "All keys are readable." : "Problems found.");
    }
  }
}
