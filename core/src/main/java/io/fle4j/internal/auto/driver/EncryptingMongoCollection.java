package io.fle4j.internal.auto.driver;

import com.mongodb.MongoNamespace;
import com.mongodb.ReadConcern;
import com.mongodb.ReadPreference;
import com.mongodb.WriteConcern;
import com.mongodb.bulk.BulkWriteResult;
import com.mongodb.client.AggregateIterable;
import com.mongodb.client.ChangeStreamIterable;
import com.mongodb.client.ClientSession;
import com.mongodb.client.DistinctIterable;
import com.mongodb.client.FindIterable;
import com.mongodb.client.ListIndexesIterable;
import com.mongodb.client.ListSearchIndexesIterable;
import com.mongodb.client.MapReduceIterable;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.BulkWriteOptions;
import com.mongodb.client.model.Collation;
import com.mongodb.client.model.CountOptions;
import com.mongodb.client.model.CreateIndexOptions;
import com.mongodb.client.model.DeleteManyModel;
import com.mongodb.client.model.DeleteOneModel;
import com.mongodb.client.model.DeleteOptions;
import com.mongodb.client.model.DropCollectionOptions;
import com.mongodb.client.model.DropIndexOptions;
import com.mongodb.client.model.EstimatedDocumentCountOptions;
import com.mongodb.client.model.FindOneAndDeleteOptions;
import com.mongodb.client.model.FindOneAndReplaceOptions;
import com.mongodb.client.model.FindOneAndUpdateOptions;
import com.mongodb.client.model.IndexModel;
import com.mongodb.client.model.IndexOptions;
import com.mongodb.client.model.InsertManyOptions;
import com.mongodb.client.model.InsertOneModel;
import com.mongodb.client.model.InsertOneOptions;
import com.mongodb.client.model.RenameCollectionOptions;
import com.mongodb.client.model.ReplaceOneModel;
import com.mongodb.client.model.ReplaceOptions;
import com.mongodb.client.model.SearchIndexModel;
import com.mongodb.client.model.UpdateManyModel;
import com.mongodb.client.model.UpdateOneModel;
import com.mongodb.client.model.UpdateOptions;
import com.mongodb.client.model.WriteModel;
import com.mongodb.client.result.DeleteResult;
import com.mongodb.client.result.InsertManyResult;
import com.mongodb.client.result.InsertOneResult;
import com.mongodb.client.result.UpdateResult;
import io.fle4j.EncryptedFieldOperationException;
import io.fle4j.internal.auto.AutoEncryptionEngine;
import io.fle4j.internal.auto.analysis.CommandRewriter;
import io.fle4j.internal.auto.analysis.PlainDocuments;
import io.fle4j.internal.auto.decrypt.DecryptingCursor;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.bson.BsonArray;
import org.bson.BsonDocument;
import org.bson.BsonDocumentReader;
import org.bson.BsonDocumentWriter;
import org.bson.BsonString;
import org.bson.Document;
import org.bson.RawBsonDocument;
import org.bson.codecs.Codec;
import org.bson.codecs.CollectibleCodec;
import org.bson.codecs.DecoderContext;
import org.bson.codecs.EncoderContext;
import org.bson.codecs.RawBsonDocumentCodec;
import org.bson.codecs.configuration.CodecRegistries;
import org.bson.codecs.configuration.CodecRegistry;
import org.bson.conversions.Bson;

/**
 * A collection of an auto-encrypting client. Documents, filters, updates and pipelines are turned
 * into BSON with the application's codecs, rewritten against the collection's schema, and only
 * then handed to the driver; results are decrypted by the codec registry the reads go through.
 * Everything not overridden here (indexes, drop, rename, estimatedDocumentCount) carries no
 * user data and passes through.
 */
public final class EncryptingMongoCollection<T> implements MongoCollection<T> {
  private final MongoCollection<T> delegate;
  private final AutoEncryptionEngine engine;
  private final CodecRegistry registry;
  /** Reads: decoded through the decrypting registry. */
  private final MongoCollection<T> reads;
  /** Find and aggregate: raw results, decrypted a batch at a time by {@link DecryptingCursor}. */
  private final MongoCollection<RawBsonDocument> rawReads;
  private final DecryptingIterables.Results results;
  /** Writes of already-encrypted BSON; their results are decrypted too. */
  private final MongoCollection<BsonDocument> writes;

  public EncryptingMongoCollection(MongoCollection<T> delegate, AutoEncryptionEngine engine) {
    this.delegate = delegate;
    this.engine = engine;
    this.registry = AutoEncryptionEngine.unwrapped(delegate.getCodecRegistry());
    this.reads = delegate.withCodecRegistry(engine.decrypting(registry));
    this.writes = reads.withDocumentClass(BsonDocument.class);
    this.rawReads = delegate.withCodecRegistry(
            CodecRegistries.fromRegistries(CodecRegistries.fromCodecs(new RawBsonDocumentCodec()), registry))
        .withDocumentClass(RawBsonDocument.class);
    this.results = new DecryptingIterables.Results(engine.batchDecryption(), registry);
  }

  /**
   * Runs one analysis of this collection's command parts against its schema; data keys are
   * fetched only once it has succeeded (see {@link AutoEncryptionEngine#analysed}).
   */
  private <X> X analysed(Function<CommandRewriter, X> analysis) {
    return analysis().run(analysis);
  }

  private CollectionAnalysis analysis() {
    return new CollectionAnalysis(engine, delegate.getNamespace(), delegate.getDocumentClass());
  }

  // ------------------------------------------------------------------ conversions

  private BsonDocument bson(Bson value) {
    if (value instanceof BsonDocument document) {
      return PlainDocuments.of(document);
    }
    return value == null ? null : value.toBsonDocument(delegate.getDocumentClass(), registry);
  }

  private List<BsonDocument> bson(List<? extends Bson> values) {
    List<BsonDocument> out = new ArrayList<>(values.size());
    for (Bson value : values) {
      out.add(bson(value));
    }
    return out;
  }

  /** Encodes a document with the application's codec, generating its _id first as the driver would. */
  private BsonDocument encode(T document) {
    if (document == null) {
      throw new IllegalArgumentException("document can not be null");
    }
    @SuppressWarnings("unchecked")
    Codec<T> codec = (Codec<T>) registry.get(document.getClass());
    if (codec instanceof CollectibleCodec<T> collectible && !collectible.documentHasId(document)) {
      collectible.generateIdIfAbsentFromDocument(document);
    }
    BsonDocument out = new BsonDocument();
    codec.encode(new BsonDocumentWriter(out), document,
        EncoderContext.builder().isEncodingCollectibleDocument(true).build());
    return out;
  }

