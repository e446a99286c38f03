package io.fle4j.it.unified;

import com.mongodb.AutoEncryptionSettings;
import com.mongodb.ClientEncryptionSettings;
import com.mongodb.ConnectionString;
import com.mongodb.MongoClientSettings;
import com.mongodb.ReadConcern;
import com.mongodb.ReadConcernLevel;
import com.mongodb.ReadPreference;
import com.mongodb.WriteConcern;
import com.mongodb.client.ClientSession;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoDatabase;
import io.fle4j.ClientEncryptions;
import io.fle4j.Fle4jMongoClients;
import io.fle4j.Fle4jSettings;
import io.fle4j.kms.KmsProvider;
import io.fle4j.testkit.mongo.MongoTestTarget;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.bson.BsonDocument;
import org.bson.BsonValue;
import org.bson.UuidRepresentation;

/**
 * Creates the entities of {@code createEntities}. A client with {@code autoEncryptOpts} is an
 * fle4j auto-encrypting client ({@link Fle4jMongoClients}); a {@code clientEncryption} is fle4j's
 * ({@link ClientEncryptions}) using the named client entity itself as its key-vault client, so
 * that its key-vault commands show up in that client's events as the spec expects.
 */
final class EntityFactory {
  private final EntityMap entities;
  private final StandInKmsCalls standInCalls;

  EntityFactory(EntityMap entities, StandInKmsCalls standInCalls) {
    this.entities = entities;
    this.standInCalls = standInCalls;
  }

  void createAll(BsonValue createEntities) {
    if (createEntities == null) {
      return;
    }
    for (BsonValue value : createEntities.asArray()) {
      BsonDocument definition = value.asDocument();
      if (definition.size() != 1) {
        throw new RunnerException("an entity must have exactly one key: " + definition);
      }
      String type = definition.getFirstKey();
      Arguments args = new Arguments(type + " entity", definition.getDocument(type));
      String id = args.requiredString("id");
      Object entity = switch (type) {
        case "client" -> client(id, args);
        case "database" -> database(args);
        case "collection" -> collection(args);
        case "clientEncryption" -> clientEncryption(args);
        case "session" -> session(args);
        default -> throw new RunnerException("unsupported entity type " + type);
      };
      args.requireAllUsed();
      entities.put(id, entity);
    }
  }

