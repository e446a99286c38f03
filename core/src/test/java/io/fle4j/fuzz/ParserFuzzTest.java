package io.fle4j.fuzz;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.fle4j.Fle4jException;
import io.fle4j.internal.auto.decrypt.CiphertextScanner;
import io.fle4j.internal.auto.decrypt.RawReplyDecryptor;
import io.fle4j.internal.auto.decrypt.TestDataKeys;
import io.fle4j.internal.crypto.AeadKey;
import io.fle4j.internal.crypto.ValueCipher;
import io.fle4j.internal.qe.QeDecryption;
import io.fle4j.internal.qe.QeKey;
import io.fle4j.internal.vault.KeyDocument;
import io.fle4j.kms.Fle1KeyWrap;
import io.fle4j.kms.JsonReplies;
import io.fle4j.kms.SecretBytes;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.UUID;
import javax.crypto.AEADBadTagException;
import org.bson.BSONException;
import org.bson.BsonBinary;
import org.bson.BsonBinarySubType;
import org.bson.BsonDocument;
import org.bson.BsonArray;
import org.bson.BsonBoolean;
import org.bson.BsonDateTime;
import org.bson.BsonDouble;
import org.bson.BsonInt32;
import org.bson.BsonInt64;
import org.bson.BsonNull;
import org.bson.BsonString;
import org.bson.BsonValue;

/**
 * Fuzz targets for the parsers of untrusted bytes in core. Run as ordinary tests, they replay the
 * committed inputs under {@code src/test/resources/io/fle4j/fuzz/ParserFuzzTestInputs}; with
 * {@code JAZZER_FUZZ=1} (see {@code fuzz/run}) Jazzer generates new ones. Each target states what
 * may come out: anything else (an IndexOutOfBoundsException, a NullPointerException, a hang, a
 * StackOverflowError) is a finding.
 */
class ParserFuzzTest {
  private static final AeadKey KEY = AeadKey.of(new byte[96]);
  private static final QeKey QE_KEY = QeKey.of(new byte[96]);
  private static final SecretBytes KEK = SecretBytes.copyOf(new byte[96]);
  /**
   * The one data key the fuzzed replies may name: id 0x00…01, all zeros, unwrapped by a fake KMS
   * (the committed reply inputs carry ciphertexts under it).
   */
  private static final RawReplyDecryptor DECRYPTOR =
      new RawReplyDecryptor(new TestDataKeys(new UUID(0, 1), new byte[96]).dataKeys);

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

  /**
   * A Queryable Encryption value (blob subtype first), every form: decrypted, returned as it is
   * (markings and find payloads), or refused with a CiphertextException. Every key id finds the
   * all-zero key, under which the committed inputs were made, so fuzzed inputs reach past the
   * authentication into the value parsing.
   */
  @FuzzTest(maxDuration = "30s")
  void queryableEncryptionValue(byte[] data) {
    if (data.length == 0) {
      return;
    }
    try {
      QeDecryption.decrypt(new BsonBinary(BsonBinarySubType.ENCRYPTED, data), id -> QE_KEY);
    } catch (Fle4jException expected) {
      // refused, naming the form and the part
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

  /**
   * A reply document through both byte walkers: where the scanner finds it well formed and free
   * of ciphertext, the decryptor must hand back exactly the same document; otherwise the
   * decryptor decrypts it or refuses it as malformed BSON or a bad ciphertext.
   */
  @FuzzTest(maxDuration = "30s")
  void replyScannerAndDecryptorAgree(byte[] data) {
    boolean needsDecryption = CiphertextScanner.containsCiphertext(ByteBuffer.wrap(data));
    ByteBuffer decrypted;
    try {
      decrypted = DECRYPTOR.decrypt(ByteBuffer.wrap(data));
    } catch (BSONException | Fle4jException refused) {
      if (!needsDecryption) {
        throw new AssertionError("the scanner passed a document the decryptor refuses", refused);
      }
      return;
    }
    if (!needsDecryption) {
      byte[] out = new byte[decrypted.remaining()];
      decrypted.get(out);
      if (!Arrays.equals(out, Arrays.copyOf(data, out.length)) || out.length < 5) {
        throw new AssertionError("the decryptor changed a document without ciphertext");
      }
    }
  }

  /** A wrapped data key (local and KMIP providers): a 96-byte key, or AEADBadTagException. */
  @FuzzTest(maxDuration = "30s")
  void keyWrap(byte[] data) {
    try {
      byte[] key = Fle1KeyWrap.unwrap(KEK, data);
      if (key.length != Fle1KeyWrap.KEY_LENGTH) {
        throw new AssertionError("unwrapped " + key.length + " bytes");
      }
    } catch (AEADBadTagException expected) {
      // refused: wrong key, altered bytes or not a wrapped key
    }
  }

  /**
   * A key document from the key vault: parsed, or refused with a Fle4jException naming the
   * field. The driver has already decoded the BSON, so the fuzzer builds documents (field names
   * mostly those of a key document, values of any type) rather than bytes.
   */
  @FuzzTest(maxDuration = "30s")
  void keyDocument(FuzzedDataProvider data) {
    try {
      KeyDocument.parse(document(data, 0));
    } catch (Fle4jException expected) {
      // refused, naming the field
    }
  }

  private static final String[] KEY_FIELDS = {"_id", "keyMaterial", "creationDate", "updateDate",
      "status", "version", "masterKey", "keyAltNames", "provider", "key", "region", "endpoint",
      "keyId", "delegated", "projectId", "location", "keyRing", "keyName", "keyVaultEndpoint"};

  private static BsonDocument document(FuzzedDataProvider data, int depth) {
    BsonDocument document = new BsonDocument();
    int fields = data.consumeInt(0, 10);
    for (int i = 0; i < fields && data.remainingBytes() > 0; i++) {
      String name = data.consumeBoolean() ? data.pickValue(KEY_FIELDS) : data.consumeString(8);
      document.put(name, value(data, depth));
    }
    return document;
  }

  private static BsonValue value(FuzzedDataProvider data, int depth) {
    switch (data.consumeInt(0, depth < 3 ? 11 : 9)) {
      case 0: return new BsonInt32(data.consumeInt());
      case 1: return new BsonInt64(data.consumeLong());
      case 2: return new BsonString(data.consumeString(40));
      case 3: return new BsonBinary(data.consumeByte(), data.consumeBytes(200));
      case 4: return new BsonBinary(BsonBinarySubType.UUID_STANDARD, data.consumeBytes(17));
      case 5: return new BsonDateTime(data.consumeLong());
      case 6: return BsonNull.VALUE;
      case 7: return BsonBoolean.valueOf(data.consumeBoolean());
      case 8: return new BsonDouble(data.consumeDouble());
      case 9: return new BsonBinary(BsonBinarySubType.BINARY, data.consumeBytes(200));
      case 10: return document(data, depth + 1);
      default: {
        BsonArray array = new BsonArray();
        int items = data.consumeInt(0, 4);
        for (int i = 0; i < items; i++) {
          array.add(value(data, depth + 1));
        }
        return array;
      }
    }
  }
}
