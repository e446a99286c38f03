package io.fle4j.internal.auto.driver;

import com.mongodb.ReadConcern;
import com.mongodb.ReadPreference;
import com.mongodb.WriteConcern;
import com.mongodb.client.AggregateIterable;
import com.mongodb.client.ChangeStreamIterable;
import com.mongodb.client.ClientSession;
import com.mongodb.client.ListCollectionNamesIterable;
import com.mongodb.client.ListCollectionsIterable;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoDatabase;
import com.mongodb.client.model.CreateCollectionOptions;
import com.mongodb.client.model.CreateViewOptions;
import io.fle4j.EncryptedFieldOperationException;
import io.fle4j.internal.auto.AutoEncryptionEngine;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.bson.BsonArray;
import org.bson.BsonDocument;
import org.bson.BsonInt32;
import org.bson.BsonString;
import org.bson.Document;
import org.bson.codecs.configuration.CodecRegistry;
import org.bson.conversions.Bson;

/**
 * A database of an auto-encrypting client: its collections encrypt, and command replies,
 * database-level aggregations and change streams are decrypted.
 */
public final class EncryptingMongoDatabase implements MongoDatabase {
  private final MongoDatabase delegate;
  private final AutoEncryptionEngine engine;
  private final MongoDatabase reads;

  public EncryptingMongoDatabase(MongoDatabase delegate, AutoEncryptionEngine engine) {
    this.delegate = delegate;
    this.engine = engine;
    this.reads = delegate.withCodecRegistry(
        engine.decrypting(AutoEncryptionEngine.unwrapped(delegate.getCodecRegistry())));
  }

  private CodecRegistry registry() {
    return AutoEncryptionEngine.unwrapped(delegate.getCodecRegistry());
  }

  @Override
  @Handling.NoUserData
  public MongoCollection<Document> getCollection(String name) {
    return new EncryptingMongoCollection<>(delegate.getCollection(name), engine);
  }

  @Override
  @Handling.NoUserData
  public <T> MongoCollection<T> getCollection(String name, Class<T> documentClass) {
    return new EncryptingMongoCollection<>(delegate.getCollection(name, documentClass), engine);
  }

  @Override
  @Handling.NoUserData
  public MongoDatabase withCodecRegistry(CodecRegistry codecRegistry) {
    return new EncryptingMongoDatabase(delegate.withCodecRegistry(codecRegistry), engine);
  }

  @Override
  @Handling.NoUserData
  public MongoDatabase withReadPreference(ReadPreference readPreference) {
    return new EncryptingMongoDatabase(delegate.withReadPreference(readPreference), engine);
  }

  @Override
  @Handling.NoUserData
  public MongoDatabase withWriteConcern(WriteConcern writeConcern) {
    return new EncryptingMongoDatabase(delegate.withWriteConcern(writeConcern), engine);
  }

  @Override
  @Handling.NoUserData
  public MongoDatabase withReadConcern(ReadConcern readConcern) {
    return new EncryptingMongoDatabase(delegate.withReadConcern(readConcern), engine);
  }

  @Override
  @Handling.NoUserData
  public MongoDatabase withTimeout(long timeout, TimeUnit timeUnit) {
    return new EncryptingMongoDatabase(delegate.withTimeout(timeout, timeUnit), engine);
  }

  // ------------------------------------------------------------------ runCommand

  @Override
  @Handling.Analysed
  public Document runCommand(Bson command) {
    return doRunCommand(null, command, null, Document.class);
  }

  @Override
  @Handling.Analysed
  public Document runCommand(Bson command, ReadPreference readPreference) {
    return doRunCommand(null, command, readPreference, Document.class);
  }

  @Override
  @Handling.Analysed
  public <R> R runCommand(Bson command, Class<R> resultClass) {
    return doRunCommand(null, command, null, resultClass);
  }

  @Override
  @Handling.Analysed
  public <R> R runCommand(Bson command, ReadPreference readPreference, Class<R> resultClass) {
    return doRunCommand(null, command, readPreference, resultClass);
  }

  @Override
  @Handling.Analysed
  public Document runCommand(ClientSession session, Bson command) {
    return doRunCommand(session, command, null, Document.class);
  }

  @Override
  @Handling.Analysed
  public Document runCommand(ClientSession session, Bson command, ReadPreference readPreference) {
    return doRunCommand(session, command, readPreference, Document.class);
  }

  @Override
  @Handling.Analysed
  public <R> R runCommand(ClientSession session, Bson command, Class<R> resultClass) {
    return doRunCommand(session, command, null, resultClass);
  }

  @Override
  @Handling.Analysed
  public <R> R runCommand(ClientSession session, Bson command, ReadPreference readPreference,
      Class<R> resultClass) {
    return doRunCommand(session, command, readPreference, resultClass);
  }