  private T decode(BsonDocument document) {
    return document == null ? null
        : registry.get(delegate.getDocumentClass())
            .decode(new BsonDocumentReader(document), DecoderContext.builder().build());
  }

  private EncryptedFieldOperationException refuse(String reason) {
    return engine.refused(new EncryptedFieldOperationException(
        delegate.getNamespace().getFullName(), null, reason));
  }

  // ------------------------------------------------------------------ with*

  @Override
  @Handling.NoUserData
  public <N> MongoCollection<N> withDocumentClass(Class<N> clazz) {
    return new EncryptingMongoCollection<>(delegate.withDocumentClass(clazz), engine);
  }

  @Override
  @Handling.NoUserData
  public MongoCollection<T> withCodecRegistry(CodecRegistry codecRegistry) {
    return new EncryptingMongoCollection<>(delegate.withCodecRegistry(codecRegistry), engine);
  }

  @Override
  @Handling.NoUserData
  public MongoCollection<T> withReadPreference(ReadPreference readPreference) {
    return new EncryptingMongoCollection<>(delegate.withReadPreference(readPreference), engine);
  }

  @Override
  @Handling.NoUserData
  public MongoCollection<T> withWriteConcern(WriteConcern writeConcern) {
    return new EncryptingMongoCollection<>(delegate.withWriteConcern(writeConcern), engine);
  }

  @Override
  @Handling.NoUserData
  public MongoCollection<T> withReadConcern(ReadConcern readConcern) {
    return new EncryptingMongoCollection<>(delegate.withReadConcern(readConcern), engine);
  }

  @Override
  @Handling.NoUserData
  public MongoCollection<T> withTimeout(long timeout, TimeUnit timeUnit) {
    return new EncryptingMongoCollection<>(delegate.withTimeout(timeout, timeUnit), engine);
  }

  // ------------------------------------------------------------------ find, count, distinct

  @Override
  @Handling.Analysed
  public FindIterable<T> find() {
    return doFind(null, new BsonDocument(), delegate.getDocumentClass());
  }

  @Override
  @Handling.Analysed
  public <R> FindIterable<R> find(Class<R> resultClass) {
    return doFind(null, new BsonDocument(), resultClass);
  }

  @Override
  @Handling.Analysed
  public FindIterable<T> find(Bson filter) {
    return doFind(null, filter, delegate.getDocumentClass());
  }

  @Override
  @Handling.Analysed
  public <R> FindIterable<R> find(Bson filter, Class<R> resultClass) {
    return doFind(null, filter, resultClass);
  }

  @Override
  @Handling.Analysed
  public FindIterable<T> find(ClientSession session) {
    return doFind(requireSession(session), new BsonDocument(), delegate.getDocumentClass());
  }

  @Override
  @Handling.Analysed
  public <R> FindIterable<R> find(ClientSession session, Class<R> resultClass) {
    return doFind(requireSession(session), new BsonDocument(), resultClass);
  }

  @Override
  @Handling.Analysed
  public FindIterable<T> find(ClientSession session, Bson filter) {
    return doFind(requireSession(session), filter, delegate.getDocumentClass());
  }

  @Override
  @Handling.Analysed
  public <R> FindIterable<R> find(ClientSession session, Bson filter, Class<R> resultClass) {
    return doFind(requireSession(session), filter, resultClass);
  }

  private <R> FindIterable<R> doFind(ClientSession session, Bson filter, Class<R> resultClass) {
    BsonDocument plain = bson(filter);
    BsonDocument rewritten = analysed(r -> r.rewriteFilter(plain));
    FindIterable<RawBsonDocument> iterable = session == null
        ? rawReads.find(rewritten) : rawReads.find(session, rewritten);
    return DecryptingIterables.find(iterable, resultClass, results,
        IterableInputs.find(analysis(), this::bson, plain));
  }

  @Override
  @Handling.Analysed
  public long countDocuments() {
    return doCountDocuments(null, new BsonDocument(), new CountOptions());
  }

  @Override
  @Handling.Analysed
  public long countDocuments(Bson filter) {
    return doCountDocuments(null, filter, new CountOptions());
  }

  @Override
  @Handling.Analysed
  public long countDocuments(Bson filter, CountOptions options) {
    return doCountDocuments(null, filter, options);
  }

  @Override
  @Handling.Analysed
  public long countDocuments(ClientSession session) {
    return doCountDocuments(requireSession(session), new BsonDocument(), new CountOptions());
  }

  @Override
  @Handling.Analysed
  public long countDocuments(ClientSession session, Bson filter) {
    return doCountDocuments(requireSession(session), filter, new CountOptions());
  }

  @Override
  @Handling.Analysed
  public long countDocuments(ClientSession session, Bson filter, CountOptions options) {
    return doCountDocuments(requireSession(session), filter, options);
  }

  private long doCountDocuments(ClientSession session, Bson filter, CountOptions options) {
    BsonDocument plain = bson(filter);
    BsonDocument rewritten = analysed(r -> r.withCollation(collation(options.getCollation()))
        .rewriteFilter(plain));
    return session == null ? reads.countDocuments(rewritten, options)
        : reads.countDocuments(session, rewritten, options);
  }

  @Override
  @Handling.Analysed
  public <R> DistinctIterable<R> distinct(String fieldName, Class<R> resultClass) {
    return doDistinct(null, fieldName, new BsonDocument(), resultClass);
  }

  @Override
  @Handling.Analysed
  public <R> DistinctIterable<R> distinct(String fieldName, Bson filter, Class<R> resultClass) {
    return doDistinct(null, fieldName, filter, resultClass);
  }

  @Override
  @Handling.Analysed
  public <R> DistinctIterable<R> distinct(ClientSession session, String fieldName, Class<R> resultClass) {
    return doDistinct(requireSession(session), fieldName, new BsonDocument(), resultClass);
  }

  @Override
  @Handling.Analysed
  public <R> DistinctIterable<R> distinct(ClientSession session, String fieldName, Bson filter,
      Class<R> resultClass) {
    return doDistinct(requireSession(session), fieldName, filter, resultClass);
  }

  private <R> DistinctIterable<R> doDistinct(ClientSession session, String fieldName, Bson filter,
      Class<R> resultClass) {
    BsonDocument plain = bson(filter);
    BsonDocument rewritten = analysed(r -> {
      r.checkDistinctField(fieldName);
      return r.rewriteFilter(plain);
    });
    DistinctIterable<R> iterable = session == null
        ? reads.distinct(fieldName, rewritten, resultClass)
        : reads.distinct(session, fieldName, rewritten, resultClass);
    return RewritingIterables.distinct(iterable,
        IterableInputs.distinct(analysis(), this::bson, fieldName, plain));
  }

