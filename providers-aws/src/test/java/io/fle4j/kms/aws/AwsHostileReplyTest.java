package io.fle4j.kms.aws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fle4j.kms.KmsProviderException;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.bson.BsonDocument;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.http.AbortableInputStream;
import software.amazon.awssdk.http.ExecutableHttpRequest;
import software.amazon.awssdk.http.HttpExecuteRequest;
import software.amazon.awssdk.http.HttpExecuteResponse;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.SdkHttpResponse;

/**
 * AWS KMS replies that are not what they should be: the provider fails with a {@link
 * KmsProviderException} naming the problem, and neither its message nor any cause carries the
 * reply's content, which for Decrypt is the data key.
 */
class AwsHostileReplyTest {
  /** The base64 of a data key a hostile or broken reply would carry. */
  private static final String KEY_B64 = Base64.getEncoder().encodeToString(
      "THIS-IS-96-BYTES-OF-DATA-KEY-MATERIAL-THAT-MUST-NEVER-APPEAR-IN-A-MESSAGE-OR-CAUSE-.....!!!"
          .getBytes(StandardCharsets.US_ASCII));
  private static final BsonDocument MASTER_KEY = BsonDocument.parse(
      "{provider: 'aws', region: 'us-east-1',"
          + " key: 'arn:aws:kms:us-east-1:123456789012:key/11111111-2222-3333-4444-555555555555'}");

  @Test
  void decrypt_unparseableReplyQuotingTheKey_failsWithoutKeyMaterialInMessageOrCause() {
    String body = "{\"KeyId\": \"arn:aws:kms:us-east-1:123456789012:key/11111111-2222-3333-4444-"
        + "555555555555\", \"Plaintext\": \"" + KEY_B64 + "\" " + KEY_B64 + "}";
    try (AwsKmsProvider provider = provider(body)) {
      assertThatThrownBy(() -> provider.decryptDataKey(MASTER_KEY, new byte[] {1, 2, 3}))
          .isInstanceOf(KmsProviderException.class)
          .hasMessageContaining("Decrypt")
          .hasMessageContaining("reading the reply")
          .satisfies(AwsHostileReplyTest::carriesNoKeyMaterial);
    }
  }

  @Test
  void decrypt_replyWithoutPlaintext_isAKmsProviderException() {
    String body = "{\"KeyId\": \"arn:aws:kms:us-east-1:123456789012:key/11111111-2222-3333-4444-"
        + "555555555555\"}";
    try (AwsKmsProvider provider = provider(body)) {
      assertThatThrownBy(() -> provider.decryptDataKey(MASTER_KEY, new byte[] {1, 2, 3}))
          .isInstanceOf(KmsProviderException.class)
          .hasMessageContaining("without a Plaintext");
    }
  }

  @Test
  void encrypt_replyWithoutCiphertextBlob_isAKmsProviderException() {
    // Found by AwsReplyFuzzTest: a NullPointerException before.
    for (String body : new String[] {"{}", "{\"CiphertextBlob\": \"\"}"}) {
      try (AwsKmsProvider provider = provider(body)) {
        assertThatThrownBy(() -> provider.encryptDataKey(MASTER_KEY, new byte[96]))
            .isInstanceOf(KmsProviderException.class)
            .hasMessageContaining("without a CiphertextBlob");
      }
    }
  }

  private static void carriesNoKeyMaterial(Throwable thrown) {
    for (Throwable t = thrown; t != null; t = t.getCause()) {
      assertThat(String.valueOf(t.getMessage())).doesNotContain(KEY_B64.substring(0, 24));
      for (Throwable suppressed : t.getSuppressed()) {
        assertThat(String.valueOf(suppressed.getMessage())).doesNotContain(KEY_B64.substring(0, 24));
      }
    }
  }

  private static AwsKmsProvider provider(String body) {
    return AwsKmsProvider.builder().name("aws").credentials("AKIDEXAMPLE", "secret")
        .httpClient(new FixedReplyClient(body)).maxAttempts(1).build();
  }

  /** Answers every request with HTTP 200 and the same body. */
  private record FixedReplyClient(String body) implements SdkHttpClient {
    @Override
    public ExecutableHttpRequest prepareRequest(HttpExecuteRequest request) {
      return new ExecutableHttpRequest() {
        @Override
        public HttpExecuteResponse call() {
          byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
          return HttpExecuteResponse.builder()
              .response(SdkHttpResponse.builder().statusCode(200)
                  .putHeader("Content-Type", "application/x-amz-json-1.1")
                  .putHeader("Content-Length", Integer.toString(bytes.length)).build())
              .responseBody(AbortableInputStream.create(new ByteArrayInputStream(bytes)))
              .build();
        }

        @Override
        public void abort() {
        }
      };
    }

    @Override
    public void close() {
    }

    @Override
    public String clientName() {
      return "fixed-reply";
    }
  }

}
