package io.fle4j.cli;

import com.mongodb.client.model.vault.RewrapManyDataKeyOptions;
import io.fle4j.ConfigurationException;
import io.fle4j.KeyVaultVerifier;
import io.fle4j.kms.KmsProvider;
import io.fle4j.kms.KmsProviderName;
import io.fle4j.kms.aws.AwsKmsProvider;
import io.fle4j.kms.aws.AwsMasterKeyAdmin;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.bson.BsonArray;
import org.bson.BsonBoolean;
import org.bson.BsonDocument;
import org.bson.BsonString;
import org.bson.BsonValue;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code fle4j kms rotate}: master-key rotation in the KMS itself. */
@Command(name = "kms", mixinStandardHelpOptions = true,
    description = "Operations on master keys in the KMS.",
    subcommands = {KmsCommand.Rotate.class})
final class KmsCommand {

  @Command(name = "rotate", mixinStandardHelpOptions = true,
      description = {"Rotates an AWS KMS master key behind an alias: creates a new KMS key, points"
          + " the alias at it, and rewraps every data key whose master key is the alias or the old"
          + " key (they then name the new key's ARN). With --on-demand, asks AWS KMS to rotate the key's"
          + " material instead (RotateKeyOnDemand) and rewraps those data keys under the new"
          + " material. The old key is left enabled: every key stays readable throughout.",
          "IAM: kms:DescribeKey; kms:CreateKey and kms:UpdateAlias (alias, old and new key), or"
              + " kms:RotateKeyOnDemand and kms:ListKeyRotations; kms:Decrypt on the old key and"
              + " kms:Encrypt on the new one."})
  static final class Rotate implements Callable<Integer> {
    @Mixin ConnectionOptions connection;
    @Mixin OutputOptions output;
    @Spec picocli.CommandLine.Model.CommandSpec spec;

    @Option(names = "--provider", required = true, paramLabel = "NAME",
        description = "An AWS KMS provider: aws or aws:<name>.")
    String provider;

    @Option(names = "--alias", required = true, paramLabel = "ALIAS",
        description = "alias/<name>, or the alias ARN.")
    String alias;

    @Option(names = "--region", paramLabel = "REGION",
        description = "The alias's region. Default: from an alias ARN, or the current provider's master key.")
    String region;

    @Option(names = "--endpoint", paramLabel = "HOST[:PORT]",
        description = "A KMS endpoint other than the region's. Default: the current provider's master key's.")
    String endpoint;

    @Option(names = "--on-demand", description = "Rotate the key's material in place (RotateKeyOnDemand).")
    boolean onDemand;

    @Option(names = "--wait", paramLabel = "SECONDS", defaultValue = "300",
        description = "With --on-demand: how long to wait for AWS to finish the rotation. Default: ${DEFAULT-VALUE}.")
    int waitSeconds;

    @Option(names = "--dry-run", description = "Show the plan; change nothing in the KMS or the key vault.")
    boolean dryRun;

