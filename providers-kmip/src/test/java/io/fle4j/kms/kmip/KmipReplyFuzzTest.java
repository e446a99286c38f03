package io.fle4j.kms.kmip;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.fle4j.kms.KmsProviderException;
import org.bson.BsonBoolean;
import org.bson.BsonDocument;
import org.bson.BsonString;

/**
 * Fuzz targets for what a KMIP server sends back: the 8-byte message header read off the socket,
 * and a whole response message handed to the provider through a fake transport for each call a
 * provider makes (Get of a SecretData then a local unwrap; Encrypt and Decrypt in delegated
 * mode). The provider answers or throws a {@link KmsProviderException}; anything else is a
 * finding. Replayed in {@code mvn verify} from {@code KmipReplyFuzzTestInputs}; fuzzed with
 * {@code fuzz/run KmipReplyFuzzTest#reply SECONDS}.
 */
class KmipReplyFuzzTest {
  private static final BsonDocument LOCAL_WRAP = new BsonDocument("provider", new BsonString("kmip"))
      .append("keyId", new BsonString("1"));
  private static final BsonDocument DELEGATED = LOCAL_WRAP.clone()
      .append("delegated", BsonBoolean.TRUE);
  private static final FixedReply TRANSPORT = new FixedReply();
  private static final KmipKmsProvider PROVIDER =
      KmipKmsProvider.withTransport("kmip", "kmip.example:5696", TRANSPORT);

  /** The header of a response: its body length, or a TtlvException. */
  @FuzzTest(maxDuration = "30s")
  void header(byte[] data) {
    if (data.length != 8) {
      return;
    }
    try {
      int length = TtlvCodec.messageBodyLength(data, KmipTag.RESPONSE_MESSAGE, 1 << 20);
      if (length < 0 || length % 8 != 0 || length > (1 << 20)) {
        throw new AssertionError("accepted a body length of " + length);
      }
    } catch (TtlvException expected) {
      // refused, naming the problem
    }
  }

  /** A response message, as the answer to one of the provider's three calls. */
  @FuzzTest(maxDuration = "30s")
  void reply(FuzzedDataProvider data) {
    int call = data.consumeInt(0, 2);
    TRANSPORT.next = data.consumeRemainingAsBytes();
    try {
      switch (call) {
        case 0 -> PROVIDER.decryptDataKey(LOCAL_WRAP, new byte[160]);
        case 1 -> PROVIDER.decryptDataKey(DELEGATED, new byte[16 + 112]);
        default -> PROVIDER.encryptDataKey(DELEGATED, new byte[96]);
      }
    } catch (KmsProviderException expected) {
      // refused, naming the provider and the problem
    }
  }

  /** Answers every exchange with the bytes the fuzzer chose. */
  private static final class FixedReply implements KmipTransport {
    volatile byte[] next = new byte[0];

    @Override
    public byte[] exchange(KmipEndpoint endpoint, byte[] request, boolean idempotent) {
      return next.clone();
    }

    @Override
    public void close() {}
  }
}
