package io.fle4j.it.azure;

import static org.assertj.core.api.Assertions.assertThat;

import com.mongodb.ClientEncryptionSettings;
import com.mongodb.ConnectionString;
import com.mongodb.MongoClientSettings;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.vault.DataKeyOptions;
import com.mongodb.client.model.vault.EncryptOptions;
import com.mongodb.client.model.vault.RewrapManyDataKeyOptions;
import com.mongodb.client.model.vault.RewrapManyDataKeyResult;
import com.mongodb.client.vault.ClientEncryption;
import io.fle4j.KeyVaultIndexes;
import io.fle4j.testkit.kms.aws.AwsKmsEmulator;
import io.fle4j.testkit.kms.azure.AzureKeyVaultEmulator;
import io.fle4j.testkit.kms.gcp.GcpKmsEmulator;
import io.fle4j.testkit.mongo.MongoTestTarget;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;
import javax.net.ssl.SSLContext;
import org.bson.BsonBinary;
import org.bson.BsonDocument;
import org.bson.BsonString;
import org.bson.BsonValue;
import org.bson.UuidRepresentation;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code rewrapManyDataKey} between {@code local}, {@code aws}, {@code azure} and {@code gcp}, in
 * every direction, on the three emulators: for each ordered pair (from, to), the official driver
 * creates a data key under {@code from} and encrypts with it; fle4j rewraps it to {@code to};
 * fresh ClientEncryptions of both sides that know only {@code to} read it; then the official
 * driver rewraps it back to {@code from}, and fresh ones of both sides that know only {@code
 * from} read it. Ciphertexts made before any rewrap still decrypt, and deterministic encryption
 * still gives the same bytes.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MultiCloudRewrapTest {
  private static final String DETERMINISTIC = "AEAD_AES_256_CBC_HMAC_SHA_512-Deterministic";
  private static final String RANDOM = "AEAD_AES_256_CBC_HMAC_SHA_512-Random";
  private static final List<String> PROVIDERS = List.of("local", "aws", "azure", "gcp");

  private AwsKmsEmulator aws;
  private AzureKeyVaultEmulator azure;
  private GcpKmsEmulator gcp;
  private String awsKey;
  private GcpKmsEmulator.CryptoKey gcpKey;
  private AzureKeyVaultEmulator.App azureApp;
  private final byte[] localKey = new byte[96];
  private final String database = "rewrap_" + UUID.randomUUID().toString().replace("-", "")
      .substring(0, 12);
  private MongoClientSettings clientSettings;
  private MongoClient client;
  private final List<AutoCloseable> opened = new ArrayList<>();

  @BeforeAll
  void start() {
    aws = AwsKmsEmulator.start();
    awsKey = aws.createKey("us-east-1");
    azure = AzureKeyVaultEmulator.start();
    azure.createKey("rewrap-kek");
    azureApp = azure.registerApplication();
    gcp = GcpKmsEmulator.start();
    gcpKey = gcp.createKey("global", "rewrap-ring", "rewrap-kek");
    new SecureRandom().nextBytes(localKey);
    clientSettings = MongoClientSettings.builder()
        .applyConnectionString(new ConnectionString(MongoTestTarget.connectionString()))
        .uuidRepresentation(UuidRepresentation.STANDARD).build();
    client = MongoClients.create(clientSettings);
    MongoCollection<BsonDocument> keys =
        client.getDatabase(database).getCollection("datakeys", BsonDocument.class);
    KeyVaultIndexes.ensureKeyAltNamesIndex(keys);
  }

  @AfterAll
  void stop() throws Exception {
    try {
      for (AutoCloseable closeable : opened) {
        closeable.close();
      }
      client.getDatabase(database).drop();
      client.close();
    } finally {
      aws.close();
      azure.close();
      gcp.close();
    }
  }

  static Stream<Arguments> directions() {
    return PROVIDERS.stream().flatMap(from -> PROVIDERS.stream().filter(to -> !to.equals(from))
        .map(to -> Arguments.of(from, to)));
  }

  @ParameterizedTest(name = "{0} -> {1} (fle4j), back (official)")
  @MethodSource("directions")
  void rewrap_everyDirection_leavesTheKeyReadableByBothSides(String from, String to) {
    ClientEncryption creator = official(PROVIDERS.toArray(String[]::new));
    BsonBinary id = creator.createDataKey(from, options(from));
    BsonValue value = new BsonString(from + " to " + to);
    BsonBinary det = creator.encrypt(value, new EncryptOptions(DETERMINISTIC).keyId(id));
    BsonBinary rnd = creator.encrypt(value, new EncryptOptions(RANDOM).keyId(id));

    RewrapManyDataKeyResult there = fle4j(PROVIDERS.toArray(String[]::new))
        .rewrapManyDataKey(Filters.eq("_id", id), rewrapTo(to));
    assertThat(there.getBulkWriteResult().getModifiedCount()).isEqualTo(1);
    assertThat(rawKey(id).getDocument("masterKey").getString("provider").getValue()).isEqualTo(to);
    assertReadable(id, det, rnd, value, to);

    RewrapManyDataKeyResult back = official(PROVIDERS.toArray(String[]::new))
        .rewrapManyDataKey(Filters.eq("_id", id), rewrapTo(from));
    assertThat(back.getBulkWriteResult().getModifiedCount()).isEqualTo(1);
    assertThat(rawKey(id).getDocument("masterKey").getString("provider").getValue())
        .isEqualTo(from);
    assertReadable(id, det, rnd, value, from);
  }

  private void assertReadable(BsonBinary id, BsonBinary det, BsonBinary rnd, BsonValue value,
      String only) {
    for (ClientEncryption reader : List.of(fle4j(only), official(only))) {
      assertThat(reader.decrypt(det)).isEqualTo(value);
      assertThat(reader.decrypt(rnd)).isEqualTo(value);
      assertThat(reader.encrypt(value, new EncryptOptions(DETERMINISTIC).keyId(id))).isEqualTo(det);
    }
  }

  private BsonDocument rawKey(BsonBinary id) {
    return client.getDatabase(database).getCollection("datakeys", BsonDocument.class)
        .find(new BsonDocument("_id", id)).first();
  }

  private BsonDocument masterKey(String provider) {
    switch (provider) {
      case "aws":
        return new BsonDocument("region", new BsonString("us-east-1"))
            .append("key", new BsonString(awsKey))
            .append("endpoint", new BsonString(aws.endpoint()));
      case "azure":
        return new BsonDocument("keyVaultEndpoint", new BsonString(azure.endpoint()))
            .append("keyName", new BsonString("rewrap-kek"));
      case "gcp":
        return gcpKey.masterKey();
      default:
        return null;
    }
  }

  private DataKeyOptions options(String provider) {
    BsonDocument masterKey = masterKey(provider);
    return masterKey == null ? new DataKeyOptions() : new DataKeyOptions().masterKey(masterKey);
  }

  private RewrapManyDataKeyOptions rewrapTo(String provider) {
    RewrapManyDataKeyOptions options = new RewrapManyDataKeyOptions().provider(provider);
    BsonDocument masterKey = masterKey(provider);
    return masterKey == null ? options : options.masterKey(masterKey);
  }

  private ClientEncryptionSettings settings(String... providers) {
    Map<String, Map<String, Object>> kms = new LinkedHashMap<>();
    Map<String, SSLContext> tls = new LinkedHashMap<>();
    for (String provider : providers) {
      switch (provider) {
        case "local":
          kms.put("local", Map.of("key", localKey.clone()));
          break;
        case "aws":
          kms.put("aws", aws.credentials().asKmsProviderProperties());
          tls.put("aws", aws.clientSslContext());
          break;
        case "azure":
          kms.put("azure", azureApp.asKmsProviderProperties());
          tls.put("azure", azure.clientSslContext());
          break;
        default:
          kms.put("gcp", gcp.serviceAccount().asKmsProviderProperties());
          tls.put("gcp", gcp.clientSslContext());
      }
    }
    return ClientEncryptionSettings.builder()
        .keyVaultMongoClientSettings(clientSettings)
        .keyVaultNamespace(database + ".datakeys")
        .kmsProviders(kms)
        .kmsProviderSslContextMap(tls)
        .build();
  }

  private ClientEncryption fle4j(String... providers) {
    return track(io.fle4j.ClientEncryptions.create(settings(providers)));
  }

  private ClientEncryption official(String... providers) {
    ClientEncryption official = track(
        com.mongodb.client.vault.ClientEncryptions.create(settings(providers)));
    assertThat(official.getClass().getName()).startsWith("com.mongodb.");
    return official;
  }

  private <T extends AutoCloseable> T track(T closeable) {
    opened.add(closeable);
    return closeable;
  }
}
