package io.fle4j.internal.auto.driver;

import com.mongodb.ClientSessionOptions;
import com.mongodb.ReadConcern;
import com.mongodb.ReadPreference;
import com.mongodb.WriteConcern;
import com.mongodb.client.ChangeStreamIterable;
import com.mongodb.client.ClientSession;
import com.mongodb.client.ListDatabasesIterable;
import com.mongodb.client.MongoCluster;
import com.mongodb.client.MongoDatabase;
import com.mongodb.client.MongoIterable;
import com.mongodb.client.model.bulk.ClientBulkWriteOptions;
import com.mongodb.client.model.bulk.ClientBulkWriteResult;
import com.mongodb.client.model.bulk.ClientNamespacedWriteModel;
import io.fle4j.internal.auto.AutoEncryptionEngine;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.bson.BsonArray;
import org.bson.BsonDocument;
import org.bson.BsonInt32;
import org.bson.Document;
import org.bson.codecs.configuration.CodecRegistry;
import org.bson.conversions.Bson;

/** The cluster-level view of an auto-encrypting client: its databases encrypt. */
public class EncryptingMongoCluster implements MongoCluster {
  protected final MongoCluster delegate;
  protected final AutoEncryptionEngine engine;

  public EncryptingMongoCluster(MongoCluster delegate, AutoEncryptionEngine engine) {
    this.delegate = delegate;
    this.engine = engine;
  }

  @Override
  @Handling.NoUserData
  public MongoDatabase getDatabase(String name) {
    return new EncryptingMongoDatabase(delegate.getDatabase(name), engine);
  }

  @Override
  @Handling.NoUserData
  public MongoCluster withCodecRegistry(CodecRegistry codecRegistry) {
    return new EncryptingMongoCluster(delegate.withCodecRegistry(codecRegistry), engine);
  }

  @Override
  @Handling.NoUserData
  public MongoCluster withReadPreference(ReadPreference readPreference) {
    return new EncryptingMongoCluster(delegate.withReadPreference(readPreference), engine);
  }

  @Override
  @Handling.NoUserData
  public MongoCluster withWriteConcern(WriteConcern writeConcern) {
    return new EncryptingMongoCluster(delegate.withWriteConcern(writeConcern), engine);
  }

  @Override
  @Handling.NoUserData
  public MongoCluster withReadConcern(ReadConcern readConcern) {
    return new EncryptingMongoCluster(delegate.withReadConcern(readConcern), engine);
  }

  @Override
  @Handling.NoUserData
  public MongoCluster withTimeout(long timeout, TimeUnit timeUnit) {
    return new EncryptingMongoCluster(delegate.withTimeout(timeout, timeUnit), engine);
  }

  @Override
  @Handling.Refused
  public ClientBulkWriteResult bulkWrite(List<? extends ClientNamespacedWriteModel> models) {
    throw clientBulkWriteUnsupported();
  }

  @Override
  @Handling.Refused
  public ClientBulkWriteResult bulkWrite(List<? extends ClientNamespacedWriteModel> models,
      ClientBulkWriteOptions options) {
    throw clientBulkWriteUnsupported();
  }

  @Override
  @Handling.Refused
  public ClientBulkWriteResult bulkWrite(ClientSession session,
      List<? extends ClientNamespacedWriteModel> models) {
    throw clientBulkWriteUnsupported();
  }

  @Override
  @Handling.Refused
  public ClientBulkWriteResult bulkWrite(ClientSession session,
      List<? extends ClientNamespacedWriteModel> models, ClientBulkWriteOptions options) {
    throw clientBulkWriteUnsupported();
  }

  private static UnsupportedOperationException clientBulkWriteUnsupported() {
    // The official driver refuses client-level bulk writes with automatic encryption too.
    return new UnsupportedOperationException("The bulkWrite command only supports Queryable"
        + " Encryption (client-level bulkWrite is not supported with CSFLE automatic encryption;"
        + " use MongoCollection.bulkWrite)");
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
    CodecRegistry registry = AutoEncryptionEngine.unwrapped(delegate.getCodecRegistry());
    List<BsonDocument> checked =
        pipeline.stream().map(b -> b.toBsonDocument(BsonDocument.class, registry)).toList();
    // The driver sends {aggregate: 1, pipeline: [{$changeStream: {allChangesForCluster: true}}]}
    // to admin: libmongocrypt refuses it ("non-collection command"); bypass mode sends it.
    BsonArray sent = new BsonArray();
    sent.add(new BsonDocument("$changeStream", new BsonDocument()));
    sent.addAll(checked);
    engine.analyseCommand("admin", new BsonDocument("aggregate", new BsonInt32(1))
        .append("pipeline", sent));
    MongoCluster reads = delegate.withCodecRegistry(engine.decrypting(registry));
    return RewritingIterables.classified(ChangeStreamIterable.class, session == null
        ? reads.watch(checked, resultClass) : reads.watch(session, checked, resultClass));
  }

  // ------------------------------------------------------------------ no user data

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
  public ClientSession startSession() {
    return delegate.startSession();
  }

  @Override
  @Handling.NoUserData
  public ClientSession startSession(ClientSessionOptions a0) {
    return delegate.startSession(a0);
  }

  @Override
  @Handling.NoUserData
  public MongoIterable<String> listDatabaseNames() {
    return RewritingIterables.classified(MongoIterable.class, delegate.listDatabaseNames());
  }

  @Override
  @Handling.NoUserData
  public MongoIterable<String> listDatabaseNames(ClientSession a0) {
    return RewritingIterables.classified(MongoIterable.class, delegate.listDatabaseNames(a0));
  }

  @Override
  @Handling.NoUserData
  public ListDatabasesIterable<Document> listDatabases() {
    return RewritingIterables.classified(ListDatabasesIterable.class, delegate.listDatabases());
  }

  @Override
  @Handling.NoUserData
  public ListDatabasesIterable<Document> listDatabases(ClientSession a0) {
    return RewritingIterables.classified(ListDatabasesIterable.class, delegate.listDatabases(a0));
  }

  @Override
  @Handling.NoUserData
  public <TResult> ListDatabasesIterable<TResult> listDatabases(Class<TResult> a0) {
    return RewritingIterables.classified(ListDatabasesIterable.class, delegate.listDatabases(a0));
  }

  @Override
  @Handling.NoUserData
  public <TResult> ListDatabasesIterable<TResult> listDatabases(ClientSession a0, Class<TResult> a1) {
    return RewritingIterables.classified(ListDatabasesIterable.class, delegate.listDatabases(a0, a1));
  }

}
