package io.fle4j.internal.auto.driver;

import io.fle4j.internal.auto.AutoEncryptionEngine;
import io.fle4j.internal.auto.analysis.ChangeStreamPipelines;

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
import org.bson.BsonDocument;
import org.bson.BsonValue;
import org.bson.Document;
import org.bson.codecs.configuration.CodecRegistry;
import org.bson.conversions.Bson;

/**
 * A database of an auto-encrypting client: its collections encrypt, and command replies,
 * database-level aggregations and change streams are decrypted.
 */
public final class EncryptingMongoDatabase extends ForwardingMongoDatabase {
  /** Commands that carry documents or filters of the collection they name. */
  private static final Set<String> DATA_COMMANDS = Set.of("find", "aggregate", "count", "distinct",
      "insert", "update", "delete", "findAndModify", "findandmodify", "mapReduce", "explain");

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
   * Raw commands are not analysed: one that carries the data of a collection with encrypted
   * fields is refused (use the collection API, which encrypts). Replies are decrypted.
   */
  private <R> R doRunCommand(ClientSession session, Bson command, ReadPreference readPreference,
      Class<R> resultClass) {
    BsonDocument bson = command.toBsonDocument(BsonDocument.class, registry());
    if (!bson.isEmpty() && DATA_COMMANDS.contains(bson.getFirstKey())) {
      BsonValue target = bson.get(bson.getFirstKey());
      if (target.isString() && engine.rewriter(new MongoNamespace(delegate.getName(),
          target.asString().getValue())).hasEncryptedFields()) {
        throw new EncryptedFieldOperationException(delegate.getName() + "." + target.asString().getValue(),
            null, "runCommand '" + bson.getFirstKey() + "' is not analysed for encrypted fields;"
                + " use the MongoCollection API, which encrypts");
      }
    }
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
    // A database-level pipeline reads no collection of its own; its $lookup stages are checked.
    List<BsonDocument> rewritten = engine.rewriter(new MongoNamespace(delegate.getName(), "$cmd.aggregate"))
        .rewritePipeline(toBson(pipeline));
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
    List<BsonDocument> checked = ChangeStreamPipelines.check(toBson(pipeline), delegate.getName(),
        !engine.bypassAutoEncryption());
    return session == null ? reads.watch(checked, resultClass) : reads.watch(session, checked, resultClass);
  }

  private List<BsonDocument> toBson(List<? extends Bson> pipeline) {
    return pipeline.stream().map(b -> b.toBsonDocument(BsonDocument.class, registry())).toList();
  }
}