  // ------------------------------------------------------------------ aggregate, watch, mapReduce

  @Override
  @Handling.Analysed
  public AggregateIterable<T> aggregate(List<? extends Bson> pipeline) {
    return doAggregate(null, pipeline, delegate.getDocumentClass());
  }

  @Override
  @Handling.Analysed
  public <R> AggregateIterable<R> aggregate(List<? extends Bson> pipeline, Class<R> resultClass) {
    return doAggregate(null, pipeline, resultClass);
  }

  @Override
  @Handling.Analysed
  public AggregateIterable<T> aggregate(ClientSession session, List<? extends Bson> pipeline) {
    return doAggregate(requireSession(session), pipeline, delegate.getDocumentClass());
  }

  @Override
  @Handling.Analysed
  public <R> AggregateIterable<R> aggregate(ClientSession session, List<? extends Bson> pipeline,
      Class<R> resultClass) {
    return doAggregate(requireSession(session), pipeline, resultClass);
  }

  private <R> AggregateIterable<R> doAggregate(ClientSession session, List<? extends Bson> pipeline,
      Class<R> resultClass) {
    List<BsonDocument> plain = bson(pipeline);
    List<BsonDocument> rewritten = analysed(r -> r.rewritePipeline(plain));
    AggregateIterable<RawBsonDocument> iterable = session == null
        ? rawReads.aggregate(rewritten) : rawReads.aggregate(session, rewritten);
    return DecryptingIterables.aggregate(iterable, resultClass, results,
        IterableInputs.aggregate(analysis(), this::bson, plain));
  }

  @Override
  @Handling.Analysed
  public ChangeStreamIterable<T> watch() {
    return doWatch(null, List.of(), delegate.getDocumentClass());
  }

  @Override
  @Handling.Analysed
  public <R> ChangeStreamIterable<R> watch(Class<R> resultClass) {
    return doWatch(null, List.of(), resultClass);
  }

  @Override
  @Handling.Analysed
  public ChangeStreamIterable<T> watch(List<? extends Bson> pipeline) {
    return doWatch(null, pipeline, delegate.getDocumentClass());
  }

  @Override
  @Handling.Analysed
  public <R> ChangeStreamIterable<R> watch(List<? extends Bson> pipeline, Class<R> resultClass) {
    return doWatch(null, pipeline, resultClass);
  }

  @Override
  @Handling.Analysed
  public ChangeStreamIterable<T> watch(ClientSession session) {
    return doWatch(requireSession(session), List.of(), delegate.getDocumentClass());
  }

  @Override
  @Handling.Analysed
  public <R> ChangeStreamIterable<R> watch(ClientSession session, Class<R> resultClass) {
    return doWatch(requireSession(session), List.of(), resultClass);
  }

  @Override
  @Handling.Analysed
  public ChangeStreamIterable<T> watch(ClientSession session, List<? extends Bson> pipeline) {
    return doWatch(requireSession(session), pipeline, delegate.getDocumentClass());
  }

  @Override
  @Handling.Analysed
  public <R> ChangeStreamIterable<R> watch(ClientSession session, List<? extends Bson> pipeline,
      Class<R> resultClass) {
    return doWatch(requireSession(session), pipeline, resultClass);
  }

  private <R> ChangeStreamIterable<R> doWatch(ClientSession session, List<? extends Bson> pipeline,
      Class<R> resultClass) {
    // Analysed as the aggregate the driver sends: $changeStream, then the application's stages.
    List<BsonDocument> stages = new ArrayList<>();
    stages.add(new BsonDocument("$changeStream", new BsonDocument()));
    stages.addAll(bson(pipeline));
    analysed(r -> r.rewritePipeline(stages));
    List<BsonDocument> checked = bson(pipeline);
    return RewritingIterables.classified(ChangeStreamIterable.class, session == null
        ? reads.watch(checked, resultClass) : reads.watch(session, checked, resultClass));
  }

  @Override
  @Handling.Refused
  @SuppressWarnings("deprecation")
  public MapReduceIterable<T> mapReduce(String mapFunction, String reduceFunction) {
    return doMapReduce(null, mapFunction, reduceFunction, delegate.getDocumentClass());
  }

  @Override
  @Handling.Refused
  @SuppressWarnings("deprecation")
  public <R> MapReduceIterable<R> mapReduce(String mapFunction, String reduceFunction,
      Class<R> resultClass) {
    return doMapReduce(null, mapFunction, reduceFunction, resultClass);
  }

  @Override
  @Handling.Refused
  @SuppressWarnings("deprecation")
  public MapReduceIterable<T> mapReduce(ClientSession session, String mapFunction,
      String reduceFunction) {
    return doMapReduce(requireSession(session), mapFunction, reduceFunction, delegate.getDocumentClass());
  }

  @Override
  @Handling.Refused
  @SuppressWarnings("deprecation")
  public <R> MapReduceIterable<R> mapReduce(ClientSession session, String mapFunction,
      String reduceFunction, Class<R> resultClass) {
    return doMapReduce(requireSession(session), mapFunction, reduceFunction, resultClass);
  }

  private <R> MapReduceIterable<R> doMapReduce(ClientSession session, String mapFunction,
      String reduceFunction, Class<R> resultClass) {
    if (!engine.bypassAutoEncryption()) {
      throw refuse("command not supported for auto encryption: mapReduce (it runs JavaScript the"
          + " server evaluates over documents; use an aggregation pipeline)");
    }
    return RewritingIterables.classified(MapReduceIterable.class, session == null
        ? reads.mapReduce(mapFunction, reduceFunction, resultClass)
        : reads.mapReduce(session, mapFunction, reduceFunction, resultClass));
  }

  // ------------------------------------------------------------------ inserts and replacements

  @Override
  @Handling.Analysed
  public InsertOneResult insertOne(T document) {
    return doInsertOne(null, document, new InsertOneOptions());
  }

  @Override
  @Handling.Analysed
  public InsertOneResult insertOne(T document, InsertOneOptions options) {
    return doInsertOne(null, document, options);
  }

  @Override
  @Handling.Analysed
  public InsertOneResult insertOne(ClientSession session, T document) {
    return doInsertOne(requireSession(session), document, new InsertOneOptions());
  }

