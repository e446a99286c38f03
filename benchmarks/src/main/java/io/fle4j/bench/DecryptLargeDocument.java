package io.fle4j.bench;

import io.fle4j.internal.auto.AutoEncryptionEngine;

import com.mongodb.MongoNamespace;
import com.mongodb.client.model.vault.EncryptOptions;
import com.mongodb.internal.crypt.capi.MongoCrypt;
import com.mongodb.internal.crypt.capi.MongoCryptContext;
import com.mongodb.internal.crypt.capi.MongoCryptOptions;
import com.mongodb.internal.crypt.capi.MongoCrypts;
import com.mongodb.internal.crypt.capi.MongoLocalKmsProviderOptions;
import io.fle4j.Algorithm;
import io.fle4j.internal.kms.KmsProviderRegistry;
import io.fle4j.internal.vault.DataKeys;
import io.fle4j.internal.vault.KeyVault;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.bson.BsonBinaryReader;
import org.bson.BsonDocument;
import org.bson.BsonString;
import org.bson.RawBsonDocument;
import org.bson.codecs.Codec;
import org.bson.codecs.DecoderContext;
import org.bson.codecs.configuration.CodecRegistries;
import org.bson.codecs.RawBsonDocumentCodec;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Case (b): decrypting one document holding 1,500 deterministic string fields, the shape of
 * libmongocrypt's own benchmark. Both sides run their automatic-decryption path on a reply
 * document: fle4j's decrypting codec, and libmongocrypt's decryption context (as the official
 * driver's auto-decryption uses it), with keys already cached on both.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class DecryptLargeDocument {
  @Param({"fle4j", "official"})
  public String impl;

  private Fixture fixture;
  private RawBsonDocument document;
  private Codec<RawBsonDocument> fle4jDecoder;
  private AutoEncryptionEngine engine;
  private MongoCrypt mongoCrypt;
  private BsonDocument keyDocument;

  @Setup
  public void setUp() {
    fixture = new Fixture();
    BsonDocument plain = new BsonDocument();
    EncryptOptions options = new EncryptOptions(Algorithm.DETERMINISTIC.specName()).keyId(fixture.keyId);
    for (int i = 1; i <= 1500; i++) {
      String name = String.format("key%04d", i);
      plain.append(name, fixture.fle4j.encrypt(new BsonString(String.format("value %04d", i)), options));
    }
    document = RawBsonDocument.parse(plain.toJson());
    if (impl.equals("fle4j")) {
      KeyVault vault = new KeyVault(fixture.client, new MongoNamespace(Fixture.KEY_VAULT));
      KmsProviderRegistry kms = KmsProviderRegistry.create(fixture.kmsProviders, Map.of(), Map.of(),
          List.of(), getClass().getClassLoader());
      engine = new AutoEncryptionEngine(Map.of(), false, fixture.client,
          new DataKeys(vault, kms, Duration.ZERO), 0, kms);
      // Raw bytes out, as libmongocrypt's finish() gives: neither side pays for decoding here.
      fle4jDecoder = engine.decrypting(CodecRegistries.fromCodecs(new RawBsonDocumentCodec()))
          .get(RawBsonDocument.class);
    } else {
      mongoCrypt = MongoCrypts.create(MongoCryptOptions.builder()
          .localKmsProviderOptions(MongoLocalKmsProviderOptions.builder()
              .localMasterKey(ByteBuffer.wrap(fixture.masterKey)).build())
          .keyExpirationMS(0L).build());
      keyDocument = fixture.keyDocument();
    }
    decrypt(); // warms the key caches
  }

  @Benchmark
  public BsonDocument decrypt() {
    if (fle4jDecoder != null) {
      return fle4jDecoder.decode(new BsonBinaryReader(document.getByteBuffer().asNIO()),
          DecoderContext.builder().build());
    }
    try (MongoCryptContext context = mongoCrypt.createDecryptionContext(document)) {
      while (true) {
        switch (context.getState()) {
          case NEED_MONGO_KEYS -> {
            context.addMongoOperationResult(keyDocument);
            context.completeMongoOperation();
          }
          case NEED_KMS -> context.completeKeyDecryptors();
          case READY -> {
            return context.finish();
          }
          default -> throw new IllegalStateException("unexpected state " + context.getState());
        }
      }
    }
  }

  @TearDown
  public void tearDown() throws Exception {
    if (engine != null) {
      engine.close();
    }
    if (mongoCrypt != null) {
      mongoCrypt.close();
    }
    fixture.close();
  }
}
