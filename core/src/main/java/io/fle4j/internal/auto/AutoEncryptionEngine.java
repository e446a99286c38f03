package io.fle4j.internal.auto;

import io.fle4j.internal.auto.analysis.CommandRewriter;
import io.fle4j.internal.auto.analysis.FieldCrypto;
import io.fle4j.internal.auto.decrypt.BatchDecryption;
import io.fle4j.internal.auto.decrypt.DecryptingCodecRegistry;
import io.fle4j.internal.auto.decrypt.Decryptor;
import io.fle4j.internal.events.Events;
import io.fle4j.internal.auto.decrypt.RawReplyDecryptor;
import io.fle4j.internal.auto.schema.AnnotatedSchemas;
import io.fle4j.internal.auto.schema.CollectionSchema;
import io.fle4j.internal.auto.schema.EncryptSpec;
import io.fle4j.internal.auto.schema.SchemaParser;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.mongodb.MongoNamespace;
import com.mongodb.client.MongoClient;
import com.mongodb.client.model.Filters;
import io.fle4j.EncryptedFieldOperationException;
import io.fle4j.internal.crypto.ValueCipher;
import io.fle4j.internal.vault.DataKeys;
import io.fle4j.internal.vault.DataKeys.DataKey;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Function;
import io.fle4j.internal.auto.analysis.CommandAnalyzer;
import io.fle4j.internal.auto.analysis.PlainDocuments;
import org.bson.BsonBinary;
import org.bson.BsonBinarySubType;
import org.bson.BsonDocument;
import org.bson.BsonValue;
import org.bson.codecs.configuration.CodecRegistry;

/**
 * What every wrapped database and collection of one auto-encrypting client shares: the schemas
 * (from {@code schemaMap}, or else the collection's {@code $jsonSchema} validator, looked up once
 * and cached like libmongocrypt's collection-info cache), the data-key cache, and the crypto.
 */
public final class AutoEncryptionEngine implements AutoCloseable {
  /** How long a schema read from the server is trusted (libmongocrypt's collinfo cache: 60 s). */
  private static final Duration REMOTE_SCHEMA_TTL = Duration.ofSeconds(60);

  private final Map<String, BsonDocument> schemaMap;
  private final boolean bypassAutoEncryption;
  private final MongoClient metadataClient;
  private final DataKeys dataKeys;
  private final Decryptor decryptor;
  private final RawReplyDecryptor rawDecryptor;
  private final BatchDecryption batchDecryption;
  private final FieldCrypto crypto = this::encrypt;
  private final Cache<String, CollectionSchema> schemas;
  private final AutoCloseable resources;
  private final Events events;

  /**
   * @param metadataClient the unwrapped client, used for listCollections
   * @param decryptionThreads helper threads for decrypting find and aggregate batches (0: none)
   * @param resources closed with the engine (KMS providers, the key vault client)
   */
  public AutoEncryptionEngine(Map<String, BsonDocument> schemaMap, boolean bypassAutoEncryption,
      MongoClient metadataClient, DataKeys dataKeys, int decryptionThreads,
      AutoCloseable resources) {
    this(schemaMap, bypassAutoEncryption, metadataClient, dataKeys, decryptionThreads, resources,
        Events.NONE);
  }

  /** @param events told of refusals and of values that cannot be decrypted */
  public AutoEncryptionEngine(Map<String, BsonDocument> schemaMap, boolean bypassAutoEncryption,
      MongoClient metadataClient, DataKeys dataKeys, int decryptionThreads,
      AutoCloseable resources, Events events) {
    this.events = events;
    this.schemaMap = Map.copyOf(schemaMap);
    this.bypassAutoEncryption = bypassAutoEncryption;
    this.metadataClient = metadataClient;
    this.dataKeys = dataKeys;
    this.decryptor = new Decryptor(dataKeys, events);
    this.rawDecryptor = new RawReplyDecryptor(dataKeys, events);
    this.batchDecryption = new BatchDecryption(rawDecryptor, decryptionThreads);
    this.resources = resources;
    this.schemas = Caffeine.newBuilder().expireAfterWrite(REMOTE_SCHEMA_TTL).build();
  }

  /**
   * Runs an analysis (which builds what is to be sent, encrypting through the crypto it is
   * given) so that data keys are fetched only once the analysis has succeeded, and all at once:
   * a first pass encrypts with the keys already cached and notes the others; if any was missing,
   * one key-vault read fetches them all, and a second pass does the work with every key at hand.
   * A refusal therefore costs no key-vault read and no KMS call.
   *
   * @param analysis builds the rewritten command parts; must have no side effects, since it may
   *     run twice
   */
  public <T> T analysed(Function<FieldCrypto, T> analysis) {
    KeyCollectingCrypto collecting = new KeyCollectingCrypto();
    T first;
    try {
      first = analysis.apply(collecting);
    } catch (EncryptedFieldOperationException e) {
      throw refused(e);
    }
    if (collecting.ids.isEmpty() && collecting.altNames.isEmpty()) {
      return first;
    }
    dataKeys.fetch(collecting.ids, collecting.altNames);
    return analysis.apply(crypto);
  }

  /**
   * Reports a refusal to the event listener and returns it for the caller to throw. Analysis
   * refusals are reported here already; the driver wrappers call this for those they make.
   */
  public EncryptedFieldOperationException refused(EncryptedFieldOperationException refusal) {
    if (events.enabled()) {
      events.refusal(refusal.namespace(), refusal.field(), refusal.reason());
    }
    return refusal;
  }

