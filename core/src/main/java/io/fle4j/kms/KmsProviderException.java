package io.fle4j.kms;

import io.fle4j.Fle4jException;

/**
 * A KMS provider failed to create, wrap or unwrap a data key. Providers wrap their SDK's
 * exception in this once, at the boundary. The message names the provider and the key, never a
 * credential.
 */
public class KmsProviderException extends Fle4jException {
  private static final long serialVersionUID = 1L;
  private final String providerName;
  private final boolean retryable;

  public KmsProviderException(
      KmsProviderName providerName, boolean retryable, String message, Throwable cause) {
    super("KMS provider '" + providerName + "': " + message, cause);
    this.providerName = providerName.toString();
    this.retryable = retryable;
  }

  public KmsProviderException(KmsProviderName providerName, boolean retryable, String message) {
    this(providerName, retryable, message, null);
  }

  /**
   * The one way every provider reports an interrupted call (a backoff, a connect, a request): the
   * thread's interrupt flag is set again, so the caller's own loop or executor sees it, and the
   * exception is not retryable, since nobody should retry work its thread was told to stop.
   *
   * @param during what was interrupted, such as {@code "waiting to retry a Decrypt call"}
   */
  public static KmsProviderException interrupted(KmsProviderName providerName, String during,
      InterruptedException cause) {
    Thread.currentThread().interrupt();
    return new KmsProviderException(providerName, false, "interrupted while " + during, cause);
  }

  /** The provider's full name, such as {@code aws} or {@code local:backup}. */
  public String providerName() {
    return providerName;
  }

  /** Whether the same call may succeed if tried again (throttling, a network error, a 5xx). */
  public boolean isRetryable() {
    return retryable;
  }
}
