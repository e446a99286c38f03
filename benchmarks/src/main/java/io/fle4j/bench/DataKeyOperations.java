package io.fle4j.bench;

import com.mongodb.client.model.vault.RewrapManyDataKeyOptions;
import com.mongodb.client.vault.ClientEncryption;
import java.util.concurrent.TimeUnit;
import org.bson.BsonBinary;
import org.bson.BsonDocument;
import org.bson.BsonString;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/** Case (e): createDataKey with the local provider, and rewrapManyDataKey of 1,000 keys. */
public class DataKeyOperations {

  @State(Scope.Benchmark)
  public static class Create {
    @Param({"fle4j", "official"})
    public String impl;

    private Fixture fixture;
    private ClientEncryption engine;

    @Setup
    public void setUp() {
      fixture = new Fixture();
      engine = fixture.engine(impl);
    }

    @Benchmark
    @BenchmarkMode(Mode.Throughput)
    @OutputTimeUnit(TimeUnit.SECONDS)
    public BsonBinary createDataKey() {
      return engine.createDataKey("local");
    }

    @TearDown
    public void tearDown() {
      fixture.close();
    }
  }

  @State(Scope.Benchmark)
  public static class Rewrap {
    static final int KEYS = 1_000;

    @Param({"fle4j", "official"})
    public String impl;

    private Fixture fixture;
    private ClientEncryption engine;
    private boolean toB = true;

    @Setup
    public void setUp() {
      fixture = new Fixture();
      engine = fixture.engine(impl);
      for (int i = 1; i < KEYS; i++) { // the fixture made one already
        fixture.fle4j.createDataKey("local");
      }
    }

    /** Moves all 1,000 keys from one local master key to the other (alternating). */
    @Benchmark
    @BenchmarkMode(Mode.Throughput)
    @OutputTimeUnit(TimeUnit.SECONDS)
    public long rewrap1000Keys() {
      String from = toB ? "local" : "local:b";
      String to = toB ? "local:b" : "local";
      toB = !toB;
      return engine.rewrapManyDataKey(new BsonDocument("masterKey.provider", new BsonString(from)),
          new RewrapManyDataKeyOptions().provider(to)).getBulkWriteResult().getModifiedCount();
    }

    @TearDown
    public void tearDown() {
      fixture.close();
    }
  }
}
