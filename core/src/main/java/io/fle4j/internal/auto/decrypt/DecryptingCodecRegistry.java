package io.fle4j.internal.auto.decrypt;

import java.lang.reflect.Type;
import java.util.List;
import org.bson.BsonBinaryReader;
import org.bson.BsonDocument;
import org.bson.BsonDocumentReader;
import org.bson.BsonReader;
import org.bson.BsonType;
import org.bson.BsonValue;
import org.bson.BsonWriter;
import org.bson.RawBsonDocument;
import org.bson.codecs.BsonValueCodec;
import org.bson.codecs.Codec;
import org.bson.codecs.DecoderContext;
import org.bson.codecs.EncoderContext;
import org.bson.codecs.RawBsonDocumentCodec;
import org.bson.codecs.configuration.CodecRegistry;

/**
 * Wraps the application's codec registry so that every value the driver decodes for it (each
 * document of a find or aggregate batch, getMore batches, findAndModify results, distinct values,
 * change events, command replies) is decrypted first, whatever the target class: Document,
 * BsonDocument, POJO or record. Only the top-level lookups the driver makes are wrapped; codecs
 * keep using the application's registry for nested values. Encoding is left alone: writes are
 * encrypted before the driver sees them.
 */
public final class DecryptingCodecRegistry implements CodecRegistry {
  private static final RawBsonDocumentCodec RAW = new RawBsonDocumentCodec();
  private static final BsonValueCodec VALUES = new BsonValueCodec();

  private final CodecRegistry registry;
  private final Decryptor decryptor;
  private final RawReplyDecryptor rawDecryptor;

  public DecryptingCodecRegistry(CodecRegistry registry, Decryptor decryptor, RawReplyDecryptor rawDecryptor) {
    this.registry = registry;
    this.decryptor = decryptor;
    this.rawDecryptor = rawDecryptor;
  }

  /** The application's registry, unwrapped. */
  public CodecRegistry unwrapped() {
    return registry;
  }

  @Override
  public <T> Codec<T> get(Class<T> clazz) {
    return new DecryptingCodec<>(registry.get(clazz));
  }

  @Override
  public <T> Codec<T> get(Class<T> clazz, List<Type> typeArguments) {
    return new DecryptingCodec<>(registry.get(clazz, typeArguments));
  }

  @Override
  public <T> Codec<T> get(Class<T> clazz, CodecRegistry outer) {
    return new DecryptingCodec<>(registry.get(clazz, outer));
  }

  private final class DecryptingCodec<T> implements Codec<T> {
    private final Codec<T> codec;

    DecryptingCodec(Codec<T> codec) {
      this.codec = codec;
    }

    @Override
    public T decode(BsonReader reader, DecoderContext context) {
      BsonType type = reader.getCurrentBsonType();
      if (type == null || type == BsonType.DOCUMENT) {
        RawBsonDocument raw = RAW.decode(reader, context);
        return codec.decode(
            new BsonBinaryReader(rawDecryptor.decryptIfEncrypted(raw.getByteBuffer().asNIO())), context);
      }
      // A single value (distinct): decrypt it, then let the codec read it as the only element.
      BsonValue value = decryptor.decrypt(VALUES.decode(reader, context));
      BsonDocumentReader single = new BsonDocumentReader(new BsonDocument("v", value));
      single.readStartDocument();
      single.readBsonType();
      single.skipName();
      return codec.decode(single, context);
    }

    @Override
    public void encode(BsonWriter writer, T value, EncoderContext context) {
      codec.encode(writer, value, context);
    }

    @Override
    public Class<T> getEncoderClass() {
      return codec.getEncoderClass();
    }
  }
}
