package io.fle4j.internal.auto.driver;

import io.fle4j.internal.auto.AutoEncryptionEngine;

import com.mongodb.MongoNamespace;
import com.mongodb.ReadConcern;
import com.mongodb.ReadPreference;
import com.mongodb.WriteConcern;
import com.mongodb.client.AggregateIterable;
import com.mongodb.client.ChangeStreamIterable;
import com.mongodb.client.ClientSession;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoDatabase;
import io.fle4j.EncryptedFieldOperationException;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import com.mongodb.client.model.CreateCollectionOptions;
import com.mongodb.client.model.CreateViewOptions;
import org.bson.BsonArray;
import org.bson.BsonDocument;
import org.bson.BsonInt32;
import org.bson.BsonString;
import org.bson.BsonValue;
import org.bson.Document;
import org.bson.codecs.configuration.CodecRegistry;
import org.bson.conversions.Bson;

/**
 * A database of an auto-encrypting client: its collections encrypt, and command replies,
 * database-level aggregations and change streams are decrypted.
 */
public final class EncryptingMongoDatabase extends ForwardingMongoDatabase {
  private final AutoEncryptionEngine engine;
  private final MongoDatabase reads;

  public EncryptingMongoDatabase(MongoDatabase delegate, AutoEncryptionEngine engine) {
    super(delegate);
    this.engine = engine;
    this.reads = delegate.withCodecRegistry(
        engine.decrypting(AutoEncryptionEngine.unwrapped(delegate.getCodecRegistry())));
  }

  private CodecRegistry registry() {
    return AutoEncryptionEngine.unwrapped(delegate.getCodecRegistry());
  }

  @Override
  public MongoCollection<Document> getCollection(String name) {
    return new EncryptingMongoCollection<>(delegate.getCollection(name), engine);
  }

  @Override
  public <T> MongoCollection<T> getCollection(String name, Class<T> documentClass) {
    return new EncryptingMongoCollection<>(delegate.getCollection(name, documentClass), engine);
  }

  @Override
  public MongoDatabase withCodecRegistry(CodecRegistry codecRegistry) {
    return new EncryptingMongoDatabase(delegate.withCodecRegistry(codecRegistry), engine);
  }

  @Override
  public MongoDatabase withReadPreference(ReadPreference readPreference) {
    return new EncryptingMongoDatabase(delegate.withReadPreference(readPreference), engine);
  }

  @Override
  public MongoDatabase withWriteConcern(WriteConcern writeConcern) {
    return new EncryptingMongoDatabase(delegate.withWriteConcern(writeConcern), engine);
  }

  @Override
  public MongoDatabase withReadConcern(ReadConcern readConcern) {
    return new EncryptingMongoDatabase(delegate.withReadConcern(readConcern), engine);
  }

  @Override
  public MongoDatabase withTimeout(long timeout, TimeUnit timeUnit) {
    return new EncryptingMongoDatabase(delegate.withTimeout(timeout, timeUnit), engine);
  }

  // ------------------------------------------------------------------ runCommand

  @Override
  public Document runCommand(Bson command) {
    return doRunCommand(null, command, null, Document.class);
  }

  @Override
  public Document runCommand(Bson command, ReadPreference readPreference) {
    return doRunCommand(null, command, readPreference, Document.class);
  }

  @Override
  public <R> R runCommand(Bson command, Class<R> resultClass) {
    return doRunCommand(null, command, null, resultClass);
  }

  @Override
  public <R> R runCommand(Bson command, ReadPreference readPreference, Class<R> resultClass) {
    return doRunCommand(null, command, readPreference, resultClass);
  }

  @Override
  public Document runCommand(ClientSession session, Bson command) {
    return doRunCommand(session, command, null, Document.class);
  }

  @Override
  public Document runCommand(ClientSession session, Bson command, ReadPreference readPreference) {
    return doRunCommand(session, command, readPreference, Document.class);
  }

  @Override
  public <R> R runCommand(ClientSession session, Bson command, Class<R> resultClass) {
    return doRunCommand(session, command, null, resultClass);
  }

  @Override
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
  public AggregateIterable<Document> aggregate(List<? extends Bson> pipeline) {
    return doAggregate(null, pipeline, Document.class);
  }