  /**
   * Raw commands go through the same analysis as every other command: analysed and encrypted,
   * passed as carrying no user data, or refused. Replies are decrypted.
   */
  private <R> R doRunCommand(ClientSession session, Bson command, ReadPreference readPreference,
      Class<R> resultClass) {
    BsonDocument bson = engine.analyseCommand(delegate.getName(),
        command.toBsonDocument(BsonDocument.class, registry()));
    if (session == null) {
      return readPreference == null ? reads.runCommand(bson, resultClass)
          : reads.runCommand(bson, readPreference, resultClass);
    }
    return readPreference == null ? reads.runCommand(session, bson, resultClass)
        : reads.runCommand(session, bson, readPreference, resultClass);
  }

  // ------------------------------------------------------------------ aggregate, watch

  @Override
  @Handling.Analysed
  public AggregateIterable<Document> aggregate(List<? extends Bson> pipeline) {
    return doAggregate(null, pipeline, Document.class);
  }

  @Override
  @Handling.Analysed
  public <R> AggregateIterable<R> aggregate(List<? extends Bson> pipeline, Class<R> resultClass) {
    return doAggregate(null, pipeline, resultClass);
  }

  @Override
  @Handling.Analysed
  public AggregateIterable<Document> aggregate(ClientSession session, List<? extends Bson> pipeline) {
    return doAggregate(session, pipeline, Document.class);
  }

  @Override
  @Handling.Analysed
  public <R> AggregateIterable<R> aggregate(ClientSession session, List<? extends Bson> pipeline,
      Class<R> resultClass) {
    return doAggregate(session, pipeline, resultClass);
  }

  private <R> AggregateIterable<R> doAggregate(ClientSession session, List<? extends Bson> pipeline,
      Class<R> resultClass) {
    // libmongocrypt refuses a database-level aggregate outright; bypass mode sends it.
    List<BsonDocument> rewritten = toBson(pipeline);
    engine.analyseCommand(delegate.getName(), new BsonDocument("aggregate", new BsonInt32(1))
        .append("pipeline", new BsonArray(rewritten)));
    return session == null ? reads.aggregate(rewritten, resultClass)
        : reads.aggregate(session, rewritten, resultClass);
  }

  @Override
  @Handling.Analysed
  public ChangeStreamIterable<Document> watch() {
    return doWatch(null, List.of(), Document.class);
  }

  @Override
  @Handling.Analysed
  public <R> ChangeStreamIterable<R> watch(Class<R> resultClass) {
    return doWatch(null, List.of(), resultClass);
  }

  @Override
  @Handling.Analysed
  public ChangeStreamIterable<Document> watch(List<? extends Bson> pipeline) {
    return doWatch(null, pipeline, Document.class);
  }

  @Override
  @Handling.Analysed
  public <R> ChangeStreamIterable<R> watch(List<? extends Bson> pipeline, Class<R> resultClass) {
    return doWatch(null, pipeline, resultClass);
  }

  @Override
  @Handling.Analysed
  public ChangeStreamIterable<Document> watch(ClientSession session) {
    return doWatch(session, List.of(), Document.class);
  }

  @Override
  @Handling.Analysed
  public <R> ChangeStreamIterable<R> watch(ClientSession session, Class<R> resultClass) {
    return doWatch(session, List.of(), resultClass);
  }

  @Override
  @Handling.Analysed
  public ChangeStreamIterable<Document> watch(ClientSession session, List<? extends Bson> pipeline) {
    return doWatch(session, pipeline, Document.class);
  }

  @Override
  @Handling.Analysed
  public <R> ChangeStreamIterable<R> watch(ClientSession session, List<? extends Bson> pipeline,
      Class<R> resultClass) {
    return doWatch(session, pipeline, resultClass);
  }

  private <R> ChangeStreamIterable<R> doWatch(ClientSession session, List<? extends Bson> pipeline,
      Class<R> resultClass) {
    // The driver sends {aggregate: 1, pipeline: [{$changeStream: ...}, ...]}: refused as above.
    List<BsonDocument> stages = toBson(pipeline);
    BsonArray sent = new BsonArray();
    sent.add(new BsonDocument("$changeStream", new BsonDocument()));
    sent.addAll(stages);
    engine.analyseCommand(delegate.getName(), new BsonDocument("aggregate", new BsonInt32(1))
        .append("pipeline", sent));
    return RewritingIterables.classified(ChangeStreamIterable.class, session == null
        ? reads.watch(stages, resultClass) : reads.watch(session, stages, resultClass));
  }

  // ------------------------------------------------------------------ createCollection, createView

  @Override
  @Handling.Analysed
  public void createCollection(String collectionName) {
    createCollection(collectionName, new CreateCollectionOptions());
  }

