package io.fle4j.cli;

import com.mongodb.MongoNamespace;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.vault.EncryptOptions;
import com.mongodb.client.vault.ClientEncryption;
import io.fle4j.Algorithm;
import io.fle4j.ConfigurationException;
import io.fle4j.SchemaEncryptor;
import java.io.PrintWriter;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.function.UnaryOperator;
import org.bson.BsonArray;
import org.bson.BsonBinary;
import org.bson.BsonDocument;
import org.bson.BsonString;
import org.bson.BsonValue;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code fle4j collection encrypt | rotate | decrypt}: rewrite existing data in place. */
@Command(name = "collection", mixinStandardHelpOptions = true,
    description = {"Encrypt existing plaintext fields, re-encrypt fields under new data keys, or"
        + " decrypt them back. Batched, resumable after a crash (a checkpoint is kept in the"
        + " database), verified before each write, and safe next to a running application: a"
        + " document changed meanwhile is re-read, never overwritten."},
    subcommands = {CollectionCommand.Encrypt.class, CollectionCommand.Rotate.class,
        CollectionCommand.Decrypt.class})
final class CollectionCommand {

  /** Options and the run/print logic shared by the three jobs. */
  abstract static class BulkCommand implements Callable<Integer> {
    @Mixin ConnectionOptions connection;
    @Mixin OutputOptions output;
    @Spec picocli.CommandLine.Model.CommandSpec spec;

    @Option(names = "--namespace", required = true, paramLabel = "DB.COLL", description = "The collection.")
    String namespace;

    @Option(names = "--batch-size", paramLabel = "N", defaultValue = "500",
        description = "Documents per batch and checkpoint. Default: ${DEFAULT-VALUE}.")
    int batchSize;

    @Option(names = "--dry-run", description = "Read, transform and verify, but write nothing.")
    boolean dryRun;

    @Option(names = "--job-id", paramLabel = "ID",
        description = "Name of the checkpoint; by default derived from the command and its options,"
            + " so running the same command again resumes it.")
    String jobId;

    @Option(names = "--restart", description = "Ignore an unfinished checkpoint and start from the beginning.")
    boolean restart;

    abstract String kind();

    /** The options that make two runs the same job. */
    abstract String jobParameters();

    abstract UnaryOperator<BsonDocument> transform(CliContext context, MongoNamespace ns);

    /** Options that do not change what the job writes (how it runs, where it connects). */
    private static final java.util.Set<String> NOT_PARAMETERS = java.util.Set.of("--job-id",
        "--restart", "--batch-size", "--dry-run", "--output", "--uri", "--config", "--help");

    /**
     * Everything that changes what this job writes: the command, the namespace, every option
     * given, and what the options point at (a schema read from a file or the configuration).
     */
    BsonDocument parameters(CliContext context, MongoNamespace ns) {
      BsonDocument parameters = new BsonDocument("command", new BsonString(kind()))
          .append("namespace", new BsonString(ns.getFullName()));
      for (picocli.CommandLine.Model.OptionSpec option
          : spec.commandLine().getParseResult().matchedOptions()) {
        if (!NOT_PARAMETERS.contains(option.longestName())) {
          Object value = option.getValue(); // an Object: String.valueOf(char[]) would be chosen
          parameters.append(option.longestName(), new BsonString(java.util.Objects.toString(value)));
        }
      }
      BsonDocument schema = effectiveSchema(context, ns);
      if (schema != null) {
        parameters.append("schema", schema);
      }
      return parameters;
    }

    /** The schema the job applies when it comes from a file or the configuration; else null. */
    BsonDocument effectiveSchema(CliContext context, MongoNamespace ns) {
      return null;
    }

    private static String fingerprint(BsonDocument parameters) {
      try {
        byte[] digest = java.security.MessageDigest.getInstance("SHA-256")
            .digest(parameters.toJson().getBytes(StandardCharsets.UTF_8));
        return java.util.HexFormat.of().formatHex(digest, 0, 4);
      } catch (java.security.NoSuchAlgorithmException e) {
        throw new IllegalStateException(e);
      }
    }

