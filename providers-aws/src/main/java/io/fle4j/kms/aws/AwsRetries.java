package io.fle4j.kms.aws;

import io.fle4j.kms.RetryBackoff;
import java.io.IOException;
import java.util.Set;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLPeerUnverifiedException;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.ApiCallAttemptTimeoutException;
import software.amazon.awssdk.core.exception.ApiCallTimeoutException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.retries.StandardRetryStrategy;
import software.amazon.awssdk.retries.api.BackoffStrategy;
import software.amazon.awssdk.retries.api.RetryStrategy;

/**
 * Which AWS KMS failures a retry can help with, and the SDK retry strategy built on that.
 *
 * <p>Retried: throttling ({@code ThrottlingException} and AWS's other throttling codes, HTTP
 * 429), HTTP 408 and every 5xx ({@code KMSInternalException}, {@code
 * DependencyTimeoutException}, {@code KeyUnavailableException}...), and network errors
 * (connection refused or reset, read timeouts, an attempt timing out). Never retried, whatever
 * the status: the errors a retry cannot fix, such as {@code AccessDeniedException}, {@code
 * NotFoundException}, {@code DisabledException}, {@code InvalidCiphertextException}, bad
 * credentials or signatures, and TLS certificate failures.
 */
final class AwsRetries {
  private static final Set<String> NEVER = Set.of(
      "AccessDeniedException", "NotFoundException", "DisabledException",
      "InvalidCiphertextException", "IncorrectKeyException", "KMSInvalidStateException",
      "KMSInvalidMacException", "KMSInvalidSignatureException", "InvalidKeyUsageException",
      "InvalidGrantTokenException", "InvalidGrantIdException", "InvalidArnException",
      "ValidationException", "UnsupportedOperationException", "SerializationException",
      "UnknownOperationException", "UnrecognizedClientException", "InvalidSignatureException",
      "IncompleteSignatureException", "MissingAuthenticationTokenException",
      "ExpiredTokenException", "InvalidClientTokenId", "SignatureDoesNotMatch");
  private static final Set<String> THROTTLING = Set.of(
      "ThrottlingException", "Throttling", "ThrottledException", "TooManyRequestsException",
      "RequestThrottled", "RequestThrottledException", "RequestLimitExceeded",
      "SlowDown", "PriorRequestNotComplete", "TransactionInProgressException");

  private AwsRetries() {}

  /** The SDK's standard strategy, told exactly what to retry (not the SDK's defaults). */
  static RetryStrategy strategy(int maxAttempts, RetryBackoff delays) {
    // Full jitter: each delay is uniform in [0, min(maxDelay, baseDelay * 2^(attempt-1))], the
    // SDK's own implementation of what RetryBackoff computes for the HTTP providers.
    BackoffStrategy backoff = BackoffStrategy.exponentialDelay(delays.baseDelay(),
        delays.maxDelay());
    return StandardRetryStrategy.builder()
        .useClientDefaults(false)
        .maxAttempts(maxAttempts)
        .backoffStrategy(backoff)
        .throttlingBackoffStrategy(backoff)
        // maxAttempts alone bounds the calls: no shared token bucket that could silently stop
        // retries after earlier failures, which would make behaviour depend on history.
        .circuitBreakerEnabled(false)
        .retryOnException(AwsRetries::isRetryable)
        .treatAsThrottling(AwsRetries::isThrottling)
        .build();
  }

  static boolean isRetryable(Throwable failure) {
    if (failure instanceof AwsServiceException service) {
      String code = errorCode(service);
      if (code != null && NEVER.contains(code)) {
        return false;
      }
      int status = service.statusCode();
      return isThrottling(service) || status == 408 || status >= 500;
    }
    if (failure instanceof ApiCallAttemptTimeoutException
        || failure instanceof ApiCallTimeoutException) {
      return true;
    }
    if (failure instanceof SdkClientException) {
      for (Throwable cause = failure.getCause(); cause != null; cause = cause.getCause()) {
        if (cause instanceof SSLHandshakeException || cause instanceof SSLPeerUnverifiedException) {
          return false; // an untrusted or mismatched certificate stays so
        }
        if (cause instanceof IOException || cause instanceof ApiCallAttemptTimeoutException) {
          return true;
        }
      }
    }
    return false;
  }

  static boolean isThrottling(Throwable failure) {
    if (failure instanceof AwsServiceException service) {
      String code = errorCode(service);
      return service.statusCode() == 429 || (code != null && THROTTLING.contains(code));
    }
    return false;
  }

  static String errorCode(AwsServiceException service) {
    return service.awsErrorDetails() == null ? null : service.awsErrorDetails().errorCode();
  }
}
