package io.fle4j.internal.auto.decrypt;


import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fle4j.CiphertextException;
import io.fle4j.internal.vault.DataKeys;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import org.bson.BsonArray;
import org.bson.BsonBinary;
import org.bson.BsonBinarySubType;
import org.bson.BsonDocument;
import org.bson.BsonInt32;
import org.bson.BsonJavaScriptWithScope;
import org.bson.BsonString;
import org.bson.BsonValue;
import org.bson.RawBsonDocument;
import org.bson.codecs.BsonDocumentCodec;
import org.junit.jupiter.api.Test;

class RawReplyDecryptorTest {
  private final TestDataKeys keys = new TestDataKeys();
  private final DataKeys dataKeys = keys.dataKeys;

  private BsonBinary enc(BsonValue value) {
    return keys.encrypt(value);
  }

  @Test
  void decrypt_everyTypeAtEveryDepth_equalsTheObjectDecryptor() {
    BsonDocument plain = new BsonDocument("_id", new BsonInt32(1));
    List<BsonValue> values = new java.util.ArrayList<>();
    values.addAll(io.fle4j.testing.BsonSamples.everyEncryptableType());
    values.addAll(io.fle4j.testing.BsonSamples.randomOnlyTypes());
    BsonDocument encrypted = new BsonDocument("_id", new BsonInt32(1));
    for (int i = 0; i < values.size(); i++) {
      plain.put("f" + i, values.get(i));
      encrypted.put("f" + i, enc(values.get(i)));
    }
    BsonDocument nestedPlain = new BsonDocument("a", new BsonArray(List.of(plain.clone(), new BsonString("x"))));
    BsonDocument nestedEncrypted = new BsonDocument("a", new BsonArray(List.of(encrypted.clone(), new BsonString("x"))));
    plain.put("nested", nestedPlain);
    encrypted.put("nested", nestedEncrypted);
    plain.put("code", new BsonJavaScriptWithScope("f()", new BsonDocument("s", new BsonString("in scope"))));
    encrypted.put("code", new BsonJavaScriptWithScope("f()", new BsonDocument("s", enc(new BsonString("in scope")))));
    plain.put("qe", new BsonBinary(BsonBinarySubType.ENCRYPTED, new byte[] {6, 1, 2}));
    encrypted.put("qe", new BsonBinary(BsonBinarySubType.ENCRYPTED, new byte[] {6, 1, 2}));

    RawBsonDocument raw = RawBsonDocument.parse(encrypted.toJson());
    ByteBuffer out = new RawReplyDecryptor(dataKeys).decrypt(raw.getByteBuffer().asNIO());

    BsonDocument viaBytes = new RawBsonDocument(out.array(), 0, out.limit()).decode(new BsonDocumentCodec());
    assertThat(viaBytes).isEqualTo(plain);
    assertThat(viaBytes).isEqualTo(new Decryptor(dataKeys).decryptDocument(encrypted));
  }

  @Test
  void decrypt_tamperedCiphertext_failsInsteadOfReturningIt() {
    byte[] blob = enc(new BsonString("secret")).getData();
    blob[30] ^= 1;
    BsonDocument doc = new BsonDocument("s", new BsonBinary(BsonBinarySubType.ENCRYPTED, blob));
    ByteBuffer bytes = RawBsonDocument.parse(doc.toJson()).getByteBuffer().asNIO();
    assertThatThrownBy(() -> new RawReplyDecryptor(dataKeys).decrypt(bytes))
        .isInstanceOf(CiphertextException.class);
  }

  @Test
  void decrypt_documentInsideALargerBufferOrOffHeap_readsOnlyThatDocument() {
    BsonDocument plain = new BsonDocument("s", new BsonString("secret")).append("n", new BsonInt32(3));
    BsonDocument encrypted = new BsonDocument("s", enc(new BsonString("secret"))).append("n", new BsonInt32(3));
    byte[] bytes = RawBsonDocument.parse(encrypted.toJson()).getByteBuffer().array();
    byte[] padded = new byte[bytes.length + 20];
    System.arraycopy(bytes, 0, padded, 7, bytes.length);
    ByteBuffer inside = ByteBuffer.wrap(padded, 3, padded.length - 3).slice().position(4);
    ByteBuffer direct = ByteBuffer.allocateDirect(bytes.length).put(bytes).flip();

    for (ByteBuffer in : List.of(inside, direct)) {
      ByteBuffer out = new RawReplyDecryptor(dataKeys).decrypt(in);
      assertThat(new RawBsonDocument(out.array(), 0, out.limit()).decode(new BsonDocumentCodec()))
          .isEqualTo(plain);
    }
  }

