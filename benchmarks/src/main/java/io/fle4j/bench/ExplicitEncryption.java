package io.fle4j.bench;

import com.mongodb.client.model.vault.EncryptOptions;
import com.mongodb.client.vault.ClientEncryption;
import io.fle4j.Algorithm;
import java.util.concurrent.TimeUnit;
import org.bson.BsonBinary;
import org.bson.BsonDocument;
import org.bson.BsonInt32;
import org.bson.BsonString;
import org.bson.BsonValue;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/** Case (a): explicit encrypt and decrypt of one value, fle4j next to the official driver. */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class ExplicitEncryption {
  @Param({"fle4j", "official"})
  public String impl;

  @Param({"string32-det", "string32-rnd", "string1k-det", "string1k-rnd", "int32-det", "int32-rnd",
      "document20-rnd"})
  public String value;

  private Fixture fixture;
  private ClientEncryption engine;
  private BsonValue plaintext;
  private EncryptOptions options;
  private BsonBinary ciphertext;

  @Setup
  public void setUp() {
    fixture = new Fixture();
    engine = fixture.engine(impl);
    String[] parts = value.split("-");
    plaintext = plaintext(parts[0]);
    Algorithm algorithm = parts[1].equals("det") ? Algorithm.DETERMINISTIC : Algorithm.RANDOM;
    options = new EncryptOptions(algorithm.specName()).keyId(fixture.keyId);
    ciphertext = engine.encrypt(plaintext, options); // also warms the key caches
    engine.decrypt(ciphertext);
  }

  static BsonValue plaintext(String kind) {
    return switch (kind) {
      case "string32" -> new BsonString("x".repeat(32));
      case "string1k" -> new BsonString("y".repeat(1024));
      case "int32" -> new BsonInt32(123_456_789);
      case "document20" -> {
        BsonDocument document = new BsonDocument();
        for (int i = 0; i < 20; i++) {
          document.append("field" + i, i % 2 == 0 ? new BsonString("value " + i) : new BsonInt32(i));
        }
        yield document;
      }
      default -> throw new IllegalArgumentException(kind);
    };
  }

  @Benchmark
  public BsonBinary encrypt() {
    return engine.encrypt(plaintext, options);
  }

  @Benchmark
  public BsonValue decrypt() {
    return engine.decrypt(ciphertext);
  }

  @TearDown
  public void tearDown() {
    fixture.close();
  }
}
