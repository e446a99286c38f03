package io.fle4j.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.fle4j.Fle4jException;
import io.fle4j.internal.auto.decrypt.CiphertextScanner;
import io.fle4j.internal.crypto.AeadKey;
import io.fle4j.internal.crypto.ValueCipher;
import io.fle4j.kms.JsonReplies;
import java.nio.ByteBuffer;
import org.bson.BsonBinary;
import org.bson.BsonBinarySubType;

/**
 * Fuzz targets for the parsers of untrusted bytes in core. Run as ordinary tests, they replay the
 * committed inputs under {@code src/test/resources/io/fle4j/fuzz/ParserFuzzTestInputs}; with
 * {@code JAZZER_FUZZ=1} (see {@code fuzz/run}) Jazzer generates new ones. Each target states what
 * may come out: anything else (an IndexOutOfBoundsException, a NullPointerException, a hang, a
 * StackOverflowError) is a finding.
 */
class ParserFuzzTest {
  private static final AeadKey KEY = AeadKey.of(new byte[96]);

  /** A reply document: the scanner ends, and says "malformed" or reads it as the bytes say. */
  @FuzzTest(maxDuration = "30s")
  void replyScanner(byte[] data) {
    CiphertextScanner.containsCiphertext(ByteBuffer.wrap(data));
  }

  /** A ciphertext blob: its header and body are refused with a CiphertextException, or decrypt. */
  @FuzzTest(maxDuration = "30s")
  void ciphertext(byte[] data) {
    try {
      BsonBinary blob = new BsonBinary(BsonBinarySubType.ENCRYPTED, data);
      ValueCipher.decrypt(blob, ValueCipher.parseHeader(blob), KEY);
    } catch (Fle4jException expected) {
      // refused, naming the problem
    }
  }

  /** A KMS reply body: an object, or an IllegalArgumentException naming the problem. */
  @FuzzTest(maxDuration = "30s")
  void kmsJsonReply(byte[] data) {
    try {
      JsonReplies.object(data);
    } catch (IllegalArgumentException expected) {
      // refused, naming the problem
    }
  }
}