  @Override
  @Handling.Analysed
  public void createCollection(String collectionName, CreateCollectionOptions options) {
    analyseCreate(collectionName, options);
    delegate.createCollection(collectionName, options);
  }

  @Override
  @Handling.Analysed
  public void createCollection(ClientSession session, String collectionName) {
    createCollection(session, collectionName, new CreateCollectionOptions());
  }

  @Override
  @Handling.Analysed
  public void createCollection(ClientSession session, String collectionName,
      CreateCollectionOptions options) {
    analyseCreate(collectionName, options);
    delegate.createCollection(session, collectionName, options);
  }

  /** The parts of {@code create} that carry user data: the validator, and encryptedFields. */
  private void analyseCreate(String collectionName, CreateCollectionOptions options) {
    if (engine.bypassAutoEncryption()) {
      return;
    }
    if (options.getEncryptedFields() != null) {
      throw engine.refused(new EncryptedFieldOperationException(
          delegate.getName() + "." + collectionName, null,
          "Queryable Encryption (encryptedFields) is not supported by fle4j's automatic"
              + " encryption yet"));
    }
    BsonDocument command = new BsonDocument("create", new BsonString(collectionName));
    Bson validator = options.getValidationOptions().getValidator();
    if (validator != null) {
      command.append("validator", validator.toBsonDocument(BsonDocument.class, registry()));
    }
    engine.analyseCommand(delegate.getName(), command);
  }

  @Override
  @Handling.Refused
  public void createView(String viewName, String viewOn, List<? extends Bson> pipeline) {
    throw refuseView(viewName, viewOn, pipeline);
  }

  @Override
  @Handling.Refused
  public void createView(String viewName, String viewOn, List<? extends Bson> pipeline,
      CreateViewOptions createViewOptions) {
    throw refuseView(viewName, viewOn, pipeline);
  }

  @Override
  @Handling.Refused
  public void createView(ClientSession session, String viewName, String viewOn,
      List<? extends Bson> pipeline) {
    throw refuseView(viewName, viewOn, pipeline);
  }

  @Override
  @Handling.Refused
  public void createView(ClientSession session, String viewName, String viewOn,
      List<? extends Bson> pipeline, CreateViewOptions createViewOptions) {
    throw refuseView(viewName, viewOn, pipeline);
  }

  /** As libmongocrypt does; in bypass mode too, since fle4j's wrappers cannot tell it apart. */
  private RuntimeException refuseView(String viewName, String viewOn, List<? extends Bson> pipeline) {
    if (engine.bypassAutoEncryption()) {
      return engine.refused(new EncryptedFieldOperationException(
          delegate.getName() + "." + viewName, null,
          "Creating a view is not supported with automatic encryption (create it with a client"
              + " without auto encryption; its pipeline runs on the server over " + viewOn + ")"));
    }
    engine.analyseCommand(delegate.getName(), new BsonDocument("create", new BsonString(viewName))
        .append("viewOn", new BsonString(viewOn)).append("pipeline", new BsonArray(toBson(pipeline))));
    return new IllegalStateException("unreachable: create with viewOn is always refused");
  }

  private List<BsonDocument> toBson(List<? extends Bson> pipeline) {
    return pipeline.stream().map(b -> b.toBsonDocument(BsonDocument.class, registry())).toList();
  }

  // ------------------------------------------------------------------ no user data

  @Override
  @Handling.NoUserData
  public String getName() {
    return delegate.getName();
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
  public ListCollectionNamesIterable listCollectionNames() {
    return RewritingIterables.classified(ListCollectionNamesIterable.class, delegate.listCollectionNames());
  }

  @Override
  @Handling.NoUserData
  public ListCollectionsIterable<Document> listCollections() {
    return RewritingIterables.classified(ListCollectionsIterable.class, delegate.listCollections());
  }

  @Override
  @Handling.NoUserData
  public <TResult> ListCollectionsIterable<TResult> listCollections(Class<TResult> a0) {
    return RewritingIterables.classified(ListCollectionsIterable.class, delegate.listCollections(a0));
  }

  @Override
  @Handling.NoUserData
  public ListCollectionNamesIterable listCollectionNames(ClientSession a0) {
    return RewritingIterables.classified(ListCollectionNamesIterable.class, delegate.listCollectionNames(a0));
  }

  @Override
  @Handling.NoUserData
  public ListCollectionsIterable<Document> listCollections(ClientSession a0) {
    return RewritingIterables.classified(ListCollectionsIterable.class, delegate.listCollections(a0));
  }

  @Override
  @Handling.NoUserData
  public <TResult> ListCollectionsIterable<TResult> listCollections(ClientSession a0, Class<TResult> a1) {
    return RewritingIterables.classified(ListCollectionsIterable.class, delegate.listCollections(a0, a1));
  }

}
