package io.fle4j.internal.auto.decrypt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.fle4j.Fle4jException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import org.bson.BsonArray;
import org.bson.BsonBinary;
import org.bson.BsonBinaryReader;
import org.bson.BsonBinarySubType;
import org.bson.BsonDocument;
import org.bson.BsonInt32;
import org.bson.BsonJavaScriptWithScope;
import org.bson.BsonRegularExpression;
import org.bson.BsonSerializationException;
import org.bson.BsonString;
import org.bson.BsonValue;
import org.bson.RawBsonDocument;
import org.bson.codecs.BsonDocumentCodec;
import org.bson.codecs.DecoderContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Replies are bytes from the server, or from whatever sits between it and the client: the
 * scanner and the decryptor must end on anything, never read outside the reply, and agree with
 * the driver's own decoder on every well-formed document.
 */
class HostileReplyTest {
  private final TestDataKeys keys = new TestDataKeys();

  @ParameterizedTest
  @ValueSource(strings = {
      // A string whose length is -7: the old scanner stepped back onto the same element forever.
      "0e00000002610 0f9ffffff780000",
      // The same with lengths that wrap around or point past the document.
      "0e0000000261000000008078 0000", "0e00000002610 0ffffff7f780000",
      // A binary, a nested document and a code-with-scope value that lie about their lengths.
      "1000000005610 0f9ffffff06010000", "0f0000000361000000008000 000000",
      "1a0000000f6100f0ffffff0200000078000500000000 0000"})
  void hostileLengths_endTheScanAndFailTheDecryptionCleanly(String hex) {
    byte[] bytes = HexFormat.of().parseHex(hex.replace(" ", ""));
    assertTimeoutPreemptively(Duration.ofSeconds(2), () -> {
      assertThat(CiphertextScanner.containsCiphertext(ByteBuffer.wrap(bytes)))
          .as("malformed input goes to the full decoder").isTrue();
      assertRejectedCleanly(bytes);
    });
  }

  @Test
  void randomlyDamagedReplies_endQuickly_andAgreeWithTheDriverWhenWellFormed() {
    byte[] valid = sample().getByteBuffer().array().clone();
    Random random = new Random(12345);
    assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
      for (int i = 0; i < 5_000; i++) {
        byte[] bytes = mutate(valid, random);
        boolean scanned = CiphertextScanner.containsCiphertext(ByteBuffer.wrap(bytes));
        BsonDocument decoded = decodeOrNull(bytes);
        if (decoded != null) {
          assertThat(scanned).as("well-formed input %s", HexFormat.of().formatHex(bytes))
              .isEqualTo(holdsCiphertext(decoded));
        }
        if (scanned) {
          assertRejectedCleanlyOrDecrypted(bytes);
        }
      }
    });
  }

  private static byte[] mutate(byte[] valid, Random random) {
    byte[] bytes = valid.clone();
    switch (random.nextInt(4)) {
      case 0 -> bytes[random.nextInt(bytes.length)] = (byte) random.nextInt(256);
      case 1 -> {
        // Overwrite a little-endian int32 somewhere with a hostile length.
        int at = random.nextInt(bytes.length - 4);
        int[] lengths = {-1, -7, Integer.MIN_VALUE, Integer.MAX_VALUE, 0, 1, 4, 5, bytes.length};
        ByteBuffer.wrap(bytes).order(java.nio.ByteOrder.LITTLE_ENDIAN)
            .putInt(at, lengths[random.nextInt(lengths.length)]);
      }
      case 2 -> {
        byte[] cut = new byte[random.nextInt(bytes.length)];
        System.arraycopy(bytes, 0, cut, 0, cut.length);
        return cut;
      }
      default -> {
        for (int n = 0; n < 3; n++) {
          bytes[random.nextInt(bytes.length)] ^= (byte) (1 << random.nextInt(8));
        }
      }
    }
    return bytes;
  }

  private void assertRejectedCleanly(byte[] bytes) {
    try {
      new RawReplyDecryptor(keys.dataKeys).decrypt(ByteBuffer.wrap(bytes));
      throw new AssertionError("malformed reply accepted: " + HexFormat.of().formatHex(bytes));
    } catch (BsonSerializationException | Fle4jException expected) {
      // a clear error naming the problem
    }
  }

  private void assertRejectedCleanlyOrDecrypted(byte[] bytes) {
    try {
      new RawReplyDecryptor(keys.dataKeys).decrypt(ByteBuffer.wrap(bytes));
    } catch (BsonSerializationException | Fle4jException expected) {
      // a clear error naming the problem
    }
  }

  private static BsonDocument decodeOrNull(byte[] bytes) {
    try (BsonBinaryReader reader = new BsonBinaryReader(ByteBuffer.wrap(bytes))) {
      BsonDocument document = new BsonDocumentCodec().decode(reader, DecoderContext.builder().build());
      return reader.getBsonInput().getPosition() == bytes.length ? document : null;
    } catch (RuntimeException | OutOfMemoryError e) {
      // The driver's reader allocates a binary's claimed length before reading it: a length of
      // 2^31-1 is "Requested array size exceeds VM limit", not a heap shortage.
      return null;
    }
  }

  private static boolean holdsCiphertext(BsonValue value) {
    if (value.isBinary()) {
      BsonBinary binary = value.asBinary();
      return binary.getType() == BsonBinarySubType.ENCRYPTED.getValue() && binary.getData().length > 0
          && (binary.getData()[0] == 1 || binary.getData()[0] == 2);
    }
    if (value.isDocument()) {
      return value.asDocument().values().stream().anyMatch(HostileReplyTest::holdsCiphertext);
    }
    if (value.isArray()) {
      return value.asArray().stream().anyMatch(HostileReplyTest::holdsCiphertext);
    }
    if (value.isJavaScriptWithScope()) {
      return holdsCiphertext(value.asJavaScriptWithScope().getScope());
    }
    return false;
  }

  private RawBsonDocument sample() {
    BsonDocument doc = new BsonDocument("_id", new BsonInt32(1))
        .append("s", new BsonString("text"))
        .append("secret", keys.encrypt(new BsonString("ssn")))
        .append("nested", new BsonDocument("a", new BsonArray(List.of(new BsonInt32(2),
            keys.encrypt(new BsonInt32(3))))))
        .append("re", new BsonRegularExpression("a.*", "i"))
        .append("code", new BsonJavaScriptWithScope("f()", new BsonDocument("x", new BsonInt32(1))))
        .append("bin", new BsonBinary(new byte[] {1, 2, 3}));
    return RawBsonDocument.parse(doc.toJson());
  }
}
