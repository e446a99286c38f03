package io.fle4j.it.unified;

import io.fle4j.kms.KmsProvider;
import io.fle4j.kms.KmsProviderException;
import io.fle4j.kms.KmsProviderName;
import io.fle4j.kms.aws.AwsKmsProvider;
import io.fle4j.kms.azure.AzureKmsProvider;
import io.fle4j.kms.gcp.GcpKmsProvider;
import org.bson.BsonDocument;

/**
 * Stands in for an AWS, Azure or GCP provider whose test file asks for real credentials
 * ({@code $$placeholder}) that this environment does not have. The spec tests' key documents were
 * wrapped by MongoDB's real cloud keys, so no emulator could unwrap them.
 *
 * <p>{@link #masterKey} is validation only (no KMS call): it is delegated to the real provider
 * type built with dummy credentials, so that a case expecting an invalid master key to be refused
 * is still checked. {@link #encryptDataKey} and {@link #decryptDataKey} record the call in {@link
 * StandInKmsCalls} and throw; the runner then aborts the case, whatever happened, so that this
 * refusal can never satisfy an expected error.
 */
final class CloudKmsStandIn implements KmsProvider {
  private final KmsProviderName name;
  private final KmsProvider validator;
  private final StandInKmsCalls calls;

  CloudKmsStandIn(KmsProviderName name, StandInKmsCalls calls) {
    this.name = name;
    this.calls = calls;
    this.validator = validatorFor(name);
  }

  /** Whether a stand-in exists for this provider type. */
  static boolean covers(KmsProviderName name) {
    return switch (name.type()) {
      case "aws", "azure", "gcp" -> true;
      default -> false;
    };
  }

  private static KmsProvider validatorFor(KmsProviderName name) {
    String text = name.toString();
    return switch (name.type()) {
      // Dummy credentials: these instances only validate master keys, they never call the KMS.
      case "aws" -> AwsKmsProvider.builder().name(text).credentials("stand-in", "stand-in").build();
      case "azure" -> AzureKmsProvider.builder().name(text).accessToken("stand-in").build();
      case "gcp" -> GcpKmsProvider.builder().name(text).accessToken("stand-in").build();
      default -> throw new IllegalArgumentException("no cloud KMS stand-in for " + name);
    };
  }

  @Override
  public KmsProviderName name() {
    return name;
  }

  @Override
  public BsonDocument masterKey(BsonDocument dataKeyOptsMasterKey) {
    return validator.masterKey(dataKeyOptsMasterKey);
  }

  @Override
  public byte[] encryptDataKey(BsonDocument masterKey, byte[] dataKey) {
    throw refuse("wrap a data key");
  }

  @Override
  public byte[] decryptDataKey(BsonDocument masterKey, byte[] keyMaterial) {
    throw refuse("unwrap a data key");
  }

  private KmsProviderException refuse(String what) {
    calls.record(name.toString());
    return new KmsProviderException(name, false, "test stand-in asked to " + what
        + ": this needs real " + name.type() + " credentials");
  }

  @Override
  public void close() {
    validator.close();
  }

  @Override
  public String toString() {
    return "CloudKmsStandIn{" + name + "}";
  }
}