    @Override
    public Integer call() throws Exception {
      KmsProviderName name = providerName();
      try (CliContext context = CliContext.open(connection)) {
        if (!dryRun) {
          // Before any KMS call: a new key and a moved alias with no rewrap would be half a job.
          context.requireWritable("kms rotate");
        }
        KmsProvider standalone = context.standaloneProvider(provider, "--provider");
        if (!(standalone instanceof AwsKmsProvider aws)) {
          throw new ConfigurationException("--provider", "'" + provider + "' is not an AWS KMS"
              + " provider built by fle4j-kms-aws");
        }
        AwsMasterKeyAdmin admin = aws.admin();
        BsonDocument aliasKey = aws.masterKey(location(context));
        aliasKey.remove("provider");
        String oldKeyArn = admin.keyArn(aliasKey);
        String aliasName = admin.aliasName(aliasKey);
        String[] arn = oldKeyArn.split(":", 6);
        String aliasArn = "arn:aws:kms:" + arn[3] + ":" + arn[4] + ":" + aliasName;
        List<BsonValue> names = List.of(new BsonString(aliasName), new BsonString(aliasArn),
            new BsonString(oldKeyArn), new BsonString(arn[5].substring("key/".length())));
        // Alias names are regional: only keys of the alias's region are its keys.
        List<BsonDocument> keys = context.keyVault().find(new BsonDocument("masterKey.provider",
            new BsonString(name.toString())).append("masterKey.region", aliasKey.get("region"))
            .append("masterKey.key", new BsonDocument("$in", new BsonArray(names))))
            .into(new ArrayList<>());

        String newKeyArn = null;
        if (!dryRun) {
          if (onDemand) {
            int before = admin.rotationCount(aliasKey);
            admin.rotateKeyMaterial(aliasKey);
            awaitRotation(admin, aliasKey, before);
          } else {
            newKeyArn = admin.createKey(aliasKey,
                AwsMasterKeyAdmin.replacementDescription(aliasName, oldKeyArn, Instant.now()));
            admin.pointAlias(aliasKey, newKeyArn);
          }
          if (!keys.isEmpty()) {
            // To the new key's ARN, not the alias: AWS propagates alias changes eventually, so
            // Encrypt through the alias could still reach the old key. A key ARN also makes the
            // provider check, on every unwrap, that AWS used exactly that key.
            RewrapManyDataKeyOptions options = onDemand ? new RewrapManyDataKeyOptions()
                : new RewrapManyDataKeyOptions().provider(name.toString())
                    .masterKey(admin.sameLocation(aliasKey, newKeyArn));
            try {
              context.encryption.rewrapManyDataKey(byIds(keys), options);
            } catch (RuntimeException e) {
              // The KMS side is done and the old key still unwraps every data key: say how to finish.
              throw new IllegalStateException("the KMS side is done (" + (onDemand
                  ? "material rotated" : aliasName + " now points at " + newKeyArn) + "), but the"
                  + " rewrap failed: " + e.getMessage() + ". Every data key is still readable"
                  + " under " + oldKeyArn + ", which stays enabled. Finish with: fle4j keys rewrap"
                  + " --filter '" + byIds(keys).toJson() + "'" + (onDemand ? ""
                      : " --to-provider " + provider + " --master-key '"
                          + admin.sameLocation(aliasKey, newKeyArn).toJson() + "'"),
                  e);
            }
          }
        }
        Map<String, KeyVaultVerifier.KeyStatus> checked = new HashMap<>();
        if (!dryRun && !keys.isEmpty()) {
          KeyVaultVerifier.of(context.encryption).verify(byIds(keys), 8).keys()
              .forEach(k -> checked.put(k.id(), k));
        }
        print(context, keys, aliasName, oldKeyArn, newKeyArn, checked);
        boolean allReadable = checked.values().stream()
            .allMatch(k -> k.readability() == KeyVaultVerifier.Readability.READABLE);
        return allReadable ? 0 : Fle4jCommand.FAILED;
      }
    }

    private KmsProviderName providerName() {
      KmsProviderName name;
      try {
        name = KmsProviderName.parse(provider);
      } catch (IllegalArgumentException e) {
        throw new ConfigurationException("--provider", e.getMessage());
      }
      if (!name.type().equals("aws")) {
        throw new ConfigurationException("--provider", "kms rotate works with AWS KMS providers"
            + " (aws, aws:<name>), got '" + provider + "'; for other KMSs, create the new master"
            + " key there and run fle4j keys rewrap --to-provider or --to-current");
      }
      if (waitSeconds < 0) {
        throw new ConfigurationException("--wait", "must be 0 or more seconds, got " + waitSeconds);
      }
      return name;
    }

    /** {region, key: alias, endpoint}, filling region and endpoint from the current provider. */
    private BsonDocument location(CliContext context) {
      CurrentProvider current = context.config.currentProvider;
      BsonDocument defaults = current != null && current.name().equals(provider)
          ? current.masterKey() : new BsonDocument();
      BsonDocument location = new BsonDocument();
      String theRegion = region != null ? region
          : defaults.isString("region") ? defaults.getString("region").getValue() : null;
      if (theRegion == null && !alias.startsWith("arn:")) {
        throw new ConfigurationException("--region", "is required when --alias is a name"
            + " (alias/<name>) and the current provider's master key has no region; or give"
            + " the alias ARN");
      }
      if (theRegion != null) {
        location.append("region", new BsonString(theRegion));
      }
      if (!alias.startsWith("alias/") && !(alias.startsWith("arn:") && alias.contains(":alias/"))) {
        throw new ConfigurationException("--alias", "must be alias/<name> or an alias ARN, got '"
            + alias + "'");
      }
      location.append("key", new BsonString(alias));
      String theEndpoint = endpoint != null ? endpoint
          : defaults.isString("endpoint") ? defaults.getString("endpoint").getValue() : null;
      if (theEndpoint != null) {
        location.append("endpoint", new BsonString(theEndpoint));
      }
      return location;
    }