  @Override
  @Handling.Analysed
  public InsertOneResult insertOne(ClientSession session, T document, InsertOneOptions options) {
    return doInsertOne(requireSession(session), document, options);
  }

  private InsertOneResult doInsertOne(ClientSession session, T document, InsertOneOptions options) {
    BsonDocument plain = encode(document);
    BsonDocument encrypted = analysed(r -> r.encryptDocument(plain));
    return session == null ? writes.insertOne(encrypted, options)
        : writes.insertOne(session, encrypted, options);
  }

  @Override
  @Handling.Analysed
  public InsertManyResult insertMany(List<? extends T> documents) {
    return doInsertMany(null, documents, new InsertManyOptions());
  }

  @Override
  @Handling.Analysed
  public InsertManyResult insertMany(List<? extends T> documents, InsertManyOptions options) {
    return doInsertMany(null, documents, options);
  }

  @Override
  @Handling.Analysed
  public InsertManyResult insertMany(ClientSession session, List<? extends T> documents) {
    return doInsertMany(requireSession(session), documents, new InsertManyOptions());
  }

  @Override
  @Handling.Analysed
  public InsertManyResult insertMany(ClientSession session, List<? extends T> documents,
      InsertManyOptions options) {
    return doInsertMany(requireSession(session), documents, options);
  }

  private InsertManyResult doInsertMany(ClientSession session, List<? extends T> documents,
      InsertManyOptions options) {
    List<BsonDocument> plain = new ArrayList<>(documents.size());
    for (T document : documents) {
      plain.add(encode(document));
    }
    List<BsonDocument> encrypted = analysed(r -> {
      List<BsonDocument> out = new ArrayList<>(plain.size());
      for (BsonDocument document : plain) {
        out.add(r.encryptDocument(document));
      }
      return out;
    });
    return session == null ? writes.insertMany(encrypted, options)
        : writes.insertMany(session, encrypted, options);
  }

  @Override
  @Handling.Analysed
  public UpdateResult replaceOne(Bson filter, T replacement) {
    return doReplaceOne(null, filter, replacement, new ReplaceOptions());
  }

  @Override
  @Handling.Analysed
  public UpdateResult replaceOne(Bson filter, T replacement, ReplaceOptions options) {
    return doReplaceOne(null, filter, replacement, options);
  }

  @Override
  @Handling.Analysed
  public UpdateResult replaceOne(ClientSession session, Bson filter, T replacement) {
    return doReplaceOne(requireSession(session), filter, replacement, new ReplaceOptions());
  }

  @Override
  @Handling.Analysed
  public UpdateResult replaceOne(ClientSession session, Bson filter, T replacement,
      ReplaceOptions options) {
    return doReplaceOne(requireSession(session), filter, replacement, options);
  }

  private UpdateResult doReplaceOne(ClientSession session, Bson filter, T replacement,
      ReplaceOptions options) {
    BsonDocument plainFilter = bson(filter);
    BsonDocument plainReplacement = encode(replacement);
    BsonDocument sort = bson(options.getSort());
    Parts parts = analysed(collection -> {
      CommandRewriter r = collection.withCollation(collation(options.getCollation()));
      r.checkSort(sort);
      return new Parts(r.rewriteFilter(plainFilter),
          r.rewriteUpdate(plainReplacement, options.isUpsert()), null);
    });
    BsonDocument rewrittenFilter = parts.filter();
    BsonDocument encrypted = parts.update();
    return session == null ? writes.replaceOne(rewrittenFilter, encrypted, options)
        : writes.replaceOne(session, rewrittenFilter, encrypted, options);
  }

  // ------------------------------------------------------------------ updates

  @Override
  @Handling.Analysed
  public UpdateResult updateOne(Bson filter, Bson update) {
    return update(null, filter, update, null, new UpdateOptions(), false);
  }

  @Override
  @Handling.Analysed
  public UpdateResult updateOne(Bson filter, Bson update, UpdateOptions options) {
    return update(null, filter, update, null, options, false);
  }

  @Override
  @Handling.Analysed
  public UpdateResult updateOne(ClientSession session, Bson filter, Bson update) {
    return update(requireSession(session), filter, update, null, new UpdateOptions(), false);
  }

  @Override
  @Handling.Analysed
  public UpdateResult updateOne(ClientSession session, Bson filter, Bson update, UpdateOptions options) {
    return update(requireSession(session), filter, update, null, options, false);
  }

  @Override
  @Handling.Analysed
  public UpdateResult updateOne(Bson filter, List<? extends Bson> update) {
    return update(null, filter, null, update, new UpdateOptions(), false);
  }

  @Override
  @Handling.Analysed
  public UpdateResult updateOne(Bson filter, List<? extends Bson> update, UpdateOptions options) {
    return update(null, filter, null, update, options, false);
  }

  @Override
  @Handling.Analysed
  public UpdateResult updateOne(ClientSession session, Bson filter, List<? extends Bson> update) {
    return update(requireSession(session), filter, null, update, new UpdateOptions(), false);
  }

  @Override
  @Handling.Analysed
  public UpdateResult updateOne(ClientSession session, Bson filter, List<? extends Bson> update,
      UpdateOptions options) {
    return update(requireSession(session), filter, null, update, options, false);
  }

  @Override
  @Handling.Analysed
  public UpdateResult updateMany(Bson filter, Bson update) {
    return update(null, filter, update, null, new UpdateOptions(), true);
  }

  @Override
  @Handling.Analysed
  public UpdateResult updateMany(Bson filter, Bson update, UpdateOptions options) {
    return update(null, filter, update, null, options, true);
  }

  @Override
  @Handling.Analysed
  public UpdateResult updateMany(ClientSession session, Bson filter, Bson update) {
    return update(requireSession(session), filter, update, null, new UpdateOptions(), true);
  }

  @Override
  @Handling.Analysed
  public UpdateResult updateMany(ClientSession session, Bson filter, Bson update, UpdateOptions options) {
    return update(requireSession(session), filter, update, null, options, true);
  }

  @Override
  @Handling.Analysed
  public UpdateResult updateMany(Bson filter, List<? extends Bson> update) {
    return update(null, filter, null, update, new UpdateOptions(), true);
  }

  @Override
  @Handling.Analysed
  public UpdateResult updateMany(Bson filter, List<? extends Bson> update, UpdateOptions options) {
    return update(null, filter, null, update, options, true);
  }

  @Override
  @Handling.Analysed
  public UpdateResult updateMany(ClientSession session, Bson filter, List<? extends Bson> update) {
    return update(requireSession(session), filter, null, update, new UpdateOptions(), true);
  }