  private EntityMap.ClientEntity client(String id, Arguments args) {
    String uri = MongoTestTarget.connectionString();
    BsonValue uriOptions = args.optional("uriOptions");
    if (uriOptions != null) {
      StringBuilder withOptions = new StringBuilder(uri).append(uri.contains("?") ? "&" : "/?");
      uriOptions.asDocument().forEach((k, v) -> withOptions.append(k).append('=')
          .append(v.isString() ? v.asString().getValue() : v.toString()).append('&'));
      uri = withOptions.substring(0, withOptions.length() - 1);
    }
    // Only meaningful on sharded clusters, where the test target's URI is used as given.
    args.ignore("useMultipleMongoses");
    MongoClientSettings.Builder settings = MongoClientSettings.builder()
        .applyConnectionString(new ConnectionString(uri))
        .uuidRepresentation(UuidRepresentation.STANDARD);
    CommandEventRecorder recorder = null;
    BsonValue observe = args.optional("observeEvents");
    if (observe != null) {
      Set<String> kinds = new HashSet<>();
      observe.asArray().forEach(k -> kinds.add(k.asString().getValue()));
      Set<String> supported = Set.of(CommandEventRecorder.STARTED, CommandEventRecorder.SUCCEEDED,
          CommandEventRecorder.FAILED);
      for (String kind : kinds) {
        if (!supported.contains(kind)) {
          throw new RunnerException("client " + id + ": observing " + kind
              + " is not supported by the runner");
        }
      }
      Set<String> ignored = new HashSet<>();
      BsonValue ignore = args.optional("ignoreCommandMonitoringEvents");
      if (ignore != null) {
        ignore.asArray().forEach(c -> ignored.add(c.asString().getValue()));
      }
      BsonValue sensitive = args.optional("observeSensitiveCommands");
      recorder = new CommandEventRecorder(kinds, ignored,
          sensitive != null && sensitive.asBoolean().getValue());
      settings.addCommandListener(recorder);
    }
    BsonValue autoEncryptOpts = args.optional("autoEncryptOpts");
    if (autoEncryptOpts == null) {
      MongoClientSettings built = settings.build();
      return new EntityMap.ClientEntity(com.mongodb.client.MongoClients.create(built), built,
          recorder);
    }
    Arguments auto = new Arguments("client " + id + " autoEncryptOpts",
        autoEncryptOpts.asDocument());
    SpecKmsProviders.Configuration kms =
        SpecKmsProviders.configure(auto.requiredDocument("kmsProviders"), standInCalls);
    BsonValue namespace = auto.optional("keyVaultNamespace");
    AutoEncryptionSettings.Builder encryption = AutoEncryptionSettings.builder()
        .keyVaultNamespace(namespace == null ? "keyvault.datakeys" : namespace.asString().getValue())
        .kmsProviders(kms.kmsProviders())
        .kmsProviderSslContextMap(kms.sslContexts());
    BsonValue schemaMap = auto.optional("schemaMap");
    if (schemaMap != null) {
      Map<String, BsonDocument> schemas = new LinkedHashMap<>();
      schemaMap.asDocument().forEach((ns, schema) -> schemas.put(ns, schema.asDocument()));
      encryption.schemaMap(schemas);
    }
    BsonValue encryptedFieldsMap = auto.optional("encryptedFieldsMap");
    if (encryptedFieldsMap != null) {
      Map<String, BsonDocument> fields = new LinkedHashMap<>();
      encryptedFieldsMap.asDocument().forEach((ns, f) -> fields.put(ns, f.asDocument()));
      encryption.encryptedFieldsMap(fields);
    }
    BsonValue bypass = auto.optional("bypassAutoEncryption");
    if (bypass != null) {
      encryption.bypassAutoEncryption(bypass.asBoolean().getValue());
    }
    BsonValue bypassQueryAnalysis = auto.optional("bypassQueryAnalysis");
    if (bypassQueryAnalysis != null) {
      encryption.bypassQueryAnalysis(bypassQueryAnalysis.asBoolean().getValue());
    }
    BsonValue extraOptions = auto.optional("extraOptions");
    if (extraOptions != null) {
      Map<String, Object> extra = new LinkedHashMap<>();
      extraOptions.asDocument().forEach((k, v) -> extra.put(k, BsonJava.toJava(v)));
      encryption.extraOptions(extra);
    }
    BsonValue keyExpiration = auto.optional("keyExpirationMS");
    if (keyExpiration != null) {
      encryption.keyExpiration(keyExpiration.asNumber().longValue(), TimeUnit.MILLISECONDS);
    }
    auto.requireAllUsed();
    MongoClientSettings built = settings.autoEncryptionSettings(encryption.build()).build();
    MongoClient client = Fle4jMongoClients.create(built, fle4jSettings(kms, null));
    return new EntityMap.ClientEntity(client, built, recorder);
  }

  private MongoDatabase database(Arguments args) {
    MongoClient client = entities.client(args.requiredString("client")).client();
    MongoDatabase database = client.getDatabase(args.requiredString("databaseName"));
    BsonValue options = args.optional("databaseOptions");
    return options == null ? database : applyOptions(database, options.asDocument());
  }

