package io.fle4j.kms.azure;

import com.azure.core.credential.AccessToken;
import com.azure.core.credential.TokenCredential;
import com.azure.core.credential.TokenRequestContext;
import com.azure.core.exception.HttpResponseException;
import io.fle4j.kms.JsonReplies;
import io.fle4j.kms.KmsFailures;
import java.io.IOException;
import java.time.OffsetDateTime;
import javax.net.ssl.SSLHandshakeException;
import org.bson.BsonDocument;
import org.bson.BsonValue;
import reactor.core.publisher.Mono;

/**
 * What Key Vault and the identity platform said, in words a user can act on: the status, Key
 * Vault's error code and message, and what to check. Never a secret or a token.
 */
final class AzureFailures {
  private AzureFailures() {}

  /** A non-200 answer of {@code wrapkey} or {@code unwrapkey}. */
  static String httpFailure(String operation, AzureMasterKey key, int status, byte[] reply) {
    String code = null;
    String message = null;
    String inner = null;
    try {
      BsonDocument json = JsonReplies.object(reply);
      BsonValue error = json.get("error");
      if (error != null && error.isDocument()) {
        code = text(error.asDocument().get("code"));
        message = text(error.asDocument().get("message"));
        BsonValue innerError = error.asDocument().get("innererror");
        if (innerError != null && innerError.isDocument()) {
          inner = text(innerError.asDocument().get("code"));
        }
      }
    } catch (IllegalArgumentException e) {
      // not JSON: the status alone tells
    }
    StringBuilder text = new StringBuilder("HTTP ").append(status);
    if (code != null) {
      text.append(' ').append(code);
    }
    if (inner != null) {
      text.append('/').append(inner);
    }
    if (message != null && !message.isBlank()) {
      text.append(": ").append(message);
    }
    String permission = operation.equals("wrapkey") ? "wrapKey" : "unwrapKey";
    switch (status) {
      case 401:
        text.append(". The vault did not accept the access token: check that the credentials"
            + " belong to the vault's tenant and that the token is for scope ")
            .append(key.scope()).append(" and not expired");
        break;
      case 403:
        if ("KeyDisabled".equals(inner) || (message != null && message.contains("disabled"))) {
          text.append(". The key (version) is disabled in the vault");
        } else {
          text.append(". The identity lacks the '").append(permission)
              .append("' key permission (access policy) or the Key Vault Crypto User role"
                  + " (RBAC) on this vault");
        }
        break;
      case 404:
        text.append(". No such key")
            .append(key.keyVersion() == null ? "" : " or key version")
            .append(" in this vault: check keyVaultEndpoint, keyName and keyVersion");
        break;
      default:
        break;
    }
    return text.toString();
  }

  /** An attempt that got no answer. */
  static String networkFailure(Throwable e) {
    if (KmsFailures.hasCause(e, SSLHandshakeException.class)) {
      return "TLS handshake failed (is the vault's certificate trusted by this provider's"
          + " SSLContext, such as the one in kmsProviderSslContextMap?): "
          + KmsFailures.rootMessage(e);
    }
    return (AzureKeyVaultPipelines.retryable(e) ? "network error: " : "")
        + e.getClass().getSimpleName() + ": " + KmsFailures.rootMessage(e);
  }

  /**
   * {@code credential} reporting its failures as {@link AzureKeyVaultPipelines.TokenFailure}:
   * what went wrong, from where, and whether the identity endpoint's answer was transient.
   */
  static TokenCredential reporting(TokenCredential credential, String source,
      KmsFailures.Redactor redactor) {
    return new TokenCredential() {
      @Override
      public Mono<AccessToken> getToken(TokenRequestContext request) {
        return Mono.fromCallable(() -> getTokenSync(request));
      }

      @Override
      public AccessToken getTokenSync(TokenRequestContext request) {
        String scope = String.join(" ", request.getScopes());
        AccessToken token;
        try {
          token = credential.getTokenSync(request);
        } catch (RuntimeException e) {
          String message = "could not get an access token for scope " + scope + " from "
              + source + ": " + e.getClass().getSimpleName() + ": " + KmsFailures.rootMessage(e);
          if (KmsFailures.hasCause(e, SSLHandshakeException.class)) {
            message += " (is the identity endpoint's certificate trusted by this provider's"
                + " SSLContext?)";
          }
          throw new AzureKeyVaultPipelines.TokenFailure(redactor.apply(message),
              transientTokenFailure(e), e);
        }
        if (token == null || token.getToken() == null) {
          throw new AzureKeyVaultPipelines.TokenFailure("the credential returned no access"
              + " token for scope " + scope, false, null);
        }
        if (token.getExpiresAt() == null) {
          // azure-core's token cache needs an expiry; an unknown one is taken as 5 minutes.
          return new AccessToken(token.getToken(), OffsetDateTime.now().plusMinutes(5));
        }
        return token;
      }
    };
  }

  private static boolean transientTokenFailure(RuntimeException e) {
    if (KmsFailures.wasInterrupted(e)) {
      return false;
    }
    for (Throwable cause = e; cause != null; cause = cause.getCause()) {
      if (cause instanceof HttpResponseException http && http.getResponse() != null) {
        return AzureKeyVaultPipelines.RETRIED_STATUS.contains(http.getResponse().getStatusCode());
      }
      if (cause instanceof IOException && !(cause instanceof SSLHandshakeException)) {
        return true;
      }
    }
    return false;
  }

  private static String text(BsonValue value) {
    return value != null && value.isString() ? value.asString().getValue() : null;
  }
}