    @Override
    public Integer call() throws Exception {
      if (batchSize < 1) {
        throw new ConfigurationException("--batch-size", "must be at least 1, got " + batchSize);
      }
      MongoNamespace ns = namespace(namespace);
      try (CliContext context = CliContext.open(connection)) {
        MongoCollection<BsonDocument> collection = context.client.getDatabase(ns.getDatabaseName())
            .getCollection(ns.getCollectionName(), BsonDocument.class);
        MongoCollection<BsonDocument> checkpoints = context.client.getDatabase(ns.getDatabaseName())
            .getCollection("fle4j_jobs", BsonDocument.class);
        if (!context.client.getDatabase(ns.getDatabaseName()).listCollectionNames()
            .into(new ArrayList<>()).contains(ns.getCollectionName())) {
          // A typo would otherwise "succeed" on zero documents.
          throw new ConfigurationException("--namespace", "the collection " + ns.getFullName()
              + " does not exist");
        }
        BsonDocument parameters = parameters(context, ns);
        // The default name covers every parameter, so a different job never resumes this one's
        // checkpoint; a --job-id reused with other parameters is refused by the job itself.
        String id = jobId != null ? jobId : kind() + " " + ns.getFullName() + jobParameters()
            + " #" + fingerprint(parameters);
        BulkRewriteJob job = new BulkRewriteJob(collection, checkpoints, id, transform(context, ns),
            Ciphertexts.verifier(context.encryption), batchSize, dryRun, parameters);
        PrintWriter err = spec.commandLine().getErr();
        BulkRewriteJob.Summary summary = job.run(
            Progress.forTerminalOrLog("collection " + kind() + " " + ns.getFullName(), err), restart);
        print(summary);
        return summary.failed() > 0 ? Fle4jCommand.PARTIAL_FAILURE : 0;
      }
    }

    private void print(BulkRewriteJob.Summary summary) {
      PrintWriter out = spec.commandLine().getOut();
      if (output.json()) {
        Output.json(out, summary.toDocument());
        return;
      }
      List<String[]> fields = new ArrayList<>();
      fields.add(new String[] {"job", summary.jobId() + (summary.resumed() ? " (resumed)" : "")
          + (summary.dryRun() ? " (dry run: nothing written)" : "")});
      fields.add(new String[] {"scanned", String.format("%,d", summary.scanned())});
      fields.add(new String[] {summary.dryRun() ? "would change" : "changed", String.format("%,d", summary.changed())});
      fields.add(new String[] {"skipped", String.format("%,d (nothing to do)", summary.skipped())});
      fields.add(new String[] {"failed", String.format("%,d", summary.failed())});
      fields.add(new String[] {"time", String.format("%.1f s", summary.elapsed().toMillis() / 1000.0)});
      Output.fields(out, fields);
      for (String failure : summary.failures()) {
        out.println("  failed: " + failure);
      }
    }
  }

  @Command(name = "encrypt", mixinStandardHelpOptions = true,
      description = {"Encrypts plaintext fields in place: the fields named with --field (and"
          + " --key-alt-name or --key-id), or those a CSFLE JSON schema marks. Fields already"
          + " encrypted are left as they are."})
  static final class Encrypt extends BulkCommand {
    @Option(names = "--schema", paramLabel = "FILE",
        description = "A CSFLE JSON schema file; default: the configuration's schemas[namespace].")
    Path schema;

    @Option(names = "--field", paramLabel = "PATH=ALG[:TYPE]",
        description = {"A field to encrypt (repeatable): ssn=deterministic (a string),"
            + " age=deterministic:int, notes=random. Types: string, int, long, date, objectId,"
            + " binData. Needs --key-alt-name or --key-id."})
    List<String> fields = new ArrayList<>();

    @Option(names = "--key-alt-name", paramLabel = "NAME", description = "The data key for --field.")
    String keyAltName;

    @Option(names = "--key-id", paramLabel = "UUID", description = "The data key for --field.")
    String keyId;

    @Override
    String kind() {
      return "encrypt";
    }

    @Override
    String jobParameters() {
      return "";
    }

