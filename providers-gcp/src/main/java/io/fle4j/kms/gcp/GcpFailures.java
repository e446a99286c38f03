package io.fle4j.kms.gcp;

import com.google.auth.Retryable;
import io.fle4j.kms.JsonReplies;
import io.fle4j.kms.KmsFailures;
import io.fle4j.kms.RetryBackoff;
import java.io.IOException;
import java.net.http.HttpTimeoutException;
import java.time.Clock;
import java.time.Duration;
import javax.net.ssl.SSLHandshakeException;
import org.bson.BsonDocument;
import org.bson.BsonValue;

/**
 * What Cloud KMS and the token endpoint said, in words a user can act on, and whether a retry
 * can help. Never a secret or a token.
 */
final class GcpFailures {
  private GcpFailures() {}

  /** One failed attempt: whether to retry it, and after how long the server asked. */
  record Failure(boolean retryable, int status, String message, Duration retryAfter,
      Throwable cause) {
    static Failure of(boolean retryable, String message) {
      return new Failure(retryable, 200, message, null, null);
    }
  }

  /** A non-200 answer of {@code :encrypt} or {@code :decrypt}. */
  static Failure httpFailure(String operation, GcpMasterKey key, GcpKmsProvider.Reply response) {
    int status = response.status();
    String code = null;
    String message = null;
    try {
      BsonDocument json = JsonReplies.object(response.body());
      BsonValue error = json.get("error");
      if (error != null && error.isDocument()) {
        code = text(error.asDocument().get("status"));
        message = text(error.asDocument().get("message"));
      }
    } catch (IllegalArgumentException e) {
      // not JSON: the status alone tells
    }
    StringBuilder text = new StringBuilder("HTTP ").append(status);
    if (code != null) {
      text.append(' ').append(code);
    }
    if (message != null && !message.isBlank()) {
      text.append(": ").append(message);
    }
    String permission = operation.equals("encrypt") ? "cloudkms.cryptoKeyVersions.useToEncrypt"
        : "cloudkms.cryptoKeyVersions.useToDecrypt";
    switch (status) {
      case 401:
        text.append(". Cloud KMS did not accept the access token: check the credentials, that the"
            + " token has scope ").append(key.scope()).append(" and is not expired");
        break;
      case 403:
        text.append(". The identity lacks ").append(permission).append(" (role Cloud KMS"
            + " CryptoKey Encrypter/Decrypter) on this key, or the key does not exist");
        break;
      case 404:
        text.append(". No such key").append(key.keyVersion() == null ? "" : " or key version")
            .append(": check projectId, location, keyRing, keyName")
            .append(key.keyVersion() == null ? "" : " and keyVersion");
        break;
      default:
        break;
    }
    boolean retryable = status == 408 || status == 429 || status >= 500;
    return new Failure(retryable, status, text.toString(),
        RetryBackoff.parseRetryAfter(response.retryAfter(), Clock.systemUTC()), null);
  }

  /** An attempt that got no answer. */
  static Failure networkFailure(IOException e, Duration attemptTimeout) {
    if (KmsFailures.hasCause(e, SSLHandshakeException.class)) {
      return new Failure(false, 0, "TLS handshake failed (is the Cloud KMS endpoint's certificate"
          + " trusted by this provider's SSLContext, such as the one in"
          + " kmsProviderSslContextMap?): " + e.getMessage(), null, e);
    }
    String what = e instanceof HttpTimeoutException ? "no answer within the attempt timeout of "
        + attemptTimeout : "network error: " + e.getClass().getSimpleName() + ": "
        + e.getMessage();
    return new Failure(true, 0, what, null, e);
  }

  /** The credentials could not give a token for {@code scope}. */
  static Failure tokenFailure(String scope, String source, Exception e) {
    boolean retryable;
    if (e instanceof Retryable r) {
      retryable = r.isRetryable();
    } else {
      retryable = e instanceof IOException && !KmsFailures.hasCause(e, SSLHandshakeException.class)
          && !(e.getMessage() != null && e.getMessage().contains("Application Default Credentials"));
    }
    String message = "could not get an access token for scope " + scope + " from " + source
        + ": " + e.getClass().getSimpleName() + ": " + firstLine(e.getMessage());
    if (KmsFailures.hasCause(e, SSLHandshakeException.class)) {
      message += " (is the token endpoint's certificate trusted by this provider's SSLContext?)";
    }
    return new Failure(retryable, 0, message, null, e);
  }

  static String text(BsonValue value) {
    return value != null && value.isString() ? value.asString().getValue() : null;
  }

  private static String firstLine(String text) {
    if (text == null) {
      return "";
    }
    String trimmed = text.strip();
    return trimmed.length() > 600 ? trimmed.substring(0, 600) + "..." : trimmed;
  }
}