    /** AWS finishes on-demand rotations asynchronously: rewrapping earlier would use old material. */
    private void awaitRotation(AwsMasterKeyAdmin admin, BsonDocument aliasKey, int before)
        throws InterruptedException {
      Instant deadline = Instant.now().plus(Duration.ofSeconds(waitSeconds));
      while (admin.rotationCount(aliasKey) <= before) {
        if (Instant.now().isAfter(deadline)) {
          throw new IllegalStateException("AWS KMS has not finished rotating the key's material"
              + " after " + waitSeconds + " s; nothing was rewrapped. When it has (aws kms"
              + " list-key-rotations), rewrap with: fle4j keys rewrap --filter"
              + " '{\"masterKey.provider\": \"" + provider + "\"}'");
        }
        Thread.sleep(1000);
      }
    }

    private static BsonDocument byIds(List<BsonDocument> keys) {
      return new BsonDocument("_id", new BsonDocument("$in", new BsonArray(
          keys.stream().map(k -> k.get("_id")).toList())));
    }

    private void print(CliContext context, List<BsonDocument> keys, String aliasName,
        String oldKeyArn, String newKeyArn, Map<String, KeyVaultVerifier.KeyStatus> checked) {
      PrintWriter out = spec.commandLine().getOut();
      Map<String, BsonDocument> after = new HashMap<>();
      if (!dryRun && !keys.isEmpty()) {
        context.keyVault().find(byIds(keys)).forEach(k -> after.put(Keys.id(k), k));
      }
      if (output.json()) {
        BsonArray rows = new BsonArray();
        for (BsonDocument key : keys) {
          String id = Keys.id(key);
          BsonDocument row = new BsonDocument("_id", new BsonString(id))
              .append("before", key.getDocument("masterKey"));
          if (after.containsKey(id)) {
            row.append("after", after.get(id).getDocument("masterKey"));
          }
          if (checked.containsKey(id)) {
            row.append("readable", BsonBoolean.valueOf(
                checked.get(id).readability() == KeyVaultVerifier.Readability.READABLE));
          }
          rows.add(row);
        }
        BsonDocument result = new BsonDocument("provider", new BsonString(provider))
            .append("alias", new BsonString(aliasName))
            .append("oldKey", new BsonString(oldKeyArn))
            .append("mode", new BsonString(onDemand ? "on-demand" : "new-key"))
            .append("dryRun", BsonBoolean.valueOf(dryRun))
            .append("keys", rows);
        if (newKeyArn != null) {
          result.append("newKey", new BsonString(newKeyArn));
        }
        Output.json(out, result);
        return;
      }
      List<String[]> fields = new ArrayList<>();
      fields.add(new String[] {"alias", aliasName});
      fields.add(new String[] {"old key", oldKeyArn});
      fields.add(new String[] {onDemand ? "material" : "new key", dryRun
          ? (onDemand ? "would be rotated (RotateKeyOnDemand)" : "would be created, and the alias pointed at it")
          : (onDemand ? "rotated" : newKeyArn)});
      Output.fields(out, fields);
      out.println();
      Output.table(out, List.of("id", "keyAltNames", "master key before", "after", "readable"),
          keys.stream().map(key -> {
            String id = Keys.id(key);
            BsonDocument before = key.getDocument("masterKey");
            BsonDocument now = after.containsKey(id) ? after.get(id).getDocument("masterKey") : null;
            KeyVaultVerifier.KeyStatus status = checked.get(id);
            return List.of(id, String.join(",", Keys.altNames(key)),
                before.getString("key").getValue(),
                now == null ? "(dry run)" : now.getString("key").getValue(),
                status == null ? "" : status.readability() == KeyVaultVerifier.Readability.READABLE
                    ? "yes" : "NO: " + status.detail());
          }).toList());
      out.println((dryRun ? "Would rewrap " : "Rewrapped ") + keys.size() + " data key(s)"
          + (onDemand ? " under the rotated material." : " under the new key behind " + aliasName + "."));
    }
  }
}