  @Test
  void decrypt_lengthsThatDoNotAddUp_areRefusedAsMalformedBson() {
    ByteBuffer document = RawBsonDocument.parse(
        new BsonDocument("s", enc(new BsonString("secret"))).append("n", new BsonInt32(3)).toJson())
        .getByteBuffer().asNIO();
    byte[] bytes = new byte[document.remaining()];
    document.get(bytes);
    byte[] longer = bytes.clone();
    longer[0] += 4; // the document claims bytes it does not have
    byte[] shorter = bytes.clone();
    shorter[0] -= 3; // the document ends inside its last element
    Map<String, byte[]> cases = Map.of("longer", longer, "shorter", shorter,
        "truncated", java.util.Arrays.copyOf(bytes, bytes.length - 10));
    for (Map.Entry<String, byte[]> bad : cases.entrySet()) {
      assertThat(org.assertj.core.api.Assertions.catchThrowable(
              () -> new RawReplyDecryptor(dataKeys).decrypt(ByteBuffer.wrap(bad.getValue()))))
          .as(bad.getKey())
          .isInstanceOf(org.bson.BsonSerializationException.class);
    }
  }

  @Test
  void decrypt_lengthsReachingPastTheBufferOrOverflowing_areRefused() {
    ByteBuffer document = RawBsonDocument.parse(
        new BsonDocument("s", enc(new BsonString("secret"))).append("n", new BsonInt32(3)).toJson())
        .getByteBuffer().asNIO();
    byte[] bytes = new byte[document.remaining()];
    document.get(bytes);

    // the document claims one more element, {x: 0}: its bytes are in the array, but past the
    // buffer's limit, where the next document of a reply would be
    byte[] roomy = java.util.Arrays.copyOf(bytes, bytes.length + 7);
    roomy[bytes.length - 1] = 0x10;
    roomy[bytes.length] = 'x';
    roomy[0] += 7;
    ByteBuffer fullView = ByteBuffer.wrap(roomy);
    assertThat(new RawReplyDecryptor(dataKeys).decrypt(fullView).limit()).as("well formed as a whole")
        .isPositive();
    ByteBuffer limited = ByteBuffer.wrap(roomy, 0, bytes.length);
    assertThatThrownBy(() -> new RawReplyDecryptor(dataKeys).decrypt(limited))
        .isInstanceOf(org.bson.BsonSerializationException.class);

    // the ciphertext's binary length is near Integer.MAX_VALUE: offsets must not wrap around
    byte[] huge = bytes.clone();
    int lengthAt = 4 + 1 + 2; // after the document length, the type byte and "s\0"
    huge[lengthAt] = (byte) 0xF2;
    huge[lengthAt + 1] = (byte) 0xFF;
    huge[lengthAt + 2] = (byte) 0xFF;
    huge[lengthAt + 3] = (byte) 0x7F;
    assertThatThrownBy(() -> new RawReplyDecryptor(dataKeys).decrypt(ByteBuffer.wrap(huge)))
        .isInstanceOf(org.bson.BsonSerializationException.class);
  }

  @Test
  void decrypt_codeWithScopeWhoseTotalLies_isRefused() {
    BsonDocument doc = new BsonDocument("code",
        new BsonJavaScriptWithScope("f()", new BsonDocument("s", enc(new BsonString("in scope")))));
    ByteBuffer document = RawBsonDocument.parse(doc.toJson()).getByteBuffer().asNIO();
    byte[] bytes = new byte[document.remaining()];
    document.get(bytes);
    int totalAt = 4 + 1 + "code".length() + 1;
    bytes[totalAt] -= 1;
    assertThatThrownBy(() -> new RawReplyDecryptor(dataKeys).decrypt(ByteBuffer.wrap(bytes)))
        .isInstanceOf(org.bson.BsonSerializationException.class);
  }
}
