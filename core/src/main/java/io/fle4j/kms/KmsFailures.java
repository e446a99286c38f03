package io.fle4j.kms;

import java.io.InterruptedIOException;
import java.nio.channels.ClosedByInterruptException;
import java.util.ArrayList;
import java.util.List;

/**
 * Reading what went wrong in a provider's HTTP client or SDK, and keeping secrets out of the
 * message: shared by the providers so that they judge a failure the same way.
 */
public final class KmsFailures {
  private KmsFailures() {}

  /** Whether {@code e} or one of its causes is a {@code type}. */
  public static boolean hasCause(Throwable e, Class<? extends Throwable> type) {
    for (Throwable cause = e; cause != null; cause = cause.getCause()) {
      if (type.isInstance(cause)) {
        return true;
      }
    }
    return false;
  }

  /**
   * Whether {@code e} is an interrupt in disguise: HTTP clients clear the flag and wrap the
   * {@link InterruptedException}, and a retry loop whose wait was interrupted may attach it to
   * the failure it rethrows as a suppressed exception, so a caller would otherwise take it for a
   * network error.
   */
  public static boolean wasInterrupted(Throwable e) {
    for (Throwable suppressed : e.getSuppressed()) {
      if (suppressed instanceof InterruptedException) {
        return true;
      }
    }
    return Thread.currentThread().isInterrupted() || hasCause(e, InterruptedException.class)
        || hasCause(e, InterruptedIOException.class)
        && !hasCause(e, java.net.SocketTimeoutException.class)
        || hasCause(e, ClosedByInterruptException.class);
  }

  /**
   * Reports {@code e}, an interrupt in disguise (see {@link #wasInterrupted}), the one way every
   * provider does: flag restored, not retryable.
   */
  public static KmsProviderException interrupted(KmsProviderName provider, String during,
      Throwable e) {
    if (e instanceof InterruptedException interrupted) {
      return KmsProviderException.interrupted(provider, during, interrupted);
    }
    InterruptedException cause = new InterruptedException(e.getClass().getSimpleName());
    cause.initCause(e);
    return KmsProviderException.interrupted(provider, during, cause);
  }

  /** {@code e}'s own message, else its root cause's, else the root cause's type. */
  public static String rootMessage(Throwable e) {
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    String message = e.getMessage() != null ? e.getMessage() : root.getMessage();
    return message == null ? root.getClass().getSimpleName() : message;
  }

  /**
   * A redactor for the given secrets: defence in depth, so that no message ever repeats a
   * credential the provider was given even if a server or library echoes it. Values shorter than
   * 8 characters are not redacted (they would blank out ordinary words).
   *
   * @param secrets the provider's secrets; nulls are skipped
   * @return the redactor
   */
  public static Redactor redactor(String... secrets) {
    List<String> kept = new ArrayList<>();
    for (String secret : secrets) {
      if (secret != null && secret.length() >= 8) {
        kept.add(secret);
      }
    }
    return new Redactor(List.copyOf(kept));
  }

  /** Replaces a provider's secrets in a message with {@code <redacted>}. Immutable. */
  public static final class Redactor {
    private final List<String> secrets;

    private Redactor(List<String> secrets) {
      this.secrets = secrets;
    }

    /** {@code text} with every secret replaced. */
    public String apply(String text) {
      String out = text;
      for (String secret : secrets) {
        out = out.replace(secret, "<redacted>");
      }
      return out;
    }

    @Override
    public String toString() {
      return "Redactor[" + secrets.size() + " secret(s)]";
    }
  }
}