  @Override
  @Handling.Analysed
  public UpdateResult updateMany(ClientSession session, Bson filter, List<? extends Bson> update,
      UpdateOptions options) {
    return update(requireSession(session), filter, null, update, options, true);
  }

  /** One of {@code update} (operators) and {@code pipeline} is set. */
  private UpdateResult update(ClientSession session, Bson filter, Bson update,
      List<? extends Bson> pipeline, UpdateOptions options, boolean many) {
    Parts parts = analysedUpdate(filter, update, pipeline, options.isUpsert(),
        options.getSort(), null, options.getCollation());
    BsonDocument rewrittenFilter = parts.filter();
    if (pipeline != null) {
      List<BsonDocument> stages = parts.pipeline();
      if (many) {
        return session == null ? writes.updateMany(rewrittenFilter, stages, options)
            : writes.updateMany(session, rewrittenFilter, stages, options);
      }
      return session == null ? writes.updateOne(rewrittenFilter, stages, options)
          : writes.updateOne(session, rewrittenFilter, stages, options);
    }
    BsonDocument rewrittenUpdate = parts.update();
    if (many) {
      return session == null ? writes.updateMany(rewrittenFilter, rewrittenUpdate, options)
          : writes.updateMany(session, rewrittenFilter, rewrittenUpdate, options);
    }
    return session == null ? writes.updateOne(rewrittenFilter, rewrittenUpdate, options)
        : writes.updateOne(session, rewrittenFilter, rewrittenUpdate, options);
  }

  // ------------------------------------------------------------------ deletes

  @Override
  @Handling.Analysed
  public DeleteResult deleteOne(Bson filter) {
    return delete(null, filter, new DeleteOptions(), false);
  }

  @Override
  @Handling.Analysed
  public DeleteResult deleteOne(Bson filter, DeleteOptions options) {
    return delete(null, filter, options, false);
  }

  @Override
  @Handling.Analysed
  public DeleteResult deleteOne(ClientSession session, Bson filter) {
    return delete(requireSession(session), filter, new DeleteOptions(), false);
  }

  @Override
  @Handling.Analysed
  public DeleteResult deleteOne(ClientSession session, Bson filter, DeleteOptions options) {
    return delete(requireSession(session), filter, options, false);
  }

  @Override
  @Handling.Analysed
  public DeleteResult deleteMany(Bson filter) {
    return delete(null, filter, new DeleteOptions(), true);
  }

  @Override
  @Handling.Analysed
  public DeleteResult deleteMany(Bson filter, DeleteOptions options) {
    return delete(null, filter, options, true);
  }

  @Override
  @Handling.Analysed
  public DeleteResult deleteMany(ClientSession session, Bson filter) {
    return delete(requireSession(session), filter, new DeleteOptions(), true);
  }

  @Override
  @Handling.Analysed
  public DeleteResult deleteMany(ClientSession session, Bson filter, DeleteOptions options) {
    return delete(requireSession(session), filter, options, true);
  }

  private DeleteResult delete(ClientSession session, Bson filter, DeleteOptions options, boolean many) {
    BsonDocument plain = bson(filter);
    BsonDocument rewritten = analysed(r -> r.withCollation(collation(options.getCollation()))
        .rewriteFilter(plain));
    if (many) {
      return session == null ? writes.deleteMany(rewritten, options)
          : writes.deleteMany(session, rewritten, options);
    }
    return session == null ? writes.deleteOne(rewritten, options)
        : writes.deleteOne(session, rewritten, options);
  }

  // ------------------------------------------------------------------ findOneAnd*

  @Override
  @Handling.Analysed
  public T findOneAndDelete(Bson filter) {
    return doFindOneAndDelete(null, filter, new FindOneAndDeleteOptions());
  }

  @Override
  @Handling.Analysed
  public T findOneAndDelete(Bson filter, FindOneAndDeleteOptions options) {
    return doFindOneAndDelete(null, filter, options);
  }

  @Override
  @Handling.Analysed
  public T findOneAndDelete(ClientSession session, Bson filter) {
    return doFindOneAndDelete(requireSession(session), filter, new FindOneAndDeleteOptions());
  }

  @Override
  @Handling.Analysed
  public T findOneAndDelete(ClientSession session, Bson filter, FindOneAndDeleteOptions options) {
    return doFindOneAndDelete(requireSession(session), filter, options);
  }

  private T doFindOneAndDelete(ClientSession session, Bson filter, FindOneAndDeleteOptions options) {
    BsonDocument rewritten = analysedUpdate(filter, null, null, false, options.getSort(),
        options.getProjection(), options.getCollation()).filter();
    return session == null ? reads.findOneAndDelete(rewritten, options)
        : reads.findOneAndDelete(session, rewritten, options);
  }

  @Override
  @Handling.Analysed
  public T findOneAndReplace(Bson filter, T replacement) {
    return doFindOneAndReplace(null, filter, replacement, new FindOneAndReplaceOptions());
  }

  @Override
  @Handling.Analysed
  public T findOneAndReplace(Bson filter, T replacement, FindOneAndReplaceOptions options) {
    return doFindOneAndReplace(null, filter, replacement, options);
  }

  @Override
  @Handling.Analysed
  public T findOneAndReplace(ClientSession session, Bson filter, T replacement) {
    return doFindOneAndReplace(requireSession(session), filter, replacement, new FindOneAndReplaceOptions());
  }

  @Override
  @Handling.Analysed
  public T findOneAndReplace(ClientSession session, Bson filter, T replacement,
      FindOneAndReplaceOptions options) {
    return doFindOneAndReplace(requireSession(session), filter, replacement, options);
  }

  private T doFindOneAndReplace(ClientSession session, Bson filter, T replacement,
      FindOneAndReplaceOptions options) {
    BsonDocument plainReplacement = encode(replacement);
    Parts parts = analysedUpdate(filter, plainReplacement, null, options.isUpsert(),
        options.getSort(), options.getProjection(), options.getCollation());
    BsonDocument rewrittenFilter = parts.filter();
    BsonDocument encrypted = parts.update();
    BsonDocument result = session == null
        ? writes.findOneAndReplace(rewrittenFilter, encrypted, options)
        : writes.findOneAndReplace(session, rewrittenFilter, encrypted, options);
    return decode(result);
  }

  @Override
  @Handling.Analysed
  public T findOneAndUpdate(Bson filter, Bson update) {
    return findOneAndUpdate(null, filter, update, null, new FindOneAndUpdateOptions());
  }

