package io.fle4j.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.mongodb.ClientEncryptionSettings;
import com.mongodb.ConnectionString;
import com.mongodb.MongoClientSettings;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.vault.ClientEncryption;
import io.fle4j.Fle4jSettings;
import io.fle4j.KeyVaultIndexes;
import io.fle4j.testkit.mongo.MongoTestTarget;
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
 * A fresh key vault ({@code <prefix>_<random>.datakeys}) on the test MongoDB (FLE4J_MONGODB_URI,
 * or the embedded stand-in), with its unique alt-name index, shared by fle4j and the official
 * driver (libmongocrypt through mongodb-crypt). Each KMS's fixture says which providers it
 * configures and what TLS they need; opening ClientEncryptions, reading raw key documents and
 * cleaning up are the same for all. Closing it closes what it opened and drops the database.
 */
public abstract class TestKeyVault implements AutoCloseable {
  public static final String DETERMINISTIC = "AEAD_AES_256_CBC_HMAC_SHA_512-Deterministic";
  public static final String RANDOM = "AEAD_AES_256_CBC_HMAC_SHA_512-Random";

  public final String database;
  public final String namespace;
  public final MongoClientSettings clientSettings = MongoClientSettings.builder()
      .applyConnectionString(new ConnectionString(MongoTestTarget.connectionString()))
      .uuidRepresentation(UuidRepresentation.STANDARD)
      .build();
  public final MongoClient client = MongoClients.create(clientSettings);
  /** The raw key vault collection, read without either ClientEncryption. */
  public final MongoCollection<BsonDocument> keys;
  private final List<AutoCloseable> opened = new ArrayList<>();

  protected TestKeyVault(String databasePrefix) {
    database = databasePrefix + "_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    namespace = database + ".datakeys";
    keys = client.getDatabase(database).getCollection("datakeys", BsonDocument.class);
    KeyVaultIndexes.ensureKeyAltNamesIndex(keys);
  }

  /** Every provider this vault configures, as a {@code kmsProviders} map. */
  public abstract Map<String, Map<String, Object>> kmsProviders();

  /** TLS for the providers of {@code providers} that need it; none by default. */
  protected Map<String, SSLContext> tls(Map<String, Map<String, Object>> providers) {
    return Map.of();
  }

  /** {@code context} for every provider in {@code providers} of type {@code type}. */
  protected static Map<String, SSLContext> tlsFor(String type, SSLContext context,
      Map<String, Map<String, Object>> providers) {
    Map<String, SSLContext> tls = new LinkedHashMap<>();
    for (String name : providers.keySet()) {
      if (name.equals(type) || name.startsWith(type + ":")) {
        tls.put(name, context);
      }
    }
    return tls;
  }

  /** Settings on this vault with {@code providers} and their TLS, to adjust and build. */
  public ClientEncryptionSettings.Builder settings(Map<String, Map<String, Object>> providers) {
    return ClientEncryptionSettings.builder()
        .keyVaultMongoClientSettings(clientSettings)
        .keyVaultNamespace(namespace)
        .kmsProviders(providers)
        .kmsProviderSslContextMap(tls(providers));
  }

  /** fle4j's ClientEncryption with every provider. */
  public ClientEncryption fle4j() {
    return fle4j(kmsProviders());
  }

  public ClientEncryption fle4j(Map<String, Map<String, Object>> providers) {
    return fle4j(settings(providers).build());
  }

  public ClientEncryption fle4j(Map<String, Map<String, Object>> providers, Fle4jSettings extras) {
    return track(io.fle4j.ClientEncryptions.create(settings(providers).build(), extras));
  }

  /** fle4j's ClientEncryption with every provider and fle4j's extras. */
  public ClientEncryption fle4j(Fle4jSettings extras) {
    return fle4j(kmsProviders(), extras);
  }

  public ClientEncryption fle4j(ClientEncryptionSettings settings) {
    return track(io.fle4j.ClientEncryptions.create(settings));
  }

  /** The official driver's ClientEncryption (libmongocrypt) with every provider. */
  public ClientEncryption official() {
    return official(kmsProviders());
  }

  public ClientEncryption official(Map<String, Map<String, Object>> providers) {
    return official(settings(providers).build());
  }

  public ClientEncryption official(ClientEncryptionSettings settings) {
    ClientEncryption official =
        track(com.mongodb.client.vault.ClientEncryptions.create(settings));
    // Guard the oracle: it must be the driver's libmongocrypt-backed class, never fle4j's.
    assertThat(official.getClass().getName()).startsWith("com.mongodb.");
    return official;
  }

  /** The stored key document, read directly from the collection. */
  public BsonDocument rawKey(BsonBinary id) {
    return keys.find(new BsonDocument("_id", id)).first();
  }

  public long keyCount() {
    return keys.countDocuments();
  }

  /** Closes {@code closeable} with this vault. */
  public <T extends AutoCloseable> T track(T closeable) {
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
