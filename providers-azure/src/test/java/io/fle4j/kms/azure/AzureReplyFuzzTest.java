package io.fle4j.kms.azure;

import com.azure.core.http.HttpClient;
import com.azure.core.http.HttpHeaderName;
import com.azure.core.http.HttpHeaders;
import com.azure.core.http.HttpRequest;
import com.azure.core.http.HttpResponse;
import com.azure.core.util.Context;
import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.fle4j.kms.KmsProviderException;
import java.time.Duration;
import org.bson.BsonDocument;
import reactor.core.publisher.Mono;

/**
 * Fuzz target for Azure Key Vault replies: a status, a Retry-After header and a body of the
 * fuzzer's choosing, handed to the provider by a fake azure-core HTTP client as the answer to
 * wrapkey or unwrapkey. The provider answers or throws a {@link KmsProviderException}; anything
 * else is a finding. Replayed in {@code mvn verify} from {@code AzureReplyFuzzTestInputs};
 * fuzzed with {@code fuzz/run AzureReplyFuzzTest#reply SECONDS}.
 */
class AzureReplyFuzzTest {
  private static final int[] STATUSES = {200, 400, 401, 403, 404, 429, 500, 503};
  private static final BsonDocument MASTER_KEY = BsonDocument.parse(
      "{provider: 'azure', keyVaultEndpoint: 'vault.example.net', keyName: 'k'}");
  private static final FuzzedReply HTTP = new FuzzedReply();
  // One attempt, so that a retryable status costs no backoff; the token is fixed.
  private static final AzureKmsProvider PROVIDER = AzureKmsProvider.builder().name("azure")
      .accessToken("token").httpClient(HTTP).maxAttempts(1)
      .retryBackoff(Duration.ofMillis(1), Duration.ofMillis(1)).build();

  @FuzzTest(maxDuration = "30s")
  void reply(FuzzedDataProvider data) {
    boolean unwrap = data.consumeBoolean();
    HTTP.status = data.pickValue(STATUSES);
    HTTP.retryAfter = data.consumeBoolean() ? data.consumeString(12) : null;
    HTTP.body = data.consumeRemainingAsBytes();
    try {
      if (unwrap) {
        PROVIDER.decryptDataKey(MASTER_KEY, new byte[256]);
      } else {
        PROVIDER.encryptDataKey(MASTER_KEY, new byte[96]);
      }
    } catch (KmsProviderException expected) {
      // refused, naming the provider and the problem
    }
  }

  /** Answers every request with what the fuzzer chose. */
  private static final class FuzzedReply implements HttpClient {
    volatile int status = 200;
    volatile String retryAfter;
    volatile byte[] body = new byte[0];

    @Override
    public Mono<HttpResponse> send(HttpRequest request) {
      return Mono.just(sendSync(request, Context.NONE));
    }

    @Override
    public HttpResponse sendSync(HttpRequest request, Context context) {
      HttpHeaders headers = new HttpHeaders();
      if (retryAfter != null) {
        headers.set(HttpHeaderName.RETRY_AFTER, retryAfter);
      }
      return new CannedResponse(request, status, headers, body.clone());
    }
  }
}
