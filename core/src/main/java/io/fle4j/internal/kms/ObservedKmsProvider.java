package io.fle4j.internal.kms;

import io.fle4j.EncryptionEvent.KmsOperation;
import io.fle4j.internal.events.Events;
import io.fle4j.kms.KmsAttempts;
import io.fle4j.kms.KmsProvider;
import io.fle4j.kms.KmsProviderName;
import java.util.function.Supplier;
import org.bson.BsonDocument;

/**
 * A provider whose KMS calls are reported to the event listener: start, end, duration and
 * outcome, with the master key named by its (non-secret) key-document fields. Used only when
 * someone listens, so an unobserved client calls its providers directly.
 */
final class ObservedKmsProvider implements KmsProvider {
  private final KmsProvider provider;
  private final Events events;
  private final String name;

  ObservedKmsProvider(KmsProvider provider, Events events) {
    this.provider = provider;
    this.events = events;
    this.name = provider.name().toString();
  }

  @Override
  public KmsProviderName name() {
    return provider.name();
  }

  @Override
  public BsonDocument masterKey(BsonDocument dataKeyOptsMasterKey) {
    return provider.masterKey(dataKeyOptsMasterKey);
  }

  @Override
  public byte[] encryptDataKey(BsonDocument masterKey, byte[] dataKey) {
    return observed(KmsOperation.ENCRYPT, masterKey,
        () -> provider.encryptDataKey(masterKey, dataKey));
  }

  @Override
  public byte[] decryptDataKey(BsonDocument masterKey, byte[] keyMaterial) {
    return observed(KmsOperation.DECRYPT, masterKey,
        () -> provider.decryptDataKey(masterKey, keyMaterial));
  }

  /** Runs one KMS call between its start and end events. */
  private byte[] observed(KmsOperation operation, BsonDocument masterKey, Supplier<byte[]> call) {
    String reference = keyReference(masterKey);
    long id = events.kmsRequestStarted(name, operation, reference);
    long start = System.nanoTime();
    int[] attempts = {0};
    try {
      byte[] result = KmsAttempts.counting(call, sent -> attempts[0] = sent);
      events.kmsRequestEnded(id, name, operation, reference, start, null, attempts[0]);
      return result;
    } catch (RuntimeException | Error e) {
      events.kmsRequestEnded(id, name, operation, reference, start, e, attempts[0]);
      throw e;
    }
  }

  @Override
  public void close() {
    provider.close();
  }

  @Override
  public String toString() {
    return "Observed[" + provider + "]";
  }

  /** The master key document without {@code provider}: region, key ARN, vault, key name... */
  static String keyReference(BsonDocument masterKey) {
    if (masterKey == null) {
      return "";
    }
    BsonDocument reference = masterKey.clone();
    reference.remove("provider");
    return reference.isEmpty() ? "" : reference.toJson();
  }
}
