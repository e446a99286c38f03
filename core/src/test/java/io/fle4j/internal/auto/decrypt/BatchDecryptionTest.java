package io.fle4j.internal.auto.decrypt;


import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fle4j.CiphertextException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.bson.BsonBinary;
import org.bson.BsonDocument;
import org.bson.BsonInt32;
import org.bson.BsonString;
import org.bson.RawBsonDocument;
import org.bson.codecs.BsonDocumentCodec;
import org.junit.jupiter.api.Test;

class BatchDecryptionTest {
  private static final int DOCUMENTS = 300;

  private final TestDataKeys keys = new TestDataKeys();
  private final List<BsonDocument> plain = new ArrayList<>();
  private final List<RawBsonDocument> encrypted = new ArrayList<>();

  BatchDecryptionTest() {
    for (int i = 0; i < DOCUMENTS; i++) {
      BsonDocument document = new BsonDocument("_id", new BsonInt32(i));
      BsonDocument stored = document.clone();
      for (String field : List.of("a", "b", "c")) {
        BsonString value = new BsonString(field + "-" + i + "-" + "x".repeat(i % 40));
        document.append(field, value);
        stored.append(field, keys.encrypt(value));
      }
      plain.add(document);
      encrypted.add(new RawBsonDocument(stored, new BsonDocumentCodec()));
    }
  }

  private static BsonDocument decode(ByteBuffer bytes) {
    byte[] copy = new byte[bytes.remaining()];
    bytes.duplicate().get(copy);
    return new RawBsonDocument(copy).decode(new BsonDocumentCodec());
  }

  @Test
  void get_withHelpersAtWork_returnsEveryDocumentDecryptedInOrder() throws Exception {
    try (BatchDecryption decryption = new BatchDecryption(new RawReplyDecryptor(keys.dataKeys), 2)) {
      BatchDecryption.Batch batch = decryption.start(encrypted);
      assertThat(batch.sliceCount()).isGreaterThan(4);
      long deadline = System.nanoTime() + 10_000_000_000L;
      while (batch.slicesDecryptedByHelpers() == 0 && System.nanoTime() < deadline) {
        Thread.sleep(1); // let a helper claim a slice before the reader takes the rest
      }
      assertThat(batch.slicesDecryptedByHelpers()).as("slices decrypted by helpers").isPositive();
      for (int i = 0; i < DOCUMENTS; i++) {
        assertThat(decode(batch.get(i))).as("document %d", i).isEqualTo(plain.get(i));
      }
    }
  }

  @Test
  void get_withoutHelpers_theReaderDecryptsEverything() {
    try (BatchDecryption decryption = new BatchDecryption(new RawReplyDecryptor(keys.dataKeys), 0)) {
      BatchDecryption.Batch batch = decryption.start(encrypted);
      for (int i = 0; i < DOCUMENTS; i++) {
        assertThat(decode(batch.get(i))).isEqualTo(plain.get(i));
      }
      assertThat(batch.slicesDecryptedByHelpers()).isZero();
    }
  }

  @Test
  void get_aDocumentThatFails_throwsAtItsPlaceOnly() {
    List<RawBsonDocument> documents = new ArrayList<>(encrypted);
    BsonDocument bad = documents.get(150).decode(new BsonDocumentCodec());
    byte[] ciphertext = bad.getBinary("b").getData();
    ciphertext[40] ^= 1;
    bad.put("b", new BsonBinary((byte) 6, ciphertext));
    documents.set(150, new RawBsonDocument(bad, new BsonDocumentCodec()));

    try (BatchDecryption decryption = new BatchDecryption(new RawReplyDecryptor(keys.dataKeys), 2)) {
      BatchDecryption.Batch batch = decryption.start(documents);
      for (int i = 0; i < DOCUMENTS; i++) {
        int index = i;
        if (i == 150) {
          assertThatThrownBy(() -> batch.get(index)).isInstanceOf(CiphertextException.class);
        } else {
          assertThat(decode(batch.get(i))).isEqualTo(plain.get(i));
        }
      }
    }
  }

  @Test
  void get_afterAnInterruptedKeyLookup_decryptsTheDocumentWhenAskedAgain_losingNone() {
    // Issue 13, item 7: a stored interruption was cleared before it was thrown, so asking again
    // for the same document (as the cursor does after an interruption) threw a NullPointerException.
    keys.interruptedLookups.set(1);
    try (BatchDecryption decryption = new BatchDecryption(new RawReplyDecryptor(keys.dataKeys), 0)) {
      BatchDecryption.Batch batch = decryption.start(encrypted);
      assertThatThrownBy(() -> batch.get(0)).isInstanceOf(com.mongodb.MongoInterruptedException.class);
      for (int i = 0; i < DOCUMENTS; i++) {
        assertThat(decode(batch.get(i))).as("document %d", i).isEqualTo(plain.get(i));
      }
    }
  }

  @Test
  void start_afterClose_theReaderGoesAlone() {
    BatchDecryption decryption = new BatchDecryption(new RawReplyDecryptor(keys.dataKeys), 2);
    decryption.close();
    BatchDecryption.Batch batch = decryption.start(encrypted);
    for (int i = 0; i < DOCUMENTS; i++) {
      assertThat(decode(batch.get(i))).isEqualTo(plain.get(i));
    }
    assertThat(batch.slicesDecryptedByHelpers()).isZero();
  }
}
