package io.fle4j.internal.auto.driver;

import io.fle4j.internal.auto.AutoEncryptionEngine;

import com.mongodb.ReadConcern;
import com.mongodb.ReadPreference;
import com.mongodb.WriteConcern;
import com.mongodb.client.ChangeStreamIterable;
import com.mongodb.client.ClientSession;
import com.mongodb.client.MongoCluster;
import com.mongodb.client.MongoDatabase;
import com.mongodb.client.model.bulk.ClientBulkWriteOptions;
import com.mongodb.client.model.bulk.ClientBulkWriteResult;
import com.mongodb.client.model.bulk.ClientNamespacedWriteModel;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.bson.BsonArray;
import org.bson.BsonDocument;
import org.bson.BsonInt32;
import org.bson.Document;
import org.bson.codecs.configuration.CodecRegistry;
import org.bson.conversions.Bson;

/** The cluster-level view of an auto-encrypting client: its databases encrypt. */
public class EncryptingMongoCluster extends ForwardingMongoCluster {
  protected final AutoEncryptionEngine engine;

  public EncryptingMongoCluster(MongoCluster delegate, AutoEncryptionEngine engine) {
    super(delegate);
    this.engine = engine;
  }

  @Override
  public MongoDatabase getDatabase(String name) {
    return new EncryptingMongoDatabase(delegate.getDatabase(name), engine);
  }

  @Override
  public MongoCluster withCodecRegistry(CodecRegistry codecRegistry) {
    return new EncryptingMongoCluster(delegate.withCodecRegistry(codecRegistry), engine);
  }

  @Override
  public MongoCluster withReadPreference(ReadPreference readPreference) {
    return new EncryptingMongoCluster(delegate.withReadPreference(readPreference), engine);
  }

  @Override
  public MongoCluster withWriteConcern(WriteConcern writeConcern) {
    return new EncryptingMongoCluster(delegate.withWriteConcern(writeConcern), engine);
  }

  @Override
  public MongoCluster withReadConcern(ReadConcern readConcern) {
    return new EncryptingMongoCluster(delegate.withReadConcern(readConcern), engine);
  }

  @Override
  public MongoCluster withTimeout(long timeout, TimeUnit timeUnit) {
    return new EncryptingMongoCluster(delegate.withTimeout(timeout, timeUnit), engine);
  }

  @Override
  public ClientBulkWriteResult bulkWrite(List<? extends ClientNamespacedWriteModel> models) {
    throw clientBulkWriteUnsupported();
  }

  @Override
  public ClientBulkWriteResult bulkWrite(List<? extends ClientNamespacedWriteModel> models,
      ClientBulkWriteOptions options) {
    throw clientBulkWriteUnsupported();
  }

  @Override
  public ClientBulkWriteResult bulkWrite(ClientSession session,
      List<? extends ClientNamespacedWriteModel> models) {
    throw clientBulkWriteUnsupported();
  }

  @Override
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
    return session == null ? reads.watch(checked, resultClass) : reads.watch(session, checked, resultClass);
  }
}