  @Override
  @Handling.Analysed
  public T findOneAndUpdate(Bson filter, Bson update, FindOneAndUpdateOptions options) {
    return findOneAndUpdate(null, filter, update, null, options);
  }

  @Override
  @Handling.Analysed
  public T findOneAndUpdate(ClientSession session, Bson filter, Bson update) {
    return findOneAndUpdate(requireSession(session), filter, update, null, new FindOneAndUpdateOptions());
  }

  @Override
  @Handling.Analysed
  public T findOneAndUpdate(ClientSession session, Bson filter, Bson update,
      FindOneAndUpdateOptions options) {
    return findOneAndUpdate(requireSession(session), filter, update, null, options);
  }

  @Override
  @Handling.Analysed
  public T findOneAndUpdate(Bson filter, List<? extends Bson> update) {
    return findOneAndUpdate(null, filter, null, update, new FindOneAndUpdateOptions());
  }

  @Override
  @Handling.Analysed
  public T findOneAndUpdate(Bson filter, List<? extends Bson> update, FindOneAndUpdateOptions options) {
    return findOneAndUpdate(null, filter, null, update, options);
  }

  @Override
  @Handling.Analysed
  public T findOneAndUpdate(ClientSession session, Bson filter, List<? extends Bson> update) {
    return findOneAndUpdate(requireSession(session), filter, null, update, new FindOneAndUpdateOptions());
  }

  @Override
  @Handling.Analysed
  public T findOneAndUpdate(ClientSession session, Bson filter, List<? extends Bson> update,
      FindOneAndUpdateOptions options) {
    return findOneAndUpdate(requireSession(session), filter, null, update, options);
  }

  private T findOneAndUpdate(ClientSession session, Bson filter, Bson update,
      List<? extends Bson> pipeline, FindOneAndUpdateOptions options) {
    Parts parts = analysedUpdate(filter, update, pipeline, options.isUpsert(), options.getSort(),
        options.getProjection(), options.getCollation());
    BsonDocument rewrittenFilter = parts.filter();
    if (pipeline != null) {
      List<BsonDocument> stages = parts.pipeline();
      return session == null ? reads.findOneAndUpdate(rewrittenFilter, stages, options)
          : reads.findOneAndUpdate(session, rewrittenFilter, stages, options);
    }
    BsonDocument rewrittenUpdate = parts.update();
    return session == null ? reads.findOneAndUpdate(rewrittenFilter, rewrittenUpdate, options)
        : reads.findOneAndUpdate(session, rewrittenFilter, rewrittenUpdate, options);
  }

  // ------------------------------------------------------------------ bulkWrite

  @Override
  @Handling.Analysed
  public BulkWriteResult bulkWrite(List<? extends WriteModel<? extends T>> requests) {
    return doBulkWrite(null, requests, new BulkWriteOptions());
  }

  @Override
  @Handling.Analysed
  public BulkWriteResult bulkWrite(List<? extends WriteModel<? extends T>> requests,
      BulkWriteOptions options) {
    return doBulkWrite(null, requests, options);
  }

  @Override
  @Handling.Analysed
  public BulkWriteResult bulkWrite(ClientSession session, List<? extends WriteModel<? extends T>> requests) {
    return doBulkWrite(requireSession(session), requests, new BulkWriteOptions());
  }

  @Override
  @Handling.Analysed
  public BulkWriteResult bulkWrite(ClientSession session, List<? extends WriteModel<? extends T>> requests,
      BulkWriteOptions options) {
    return doBulkWrite(requireSession(session), requests, options);
  }

  private BulkWriteResult doBulkWrite(ClientSession session, List<? extends WriteModel<? extends T>> requests,
      BulkWriteOptions options) {
    // Encode once, outside the analysis, which may run twice.
    List<Object[]> encoded = new ArrayList<>(requests.size());
    for (WriteModel<? extends T> request : requests) {
      encoded.add(encodeModel(request));
    }
    List<WriteModel<BsonDocument>> rewritten = analysed(r -> {
      List<WriteModel<BsonDocument>> out = new ArrayList<>(encoded.size());
      for (int i = 0; i < encoded.size(); i++) {
        out.add(rewrite(requests.get(i), encoded.get(i), r));
      }
      return out;
    });
    return session == null ? writes.bulkWrite(rewritten, options)
        : writes.bulkWrite(session, rewritten, options);
  }

  /** The BSON of a write model's documents: filter, then replacement, update or pipeline. */
  private Object[] encodeModel(WriteModel<? extends T> request) {
    if (request instanceof InsertOneModel<? extends T> insert) {
      return new Object[] {encode(insert.getDocument())};
    }
    if (request instanceof ReplaceOneModel<? extends T> replace) {
      return new Object[] {bson(replace.getFilter()), encode(replace.getReplacement()),
          bson(replace.getReplaceOptions().getSort())};
    }
    if (request instanceof UpdateOneModel<? extends T> update) {
      return new Object[] {bson(update.getFilter()), bson(update.getUpdate()),
          update.getUpdatePipeline() == null ? null : bson(update.getUpdatePipeline()),
          bson(update.getOptions().getSort())};
    }
    if (request instanceof UpdateManyModel<? extends T> update) {
      return new Object[] {bson(update.getFilter()), bson(update.getUpdate()),
          update.getUpdatePipeline() == null ? null : bson(update.getUpdatePipeline()), null};
    }
    if (request instanceof DeleteOneModel<? extends T> delete) {
      return new Object[] {bson(delete.getFilter())};
    }
    if (request instanceof DeleteManyModel<? extends T> delete) {
      return new Object[] {bson(delete.getFilter())};
    }
    throw refuse("unknown write model " + request.getClass().getName() + "; automatic"
        + " encryption cannot analyse it");
  }

