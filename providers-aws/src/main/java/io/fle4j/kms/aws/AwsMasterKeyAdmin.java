package io.fle4j.kms.aws;

import io.fle4j.kms.KmsProviderName;
import java.time.Instant;
import java.util.List;
import java.util.function.Function;
import org.bson.BsonDocument;
import org.bson.BsonString;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.awssdk.services.kms.model.RotationsListEntry;

/**
 * What an operator does to AWS KMS master keys, with a provider's credentials, TLS, timeouts and
 * retries: find the key an alias points at, create a key, re-point an alias, rotate a key's
 * material. Master keys are named as in a key document ({@code {region, key, endpoint?}}); the
 * calls go to that region and endpoint. Get one from {@link AwsKmsProvider#admin()}.
 *
 * <p>IAM permissions, per method: {@link #keyArn} {@code kms:DescribeKey}; {@link #createKey}
 * {@code kms:CreateKey}; {@link #pointAlias} {@code kms:UpdateAlias} on the alias and on both the
 * old and the new key; {@link #rotateKeyMaterial} {@code kms:RotateKeyOnDemand}; {@link
 * #rotationCount} {@code kms:ListKeyRotations}.
 */
public final class AwsMasterKeyAdmin {
  private final KmsProviderName name;
  private final Function<AwsMasterKey, KmsClient> clients;
  private final AwsKmsProvider provider;

  AwsMasterKeyAdmin(AwsKmsProvider provider, KmsProviderName name,
      Function<AwsMasterKey, KmsClient> clients) {
    this.provider = provider;
    this.name = name;
    this.clients = clients;
  }

  /**
   * The ARN of the key a master key names: the key itself, or the key its alias points at now.
   *
   * @param masterKey {@code {region, key, endpoint?}}; {@code key} may be an alias
   */
  public String keyArn(BsonDocument masterKey) {
    AwsMasterKey key = AwsMasterKey.parse(name, masterKey);
    return call("DescribeKey", key, client -> client.describeKey(r -> r.keyId(key.key()))
        .keyMetadata().arn());
  }

  /**
   * Creates a symmetric encryption key in the master key's region (and endpoint).
   *
   * @param description stored with the key, for whoever looks at it in the AWS console
   * @return the new key's ARN
   */
  public String createKey(BsonDocument masterKey, String description) {
    AwsMasterKey key = AwsMasterKey.parse(name, masterKey);
    return call("CreateKey", key, client -> client.createKey(r -> r.description(description)
        .keyUsage("ENCRYPT_DECRYPT").keySpec("SYMMETRIC_DEFAULT")).keyMetadata().arn());
  }

  /**
   * Points an existing alias at another key of the same account and region.
   *
   * @param aliasMasterKey {@code {region, key: "alias/<name>" or an alias ARN, endpoint?}}
   * @param targetKeyArn the key the alias is to name from now on
   */
  public void pointAlias(BsonDocument aliasMasterKey, String targetKeyArn) {
    AwsMasterKey key = AwsMasterKey.parse(name, aliasMasterKey);
    String alias = aliasName(key);
    call("UpdateAlias", key, client -> client.updateAlias(r -> r.aliasName(alias)
        .targetKeyId(targetKeyArn)));
  }

  /**
   * Asks AWS KMS to rotate the key's material now (RotateKeyOnDemand). The key keeps its id and
   * ARN; data keys wrapped before still unwrap, with the old material. AWS completes the rotation
   * asynchronously: {@link #rotationCount} grows by one when it is done.
   *
   * @param masterKey names the key by id or ARN, or by an alias (resolved first)
   */
  public void rotateKeyMaterial(BsonDocument masterKey) {
    AwsMasterKey key = AwsMasterKey.parse(name, masterKey);
    String keyArn = keyArn(masterKey);
    call("RotateKeyOnDemand", key, client -> client.rotateKeyOnDemand(r -> r.keyId(keyArn)));
  }

  /** How many rotations of the key's material AWS KMS lists as completed. */
  public int rotationCount(BsonDocument masterKey) {
    AwsMasterKey key = AwsMasterKey.parse(name, masterKey);
    String keyArn = keyArn(masterKey);
    return call("ListKeyRotations", key, client -> {
      int count = 0;
      for (List<RotationsListEntry> page : client.listKeyRotationsPaginator(r -> r.keyId(keyArn))
          .stream().map(p -> p.rotations()).toList()) {
        count += page.size();
      }
      return count;
    });
  }

  /** The master key document for {@code keyArn} in the same region and endpoint. */
  public BsonDocument sameLocation(BsonDocument masterKey, String keyArn) {
    AwsMasterKey key = AwsMasterKey.parse(name, masterKey);
    BsonDocument out = new BsonDocument("region", new BsonString(key.region()))
        .append("key", new BsonString(keyArn));
    if (key.endpoint() != null) {
      out.append("endpoint", new BsonString(key.endpoint()));
    }
    return out;
  }

  /** A description for a key that replaces {@code oldKeyArn} behind an alias. */
  public static String replacementDescription(String alias, String oldKeyArn, Instant now) {
    return "fle4j: replaces " + oldKeyArn + " behind " + alias + " since " + now;
  }

  /**
   * The alias a master key names, as {@code alias/<name>} (from an alias name or an alias ARN).
   *
   * @throws io.fle4j.ConfigurationException when the master key names a key, not an alias
   */
  public String aliasName(BsonDocument masterKey) {
    return aliasName(AwsMasterKey.parse(name, masterKey));
  }

  private static String aliasName(AwsMasterKey key) {
    return switch (key.form()) {
      case ALIAS_NAME -> key.key();
      case ALIAS_ARN -> key.key().substring(key.key().indexOf(":alias/") + 1);
      default -> throw new io.fle4j.ConfigurationException("masterKey.key",
          "must be an alias (alias/<name> or an alias ARN) to point it at another key, got "
              + key.describe());
    };
  }

  private <T> T call(String operation, AwsMasterKey key, Function<KmsClient, T> call) {
    try {
      return call.apply(clients.apply(key));
    } catch (SdkException e) {
      throw provider.failure(operation, key, e);
    }
  }

  @Override
  public String toString() {
    return "AwsMasterKeyAdmin{" + name + "}";
  }
}
