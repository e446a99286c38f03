package io.fle4j.cli;

import com.mongodb.client.model.vault.EncryptOptions;
import io.fle4j.Algorithm;
import io.fle4j.ConfigurationException;
import java.util.Base64;
import java.util.concurrent.Callable;
import org.bson.BsonBinary;
import org.bson.BsonBinarySubType;
import org.bson.BsonDocument;
import org.bson.BsonString;
import org.bson.BsonValue;
import org.bson.json.JsonParseException;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code fle4j encrypt} and {@code fle4j decrypt}: one value, for scripts. */
final class ValueCommands {
  private ValueCommands() {}

  /** The algorithm names the command accepts. */
  enum AlgorithmName {
    deterministic(Algorithm.DETERMINISTIC), random(Algorithm.RANDOM);

    final Algorithm algorithm;

    AlgorithmName(Algorithm algorithm) {
      this.algorithm = algorithm;
    }
  }

  static final class KeyChoice {
    @Option(names = "--key-id", paramLabel = "UUID", required = true, description = "The data key's id.")
    String keyId;

    @Option(names = "--key-alt-name", paramLabel = "NAME", required = true, description = "The data key's alternate name.")
    String keyAltName;
  }

  @Command(name = "encrypt", mixinStandardHelpOptions = true,
      description = {"Encrypts one value and prints the ciphertext as base64 (or, with --output"
          + " json, as extended JSON)."})
  static final class Encrypt implements Callable<Integer> {
    @Mixin ConnectionOptions connection;
    @Mixin OutputOptions output;
    @Spec picocli.CommandLine.Model.CommandSpec spec;

    @ArgGroup(exclusive = true, multiplicity = "1")
    KeyChoice key;

    @Option(names = "--algorithm", paramLabel = "ALG", defaultValue = "random",
        description = "deterministic (queryable by equality) or random. Default: ${DEFAULT-VALUE}.")
    AlgorithmName algorithm;

    @Option(names = "--json", description = "Read VALUE as a JSON value (e.g. 42, {\"a\": 1}) instead of a string.")
    boolean json;

    @Parameters(paramLabel = "VALUE", description = "The value.")
    String value;

    @Override
    public Integer call() throws Exception {
      BsonValue plaintext = json ? parseValue(value) : new BsonString(value);
      try (CliContext context = CliContext.open(connection)) {
        EncryptOptions options = new EncryptOptions(algorithm.algorithm.specName());
        if (key.keyId != null) {
          options.keyId(Keys.binaryId(key.keyId, "--key-id"));
        } else {
          options.keyAltName(key.keyAltName);
        }
        BsonBinary ciphertext = context.encryption.encrypt(plaintext, options);
        if (output.json()) {
          Output.json(spec.commandLine().getOut(), ciphertext);
        } else {
          spec.commandLine().getOut().println(Base64.getEncoder().encodeToString(ciphertext.getData()));
        }
      }
      return 0;
    }
  }

  @Command(name = "decrypt", mixinStandardHelpOptions = true,
      description = {"Decrypts one value given as base64 (as printed by encrypt) or as extended"
          + " JSON, and prints it as JSON (a string prints without quotes in table output)."})
  static final class Decrypt implements Callable<Integer> {
    @Mixin ConnectionOptions connection;
    @Mixin OutputOptions output;
    @Spec picocli.CommandLine.Model.CommandSpec spec;

    @Parameters(paramLabel = "CIPHERTEXT", description = "base64, or {\"$binary\": ...}.")
    String ciphertext;

    @Override
    public Integer call() throws Exception {
      BsonBinary binary = parseCiphertext(ciphertext);
      try (CliContext context = CliContext.open(connection)) {
        BsonValue plaintext = context.encryption.decrypt(binary);
        if (!output.json() && plaintext.isString()) {
          spec.commandLine().getOut().println(plaintext.asString().getValue());
        } else {
          Output.json(spec.commandLine().getOut(), plaintext);
        }
      }
      return 0;
    }
  }

  static BsonValue parseValue(String json) {
    try {
      return BsonDocument.parse("{\"v\": " + json + "}").get("v");
    } catch (JsonParseException | org.bson.BsonInvalidOperationException e) {
      throw new ConfigurationException("VALUE", JsonErrors.describe(json, "a JSON value"));
    }
  }

  static BsonBinary parseCiphertext(String text) {
    String trimmed = text.strip();
    if (trimmed.startsWith("{")) {
      BsonValue value = parseValue(trimmed);
      if (!value.isBinary()) {
        throw new ConfigurationException("CIPHERTEXT", "must be a binary, got " + value.getBsonType());
      }
      return value.asBinary();
    }
    try {
      return new BsonBinary(BsonBinarySubType.ENCRYPTED, Base64.getDecoder().decode(trimmed));
    } catch (IllegalArgumentException e) {
      throw new ConfigurationException("CIPHERTEXT", "is neither base64 nor extended JSON");
    }
  }
}
