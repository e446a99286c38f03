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
 * Passes every {@link MongoDatabase} call to a delegate unchanged. Mechanical: generated from the
 * driver's interface; subclasses override what they change.
 */
public abstract class ForwardingMongoDatabase implements MongoDatabase {
  protected final MongoDatabase delegate;

  public ForwardingMongoDatabase(MongoDatabase delegate) {
    this.delegate = delegate;
  }

  @Override
  public String getName() {
    return delegate.getName();
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
  public MongoDatabase withCodecRegistry(CodecRegistry a0) {
    return delegate.withCodecRegistry(a0);
  }

  @Override
  public MongoDatabase withReadPreference(ReadPreference a0) {
    return delegate.withReadPreference(a0);
  }

  @Override
  public MongoDatabase withWriteConcern(WriteConcern a0) {
    return delegate.withWriteConcern(a0);
  }

  @Override
  public MongoDatabase withReadConcern(ReadConcern a0) {
    return delegate.withReadConcern(a0);
  }

  @Override
  public MongoDatabase withTimeout(long a0, TimeUnit a1) {
    return delegate.withTimeout(a0, a1);
  }

  @Override
  public MongoCollection<Document> getCollection(String a0) {
    return delegate.getCollection(a0);
  }

  @Override
  public <TDocument> MongoCollection<TDocument> getCollection(String a0, Class<TDocument> a1) {
    return delegate.getCollection(a0, a1);
  }

  @Override
  public Document runCommand(Bson a0) {
    return delegate.runCommand(a0);
  }

  @Override
  public Document runCommand(Bson a0, ReadPreference a1) {
    return delegate.runCommand(a0, a1);
  }

  @Override
  public <TResult> TResult runCommand(Bson a0, Class<TResult> a1) {
    return delegate.runCommand(a0, a1);
  }

  @Override
  public <TResult> TResult runCommand(Bson a0, ReadPreference a1, Class<TResult> a2) {
    return delegate.runCommand(a0, a1, a2);
  }

  @Override
  public Document runCommand(ClientSession a0, Bson a1) {
    return delegate.runCommand(a0, a1);
  }

  @Override
  public Document runCommand(ClientSession a0, Bson a1, ReadPreference a2) {
    return delegate.runCommand(a0, a1, a2);
  }

  @Override
  public <TResult> TResult runCommand(ClientSession a0, Bson a1, Class<TResult> a2) {
    return delegate.runCommand(a0, a1, a2);
  }

  @Override
  public <TResult> TResult runCommand(ClientSession a0, Bson a1, ReadPreference a2, Class<TResult> a3) {
    return delegate.runCommand(a0, a1, a2, a3);
  }

  @Override
  public void drop() {
    delegate.drop();
  }

  @Override
  public void drop(ClientSession a0) {
    delegate.drop(a0);
  }

  @Override
  public ListCollectionNamesIterable listCollectionNames() {
    return delegate.listCollectionNames();
  }

  @Override
  public ListCollectionsIterable<Document> listCollections() {
    return delegate.listCollections();
  }

  @Override
  public <TResult> ListCollectionsIterable<TResult> listCollections(Class<TResult> a0) {
    return delegate.listCollections(a0);
  }

  @Override
  public ListCollectionNamesIterable listCollectionNames(ClientSession a0) {
    return delegate.listCollectionNames(a0);
  }

  @Override
  public ListCollectionsIterable<Document> listCollections(ClientSession a0) {
    return delegate.listCollections(a0);
  }

  @Override
  public <TResult> ListCollectionsIterable<TResult> listCollections(ClientSession a0, Class<TResult> a1) {
    return delegate.listCollections(a0, a1);
  }

  @Override
  public void createCollection(String a0) {
    delegate.createCollection(a0);
  }

  @Override
  public void createCollection(String a0, CreateCollectionOptions a1) {
    delegate.createCollection(a0, a1);
  }

  @Override
  public void createCollection(ClientSession a0, String a1) {
    delegate.createCollection(a0, a1);
  }

  @Override
  public void createCollection(ClientSession a0, String a1, CreateCollectionOptions a2) {
    delegate.createCollection(a0, a1, a2);
  }

  @Override
  public void createView(String a0, String a1, List<? extends Bson> a2) {
    delegate.createView(a0, a1, a2);
  }

  @Override
  public void createView(String a0, String a1, List<? extends Bson> a2, CreateViewOptions a3) {
    delegate.createView(a0, a1, a2, a3);
  }

  @Override
  public void createView(ClientSession a0, String a1, String a2, List<? extends Bson> a3) {
    delegate.createView(a0, a1, a2, a3);
  }

  @Override
  public void createView(ClientSession a0, String a1, String a2, List<? extends Bson> a3, CreateViewOptions a4) {
    delegate.createView(a0, a1, a2, a3, a4);
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
  public AggregateIterable<Document> aggregate(List<? extends Bson> a0) {
    return delegate.aggregate(a0);
  }

  @Override
  public <TResult> AggregateIterable<TResult> aggregate(List<? extends Bson> a0, Class<TResult> a1) {
    return delegate.aggregate(a0, a1);
  }

  @Override
  public AggregateIterable<Document> aggregate(ClientSession a0, List<? extends Bson> a1) {
    return delegate.aggregate(a0, a1);
  }

  @Override
  public <TResult> AggregateIterable<TResult> aggregate(ClientSession a0, List<? extends Bson> a1, Class<TResult> a2) {
    return delegate.aggregate(a0, a1, a2);
  }

}
