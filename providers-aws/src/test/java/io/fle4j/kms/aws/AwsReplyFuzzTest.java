package io.fle4j.kms.aws;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.fle4j.kms.KmsProviderException;
import java.io.ByteArrayInputStream;
import org.bson.BsonDocument;
import software.amazon.awssdk.http.AbortableInputStream;
import software.amazon.awssdk.http.ExecutableHttpRequest;
import software.amazon.awssdk.http.HttpExecuteRequest;
import software.amazon.awssdk.http.HttpExecuteResponse;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.SdkHttpResponse;

/**
 * Fuzz target for AWS KMS replies: a status and a body of the fuzzer's choosing, handed to the
 * provider by a fake HTTP client under the SDK, as the answer to Encrypt or Decrypt. The
 * provider answers or throws a {@link KmsProviderException}; anything else is a finding.
 * Replayed in {@code mvn verify} from {@code AwsReplyFuzzTestInputs}; fuzzed with
 * {@code fuzz/run AwsReplyFuzzTest#reply SECONDS}.
 */
class AwsReplyFuzzTest {
  private static final int[] STATUSES = {200, 400, 403, 404, 429, 500, 503};
  private static final BsonDocument MASTER_KEY = BsonDocument.parse(
      "{provider: 'aws', region: 'us-east-1',"
          + " key: 'arn:aws:kms:us-east-1:123456789012:key/11111111-2222-3333-4444-555555555555'}");
  private static final FuzzedReply HTTP = new FuzzedReply();
  private static final AwsKmsProvider PROVIDER = AwsKmsProvider.builder().name("aws")
      .credentials("AKIDEXAMPLE", "secret").httpClient(HTTP).maxAttempts(1).build();

  @FuzzTest(maxDuration = "30s")
  void reply(FuzzedDataProvider data) {
    boolean decrypt = data.consumeBoolean();
    HTTP.status = data.pickValue(STATUSES);
    HTTP.body = data.consumeRemainingAsBytes();
    try {
      if (decrypt) {
        PROVIDER.decryptDataKey(MASTER_KEY, new byte[] {1, 2, 3});
      } else {
        PROVIDER.encryptDataKey(MASTER_KEY, new byte[96]);
      }
    } catch (KmsProviderException expected) {
      // refused, naming the provider and the problem
    }
  }

  /** Answers every request with the status and body the fuzzer chose. */
  private static final class FuzzedReply implements SdkHttpClient {
    volatile int status = 200;
    volatile byte[] body = new byte[0];

    @Override
    public ExecutableHttpRequest prepareRequest(HttpExecuteRequest request) {
      int code = status;
      byte[] bytes = body.clone();
      return new ExecutableHttpRequest() {
        @Override
        public HttpExecuteResponse call() {
          return HttpExecuteResponse.builder()
              .response(SdkHttpResponse.builder().statusCode(code)
                  .putHeader("Content-Type", "application/x-amz-json-1.1")
                  .putHeader("Content-Length", Integer.toString(bytes.length)).build())
              .responseBody(AbortableInputStream.create(new ByteArrayInputStream(bytes)))
              .build();
        }

        @Override
        public void abort() {}
      };
    }

    @Override
    public void close() {}

    @Override
    public String clientName() {
      return "fuzzed-reply";
    }
  }
}
