package io.fle4j.internal.crypto;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.List;
import org.bson.BsonDocument;
import org.bson.BsonString;
import org.bson.RawBsonDocument;
import org.bson.codecs.BsonDocumentCodec;
import org.junit.jupiter.api.Test;

class BsonValueBytesTest {

  /** The body as the driver's own writer lays it out inside a document. */
  private static byte[] writerBody(BsonString value) {
    ByteBuffer bytes = new RawBsonDocument(new BsonDocument("", value), new BsonDocumentCodec())
        .getByteBuffer().asNIO();
    byte[] body = new byte[bytes.remaining() - 4 - 1 - 1 - 1];
    bytes.position(bytes.position() + 6);
    bytes.get(body);
    return body;
  }

  @Test
  void body_ofStrings_asciiOrNot_isExactlyWhatTheBsonWriterWrites() {
    for (String s : List.of("", "a", "123-45-6789", "nul\u0000inside", "\u007f", "x".repeat(1029),
        "caf\u00e9", "\u20ac 12", "emoji \ud83d\ude00", "lone \ud800 surrogate", "mixed a\u00e9b")) {
      BsonString value = new BsonString(s);
      assertThat(BsonValueBytes.body(value)).as(s).isEqualTo(writerBody(value));
    }
  }
}