    @Override
    BsonDocument effectiveSchema(CliContext context, MongoNamespace ns) {
      if (!fields.isEmpty()) {
        return null; // the --field options are parameters already
      }
      try {
        return schema != null
            ? BsonDocument.parse(Files.readString(schema, StandardCharsets.UTF_8))
            : context.config.schemas.containsKey(ns.getFullName())
                ? context.config.schemas.getDocument(ns.getFullName()) : null;
      } catch (java.io.IOException e) {
        throw new ConfigurationException("--schema", "cannot read " + schema + ": " + e.getMessage());
      }
    }

    @Override
    UnaryOperator<BsonDocument> transform(CliContext context, MongoNamespace ns) {
      if (!fields.isEmpty()) {
        return SchemaEncryptor.of(ns.getFullName(), schemaFromFields(context), context.encryption)::encrypt;
      }
      if (keyAltName != null || keyId != null) {
        throw new ConfigurationException("--key-alt-name", "is used with --field");
      }
      BsonDocument jsonSchema = effectiveSchema(context, ns);
      if (jsonSchema == null) {
        throw new ConfigurationException("--schema", "no schema for " + ns.getFullName()
            + ": pass --schema FILE or add it to the configuration's schemas");
      }
      SchemaEncryptor encryptor = SchemaEncryptor.of(ns.getFullName(), jsonSchema, context.encryption);
      if (!encryptor.hasEncryptedFields()) {
        throw new ConfigurationException("--schema", "the schema for " + ns.getFullName() + " encrypts no field");
      }
      return encryptor::encrypt;
    }
    /** Builds a CSFLE schema from {@code --field path=algorithm[:type]} options. */
    private BsonDocument schemaFromFields(CliContext context) {
      if ((keyAltName == null) == (keyId == null)) {
        throw new ConfigurationException("--field", "needs exactly one of --key-alt-name and --key-id");
      }
      if (schema != null) {
        throw new ConfigurationException("--field", "cannot be combined with --schema");
      }
      BsonBinary key = Keys.find(context, keyId != null ? keyId : keyAltName).getBinary("_id");
      BsonDocument root = new BsonDocument();
      for (String field : fields) {
        java.util.regex.Matcher m = java.util.regex.Pattern
            .compile("([^=]+)=(deterministic|random)(?::(\\w+))?").matcher(field);
        if (!m.matches()) {
          throw new ConfigurationException("--field", "must look like ssn=deterministic,"
              + " age=deterministic:int or notes=random; got '" + field + "'");
        }
        BsonDocument encrypt = new BsonDocument("algorithm", new org.bson.BsonString(
            (m.group(2).equals("deterministic") ? Algorithm.DETERMINISTIC : Algorithm.RANDOM).specName()))
            .append("keyId", new BsonArray(List.of(key)));
        if (m.group(2).equals("deterministic") || m.group(3) != null) {
          encrypt.put("bsonType", new org.bson.BsonString(m.group(3) == null ? "string" : m.group(3)));
        }
        // Only the fields of an object can be encrypted, so every level says it is one.
        BsonDocument node = root;
        node.putIfAbsent("bsonType", new org.bson.BsonString("object"));
        String[] parts = m.group(1).split("\\.");
        for (int i = 0; i < parts.length - 1; i++) {
          BsonDocument properties = (BsonDocument) node.computeIfAbsent("properties", k -> new BsonDocument());
          node = (BsonDocument) properties.computeIfAbsent(parts[i],
              k -> new BsonDocument("bsonType", new org.bson.BsonString("object")));
        }
        ((BsonDocument) node.computeIfAbsent("properties", k -> new BsonDocument()))
            .put(parts[parts.length - 1], new BsonDocument("encrypt", encrypt));
      }
      return root;
    }
  }

  static final class TargetKey {
    @Option(names = "--to-key-id", paramLabel = "UUID", required = true, description = "The new data key's id.")
    String keyId;

    @Option(names = "--to-key-alt-name", paramLabel = "NAME", required = true, description = "The new data key's alternate name.")
    String keyAltName;

    @Option(names = "--to-current", required = true, description = "The newest data key under the"
        + " configuration's currentProvider; values whose key is already under it are left alone.")
    boolean current;
  }

