package io.fle4j.cli;

import com.mongodb.ClientEncryptionSettings;
import com.mongodb.ConnectionString;
import com.mongodb.MongoClientSettings;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.vault.ClientEncryption;
import io.fle4j.ClientEncryptions;
import io.fle4j.ConfigurationException;
import io.fle4j.Fle4jSettings;
import io.fle4j.testkit.mongo.EmbeddedMongo;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import javax.net.ssl.SSLContext;
import org.bson.BsonDocument;
import org.bson.UuidRepresentation;

/**
 * Everything a command needs, opened from the flags and the configuration file: the MongoDB (a
 * real one, or the embedded stand-in for {@code embedded:DIR}), the key vault, and a {@link
 * ClientEncryption}. Closes all of it.
 */
final class CliContext implements AutoCloseable {
  static final String DEFAULT_EMBEDDED = "embedded:fle4j-data";
  static final String DEFAULT_KEY_VAULT = "encryption.__keyVault";

  final Fle4jConfig config;
  final String keyVaultNamespace;
  final MongoClient client;
  final ClientEncryption encryption;
  private final List<AutoCloseable> resources = new ArrayList<>();
  private final MongoClient keyVaultClient;
  /** The kmsProviders entries as given to the driver's settings (they hold secrets). */
  private Map<String, Map<String, Object>> kmsProviders;
  private final Map<String, SSLContext> kmsTls = new LinkedHashMap<>();

  private CliContext(ConnectionOptions options, Function<String, String> env) throws IOException {
    Path configFile = options.config;
    if (configFile == null && env.apply("FLE4J_CONFIG") != null) {
      configFile = Path.of(env.apply("FLE4J_CONFIG"));
    }
    if (configFile == null && Files.exists(Path.of("fle4j.json"))) {
      configFile = Path.of("fle4j.json");
    }
    if (configFile != null && !Files.exists(configFile)) {
      throw new ConfigurationException("--config", "the file " + configFile + " does not exist");
    }
    config = configFile == null ? Fle4jConfig.empty() : Fle4jConfig.load(configFile, env);
    String uri = first(options.uri, config.uri, DEFAULT_EMBEDDED);
    keyVaultNamespace = first(options.keyVaultNamespace, config.keyVaultNamespace, DEFAULT_KEY_VAULT);
    try {
      String connection = connect(uri);
      String keyVaultConnection = first(options.keyVaultUri, config.keyVaultUri, null);
      MongoClientSettings settings = settings(connection);
      client = track(MongoClients.create(settings));
      MongoClientSettings keyVaultSettings = keyVaultConnection == null
          ? settings : settings(connect(keyVaultConnection));
      keyVaultClient = keyVaultConnection == null ? client : track(MongoClients.create(keyVaultSettings));
      Map<String, Map<String, Object>> kms = config.kmsProvidersMap();
      if (kms.isEmpty() && uri.equals(DEFAULT_EMBEDDED)
          && Files.exists(Path.of("fle4j-data", "local-master-key.txt"))) {
        // Right after the quickstart, its local master key is the natural default.
        kms = Map.of("local", Map.of("key",
            LocalMasterKeyFile.load(Path.of("fle4j-data", "local-master-key.txt")).key().copy()));
      }
      kmsProviders = kms;
      Map<String, SSLContext> tls = kmsTls;
      for (String provider : config.tls.keySet()) {
        tls.put(provider, TlsContexts.fromConfig(provider, config.tls.getDocument(provider), config.baseDir));
      }
      encryption = track(ClientEncryptions.create(ClientEncryptionSettings.builder()
          .keyVaultMongoClientSettings(keyVaultSettings)
          .keyVaultNamespace(keyVaultNamespace)
          .kmsProviders(kms)
          .kmsProviderSslContextMap(tls)
          .build(),
          extras()));
    } catch (RuntimeException | IOException e) {
      close();
      throw e;
    }
  }