  @Override
  public <R> AggregateIterable<R> aggregate(List<? extends Bson> pipeline, Class<R> resultClass) {
    return doAggregate(null, pipeline, resultClass);
  }

  @Override
  public AggregateIterable<Document> aggregate(ClientSession session, List<? extends Bson> pipeline) {
    return doAggregate(session, pipeline, Document.class);
  }

  @Override
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
  public ChangeStreamIterable<Document> watch() {
    return doWatch(null, List.of(), Document.class);
  }

  @Override
  public <R> ChangeStreamIterable<R> watch(Class<R> resultClass) {
    return doWatch(null, List.of(), resultClass);
  }

  @Override
  public ChangeStreamIterable<Document> watch(List<? extends Bson> pipeline) {
    return doWatch(null, pipeline, Document.class);
  }

  @Override
  public <R> ChangeStreamIterable<R> watch(List<? extends Bson> pipeline, Class<R> resultClass) {
    return doWatch(null, pipeline, resultClass);
  }

  @Override
  public ChangeStreamIterable<Document> watch(ClientSession session) {
    return doWatch(session, List.of(), Document.class);
  }

  @Override
  public <R> ChangeStreamIterable<R> watch(ClientSession session, Class<R> resultClass) {
    return doWatch(session, List.of(), resultClass);
  }

  @Override
  public ChangeStreamIterable<Document> watch(ClientSession session, List<? extends Bson> pipeline) {
    return doWatch(session, pipeline, Document.class);
  }

  @Override
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
    return session == null ? reads.watch(stages, resultClass) : reads.watch(session, stages, resultClass);
  }

  // ------------------------------------------------------------------ createCollection, createView

  @Override
  public void createCollection(String collectionName) {
    createCollection(collectionName, new CreateCollectionOptions());
  }

  @Override
  public void createCollection(String collectionName, CreateCollectionOptions options) {
    analyseCreate(collectionName, options);
    delegate.createCollection(collectionName, options);
  }

  @Override
  public void createCollection(ClientSession session, String collectionName) {
    createCollection(session, collectionName, new CreateCollectionOptions());
  }

  @Override
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
      throw new EncryptedFieldOperationException(delegate.getName() + "." + collectionName, null,
          "Queryable Encryption (encryptedFields) is not supported by fle4j's automatic"
              + " encryption yet");
    }
    BsonDocument command = new BsonDocument("create", new BsonString(collectionName));
    Bson validator = options.getValidationOptions().getValidator();
    if (validator != null) {
      command.append("validator", validator.toBsonDocument(BsonDocument.class, registry()));
    }
    engine.analyseCommand(delegate.getName(), command);
  }

  @Override
  public void createView(String viewName, String viewOn, List<? extends Bson> pipeline) {
    throw refuseView(viewName, viewOn, pipeline);
  }

  @Override
  public void createView(String viewName, String viewOn, List<? extends Bson> pipeline,
      CreateViewOptions createViewOptions) {
    throw refuseView(viewName, viewOn, pipeline);
  }

  @Override
  public void createView(ClientSession session, String viewName, String viewOn,
      List<? extends Bson> pipeline) {
    throw refuseView(viewName, viewOn, pipeline);
  }

  @Override
  public void createView(ClientSession session, String viewName, String viewOn,
      List<? extends Bson> pipeline, CreateViewOptions createViewOptions) {
    throw refuseView(viewName, viewOn, pipeline);
  }

  /** As libmongocrypt does; in bypass mode too, since fle4j's wrappers cannot tell it apart. */
  private RuntimeException refuseView(String viewName, String viewOn, List<? extends Bson> pipeline) {
    if (engine.bypassAutoEncryption()) {
      return new EncryptedFieldOperationException(delegate.getName() + "." + viewName, null,
          "Creating a view is not supported with automatic encryption (create it with a client"
              + " without auto encryption; its pipeline runs on the server over " + viewOn + ")");
    }
    engine.analyseCommand(delegate.getName(), new BsonDocument("create", new BsonString(viewName))
        .append("viewOn", new BsonString(viewOn)).append("pipeline", new BsonArray(toBson(pipeline))));
    return new IllegalStateException("unreachable: create with viewOn is always refused");
  }

  private List<BsonDocument> toBson(List<? extends Bson> pipeline) {
    return pipeline.stream().map(b -> b.toBsonDocument(BsonDocument.class, registry())).toList();
  }
}