  @Command(name = "rotate", mixinStandardHelpOptions = true,
      description = {"Re-encrypts encrypted values under another data key (same algorithm), for"
          + " example before deleting the old key. Values already under the new key are left alone."})
  static final class Rotate extends BulkCommand {
    @ArgGroup(exclusive = true, multiplicity = "1")
    TargetKey target;

    @Option(names = "--from-key", paramLabel = "KEY",
        description = "Only values encrypted with this key (id or alternate name); default: any other key.")
    String fromKey;

    @Option(names = "--field", paramLabel = "PATH", description = "Only these fields (repeatable); default: all.")
    List<String> fields = new ArrayList<>();

    @Override
    String kind() {
      return "rotate";
    }

    @Override
    String jobParameters() {
      return " to " + (target.current ? "current" : target.keyId != null ? target.keyId : target.keyAltName)
          + (fromKey == null ? "" : " from " + fromKey) + (fields.isEmpty() ? "" : " fields " + fields);
    }

    /** The key --to-current resolved to, once per run: the job records and uses the same one. */
    private BsonDocument currentKey;

    /** With --to-current, the key it resolved to is part of the job: a newer one is a new job. */
    @Override
    BsonDocument parameters(CliContext context, MongoNamespace ns) {
      BsonDocument parameters = super.parameters(context, ns);
      if (target.current) {
        parameters.append("toKey", new org.bson.BsonString(Keys.id(newestCurrentKey(context))));
      }
      return parameters;
    }

    /**
     * The most recently created key under the current provider. By creation, not update: a
     * rewrap updates every key it moves, which says nothing about which key is meant for data.
     */
    private BsonDocument newestCurrentKey(CliContext context) {
      if (currentKey != null) {
        return currentKey;
      }
      CurrentProvider current = context.currentProvider("--to-current");
      BsonDocument newest = context.keyVault().find(current.heldFilter())
          .sort(new BsonDocument("creationDate", new org.bson.BsonInt32(-1))
              .append("_id", new org.bson.BsonInt32(-1))).limit(1).first();
      if (newest == null) {
        throw new ConfigurationException("--to-current", "no data key is under the current"
            + " provider (" + current.describe() + "); create one first: fle4j keys create");
      }
      currentKey = newest;
      return newest;
    }

    @Override
    UnaryOperator<BsonDocument> transform(CliContext context, MongoNamespace ns) {
      ClientEncryption encryption = context.encryption;
      UUID to = Ciphertexts.uuid((target.current ? newestCurrentKey(context)
          : Keys.find(context, target.keyId != null ? target.keyId : target.keyAltName))
          .getBinary("_id"));
      UUID from = fromKey == null ? null : Ciphertexts.uuid(Keys.find(context, fromKey).getBinary("_id"));
      java.util.function.Predicate<UUID> alreadyThere = target.current
          ? keysUnderCurrent(context)::contains : to::equals;
      BsonBinary toId = new BsonBinary(to, org.bson.UuidRepresentation.STANDARD);
      return document -> Ciphertexts.map(document, fields, ciphertext -> {
        UUID key = Ciphertexts.keyId(ciphertext);
        if (alreadyThere.test(key) || (from != null && !key.equals(from))) {
          return ciphertext;
        }
        Algorithm algorithm = Algorithm.ofCiphertext(ciphertext).orElseThrow();
        return encryption.encrypt(encryption.decrypt(ciphertext),
            new EncryptOptions(algorithm.specName()).keyId(toId));
      });
    }

    /** Ids of the keys under the current provider, read once when the job starts. */
    private static java.util.Set<UUID> keysUnderCurrent(CliContext context) {
      CurrentProvider current = context.currentProvider("--to-current");
      java.util.Set<UUID> ids = new java.util.HashSet<>();
      for (BsonDocument key : context.keyVault().find(current.heldFilter())) {
        ids.add(Ciphertexts.uuid(key.getBinary("_id")));
      }
      return ids;
    }
  }