  private MongoCollection<BsonDocument> collection(Arguments args) {
    MongoDatabase database = entities.database(args.requiredString("database"));
    MongoCollection<BsonDocument> collection =
        database.getCollection(args.requiredString("collectionName"), BsonDocument.class);
    BsonValue options = args.optional("collectionOptions");
    if (options == null) {
      return collection;
    }
    Arguments o = new Arguments("collectionOptions", options.asDocument());
    if (o.has("readConcern")) {
      collection = collection.withReadConcern(readConcern(o.requiredDocument("readConcern")));
    }
    if (o.has("writeConcern")) {
      collection = collection.withWriteConcern(writeConcern(o.requiredDocument("writeConcern")));
    }
    if (o.has("readPreference")) {
      collection = collection.withReadPreference(
          readPreference(o.requiredDocument("readPreference")));
    }
    o.requireAllUsed();
    return collection;
  }

  private MongoDatabase applyOptions(MongoDatabase database, BsonDocument options) {
    Arguments o = new Arguments("databaseOptions", options);
    if (o.has("readConcern")) {
      database = database.withReadConcern(readConcern(o.requiredDocument("readConcern")));
    }
    if (o.has("writeConcern")) {
      database = database.withWriteConcern(writeConcern(o.requiredDocument("writeConcern")));
    }
    if (o.has("readPreference")) {
      database = database.withReadPreference(readPreference(o.requiredDocument("readPreference")));
    }
    o.requireAllUsed();
    return database;
  }

  private Object clientEncryption(Arguments args) {
    Arguments opts = new Arguments("clientEncryptionOpts",
        args.requiredDocument("clientEncryptionOpts"));
    EntityMap.ClientEntity keyVaultClient = entities.client(opts.requiredString("keyVaultClient"));
    SpecKmsProviders.Configuration kms =
        SpecKmsProviders.configure(opts.requiredDocument("kmsProviders"), standInCalls);
    ClientEncryptionSettings.Builder settings = ClientEncryptionSettings.builder()
        .keyVaultMongoClientSettings(keyVaultClient.settings())
        .keyVaultNamespace(opts.requiredString("keyVaultNamespace"))
        .kmsProviders(kms.kmsProviders())
        .kmsProviderSslContextMap(kms.sslContexts());
    BsonValue keyExpiration = opts.optional("keyExpirationMS");
    if (keyExpiration != null) {
      settings.keyExpiration(keyExpiration.asNumber().longValue(), TimeUnit.MILLISECONDS);
    }
    opts.requireAllUsed();
    return ClientEncryptions.create(settings.build(), fle4jSettings(kms, keyVaultClient.client()));
  }

  private ClientSession session(Arguments args) {
    MongoClient client = entities.client(args.requiredString("client")).client();
    if (args.has("sessionOptions")) {
      throw new RunnerException("sessionOptions are not supported by the runner");
    }
    return client.startSession();
  }

  private static Fle4jSettings fle4jSettings(SpecKmsProviders.Configuration kms,
      MongoClient keyVaultClient) {
    Fle4jSettings.Builder builder = Fle4jSettings.builder();
    for (KmsProvider provider : kms.typedProviders()) {
      builder.kmsProvider(provider);
    }
    if (keyVaultClient != null) {
      builder.keyVaultClient(keyVaultClient);
    }
    return builder.build();
  }

  static ReadConcern readConcern(BsonDocument document) {
    return document.containsKey("level")
        ? new ReadConcern(ReadConcernLevel.fromString(document.getString("level").getValue()))
        : ReadConcern.DEFAULT;
  }

  static WriteConcern writeConcern(BsonDocument document) {
    WriteConcern concern = WriteConcern.ACKNOWLEDGED;
    if (document.containsKey("w")) {
      BsonValue w = document.get("w");
      concern = w.isString() ? new WriteConcern(w.asString().getValue())
          : new WriteConcern(w.asNumber().intValue());
    }
    if (document.containsKey("journal")) {
      concern = concern.withJournal(document.getBoolean("journal").getValue());
    }
    if (document.containsKey("wtimeoutMS")) {
      concern = concern.withWTimeout(document.getNumber("wtimeoutMS").longValue(),
          TimeUnit.MILLISECONDS);
    }
    return concern;
  }

  static ReadPreference readPreference(BsonDocument document) {
    return ReadPreference.valueOf(document.getString("mode").getValue());
  }
}
