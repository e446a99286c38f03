package io.fle4j;

import java.time.Duration;
import java.util.UUID;

/**
 * What fle4j tells an {@link EncryptionEventListener}: KMS calls, data-key cache activity, key
 * lifecycle changes, automatic-encryption refusals and decryption failures. Events carry names,
 * ids and timings; never key material, credentials or plaintext.
 */
public sealed interface EncryptionEvent {

  /** Which way a KMS call went. */
  enum KmsOperation {
    /** Wrapping a data key under a master key (createDataKey, rewrap). */
    ENCRYPT,
    /** Unwrapping a data key (every cache miss that loads a key, rewrap). */
    DECRYPT
  }

  /** How an operation ended. */
  enum Outcome {
    SUCCESS,
    FAILURE
  }

  /**
   * A KMS call is starting. Paired with the {@link KmsRequest} that has the same {@code id}.
   *
   * @param id identifies this call in the process
   * @param provider the provider's full name, such as {@code aws} or {@code aws:prod}
   * @param keyReference the master key the call names (its key document fields other than
   *     {@code provider}; no secret)
   */
  record KmsRequestStarted(long id, String provider, KmsOperation operation, String keyReference)
      implements EncryptionEvent {}

  /**
   * A KMS call ended.
   *
   * @param duration from start to end, retries included
   * @param outcome how the call ended
   * @param failure what went wrong ({@code null} on success): the exception's type and message,
   *     which fle4j keeps free of secrets
   * @param attempts requests sent to the KMS, the first and each retry; 0 when the provider does
   *     not report them (a local master key sends none)
   */
  record KmsRequest(long id, String provider, KmsOperation operation, String keyReference,
      Duration duration, Outcome outcome, String failure, int attempts)
      implements EncryptionEvent {}

  /** What happened in the data-key cache. */
  enum CacheActivity {
    /** A value needed a key and found it cached. */
    HIT,
    /** A value needed a key that was not cached: it is loaded (key vault, then KMS). */
    MISS,
    /** A load ended (see {@link DataKeyCache#outcome()}). */
    LOAD,
    /** A key left the cache: it expired, was invalidated (deleted, rewrapped) or replaced. */
    EVICTION
  }

  /**
   * Data-key cache activity.
   *
   * @param keyId the key, when known (a miss by alternate name does not know it yet)
   * @param keyAltName the alternate name it was asked by, or null
   * @param duration how long a load took; {@link Duration#ZERO} for the other activities
   * @param outcome of a load; {@link Outcome#SUCCESS} for the other activities
   * @param cacheSize keys cached after the activity (approximate)
   */
  record DataKeyCache(CacheActivity activity, UUID keyId, String keyAltName, Duration duration,
      Outcome outcome, long cacheSize) implements EncryptionEvent {}

  /** A change to a data key. */
  enum KeyAction {
    CREATED, DELETED, ALT_NAME_ADDED, ALT_NAME_REMOVED, REWRAPPED
  }

  /**
   * A data key was created, deleted, renamed or rewrapped through this client.
   *
   * @param providerBefore the key's provider before the change (null for CREATED and when
   *     unknown, as for DELETED and alternate-name changes)
   * @param providerAfter its provider after the change (null for DELETED and when unchanged by
   *     the action)
   * @param keyAltName the name added or removed, or null
   */
  record KeyLifecycle(KeyAction action, UUID keyId, String providerBefore, String providerAfter,
      String keyAltName) implements EncryptionEvent {}

  /**
   * Automatic encryption refused an operation before sending anything.
   *
   * @param namespace {@code db.collection}
   * @param field the encrypted field it is about, or null when it is about a whole stage
   * @param rule the reason, as in the exception message
   */
  record Refusal(String namespace, String field, String rule) implements EncryptionEvent {}

  /**
   * A value could not be decrypted.
   *
   * @param keyId the data key its header names, or null when the header itself is unreadable
   * @param reason what is wrong, as in {@link CiphertextException#reason()} or the exception type
   */
  record DecryptionFailure(UUID keyId, String reason) implements EncryptionEvent {}
}