  @Command(name = "decrypt", mixinStandardHelpOptions = true,
      description = {"Decrypts encrypted values back to plaintext, in place: the way back."})
  static final class Decrypt extends BulkCommand {
    @Option(names = "--field", paramLabel = "PATH", description = "Only these fields (repeatable); default: all.")
    List<String> fields = new ArrayList<>();

    @Override
    String kind() {
      return "decrypt";
    }

    @Override
    String jobParameters() {
      return fields.isEmpty() ? "" : " fields " + fields;
    }

    @Override
    UnaryOperator<BsonDocument> transform(CliContext context, MongoNamespace ns) {
      return document -> Ciphertexts.map(document, fields, context.encryption::decrypt);
    }
  }

  static MongoNamespace namespace(String text) {
    int dot = text.indexOf('.');
    if (dot <= 0 || dot == text.length() - 1) {
      throw new ConfigurationException("--namespace", "must be 'database.collection', got '" + text + "'");
    }
    return new MongoNamespace(text);
  }

  /** Walking documents for CSFLE ciphertexts. */
  static final class Ciphertexts {
    private Ciphertexts() {}

    /** A CSFLE ciphertext long enough to hold its key id (rotate reads it before decrypting). */
    static boolean isCiphertext(BsonValue value) {
      return Algorithm.ofCiphertext(value).isPresent() && value.asBinary().getData().length > 17;
    }

    static UUID keyId(BsonBinary ciphertext) {
      ByteBuffer bytes = ByteBuffer.wrap(ciphertext.getData(), 1, 16);
      return new UUID(bytes.getLong(), bytes.getLong());
    }

    static UUID uuid(BsonBinary id) {
      ByteBuffer bytes = ByteBuffer.wrap(id.getData());
      return new UUID(bytes.getLong(), bytes.getLong());
    }

    /** A copy of the document with {@code f} applied to every ciphertext under the given paths. */
    static BsonDocument map(BsonDocument document, List<String> fields,
        java.util.function.Function<BsonBinary, BsonValue> f) {
      return mapDocument(document, "", fields, f);
    }

    private static BsonDocument mapDocument(BsonDocument document, String prefix, List<String> fields,
        java.util.function.Function<BsonBinary, BsonValue> f) {
      BsonDocument out = new BsonDocument();
      for (Map.Entry<String, BsonValue> field : document.entrySet()) {
        String path = prefix.isEmpty() ? field.getKey() : prefix + "." + field.getKey();
        out.put(field.getKey(), mapValue(field.getValue(), path, fields, f));
      }
      return out;
    }

    private static BsonValue mapValue(BsonValue value, String path, List<String> fields,
        java.util.function.Function<BsonBinary, BsonValue> f) {
      if (isCiphertext(value)) {
        return selected(path, fields) ? f.apply(value.asBinary()) : value;
      }
      if (value.isDocument()) {
        return mapDocument(value.asDocument(), path, fields, f);
      }
      if (value.isArray()) {
        BsonArray out = new BsonArray();
        int i = 0;
        for (BsonValue element : value.asArray()) {
          out.add(mapValue(element, path + "." + i++, fields, f));
        }
        return out;
      }
      return value;
    }

    private static boolean selected(String path, List<String> fields) {
      return fields.isEmpty() || fields.stream().anyMatch(f -> path.equals(f) || path.startsWith(f + "."));
    }

    /** A rewrite is right when both sides decrypt to the same value. */
    static BulkRewriteJob.Verifier verifier(ClientEncryption encryption) {
      return (path, oldValue, newValue) -> {
        BsonValue before = plaintext(oldValue, encryption);
        BsonValue after = plaintext(newValue, encryption);
        if (!before.equals(after)) {
          throw new IllegalStateException("verification failed for '" + path
              + "': the rewritten value does not decrypt to the original");
        }
      };
    }

    private static BsonValue plaintext(BsonValue value, ClientEncryption encryption) {
      if (isCiphertext(value)) {
        return encryption.decrypt(value.asBinary());
      }
      if (value.isDocument()) {
        return mapDocument(value.asDocument(), "", List.of(), encryption::decrypt);
      }
      if (value.isArray()) {
        return mapValue(value, "", List.of(), encryption::decrypt);
      }
      return value;
    }
  }
}
