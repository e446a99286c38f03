package io.fle4j.bench;

import com.mongodb.client.model.vault.EncryptOptions;
import com.mongodb.client.model.vault.RangeOptions;
import com.mongodb.client.vault.ClientEncryption;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.bson.BsonArray;
import org.bson.BsonBinary;
import org.bson.BsonDocument;
import org.bson.BsonDouble;
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

/**
 * Explicit Queryable Encryption, fle4j next to the official driver: encrypting a value for
 * insertion (Indexed, Unindexed, Range) or an equality query, decrypting what was encrypted
 * (the insert payload; the unindexed value, which is stored as sent), and encrypting a range
 * query with encryptExpression.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class QueryableEncryption {
  @Param({"fle4j", "official"})
  public String impl;

  @Param({"indexed-string32", "unindexed-string32", "range-int32", "range-double-precision"})
  public String value;

  private Fixture fixture;
  private ClientEncryption engine;
  private BsonValue plaintext;
  private EncryptOptions options;
  private BsonBinary ciphertext;
  private BsonDocument expression;
  private EncryptOptions queryOptions;

  @Setup
  public void setUp() {
    fixture = new Fixture();
    engine = fixture.engine(impl);
    BsonValue lower;
    BsonValue upper;
    RangeOptions range = null;
    switch (value) {
      case "range-int32" -> {
        plaintext = new BsonInt32(123_456);
        lower = new BsonInt32(1_000);
        upper = new BsonInt32(900_000);
        range = new RangeOptions().min(new BsonInt32(0)).max(new BsonInt32(1_000_000));
      }
      case "range-double-precision" -> {
        plaintext = new BsonDouble(1234.56);
        lower = new BsonDouble(10.5);
        upper = new BsonDouble(9000.25);
        range = new RangeOptions().min(new BsonDouble(0)).max(new BsonDouble(10_000))
            .precision(2);
      }
      default -> {
        plaintext = new BsonString("x".repeat(32));
        lower = null;
        upper = null;
      }
    }
    String algorithm = value.startsWith("range") ? "Range"
        : value.startsWith("unindexed") ? "Unindexed" : "Indexed";
    options = new EncryptOptions(algorithm).keyId(fixture.keyId);
    if (!algorithm.equals("Unindexed")) {
      options.contentionFactor(0L);
    }
    if (value.startsWith("indexed-find")) {
      options.queryType("equality");
    }
    if (range != null) {
      options.rangeOptions(range);
      queryOptions = new EncryptOptions("Range").keyId(fixture.keyId).contentionFactor(0L)
          .queryType("range").rangeOptions(range);
      expression = new BsonDocument("$and", new BsonArray(List.of(
          new BsonDocument("field", new BsonDocument("$gte", lower)),
          new BsonDocument("field", new BsonDocument("$lt", upper)))));
      engine.encryptExpression(expression, queryOptions);
    }
    ciphertext = engine.encrypt(plaintext, options); // also warms the key caches
    engine.decrypt(ciphertext);
  }

  @Benchmark
  public BsonBinary encrypt() {
    return engine.encrypt(plaintext, options);
  }

  /** Decrypts what encrypt made; a find payload holds no value and comes back as it is. */
  @Benchmark
  public BsonValue decrypt() {
    return engine.decrypt(ciphertext);
  }

  @TearDown
  public void tearDown() {
    fixture.close();
  }

  /**
   * An equality query value (a find payload: tokens only, so there is nothing to decrypt and no
   * decrypt case).
   */
  @State(Scope.Benchmark)
  @BenchmarkMode(Mode.Throughput)
  @OutputTimeUnit(TimeUnit.SECONDS)
  public static class EqualityQuery {
    @Param({"fle4j", "official"})
    public String impl;

    private final QueryableEncryption inner = new QueryableEncryption();

    @Setup
    public void setUp() {
      inner.impl = impl;
      inner.value = "indexed-find-string32";
      inner.setUp();
    }

    @Benchmark
    public BsonBinary encrypt() {
      return inner.encrypt();
    }

    @TearDown
    public void tearDown() {
      inner.tearDown();
    }
  }

  /** A closed range query ({@code $gte} and {@code $lt}) on a Range-indexed field. */
  @State(Scope.Benchmark)
  @BenchmarkMode(Mode.Throughput)
  @OutputTimeUnit(TimeUnit.SECONDS)
  public static class RangeQuery {
    @Param({"fle4j", "official"})
    public String impl;

    @Param({"range-int32", "range-double-precision"})
    public String value;

    private final QueryableEncryption inner = new QueryableEncryption();

    @Setup
    public void setUp() {
      inner.impl = impl;
      inner.value = value;
      inner.setUp();
    }

    @Benchmark
    public BsonDocument encryptExpression() {
      return inner.engine.encryptExpression(inner.expression, inner.queryOptions);
    }

    @TearDown
    public void tearDown() {
      inner.tearDown();
    }
  }
}