  @SuppressWarnings("unchecked")
  private WriteModel<BsonDocument> rewrite(WriteModel<? extends T> request, Object[] encoded,
      CommandRewriter collection) {
    CommandRewriter rewriter = collection.withCollation(collation(modelCollation(request)));
    if (request instanceof InsertOneModel<? extends T>) {
      return new InsertOneModel<>(rewriter.encryptDocument((BsonDocument) encoded[0]));
    }
    if (request instanceof ReplaceOneModel<? extends T> replace) {
      rewriter.checkSort((BsonDocument) encoded[2]);
      return new ReplaceOneModel<>(rewriter.rewriteFilter((BsonDocument) encoded[0]),
          rewriter.rewriteUpdate((BsonDocument) encoded[1], replace.getReplaceOptions().isUpsert()),
          replace.getReplaceOptions());
    }
    if (request instanceof UpdateOneModel<? extends T> update) {
      BsonDocument filter = rewriter.rewriteFilter((BsonDocument) encoded[0]);
      rewriter.checkSort((BsonDocument) encoded[3]);
      boolean upsert = update.getOptions().isUpsert();
      return encoded[2] == null
          ? new UpdateOneModel<>(filter, rewriter.rewriteUpdate((BsonDocument) encoded[1], upsert),
              update.getOptions())
          : new UpdateOneModel<>(filter, rewriter.rewriteUpdatePipeline(
              (List<BsonDocument>) encoded[2], upsert), update.getOptions());
    }
    if (request instanceof UpdateManyModel<? extends T> update) {
      BsonDocument filter = rewriter.rewriteFilter((BsonDocument) encoded[0]);
      boolean upsert = update.getOptions().isUpsert();
      return encoded[2] == null
          ? new UpdateManyModel<>(filter, rewriter.rewriteUpdate((BsonDocument) encoded[1], upsert),
              update.getOptions())
          : new UpdateManyModel<>(filter, rewriter.rewriteUpdatePipeline(
              (List<BsonDocument>) encoded[2], upsert), update.getOptions());
    }
    if (request instanceof DeleteOneModel<? extends T> delete) {
      return new DeleteOneModel<>(rewriter.rewriteFilter((BsonDocument) encoded[0]),
          delete.getOptions());
    }
    DeleteManyModel<? extends T> delete = (DeleteManyModel<? extends T>) request;
    return new DeleteManyModel<>(rewriter.rewriteFilter((BsonDocument) encoded[0]),
        delete.getOptions());
  }

  /** The collation a write model's statement runs under, or null. */
  private static Collation modelCollation(WriteModel<?> request) {
    if (request instanceof ReplaceOneModel<?> m) {
      return m.getReplaceOptions().getCollation();
    }
    if (request instanceof UpdateOneModel<?> m) {
      return m.getOptions().getCollation();
    }
    if (request instanceof UpdateManyModel<?> m) {
      return m.getOptions().getCollation();
    }
    if (request instanceof DeleteOneModel<?> m) {
      return m.getOptions().getCollation();
    }
    if (request instanceof DeleteManyModel<?> m) {
      return m.getOptions().getCollation();
    }
    return null;
  }

  private static BsonDocument collation(Collation collation) {
    return collation == null ? null : collation.asDocument();
  }

  /** What an update-like command sends: its filter, and its update or pipeline. */
  private record Parts(BsonDocument filter, BsonDocument update, List<BsonDocument> pipeline) {}

  /**
   * The analysis of an update, replacement, findOneAndX: the filter, the update (operators or a
   * replacement) or pipeline, the sort and the projection.
   */
  private Parts analysedUpdate(Bson filter, Object update, List<? extends Bson> pipeline,
      boolean upsert, Bson sort, Bson projection, Collation collation) {
    BsonDocument plainFilter = bson(filter);
    BsonDocument plainUpdate = update instanceof BsonDocument d ? d : bson((Bson) update);
    List<BsonDocument> plainPipeline = pipeline == null ? null : bson(pipeline);
    BsonDocument plainSort = bson(sort);
    BsonDocument plainProjection = bson(projection);
    return analysed(collection -> {
      CommandRewriter r = collection.withCollation(collation(collation));
      r.checkSort(plainSort);
      if (r.rewriteProjection(plainProjection) != plainProjection) {
        throw refuse("the projection compares an encrypted field with a constant, which would"
            + " have to be encrypted inside the options object; filter with the query instead");
      }
      return new Parts(r.rewriteFilter(plainFilter),
          plainUpdate == null ? null : r.rewriteUpdate(plainUpdate, upsert),
          plainPipeline == null ? null : r.rewriteUpdatePipeline(plainPipeline, upsert));
    });
  }

  // ------------------------------------------------------------------ indexes

  @Override
  @Handling.Analysed
  public String createIndex(Bson keys) {
    return createIndex(keys, new IndexOptions());
  }

  @Override
  @Handling.Analysed
  public String createIndex(Bson keys, IndexOptions indexOptions) {
    analyseIndexes(List.of(new IndexModel(keys, indexOptions)));
    return delegate.createIndex(keys, indexOptions);
  }

  @Override
  @Handling.Analysed
  public String createIndex(ClientSession session, Bson keys) {
    return createIndex(session, keys, new IndexOptions());
  }

  @Override
  @Handling.Analysed
  public String createIndex(ClientSession session, Bson keys, IndexOptions indexOptions) {
    analyseIndexes(List.of(new IndexModel(keys, indexOptions)));
    return delegate.createIndex(requireSession(session), keys, indexOptions);
  }

  @Override
  @Handling.Analysed
  public List<String> createIndexes(List<IndexModel> indexes) {
    analyseIndexes(indexes);
    return delegate.createIndexes(indexes);
  }

  @Override
  @Handling.Analysed
  public List<String> createIndexes(List<IndexModel> indexes, CreateIndexOptions options) {
    analyseIndexes(indexes);
    return delegate.createIndexes(indexes, options);
  }

  @Override
  @Handling.Analysed
  public List<String> createIndexes(ClientSession session, List<IndexModel> indexes) {
    analyseIndexes(indexes);
    return delegate.createIndexes(requireSession(session), indexes);
  }

  @Override
  @Handling.Analysed
  public List<String> createIndexes(ClientSession session, List<IndexModel> indexes,
      CreateIndexOptions options) {
    analyseIndexes(indexes);
    return delegate.createIndexes(requireSession(session), indexes, options);
  }

  /**
   * The index specifications as createIndexes sends them, through the command analysis: a
   * partial filter may not compare an encrypted field with a constant (the constant would be
   * stored in plaintext in the index definition).
   */
  private void analyseIndexes(List<IndexModel> indexes) {
    BsonArray specs = new BsonArray();
    for (IndexModel index : indexes) {
      BsonDocument spec = new BsonDocument("key", bson(index.getKeys()));
      Bson partial = index.getOptions().getPartialFilterExpression();
      if (partial != null) {
        spec.append("partialFilterExpression", bson(partial));
      }
      specs.add(spec);
    }
    MongoNamespace namespace = delegate.getNamespace();
    engine.analyseCommand(namespace.getDatabaseName(), new BsonDocument("createIndexes",
        new BsonString(namespace.getCollectionName())).append("indexes", specs));
  }

  private static ClientSession requireSession(ClientSession session) {
    if (session == null) {
      throw new IllegalArgumentException("clientSession can not be null");
    }
    return session;
  }

