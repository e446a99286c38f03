package io.fle4j.bench;

import com.mongodb.ClientEncryptionSettings;
import com.mongodb.client.model.vault.RewrapManyDataKeyOptions;
import io.fle4j.testkit.kms.aws.AwsKmsEmulator;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
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

  /** Per thread: each thread rewraps its own 1,000 keys (two threads must not race for one set). */
  @State(Scope.Thread)
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

  /**
   * Rewrapping 1,000 local keys to AWS KMS (the testkit's emulator) with 20 ms of latency per KMS
   * call, then back: the shape of a master-key rotation. One operation moves all 1,000 keys.
   */
  @State(Scope.Benchmark)
  public static class RewrapToAws {
    static final int KEYS = 1_000;

    @Param({"fle4j", "official"})
    public String impl;

    private Fixture fixture;
    private AwsKmsEmulator aws;
    private ClientEncryption engine;
    private BsonDocument awsMasterKey;
    private boolean toAws = true;

    @Setup
    public void setUp() {
      fixture = new Fixture();
      aws = AwsKmsEmulator.start();
      String keyArn = aws.createKey("us-east-1");
      awsMasterKey = new BsonDocument("region", new BsonString("us-east-1"))
          .append("key", new BsonString(keyArn)).append("endpoint", new BsonString(aws.endpoint()));
      Map<String, Map<String, Object>> providers = new LinkedHashMap<>(fixture.kmsProviders);
      providers.put("aws", aws.credentials().asKmsProviderProperties());
      ClientEncryptionSettings settings = ClientEncryptionSettings.builder()
          .keyVaultMongoClientSettings(fixture.settings).keyVaultNamespace(Fixture.KEY_VAULT)
          .kmsProviders(providers).kmsProviderSslContextMap(Map.of("aws", aws.clientSslContext()))
          .build();
      engine = impl.equals("fle4j") ? io.fle4j.ClientEncryptions.create(settings)
          : com.mongodb.client.vault.ClientEncryptions.create(settings);
      for (int i = 1; i < KEYS; i++) {
        fixture.fle4j.createDataKey("local");
      }
      aws.faults().latency(Duration.ofMillis(20));
    }

    @Benchmark
    @BenchmarkMode(Mode.SingleShotTime)
    @OutputTimeUnit(TimeUnit.MILLISECONDS)
    public long rewrap1000KeysWith20msKms() {
      RewrapManyDataKeyOptions options = toAws
          ? new RewrapManyDataKeyOptions().provider("aws").masterKey(awsMasterKey)
          : new RewrapManyDataKeyOptions().provider("local");
      String from = toAws ? "local" : "aws";
      toAws = !toAws;
      return engine.rewrapManyDataKey(new BsonDocument("masterKey.provider", new BsonString(from)), options)
          .getBulkWriteResult().getModifiedCount();
    }

    @TearDown
    public void tearDown() {
      engine.close();
      aws.close();
      fixture.close();
    }
  }
}
