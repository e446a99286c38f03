package io.fle4j.cli;

import com.mongodb.client.model.vault.DataKeyOptions;
import com.mongodb.client.model.vault.RewrapManyDataKeyOptions;
import com.mongodb.client.model.vault.RewrapManyDataKeyResult;
import io.fle4j.ConfigurationException;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.bson.BsonBinary;
import org.bson.BsonDocument;
import org.bson.BsonInt32;
import org.bson.BsonString;
import org.bson.json.JsonParseException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code fle4j keys ...}: data key management. */
@Command(name = "keys", mixinStandardHelpOptions = true,
    description = "Create, list, show, name, delete and rewrap data keys.",
    subcommands = {KeysCommand.Create.class, KeysCommand.ListKeys.class, KeysCommand.Show.class,
        KeysCommand.AddAltName.class, KeysCommand.RemoveAltName.class, KeysCommand.Delete.class,
        KeysCommand.Rewrap.class})
final class KeysCommand {

  /** Base of the key commands: options and the print helpers. */
  abstract static class KeyCommand implements Callable<Integer> {
    @Mixin ConnectionOptions connection;
    @Mixin OutputOptions output;
    @Spec picocli.CommandLine.Model.CommandSpec spec;

    PrintWriter out() {
      return spec.commandLine().getOut();
    }

    void printKey(BsonDocument key) {
      if (output.json()) {
        Output.json(out(), Keys.view(key));
      } else {
        Output.table(out(), Keys.HEADERS, List.of(Keys.row(key)));
      }
    }

    static BsonDocument parseJson(String json, String option) {
      try {
        return BsonDocument.parse(json);
      } catch (JsonParseException | org.bson.BsonInvalidOperationException e) {
        throw new ConfigurationException(option, JsonErrors.describe(json, "a JSON document"));
      }
    }
  }

  @Command(name = "create", mixinStandardHelpOptions = true, description = "Creates a data key.")
  static final class Create extends KeyCommand {
    @Option(names = "--provider", paramLabel = "NAME",
        description = "KMS provider, such as local, aws or aws:prod. Default: the configuration's"
            + " currentProvider, with its master key.")
    String provider;

    @Option(names = "--alt-name", paramLabel = "NAME", description = "An alternate name (repeatable).")
    List<String> altNames = new ArrayList<>();

    @Option(names = "--master-key", paramLabel = "JSON",
        description = "The master key document, e.g. '{\"region\": \"us-east-1\", \"key\": \"arn:...\"}'.")
    String masterKey;

    @Override
    public Integer call() throws Exception {
      try (CliContext context = CliContext.open(connection)) {
        context.requireWritable("createDataKey");
        // Before any key is written, so two keys can never come to share a name.
        KeyVaultIndex.ensure(context.keyVault());
        DataKeyOptions options = new DataKeyOptions().keyAltNames(altNames);
        if (masterKey != null) {
          options.masterKey(parseJson(masterKey, "--master-key"));
        }
        String target = provider != null ? provider : context.currentProvider("--provider").name();
        BsonBinary id = context.encryption.createDataKey(target, options);
        printKey(context.encryption.getKey(id));
      }
      return 0;
    }
  }

  @Command(name = "list", mixinStandardHelpOptions = true, description = "Lists data keys.")
  static final class ListKeys extends KeyCommand {
    @Option(names = "--filter", paramLabel = "JSON", description = "A key vault query, e.g. '{\"masterKey.provider\": \"local\"}'.")
    String filter;

    @Override
    public Integer call() throws Exception {
      try (CliContext context = CliContext.open(connection)) {
        List<BsonDocument> keys = context.keyVault()
            .find(filter == null ? new BsonDocument() : parseJson(filter, "--filter"))
            .into(new ArrayList<>());
        CurrentProvider current = context.config.currentProvider;
        if (output.json()) {
          Output.jsonArray(out(), keys.stream().map(key -> current == null ? Keys.view(key)
              : Keys.view(key).append("underCurrentProvider",
                  org.bson.BsonBoolean.valueOf(current.holds(key)))).toList());
        } else if (current == null) {
          Output.table(out(), Keys.HEADERS, keys.stream().map(Keys::row).toList());
        } else {
          // Which keys a `keys rewrap --to-current` would still move.
          List<String> headers = new ArrayList<>(Keys.HEADERS);
          headers.add("current");
          Output.table(out(), headers, keys.stream().map(key -> {
            List<String> row = new ArrayList<>(Keys.row(key));
            row.add(current.holds(key) ? "yes" : "no");
            return row;
          }).toList());
          long behind = keys.stream().filter(k -> !current.holds(k)).count();
          out().println(behind == 0 ? "All keys are under the current provider ("
              + current.describe() + ")." : behind + " key(s) not yet under the current provider ("
              + current.describe() + "): fle4j keys rewrap --to-current");
        }
      }
      return 0;
    }
  }

