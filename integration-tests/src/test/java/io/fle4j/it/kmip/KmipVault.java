package io.fle4j.it.kmip;

import static org.assertj.core.api.Assertions.assertThat;

import com.mongodb.ClientEncryptionSettings;
import com.mongodb.ConnectionString;
import com.mongodb.MongoClientSettings;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.vault.ClientEncryption;
import io.fle4j.KeyVaultIndexes;
import io.fle4j.testkit.MongoTestTarget;
import io.fle4j.testkit.PyKmipServer;
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
 * A fresh key vault ({@code kmip_<random>.datakeys}) on the test MongoDB, and ClientEncryptions
 * of fle4j and of the official driver (libmongocrypt) configured for one PyKMIP server through
 * the map path: {@code kmsProviders {"kmip": {"endpoint": ...}}} and {@code
 * kmsProviderSslContextMap {"kmip": sslContext}}. Closing it closes them and drops the database.
 */
final class KmipVault implements AutoCloseable {
  final PyKmipServer kmip;
  final String database = "kmip_" + UUID.randomUUID().toString().replace("-", "").substring(0, 16);
  final String namespace = database + ".datakeys";
  final MongoClientSettings clientSettings = MongoClientSettings.builder()
      .applyConnectionString(new ConnectionString(MongoTestTarget.connectionString()))
      .uuidRepresentation(UuidRepresentation.STANDARD)
      .build();
  final MongoClient client = MongoClients.create(clientSettings);
  final MongoCollection<BsonDocument> keys =
      client.getDatabase(database).getCollection("datakeys", BsonDocument.class);
  private final List<AutoCloseable> opened = new ArrayList<>();

  KmipVault(PyKmipServer kmip) {
    this.kmip = kmip;
    KeyVaultIndexes.ensureKeyAltNamesIndex(keys);
  }

  /** {@code kmsProviders} with {@code kmip} pointing at the server, plus any extra entries. */
  Map<String, Map<String, Object>> kmsProviders(Map<String, Map<String, Object>> extra) {
    Map<String, Map<String, Object>> providers = new LinkedHashMap<>(extra);
    providers.put("kmip", Map.of("endpoint", kmip.endpoint()));
    return providers;
  }

  ClientEncryptionSettings settings(Map<String, Map<String, Object>> kmsProviders,
      Map<String, SSLContext> sslContexts) {
    return ClientEncryptionSettings.builder()
        .keyVaultMongoClientSettings(clientSettings)
        .keyVaultNamespace(namespace)
        .kmsProviders(kmsProviders)
        .kmsProviderSslContextMap(sslContexts)
        .build();
  }

  ClientEncryptionSettings settings() {
    return settings(kmsProviders(Map.of()), Map.of("kmip", kmip.clientSslContext()));
  }

  ClientEncryption fle4j() {
    return fle4j(settings());
  }

  ClientEncryption fle4j(ClientEncryptionSettings settings) {
    return track(io.fle4j.ClientEncryptions.create(settings));
  }

  /** The official driver's ClientEncryption (libmongocrypt through mongodb-crypt). */
  ClientEncryption official() {
    return official(settings());
  }

  ClientEncryption official(ClientEncryptionSettings settings) {
    ClientEncryption official =
        track(com.mongodb.client.vault.ClientEncryptions.create(settings));
    assertThat(official.getClass().getName()).startsWith("com.mongodb.");
    return official;
  }

  /** The stored key document, read directly. */
  BsonDocument rawKey(BsonBinary id) {
    return keys.find(new BsonDocument("_id", id)).first();
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
