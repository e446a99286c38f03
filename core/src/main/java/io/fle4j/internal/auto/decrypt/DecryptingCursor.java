package io.fle4j.internal.auto.decrypt;

import com.mongodb.MongoInterruptedException;
import com.mongodb.ServerAddress;
import com.mongodb.ServerCursor;
import com.mongodb.client.MongoCursor;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.NoSuchElementException;
import org.bson.BsonBinaryReader;
import org.bson.RawBsonDocument;
import org.bson.codecs.Decoder;
import org.bson.codecs.DecoderContext;

/**
 * A cursor over raw, still encrypted results that hands out decrypted, decoded ones. Each time
 * it runs dry it takes the whole batch the driver already holds (the first document may need a
 * getMore; the rest are in memory), decrypts it as one {@link BatchDecryption.Batch}, and
 * decodes the documents one by one as the application asks for them.
 */
public final class DecryptingCursor<R> implements MongoCursor<R> {
  /** Batches larger than this (only with huge batch sizes) are taken in parts. */
  private static final int MAX_BATCH = 10_000;
  private static final DecoderContext DECODER_CONTEXT = DecoderContext.builder().build();

  private final MongoCursor<RawBsonDocument> raw;
  private final BatchDecryption decryption;
  private final Decoder<R> decoder;
  private BatchDecryption.Batch batch;
  private int position;
  private boolean closed;

  public DecryptingCursor(MongoCursor<RawBsonDocument> raw, BatchDecryption decryption, Decoder<R> decoder) {
    this.raw = raw;
    this.decryption = decryption;
    this.decoder = decoder;
  }

  /** Decrypts and decodes one raw result. */
  public static <R> R decode(RawBsonDocument document, BatchDecryption decryption, Decoder<R> decoder) {
    return decode(decryption.decrypt(document), decoder);
  }

  private static <R> R decode(ByteBuffer bytes, Decoder<R> decoder) {
    return decoder.decode(new BsonBinaryReader(bytes), DECODER_CONTEXT);
  }

  @Override
  public boolean hasNext() {
    checkOpen();
    return buffered() > 0 || raw.hasNext();
  }

  @Override
  public R next() {
    checkOpen();
    if (buffered() == 0) {
      if (!raw.hasNext()) {
        throw new NoSuchElementException();
      }
      List<RawBsonDocument> documents = new ArrayList<>();
      documents.add(raw.next()); // may wait for a getMore
      int inMemory = Math.min(raw.available(), MAX_BATCH - 1);
      for (int i = 0; i < inMemory; i++) {
        documents.add(raw.next());
      }
      batch = decryption.start(documents);
      position = 0;
    }
    int index = position;
    ByteBuffer bytes;
    try {
      bytes = batch.get(index);
    } catch (MongoInterruptedException e) {
      throw e; // this document was not reached: the next call asks for it again
    } catch (RuntimeException | Error e) {
      position = index + 1; // this document failed; the next call moves on
      throw e;
    }
    position = index + 1;
    return decode(bytes, decoder);
  }

  @Override
  public R tryNext() {
    checkOpen();
    if (buffered() > 0) {
      return next();
    }
    RawBsonDocument document = raw.tryNext(); // tailable cursors: one at a time
    return document == null ? null : decode(document, decryption, decoder);
  }

  @Override
  public int available() {
    return buffered() + raw.available();
  }

  @Override
  public void close() {
    closed = true;
    if (batch != null) {
      batch.cancel();
      batch = null; // let the decrypted documents go
    }
    raw.close();
  }

  @Override
  public ServerCursor getServerCursor() {
    return raw.getServerCursor();
  }

  @Override
  public ServerAddress getServerAddress() {
    return raw.getServerAddress();
  }

  private void checkOpen() {
    if (closed) {
      throw new IllegalStateException("Cursor has been closed"); // as the driver's cursor says
    }
  }

  private int buffered() {
    return batch == null ? 0 : batch.size() - position;
  }
}