  private Fle4jSettings extras() {
    // An operator's rewrap never moves a key that another rewrap changed meanwhile.
    Fle4jSettings.Builder extras = Fle4jSettings.builder().rewrapOnlyUnchangedKeys(true)
        .readOnly(config.readOnly);
    if (config.currentProvider != null) {
      extras.defaultMasterKey(config.currentProvider.name(), config.currentProvider.masterKey());
    }
    return extras.build();
  }

  /**
   * Refuses a key-vault write in read-only mode, before anything else is done (an index build,
   * a KMS call).
   */
  void requireWritable(String operation) {
    if (config.readOnly) {
      throw new io.fle4j.KeyVaultReadOnlyException(operation, keyVaultNamespace);
    }
  }

  /** The configured current provider; a clear error naming {@code option} when there is none. */
  CurrentProvider currentProvider(String option) {
    if (config.currentProvider == null) {
      throw new ConfigurationException(option, "needs \"currentProvider\" in the configuration"
          + " file (for example \"currentProvider\": {\"name\": \"aws:prod\", \"masterKey\":"
          + " {...}})");
    }
    return config.currentProvider;
  }

  static CliContext open(ConnectionOptions options) throws IOException {
    return open(options, options.environment());
  }

  static CliContext open(ConnectionOptions options, Function<String, String> env) throws IOException {
    return new CliContext(options, env);
  }

  /**
   * A provider of its own for {@code name}, configured as the ClientEncryption's is, for commands
   * that do more with a KMS than wrap and unwrap; closed with this context.
   */
  io.fle4j.kms.KmsProvider standaloneProvider(String name, String option) {
    Map<String, Object> properties = kmsProviders.get(name);
    if (properties == null) {
      throw new ConfigurationException(option, "names '" + name + "', which is not in kmsProviders "
          + kmsProviders.keySet());
    }
    io.fle4j.kms.KmsProviderName parsed;
    try {
      parsed = io.fle4j.kms.KmsProviderName.parse(name);
    } catch (IllegalArgumentException e) {
      throw new ConfigurationException(option, e.getMessage());
    }
    return track(io.fle4j.kms.KmsProviderFactory.createFor(
        new io.fle4j.kms.KmsProviderConfig(parsed, properties, kmsTls.get(name))));
  }

  /** The key vault collection. */
  MongoCollection<BsonDocument> keyVault() {
    int dot = keyVaultNamespace.indexOf('.');
    return keyVaultClient.getDatabase(keyVaultNamespace.substring(0, dot))
        .getCollection(keyVaultNamespace.substring(dot + 1), BsonDocument.class);
  }

  private String connect(String uri) {
    if (!uri.startsWith("embedded:")) {
      return uri;
    }
    Path dir = Path.of(uri.substring("embedded:".length()));
    EmbeddedMongo mongo = track(EmbeddedMongo.startWithFile(dir.resolve("embedded-mongo.mv.db")));
    return mongo.connectionString();
  }

  private static MongoClientSettings settings(String connection) {
    try {
      return MongoClientSettings.builder()
          .applyConnectionString(new ConnectionString(connection))
          .uuidRepresentation(UuidRepresentation.STANDARD)
          .build();
    } catch (IllegalArgumentException e) {
      // The driver's reason may quote part of the user information (a password with a stray %):
      // show it only when the string holds none.
      int scheme = connection.indexOf("://");
      int at = connection.indexOf('@', scheme < 0 ? 0 : scheme);
      boolean credentials = at >= 0;
      throw new ConfigurationException("--uri", "is not a valid MongoDB connection string"
          + (credentials ? " (the reason is not shown, since it may quote the password; check"
              + " that user and password are percent-encoded)" : ": " + e.getMessage()));
    }
  }

  private <T extends AutoCloseable> T track(T resource) {
    resources.add(resource);
    return resource;
  }

  private static String first(String a, String b, String fallback) {
    return a != null ? a : b != null ? b : fallback;
  }

  @Override
  public void close() {
    for (int i = resources.size() - 1; i >= 0; i--) {
      try {
        resources.get(i).close();
      } catch (Exception e) {
        System.getLogger(CliContext.class.getName()).log(System.Logger.Level.WARNING, "close failed", e);
      }
    }
    resources.clear();
  }
}