  @Command(name = "show", mixinStandardHelpOptions = true, description = "Shows one data key.")
  static final class Show extends KeyCommand {
    @Parameters(paramLabel = "KEY", description = "The key's id (UUID) or one of its alternate names.")
    String key;

    @Override
    public Integer call() throws Exception {
      try (CliContext context = CliContext.open(connection)) {
        BsonDocument found = Keys.find(context, key);
        if (output.json()) {
          Output.json(out(), Keys.view(found));
        } else {
          BsonDocument view = Keys.view(found);
          List<String[]> fields = new ArrayList<>();
          view.forEach((name, value) -> fields.add(new String[] {name,
              value.isString() ? value.asString().getValue() : Output.inline(value)}));
          Output.fields(out(), fields);
        }
      }
      return 0;
    }
  }

  /** Adds or removes one alternate name, then shows the key. */
  abstract static class AltNameCommand extends KeyCommand {
    @Parameters(index = "0", paramLabel = "KEY", description = "The key's id or alternate name.")
    String key;

    @Parameters(index = "1", paramLabel = "NAME", description = "The alternate name.")
    String name;

    abstract void apply(com.mongodb.client.vault.ClientEncryption encryption, BsonBinary id, String name);

    @Override
    public Integer call() throws Exception {
      try (CliContext context = CliContext.open(connection)) {
        BsonBinary id = Keys.find(context, key).getBinary("_id");
        apply(context.encryption, id, name);
        printKey(context.encryption.getKey(id));
      }
      return 0;
    }
  }

  @Command(name = "add-alt-name", mixinStandardHelpOptions = true, description = "Adds an alternate name to a key.")
  static final class AddAltName extends AltNameCommand {
    @Override
    void apply(com.mongodb.client.vault.ClientEncryption encryption, BsonBinary id, String name) {
      encryption.addKeyAltName(id, name);
    }
  }

  @Command(name = "remove-alt-name", mixinStandardHelpOptions = true, description = "Removes an alternate name from a key.")
  static final class RemoveAltName extends AltNameCommand {
    @Override
    void apply(com.mongodb.client.vault.ClientEncryption encryption, BsonBinary id, String name) {
      encryption.removeKeyAltName(id, name);
    }
  }

  @Command(name = "delete", mixinStandardHelpOptions = true,
      description = {"Deletes a data key. Everything encrypted with it becomes unreadable for good"
          + " (crypto-shredding). Asks for confirmation unless --yes."})
  static final class Delete extends KeyCommand {
    @Parameters(paramLabel = "KEY", description = "The key's id or alternate name.")
    String key;

    @Option(names = "--yes", description = "Do not ask for confirmation.")
    boolean yes;

    @Override
    public Integer call() throws Exception {
      try (CliContext context = CliContext.open(connection)) {
        BsonDocument found = Keys.find(context, key);
        String id = Keys.id(found);
        PrintWriter err = spec.commandLine().getErr();
        if (!yes) {
          err.println("Deleting data key " + id + " makes every value encrypted with it unreadable,"
              + " for good (crypto-shredding).");
          if (System.console() == null && !Boolean.getBoolean("fle4j.cli.interactive")) {
            err.println("Not a terminal: pass --yes to delete without asking.");
            return Fle4jCommand.CANCELLED;
          }
          err.print("Type the key id to confirm: ");
          err.flush();
          String answer = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
          if (answer == null || !answer.strip().equals(id)) {
            err.println("Not deleted.");
            return Fle4jCommand.CANCELLED;
          }
        }
        long deleted = context.encryption.deleteKey(found.getBinary("_id")).getDeletedCount();
        if (output.json()) {
          Output.json(out(), new BsonDocument("deleted", new BsonString(id)).append("count", new BsonInt32((int) deleted)));
        } else {
          out().println("Deleted data key " + id + ".");
        }
      }
      return 0;
    }
  }

