package io.fle4j.it.aws;

import static org.assertj.core.api.Assertions.assertThat;

import com.mongodb.ClientEncryptionSettings;
import com.mongodb.ConnectionString;
import com.mongodb.MongoClientSettings;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.vault.ClientEncryption;
import io.fle4j.KeyVaultIndexes;
import io.fle4j.testkit.AwsKmsEmulator;
import io.fle4j.testkit.MongoTestTarget;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Consumer;
import javax.net.ssl.SSLContext;
import org.bson.BsonBinary;
import org.bson.BsonDocument;
import org.bson.BsonString;
import org.bson.UuidRepresentation;

/**
 * A key vault on the test MongoDB shared by fle4j and the official driver, with the testkit's
 * AWS KMS emulator as {@code aws} (and {@code aws:other}, a second account), plus a {@code local}
 * provider for rewrap tests. Closing it closes what it opened and drops the database; the
 * emulator is the caller's.
 */
final class AwsVault implements AutoCloseable {
  static final String DETERMINISTIC = "AEAD_AES_256_CBC_HMAC_SHA_512-Deterministic";
  static final String RANDOM = "AEAD_AES_256_CBC_HMAC_SHA_512-Random";
  static final String OTHER_ACCOUNT = "444455556666";

  final AwsKmsEmulator kms;
  final AwsKmsEmulator.Credentials otherAccount;
  final byte[] localMasterKey = new byte[96];
  final String database = "aws_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
  final String namespace = database + ".datakeys";
  final MongoClientSettings clientSettings = MongoClientSettings.builder()
      .applyConnectionString(new ConnectionString(MongoTestTarget.connectionString()))
      .uuidRepresentation(UuidRepresentation.STANDARD)
      .build();
  final MongoClient client = MongoClients.create(clientSettings);
  final MongoCollection<BsonDocument> keys =
      client.getDatabase(database).getCollection("datakeys", BsonDocument.class);
  private final List<AutoCloseable> opened = new ArrayList<>();

  AwsVault(AwsKmsEmulator kms) {
    this.kms = kms;
    this.otherAccount = kms.createAccessKey(OTHER_ACCOUNT);
    new SecureRandom().nextBytes(localMasterKey);
    KeyVaultIndexes.ensureKeyAltNamesIndex(keys);
  }

  /** {@code {key: arn, endpoint: <emulator>}}, plus {@code region} when given. */
  BsonDocument masterKey(String keyArn, String region) {
    BsonDocument masterKey = new BsonDocument();
    if (region != null) {
      masterKey.append("region", new BsonString(region));
    }
    return masterKey.append("key", new BsonString(keyArn))
        .append("endpoint", new BsonString(kms.endpoint()));
  }

  /** {@code aws}, {@code aws:other} and {@code local}, as kmsProviders maps. */
  Map<String, Map<String, Object>> kmsProviders() {
    Map<String, Map<String, Object>> providers = new LinkedHashMap<>();
    providers.put("aws", kms.credentials().asKmsProviderProperties());
    providers.put("aws:other", otherAccount.asKmsProviderProperties());
    providers.put("local", Map.of("key", localMasterKey.clone()));
    return providers;
  }

  /** TLS for each aws provider in the map: trust the emulator's CA. */
  Map<String, SSLContext> tls(Map<String, Map<String, Object>> providers) {
    Map<String, SSLContext> tls = new LinkedHashMap<>();
    for (String name : providers.keySet()) {
      if (name.startsWith("aws")) {
        tls.put(name, kms.clientSslContext());
      }
    }
    return tls;
  }

  ClientEncryptionSettings.Builder settings(Map<String, Map<String, Object>> providers) {
    return ClientEncryptionSettings.builder()
        .keyVaultMongoClientSettings(clientSettings)
        .keyVaultNamespace(namespace)
        .kmsProviders(providers)
        .kmsProviderSslContextMap(tls(providers));
  }

  ClientEncryption fle4j() {
    return fle4j(kmsProviders(), b -> { });
  }

  ClientEncryption fle4j(Map<String, Map<String, Object>> providers,
      Consumer<ClientEncryptionSettings.Builder> extra) {
    ClientEncryptionSettings.Builder builder = settings(providers);
    extra.accept(builder);
    return track(io.fle4j.ClientEncryptions.create(builder.build()));
  }

  /** fle4j's ClientEncryption on every provider, with fle4j's extras. */
  ClientEncryption fle4j(io.fle4j.Fle4jSettings extras) {
    return track(io.fle4j.ClientEncryptions.create(settings(kmsProviders()).build(), extras));
  }

  /** The official driver's ClientEncryption (libmongocrypt through mongodb-crypt). */
  ClientEncryption official() {
    return official(kmsProviders());
  }

  ClientEncryption official(Map<String, Map<String, Object>> providers) {
    ClientEncryption official = track(
        com.mongodb.client.vault.ClientEncryptions.create(settings(providers).build()));
    assertThat(official.getClass().getName()).startsWith("com.mongodb.");
    return official;
  }

  BsonDocument rawKey(BsonBinary id) {
    return keys.find(new BsonDocument("_id", id)).first();
  }

  long keyCount() {
    return keys.countDocuments();
  }

  <T extends AutoCloseable> T track(T closeable) {
    opened.add(closeable);
    return closeable;
  }

  @Override
  public void close() throws Exception {
    try {
      for (AutoCloseable closeable : opened) {
        closeable.close();
      }
    } finally {
      client.getDatabase(database).drop();
      client.close();
    }
  }
}
