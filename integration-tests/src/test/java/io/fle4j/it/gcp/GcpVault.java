package io.fle4j.it.gcp;

import static org.assertj.core.api.Assertions.assertThat;

import com.mongodb.ClientEncryptionSettings;
import com.mongodb.ConnectionString;
import com.mongodb.MongoClientSettings;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.vault.ClientEncryption;
import io.fle4j.KeyVaultIndexes;
import io.fle4j.testkit.GcpKmsEmulator;
import io.fle4j.testkit.MongoTestTarget;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import javax.net.ssl.SSLContext;
import org.bson.BsonBinary;
import org.bson.BsonDocument;
import org.bson.UuidRepresentation;

/**
 * A key vault on the test MongoDB shared by fle4j and the official driver, with the testkit's
 * Cloud KMS emulator as {@code gcp} (its default service account) and {@code gcp:other} (a
 * second service account), plus {@code local}. Closing it closes what it opened and drops
 * the database; the emulator is the caller's.
 */
final class GcpVault implements AutoCloseable {
  static final String DETERMINISTIC = "AEAD_AES_256_CBC_HMAC_SHA_512-Deterministic";
  static final String RANDOM = "AEAD_AES_256_CBC_HMAC_SHA_512-Random";

  final GcpKmsEmulator gcp;
  final GcpKmsEmulator.ServiceAccount otherAccount;
  final byte[] localMasterKey = new byte[96];
  final String database = "gcp_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
  final String namespace = database + ".datakeys";
  final MongoClientSettings clientSettings = MongoClientSettings.builder()
      .applyConnectionString(new ConnectionString(MongoTestTarget.connectionString()))
      .uuidRepresentation(UuidRepresentation.STANDARD)
      .build();
  final MongoClient client = MongoClients.create(clientSettings);
  final MongoCollection<BsonDocument> keys =
      client.getDatabase(database).getCollection("datakeys", BsonDocument.class);
  private final List<AutoCloseable> opened = new ArrayList<>();

  GcpVault(GcpKmsEmulator gcp) {
    this.gcp = gcp;
    this.otherAccount = gcp.createServiceAccount("other-kms");
    new SecureRandom().nextBytes(localMasterKey);
    KeyVaultIndexes.ensureKeyAltNamesIndex(keys);
  }

  /** {@code gcp}, {@code gcp:other} and {@code local}. */
  Map<String, Map<String, Object>> kmsProviders() {
    Map<String, Map<String, Object>> providers = new LinkedHashMap<>();
    providers.put("gcp", gcp.serviceAccount().asKmsProviderProperties());
    providers.put("gcp:other", otherAccount.asKmsProviderProperties());
    providers.put("local", Map.of("key", localMasterKey.clone()));
    return providers;
  }

  /** TLS for each gcp provider in the map: trust the emulator's CA. */
  Map<String, SSLContext> tls(Map<String, Map<String, Object>> providers) {
    Map<String, SSLContext> tls = new LinkedHashMap<>();
    for (String name : providers.keySet()) {
      if (name.startsWith("gcp")) {
        tls.put(name, gcp.clientSslContext());
      }
    }
    return tls;
  }

  ClientEncryptionSettings settings(Map<String, Map<String, Object>> providers) {
    return ClientEncryptionSettings.builder()
        .keyVaultMongoClientSettings(clientSettings)
        .keyVaultNamespace(namespace)
        .kmsProviders(providers)
        .kmsProviderSslContextMap(tls(providers))
        .build();
  }

  ClientEncryption fle4j() {
    return fle4j(kmsProviders());
  }

  ClientEncryption fle4j(Map<String, Map<String, Object>> providers) {
    return track(io.fle4j.ClientEncryptions.create(settings(providers)));
  }

  /** The official driver's ClientEncryption (libmongocrypt through mongodb-crypt). */
  ClientEncryption official() {
    return official(kmsProviders());
  }

  ClientEncryption official(Map<String, Map<String, Object>> providers) {
    ClientEncryption official = track(
        com.mongodb.client.vault.ClientEncryptions.create(settings(providers)));
    assertThat(official.getClass().getName()).startsWith("com.mongodb.");
    return official;
  }

  BsonDocument rawKey(BsonBinary id) {
    return keys.find(new BsonDocument("_id", id)).first();
  }

  long keyCount() {
    return keys.countDocuments();
  }

  private <T extends AutoCloseable> T track(T closeable) {
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