  /** Analyses a command sent with {@code runCommand} (or explain), as a whole. */
  public BsonDocument analyseCommand(String database, BsonDocument command) {
    if (bypassAutoEncryption) {
      return command;
    }
    BsonDocument plain;
    try {
      plain = PlainDocuments.of(command);
    } catch (EncryptedFieldOperationException e) {
      throw refused(e);
    }
    return analysed(crypto -> new CommandAnalyzer(ns -> rewriter(ns, null, crypto))
        .analyse(database, plain));
  }

  /**
   * The analysis of commands on {@code namespace}, whose documents are of {@code documentClass}:
   * when neither {@code schemaMap} nor the server has a schema for it, {@link
   * io.fle4j.Encrypted} annotations on that class make one.
   */
  public CommandRewriter rewriter(MongoNamespace namespace, Class<?> documentClass,
      FieldCrypto crypto) {
    if (bypassAutoEncryption) {
      return new CommandRewriter(CollectionSchema.none(namespace.getFullName()), crypto,
          other -> CollectionSchema.none(other.getFullName()));
    }
    CollectionSchema schema = schema(namespace);
    if (!schema.hasEncryptedFields() && documentClass != null) {
      schema = AnnotatedSchemas.of(documentClass)
          .map(node -> new CollectionSchema(namespace.getFullName(), node)).orElse(schema);
    }
    return new CommandRewriter(schema, crypto, this::schema);
  }

  /** Encrypts with cached keys; notes every key not cached and returns a stand-in for it. */
  private final class KeyCollectingCrypto implements FieldCrypto {
    private final Set<UUID> ids = new LinkedHashSet<>();
    private final Set<String> altNames = new LinkedHashSet<>();

    @Override
    public BsonBinary encrypt(BsonValue value, EncryptSpec spec, String keyAltName) {
      DataKey key = keyAltName != null ? dataKeys.cachedByAltName(keyAltName)
          : dataKeys.cachedById(spec.keyId());
      if (key != null) {
        return ValueCipher.encrypt(value, spec.algorithm(), key.id(), key.key());
      }
      if (keyAltName != null) {
        altNames.add(keyAltName);
      } else {
        ids.add(spec.keyId());
      }
      return PENDING;
    }
  }

  /** Never sent: a pass that produced it is always repeated once its keys are fetched. */
  private static final BsonBinary PENDING = new BsonBinary(BsonBinarySubType.ENCRYPTED, new byte[0]);

  /** A registry that decrypts whatever the driver decodes with it. */
  public CodecRegistry decrypting(CodecRegistry registry) {
    return registry instanceof DecryptingCodecRegistry ? registry
        : new DecryptingCodecRegistry(registry, decryptor, rawDecryptor);
  }

  /** Decrypts whole batches of raw find and aggregate results. */
  public BatchDecryption batchDecryption() {
    return batchDecryption;
  }

  /** The application's registry behind a decrypting one. */
  public static CodecRegistry unwrapped(CodecRegistry registry) {
    return registry instanceof DecryptingCodecRegistry d ? d.unwrapped() : registry;
  }

  public boolean bypassAutoEncryption() {
    return bypassAutoEncryption;
  }

  /** The schema of a collection: from schemaMap, or else its server-side validator. */
  public CollectionSchema schema(MongoNamespace namespace) {
    String name = namespace.getFullName();
    BsonDocument local = schemaMap.get(name);
    if (local != null) {
      // Parsed on first use, so an invalid schema fails the first operation that needs it.
      return schemas.get(name, n -> new CollectionSchema(n,
          SchemaParser.parse(local, false, "schemaMap['" + n + "']")));
    }
    return schemas.get(name, n -> remoteSchema(namespace));
  }

  private CollectionSchema remoteSchema(MongoNamespace namespace) {
    String name = namespace.getFullName();
    BsonDocument info = null;
    // Check the name here too: not every MongoDB-compatible server applies the filter.
    for (BsonDocument candidate : metadataClient.getDatabase(namespace.getDatabaseName())
        .listCollections(BsonDocument.class)
        .filter(Filters.eq("name", namespace.getCollectionName()))) {
      if (candidate.get("name").equals(new org.bson.BsonString(namespace.getCollectionName()))) {
        info = candidate;
        break;
      }
    }
    if (info == null) {
      return CollectionSchema.none(name);
    }
    if (info.containsKey("type") && info.getString("type").getValue().equals("view")) {
      throw new EncryptedFieldOperationException(name, null, "cannot auto encrypt a view: "
          + name + " (run the query on the view's source collection)");
    }
    BsonValue validator = info.containsKey("options")
        ? info.getDocument("options").get("validator") : null;
    if (validator == null || !validator.isDocument()
        || !validator.asDocument().containsKey("$jsonSchema")) {
      return CollectionSchema.none(name);
    }
    return new CollectionSchema(name, SchemaParser.parse(
        validator.asDocument().getDocument("$jsonSchema"), true,
        "the $jsonSchema validator of " + name));
  }

  private BsonBinary encrypt(BsonValue value, EncryptSpec spec, String keyAltName) {
    DataKey key = keyAltName != null ? dataKeys.byAltName(keyAltName) : dataKeys.byId(spec.keyId());
    return ValueCipher.encrypt(value, spec.algorithm(), key.id(), key.key());
  }


  @Override
  public void close() throws Exception {
    batchDecryption.close();
    resources.close();
  }
}
