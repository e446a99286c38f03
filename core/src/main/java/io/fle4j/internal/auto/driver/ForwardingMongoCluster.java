package io.fle4j.internal.auto.driver;

import com.mongodb.*;
import com.mongodb.bulk.BulkWriteResult;
import com.mongodb.client.*;
import com.mongodb.client.model.*;
import com.mongodb.client.model.bulk.*;
import com.mongodb.client.result.*;
import com.mongodb.connection.ClusterDescription;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.bson.Document;
import org.bson.codecs.configuration.CodecRegistry;
import org.bson.conversions.Bson;

/**
 * Passes every {@link MongoCluster} call to a delegate unchanged. Mechanical: generated from the
 * driver's interface; subclasses override what they change.
 */
public abstract class ForwardingMongoCluster implements MongoCluster {
  protected final MongoCluster delegate;

  public ForwardingMongoCluster(MongoCluster delegate) {
    this.delegate = delegate;
  }

  @Override
  public CodecRegistry getCodecRegistry() {
    return delegate.getCodecRegistry();
  }

  @Override
  public ReadPreference getReadPreference() {
    return delegate.getReadPreference();
  }

  @Override
  public WriteConcern getWriteConcern() {
    return delegate.getWriteConcern();
  }

  @Override
  public ReadConcern getReadConcern() {
    return delegate.getReadConcern();
  }

  @Override
  public Long getTimeout(TimeUnit a0) {
    return delegate.getTimeout(a0);
  }

  @Override
  public MongoCluster withCodecRegistry(CodecRegistry a0) {
    return delegate.withCodecRegistry(a0);
  }

  @Override
  public MongoCluster withReadPreference(ReadPreference a0) {
    return delegate.withReadPreference(a0);
  }

  @Override
  public MongoCluster withWriteConcern(WriteConcern a0) {
    return delegate.withWriteConcern(a0);
  }

  @Override
  public MongoCluster withReadConcern(ReadConcern a0) {
    return delegate.withReadConcern(a0);
  }

  @Override
  public MongoCluster withTimeout(long a0, TimeUnit a1) {
    return delegate.withTimeout(a0, a1);
  }

  @Override
  public MongoDatabase getDatabase(String a0) {
    return delegate.getDatabase(a0);
  }

  @Override
  public ClientSession startSession() {
    return delegate.startSession();
  }

  @Override
  public ClientSession startSession(ClientSessionOptions a0) {
    return delegate.startSession(a0);
  }

  @Override
  public MongoIterable<String> listDatabaseNames() {
    return delegate.listDatabaseNames();
  }

  @Override
  public MongoIterable<String> listDatabaseNames(ClientSession a0) {
    return delegate.listDatabaseNames(a0);
  }

  @Override
  public ListDatabasesIterable<Document> listDatabases() {
    return delegate.listDatabases();
  }

  @Override
  public ListDatabasesIterable<Document> listDatabases(ClientSession a0) {
    return delegate.listDatabases(a0);
  }

  @Override
  public <TResult> ListDatabasesIterable<TResult> listDatabases(Class<TResult> a0) {
    return delegate.listDatabases(a0);
  }

  @Override
  public <TResult> ListDatabasesIterable<TResult> listDatabases(ClientSession a0, Class<TResult> a1) {
    return delegate.listDatabases(a0, a1);
  }

  @Override
  public ChangeStreamIterable<Document> watch() {
    return delegate.watch();
  }

  @Override
  public <TResult> ChangeStreamIterable<TResult> watch(Class<TResult> a0) {
    return delegate.watch(a0);
  }

  @Override
  public ChangeStreamIterable<Document> watch(List<? extends Bson> a0) {
    return delegate.watch(a0);
  }

  @Override
  public <TResult> ChangeStreamIterable<TResult> watch(List<? extends Bson> a0, Class<TResult> a1) {
    return delegate.watch(a0, a1);
  }

  @Override
  public ChangeStreamIterable<Document> watch(ClientSession a0) {
    return delegate.watch(a0);
  }

  @Override
  public <TResult> ChangeStreamIterable<TResult> watch(ClientSession a0, Class<TResult> a1) {
    return delegate.watch(a0, a1);
  }

  @Override
  public ChangeStreamIterable<Document> watch(ClientSession a0, List<? extends Bson> a1) {
    return delegate.watch(a0, a1);
  }

  @Override
  public <TResult> ChangeStreamIterable<TResult> watch(ClientSession a0, List<? extends Bson> a1, Class<TResult> a2) {
    return delegate.watch(a0, a1, a2);
  }

  @Override
  public ClientBulkWriteResult bulkWrite(List<? extends ClientNamespacedWriteModel> a0) throws ClientBulkWriteException {
    return delegate.bulkWrite(a0);
  }

  @Override
  public ClientBulkWriteResult bulkWrite(List<? extends ClientNamespacedWriteModel> a0, ClientBulkWriteOptions a1) throws ClientBulkWriteException {
    return delegate.bulkWrite(a0, a1);
  }

  @Override
  public ClientBulkWriteResult bulkWrite(ClientSession a0, List<? extends ClientNamespacedWriteModel> a1) throws ClientBulkWriteException {
    return delegate.bulkWrite(a0, a1);
  }

  @Override
  public ClientBulkWriteResult bulkWrite(ClientSession a0, List<? extends ClientNamespacedWriteModel> a1, ClientBulkWriteOptions a2) throws ClientBulkWriteException {
    return delegate.bulkWrite(a0, a1, a2);
  }

}