  @Command(name = "rewrap", mixinStandardHelpOptions = true,
      description = {"Rotates the master key: re-wraps data keys under another master key (or their"
          + " own). The data keys themselves, and so all encrypted data, stay as they are."})
  static final class Rewrap extends KeyCommand {
    @Option(names = "--filter", paramLabel = "JSON", description = "Which keys; default: all.")
    String filter;

    @Option(names = "--to-provider", paramLabel = "NAME", description = "The KMS provider to wrap them with.")
    String toProvider;

    @Option(names = "--master-key", paramLabel = "JSON", description = "The new master key document.")
    String masterKey;

    @Option(names = "--to-current", description = "Rewrap every key not yet under the"
        + " configuration's currentProvider (and its master key) under it.")
    boolean toCurrent;

    @Option(names = "--dry-run", description = "Show which keys would be rewrapped; change nothing.")
    boolean dryRun;

    @Option(names = "--destroy-old", description = "After the rewrap, revoke and destroy the KMIP"
        + " objects the keys were wrapped under, once no key in the vault uses them. Copies of"
        + " the key vault made before (backups) can then no longer be read.")
    boolean destroyOld;

    @Override
    public Integer call() throws IOException {
      if (masterKey != null && toProvider == null) {
        throw new ConfigurationException("--master-key", "requires --to-provider");
      }
      if (destroyOld && toProvider == null && !toCurrent) {
        throw new ConfigurationException("--destroy-old", "needs --to-provider or --to-current:"
            + " a rewrap under each key's own master key leaves no KMIP object unused");
      }
      if (toCurrent && toProvider != null) {
        throw new ConfigurationException("--to-current", "cannot be combined with --to-provider:"
            + " the current provider is the target");
      }
      try (CliContext context = CliContext.open(connection)) {
        BsonDocument query = filter == null ? new BsonDocument() : parseJson(filter, "--filter");
        String target = toProvider;
        BsonDocument targetMasterKey = masterKey == null ? null : parseJson(masterKey, "--master-key");
        if (toCurrent) {
          CurrentProvider current = context.currentProvider("--to-current");
          targetMasterKey = current.masterKey();
          query = new BsonDocument("$and", new org.bson.BsonArray(
              List.of(query, current.notHeldFilter())));
          target = current.name(); // its master key is the default CliContext configured
        }
        List<BsonDocument> keys = context.keyVault().find(query).into(new ArrayList<>());
        // The keys listed are the keys rewrapped, and shown again afterwards, by id.
        BsonDocument chosen = new BsonDocument("_id", new BsonDocument("$in", new org.bson.BsonArray(
            keys.stream().map(k -> (org.bson.BsonValue) k.get("_id")).toList())));
        long modified = 0;
        if (!dryRun && !keys.isEmpty()) {
          RewrapManyDataKeyOptions options = new RewrapManyDataKeyOptions().provider(target);
          if (masterKey != null) {
            options.masterKey(targetMasterKey);
          }
          RewrapManyDataKeyResult result = context.encryption.rewrapManyDataKey(chosen, options);
          modified = result.getBulkWriteResult() == null ? 0 : result.getBulkWriteResult().getModifiedCount();
        }
        List<String[]> retired = destroyOld
            ? KmipRetirement.retire(context, keys, targetMasterKey, dryRun) : List.of();
        if (output.json()) {
          org.bson.BsonArray objects = new org.bson.BsonArray();
          retired.forEach(r -> objects.add(new BsonDocument("provider", new BsonString(r[0]))
              .append("keyId", new BsonString(r[1])).append("result", new BsonString(r[2]))));
          Output.json(out(), new BsonDocument("matched", new BsonInt32(keys.size()))
              .append("rewrapped", new BsonInt32((int) modified))
              .append("dryRun", org.bson.BsonBoolean.valueOf(dryRun))
              .append("kmipObjects", objects));
        } else {
          Output.table(out(), Keys.HEADERS, (dryRun || keys.isEmpty() ? keys
              : context.keyVault().find(chosen).into(new ArrayList<BsonDocument>())).stream().map(Keys::row).toList());
          out().println((dryRun ? "Would rewrap " : "Rewrapped ") + (dryRun ? keys.size() : modified)
              + " of " + keys.size() + " matching key(s)" + (target == null ? " under their own master key." : " under " + target + "."));
          for (String[] object : retired) {
            out().println("KMIP object " + object[1] + " (" + object[0] + "): " + object[2]);
          }
        }
      }
      return 0;
    }
  }
}