  // ------------------------------------------------------------------ no user data

  @Override
  @Handling.NoUserData
  public MongoNamespace getNamespace() {
    return delegate.getNamespace();
  }

  @Override
  @Handling.NoUserData
  public Class<T> getDocumentClass() {
    return delegate.getDocumentClass();
  }

  @Override
  @Handling.NoUserData
  public CodecRegistry getCodecRegistry() {
    return delegate.getCodecRegistry();
  }

  @Override
  @Handling.NoUserData
  public ReadPreference getReadPreference() {
    return delegate.getReadPreference();
  }

  @Override
  @Handling.NoUserData
  public WriteConcern getWriteConcern() {
    return delegate.getWriteConcern();
  }

  @Override
  @Handling.NoUserData
  public ReadConcern getReadConcern() {
    return delegate.getReadConcern();
  }

  @Override
  @Handling.NoUserData
  public Long getTimeout(TimeUnit a0) {
    return delegate.getTimeout(a0);
  }

  @Override
  @Handling.NoUserData
  public long estimatedDocumentCount() {
    return delegate.estimatedDocumentCount();
  }

  @Override
  @Handling.NoUserData
  public long estimatedDocumentCount(EstimatedDocumentCountOptions a0) {
    return delegate.estimatedDocumentCount(a0);
  }

  @Override
  @Handling.NoUserData
  public void drop() {
    delegate.drop();
  }

  @Override
  @Handling.NoUserData
  public void drop(ClientSession a0) {
    delegate.drop(a0);
  }

  @Override
  @Handling.NoUserData
  public void drop(DropCollectionOptions a0) {
    delegate.drop(a0);
  }

  @Override
  @Handling.NoUserData
  public void drop(ClientSession a0, DropCollectionOptions a1) {
    delegate.drop(a0, a1);
  }

  @Override
  @Handling.NoUserData
  public String createSearchIndex(String a0, Bson a1) {
    return delegate.createSearchIndex(a0, a1);
  }

  @Override
  @Handling.NoUserData
  public String createSearchIndex(Bson a0) {
    return delegate.createSearchIndex(a0);
  }

  @Override
  @Handling.NoUserData
  public List<String> createSearchIndexes(List<SearchIndexModel> a0) {
    return delegate.createSearchIndexes(a0);
  }

  @Override
  @Handling.NoUserData
  public void updateSearchIndex(String a0, Bson a1) {
    delegate.updateSearchIndex(a0, a1);
  }

  @Override
  @Handling.NoUserData
  public void dropSearchIndex(String a0) {
    delegate.dropSearchIndex(a0);
  }

  @Override
  @Handling.NoUserData
  public ListSearchIndexesIterable<Document> listSearchIndexes() {
    return RewritingIterables.classified(ListSearchIndexesIterable.class, delegate.listSearchIndexes());
  }

  @Override
  @Handling.NoUserData
  public <TResult> ListSearchIndexesIterable<TResult> listSearchIndexes(Class<TResult> a0) {
    return RewritingIterables.classified(ListSearchIndexesIterable.class, delegate.listSearchIndexes(a0));
  }

  @Override
  @Handling.NoUserData
  public ListIndexesIterable<Document> listIndexes() {
    return RewritingIterables.classified(ListIndexesIterable.class, delegate.listIndexes());
  }

  @Override
  @Handling.NoUserData
  public <TResult> ListIndexesIterable<TResult> listIndexes(Class<TResult> a0) {
    return RewritingIterables.classified(ListIndexesIterable.class, delegate.listIndexes(a0));
  }

  @Override
  @Handling.NoUserData
  public ListIndexesIterable<Document> listIndexes(ClientSession a0) {
    return RewritingIterables.classified(ListIndexesIterable.class, delegate.listIndexes(a0));
  }

  @Override
  @Handling.NoUserData
  public <TResult> ListIndexesIterable<TResult> listIndexes(ClientSession a0, Class<TResult> a1) {
    return RewritingIterables.classified(ListIndexesIterable.class, delegate.listIndexes(a0, a1));
  }

  @Override
  @Handling.NoUserData
  public void dropIndex(String a0) {
    delegate.dropIndex(a0);
  }

  @Override
  @Handling.NoUserData
  public void dropIndex(String a0, DropIndexOptions a1) {
    delegate.dropIndex(a0, a1);
  }

  @Override
  @Handling.NoUserData
  public void dropIndex(Bson a0) {
    delegate.dropIndex(a0);
  }

  @Override
  @Handling.NoUserData
  public void dropIndex(Bson a0, DropIndexOptions a1) {
    delegate.dropIndex(a0, a1);
  }

  @Override
  @Handling.NoUserData
  public void dropIndex(ClientSession a0, String a1) {
    delegate.dropIndex(a0, a1);
  }

  @Override
  @Handling.NoUserData
  public void dropIndex(ClientSession a0, Bson a1) {
    delegate.dropIndex(a0, a1);
  }

  @Override
  @Handling.NoUserData
  public void dropIndex(ClientSession a0, String a1, DropIndexOptions a2) {
    delegate.dropIndex(a0, a1, a2);
  }

  @Override
  @Handling.NoUserData
  public void dropIndex(ClientSession a0, Bson a1, DropIndexOptions a2) {
    delegate.dropIndex(a0, a1, a2);
  }

  @Override
  @Handling.NoUserData
  public void dropIndexes() {
    delegate.dropIndexes();
  }

  @Override
  @Handling.NoUserData
  public void dropIndexes(ClientSession a0) {
    delegate.dropIndexes(a0);
  }

  @Override
  @Handling.NoUserData
  public void dropIndexes(DropIndexOptions a0) {
    delegate.dropIndexes(a0);
  }

  @Override
  @Handling.NoUserData
  public void dropIndexes(ClientSession a0, DropIndexOptions a1) {
    delegate.dropIndexes(a0, a1);
  }

  @Override
  @Handling.NoUserData
  public void renameCollection(MongoNamespace a0) {
    delegate.renameCollection(a0);
  }

  @Override
  @Handling.NoUserData
  public void renameCollection(MongoNamespace a0, RenameCollectionOptions a1) {
    delegate.renameCollection(a0, a1);
  }

  @Override
  @Handling.NoUserData
  public void renameCollection(ClientSession a0, MongoNamespace a1) {
    delegate.renameCollection(a0, a1);
  }

  @Override
  @Handling.NoUserData
  public void renameCollection(ClientSession a0, MongoNamespace a1, RenameCollectionOptions a2) {
    delegate.renameCollection(a0, a1, a2);
  }

}
