package io.fle4j.kms.gcp;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.fle4j.kms.KmsProviderException;
import java.time.Duration;
import org.bson.BsonDocument;

/**
 * Fuzz target for Cloud KMS replies: a status, a Retry-After header and a body of the fuzzer's
 * choosing, handed to the provider in place of the network as the answer to encrypt or decrypt.
 * The provider answers or throws a {@link KmsProviderException}; anything else is a finding.
 * Replayed in {@code mvn verify} from {@code GcpReplyFuzzTestInputs}; fuzzed with
 * {@code fuzz/run GcpReplyFuzzTest#reply SECONDS}.
 */
class GcpReplyFuzzTest {
  private static final int[] STATUSES = {200, 400, 401, 403, 404, 429, 500, 503};
  private static final BsonDocument MASTER_KEY = BsonDocument.parse("{provider: 'gcp',"
      + " projectId: 'p', location: 'global', keyRing: 'r', keyName: 'k'}");
  private static volatile GcpKmsProvider.Reply next = new GcpKmsProvider.Reply(200, new byte[0], null);
  // One attempt, so that a retryable status costs no backoff; the token is fixed.
  private static final GcpKmsProvider PROVIDER = GcpKmsProvider.builder().name("gcp")
      .accessToken("token").maxAttempts(1)
      .retryBackoff(Duration.ofMillis(1), Duration.ofMillis(1))
      .exchange(request -> next).build();

  @FuzzTest(maxDuration = "30s")
  void reply(FuzzedDataProvider data) {
    boolean decrypt = data.consumeBoolean();
    int status = data.pickValue(STATUSES);
    String retryAfter = data.consumeBoolean() ? data.consumeString(12) : null;
    next = new GcpKmsProvider.Reply(status, data.consumeRemainingAsBytes(), retryAfter);
    try {
      if (decrypt) {
        PROVIDER.decryptDataKey(MASTER_KEY, new byte[120]);
      } else {
        PROVIDER.encryptDataKey(MASTER_KEY, new byte[96]);
      }
    } catch (KmsProviderException expected) {
      // refused, naming the provider and the problem
    }
  }
}
