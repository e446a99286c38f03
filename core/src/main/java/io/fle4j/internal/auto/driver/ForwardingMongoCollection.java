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
 * Passes every {@link MongoCollection} call to a delegate unchanged. Mechanical: generated from the
 * driver's interface; subclasses override what they change.
 */
public abstract class ForwardingMongoCollection<TDocument> implements MongoCollection<TDocument> {
  protected final MongoCollection<TDocument> delegate;

  public ForwardingMongoCollection(MongoCollection<TDocument> delegate) {
    this.delegate = delegate;
  }

  @Override
  public MongoNamespace getNamespace() {
    return delegate.getNamespace();
  }

  @Override
  public Class<TDocument> getDocumentClass() {
    return delegate.getDocumentClass();
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
  public <NewTDocument> MongoCollection<NewTDocument> withDocumentClass(Class<NewTDocument> a0) {
    return delegate.withDocumentClass(a0);
  }

  @Override
  public MongoCollection<TDocument> withCodecRegistry(CodecRegistry a0) {
    return delegate.withCodecRegistry(a0);
  }

  @Override
  public MongoCollection<TDocument> withReadPreference(ReadPreference a0) {
    return delegate.withReadPreference(a0);
  }

  @Override
  public MongoCollection<TDocument> withWriteConcern(WriteConcern a0) {
    return delegate.withWriteConcern(a0);
  }

  @Override
  public MongoCollection<TDocument> withReadConcern(ReadConcern a0) {
    return delegate.withReadConcern(a0);
  }

  @Override
  public MongoCollection<TDocument> withTimeout(long a0, TimeUnit a1) {
    return delegate.withTimeout(a0, a1);
  }

  @Override
  public long countDocuments() {
    return delegate.countDocuments();
  }

  @Override
  public long countDocuments(Bson a0) {
    return delegate.countDocuments(a0);
  }

  @Override
  public long countDocuments(Bson a0, CountOptions a1) {
    return delegate.countDocuments(a0, a1);
  }

  @Override
  public long countDocuments(ClientSession a0) {
    return delegate.countDocuments(a0);
  }

  @Override
  public long countDocuments(ClientSession a0, Bson a1) {
    return delegate.countDocuments(a0, a1);
  }

  @Override
  public long countDocuments(ClientSession a0, Bson a1, CountOptions a2) {
    return delegate.countDocuments(a0, a1, a2);
  }

  @Override
  public long estimatedDocumentCount() {
    return delegate.estimatedDocumentCount();
  }

  @Override
  public long estimatedDocumentCount(EstimatedDocumentCountOptions a0) {
    return delegate.estimatedDocumentCount(a0);
  }

  @Override
  public <TResult> DistinctIterable<TResult> distinct(String a0, Class<TResult> a1) {
    return delegate.distinct(a0, a1);
  }

  @Override
  public <TResult> DistinctIterable<TResult> distinct(String a0, Bson a1, Class<TResult> a2) {
    return delegate.distinct(a0, a1, a2);
  }

  @Override
  public <TResult> DistinctIterable<TResult> distinct(ClientSession a0, String a1, Class<TResult> a2) {
    return delegate.distinct(a0, a1, a2);
  }

  @Override
  public <TResult> DistinctIterable<TResult> distinct(ClientSession a0, String a1, Bson a2, Class<TResult> a3) {
    return delegate.distinct(a0, a1, a2, a3);
  }

  @Override
  public FindIterable<TDocument> find() {
    return delegate.find();
  }

  @Override
  public <TResult> FindIterable<TResult> find(Class<TResult> a0) {
    return delegate.find(a0);
  }

  @Override
  public FindIterable<TDocument> find(Bson a0) {
    return delegate.find(a0);
  }

  @Override
  public <TResult> FindIterable<TResult> find(Bson a0, Class<TResult> a1) {
    return delegate.find(a0, a1);
  }

  @Override
  public FindIterable<TDocument> find(ClientSession a0) {
    return delegate.find(a0);
  }

  @Override
  public <TResult> FindIterable<TResult> find(ClientSession a0, Class<TResult> a1) {
    return delegate.find(a0, a1);
  }

  @Override
  public FindIterable<TDocument> find(ClientSession a0, Bson a1) {
    return delegate.find(a0, a1);
  }

  @Override
  public <TResult> FindIterable<TResult> find(ClientSession a0, Bson a1, Class<TResult> a2) {
    return delegate.find(a0, a1, a2);
  }

  @Override
  public AggregateIterable<TDocument> aggregate(List<? extends Bson> a0) {
    return delegate.aggregate(a0);
  }

  @Override
  public <TResult> AggregateIterable<TResult> aggregate(List<? extends Bson> a0, Class<TResult> a1) {
    return delegate.aggregate(a0, a1);
  }

  @Override
  public AggregateIterable<TDocument> aggregate(ClientSession a0, List<? extends Bson> a1) {
    return delegate.aggregate(a0, a1);
  }

  @Override
  public <TResult> AggregateIterable<TResult> aggregate(ClientSession a0, List<? extends Bson> a1, Class<TResult> a2) {
    return delegate.aggregate(a0, a1, a2);
  }

  @Override
  public ChangeStreamIterable<TDocument> watch() {
    return delegate.watch();
  }

  @Override
  public <TResult> ChangeStreamIterable<TResult> watch(Class<TResult> a0) {
    return delegate.watch(a0);
  }

  @Override
  public ChangeStreamIterable<TDocument> watch(List<? extends Bson> a0) {
    return delegate.watch(a0);
  }

  @Override
  public <TResult> ChangeStreamIterable<TResult> watch(List<? extends Bson> a0, Class<TResult> a1) {
    return delegate.watch(a0, a1);
  }

  @Override
  public ChangeStreamIterable<TDocument> watch(ClientSession a0) {
    return delegate.watch(a0);
  }

  @Override
  public <TResult> ChangeStreamIterable<TResult> watch(ClientSession a0, Class<TResult> a1) {
    return delegate.watch(a0, a1);
  }

  @Override
  public ChangeStreamIterable<TDocument> watch(ClientSession a0, List<? extends Bson> a1) {
    return delegate.watch(a0, a1);
  }

  @Override
  public <TResult> ChangeStreamIterable<TResult> watch(ClientSession a0, List<? extends Bson> a1, Class<TResult> a2) {
    return delegate.watch(a0, a1, a2);
  }

  @Override
  public MapReduceIterable<TDocument> mapReduce(String a0, String a1) {
    return delegate.mapReduce(a0, a1);
  }

  @Override
  public <TResult> MapReduceIterable<TResult> mapReduce(String a0, String a1, Class<TResult> a2) {
    return delegate.mapReduce(a0, a1, a2);
  }

  @Override
  public MapReduceIterable<TDocument> mapReduce(ClientSession a0, String a1, String a2) {
    return delegate.mapReduce(a0, a1, a2);
  }

  @Override
  public <TResult> MapReduceIterable<TResult> mapReduce(ClientSession a0, String a1, String a2, Class<TResult> a3) {
    return delegate.mapReduce(a0, a1, a2, a3);
  }

  @Override
  public BulkWriteResult bulkWrite(List<? extends WriteModel<? extends TDocument>> a0) {
    return delegate.bulkWrite(a0);
  }

  @Override
  public BulkWriteResult bulkWrite(List<? extends WriteModel<? extends TDocument>> a0, BulkWriteOptions a1) {
    return delegate.bulkWrite(a0, a1);
  }

  @Override
  public BulkWriteResult bulkWrite(ClientSession a0, List<? extends WriteModel<? extends TDocument>> a1) {
    return delegate.bulkWrite(a0, a1);
  }

  @Override
  public BulkWriteResult bulkWrite(ClientSession a0, List<? extends WriteModel<? extends TDocument>> a1, BulkWriteOptions a2) {
    return delegate.bulkWrite(a0, a1, a2);
  }

  @Override
  public InsertOneResult insertOne(TDocument a0) {
    return delegate.insertOne(a0);
  }

  @Override
  public InsertOneResult insertOne(TDocument a0, InsertOneOptions a1) {
    return delegate.insertOne(a0, a1);
  }

  @Override
  public InsertOneResult insertOne(ClientSession a0, TDocument a1) {
    return delegate.insertOne(a0, a1);
  }

  @Override
  public InsertOneResult insertOne(ClientSession a0, TDocument a1, InsertOneOptions a2) {
    return delegate.insertOne(a0, a1, a2);
  }

  @Override
  public InsertManyResult insertMany(List<? extends TDocument> a0) {
    return delegate.insertMany(a0);
  }

  @Override
  public InsertManyResult insertMany(List<? extends TDocument> a0, InsertManyOptions a1) {
    return delegate.insertMany(a0, a1);
  }

  @Override
  public InsertManyResult insertMany(ClientSession a0, List<? extends TDocument> a1) {
    return delegate.insertMany(a0, a1);
  }

  @Override
  public InsertManyResult insertMany(ClientSession a0, List<? extends TDocument> a1, InsertManyOptions a2) {
    return delegate.insertMany(a0, a1, a2);
  }

  @Override
  public DeleteResult deleteOne(Bson a0) {
    return delegate.deleteOne(a0);
  }

  @Override
  public DeleteResult deleteOne(Bson a0, DeleteOptions a1) {
    return delegate.deleteOne(a0, a1);
  }

  @Override
  public DeleteResult deleteOne(ClientSession a0, Bson a1) {
    return delegate.deleteOne(a0, a1);
  }

  @Override
  public DeleteResult deleteOne(ClientSession a0, Bson a1, DeleteOptions a2) {
    return delegate.deleteOne(a0, a1, a2);
  }

  @Override
  public DeleteResult deleteMany(Bson a0) {
    return delegate.deleteMany(a0);
  }

  @Override
  public DeleteResult deleteMany(Bson a0, DeleteOptions a1) {
    return delegate.deleteMany(a0, a1);
  }

  @Override
  public DeleteResult deleteMany(ClientSession a0, Bson a1) {
    return delegate.deleteMany(a0, a1);
  }

  @Override
  public DeleteResult deleteMany(ClientSession a0, Bson a1, DeleteOptions a2) {
    return delegate.deleteMany(a0, a1, a2);
  }

  @Override
  public UpdateResult replaceOne(Bson a0, TDocument a1) {
    return delegate.replaceOne(a0, a1);
  }

  @Override
  public UpdateResult replaceOne(Bson a0, TDocument a1, ReplaceOptions a2) {
    return delegate.replaceOne(a0, a1, a2);
  }

  @Override
  public UpdateResult replaceOne(ClientSession a0, Bson a1, TDocument a2) {
    return delegate.replaceOne(a0, a1, a2);
  }

  @Override
  public UpdateResult replaceOne(ClientSession a0, Bson a1, TDocument a2, ReplaceOptions a3) {
    return delegate.replaceOne(a0, a1, a2, a3);
  }

  @Override
  public UpdateResult updateOne(Bson a0, Bson a1) {
    return delegate.updateOne(a0, a1);
  }

  @Override
  public UpdateResult updateOne(Bson a0, Bson a1, UpdateOptions a2) {
    return delegate.updateOne(a0, a1, a2);
  }

  @Override
  public UpdateResult updateOne(ClientSession a0, Bson a1, Bson a2) {
    return delegate.updateOne(a0, a1, a2);
  }

  @Override
  public UpdateResult updateOne(ClientSession a0, Bson a1, Bson a2, UpdateOptions a3) {
    return delegate.updateOne(a0, a1, a2, a3);
  }

  @Override
  public UpdateResult updateOne(Bson a0, List<? extends Bson> a1) {
    return delegate.updateOne(a0, a1);
  }

  @Override
  public UpdateResult updateOne(Bson a0, List<? extends Bson> a1, UpdateOptions a2) {
    return delegate.updateOne(a0, a1, a2);
  }

  @Override
  public UpdateResult updateOne(ClientSession a0, Bson a1, List<? extends Bson> a2) {
    return delegate.updateOne(a0, a1, a2);
  }

  @Override
  public UpdateResult updateOne(ClientSession a0, Bson a1, List<? extends Bson> a2, UpdateOptions a3) {
    return delegate.updateOne(a0, a1, a2, a3);
  }

  @Override
  public UpdateResult updateMany(Bson a0, Bson a1) {
    return delegate.updateMany(a0, a1);
  }

  @Override
  public UpdateResult updateMany(Bson a0, Bson a1, UpdateOptions a2) {
    return delegate.updateMany(a0, a1, a2);
  }

  @Override
  public UpdateResult updateMany(ClientSession a0, Bson a1, Bson a2) {
    return delegate.updateMany(a0, a1, a2);
  }

  @Override
  public UpdateResult updateMany(ClientSession a0, Bson a1, Bson a2, UpdateOptions a3) {
    return delegate.updateMany(a0, a1, a2, a3);
  }

  @Override
  public UpdateResult updateMany(Bson a0, List<? extends Bson> a1) {
    return delegate.updateMany(a0, a1);
  }

  @Override
  public UpdateResult updateMany(Bson a0, List<? extends Bson> a1, UpdateOptions a2) {
    return delegate.updateMany(a0, a1, a2);
  }

  @Override
  public UpdateResult updateMany(ClientSession a0, Bson a1, List<? extends Bson> a2) {
    return delegate.updateMany(a0, a1, a2);
  }

  @Override
  public UpdateResult updateMany(ClientSession a0, Bson a1, List<? extends Bson> a2, UpdateOptions a3) {
    return delegate.updateMany(a0, a1, a2, a3);
  }

  @Override
  public TDocument findOneAndDelete(Bson a0) {
    return delegate.findOneAndDelete(a0);
  }

  @Override
  public TDocument findOneAndDelete(Bson a0, FindOneAndDeleteOptions a1) {
    return delegate.findOneAndDelete(a0, a1);
  }

  @Override
  public TDocument findOneAndDelete(ClientSession a0, Bson a1) {
    return delegate.findOneAndDelete(a0, a1);
  }

  @Override
  public TDocument findOneAndDelete(ClientSession a0, Bson a1, FindOneAndDeleteOptions a2) {
    return delegate.findOneAndDelete(a0, a1, a2);
  }

  @Override
  public TDocument findOneAndReplace(Bson a0, TDocument a1) {
    return delegate.findOneAndReplace(a0, a1);
  }

  @Override
  public TDocument findOneAndReplace(Bson a0, TDocument a1, FindOneAndReplaceOptions a2) {
    return delegate.findOneAndReplace(a0, a1, a2);
  }

  @Override
  public TDocument findOneAndReplace(ClientSession a0, Bson a1, TDocument a2) {
    return delegate.findOneAndReplace(a0, a1, a2);
  }

  @Override
  public TDocument findOneAndReplace(ClientSession a0, Bson a1, TDocument a2, FindOneAndReplaceOptions a3) {
    return delegate.findOneAndReplace(a0, a1, a2, a3);
  }

  @Override
  public TDocument findOneAndUpdate(Bson a0, Bson a1) {
    return delegate.findOneAndUpdate(a0, a1);
  }

  @Override
  public TDocument findOneAndUpdate(Bson a0, Bson a1, FindOneAndUpdateOptions a2) {
    return delegate.findOneAndUpdate(a0, a1, a2);
  }

  @Override
  public TDocument findOneAndUpdate(ClientSession a0, Bson a1, Bson a2) {
    return delegate.findOneAndUpdate(a0, a1, a2);
  }

  @Override
  public TDocument findOneAndUpdate(ClientSession a0, Bson a1, Bson a2, FindOneAndUpdateOptions a3) {
    return delegate.findOneAndUpdate(a0, a1, a2, a3);
  }

  @Override
  public TDocument findOneAndUpdate(Bson a0, List<? extends Bson> a1) {
    return delegate.findOneAndUpdate(a0, a1);
  }

  @Override
  public TDocument findOneAndUpdate(Bson a0, List<? extends Bson> a1, FindOneAndUpdateOptions a2) {
    return delegate.findOneAndUpdate(a0, a1, a2);
  }

  @Override
  public TDocument findOneAndUpdate(ClientSession a0, Bson a1, List<? extends Bson> a2) {
    return delegate.findOneAndUpdate(a0, a1, a2);
  }

  @Override
  public TDocument findOneAndUpdate(ClientSession a0, Bson a1, List<? extends Bson> a2, FindOneAndUpdateOptions a3) {
    return delegate.findOneAndUpdate(a0, a1, a2, a3);
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
  public void drop(DropCollectionOptions a0) {
    delegate.drop(a0);
  }

  @Override
  public void drop(ClientSession a0, DropCollectionOptions a1) {
    delegate.drop(a0, a1);
  }

  @Override
  public String createSearchIndex(String a0, Bson a1) {
    return delegate.createSearchIndex(a0, a1);
  }

  @Override
  public String createSearchIndex(Bson a0) {
    return delegate.createSearchIndex(a0);
  }

  @Override
  public List<String> createSearchIndexes(List<SearchIndexModel> a0) {
    return delegate.createSearchIndexes(a0);
  }

  @Override
  public void updateSearchIndex(String a0, Bson a1) {
    delegate.updateSearchIndex(a0, a1);
  }

  @Override
  public void dropSearchIndex(String a0) {
    delegate.dropSearchIndex(a0);
  }

  @Override
  public ListSearchIndexesIterable<Document> listSearchIndexes() {
    return delegate.listSearchIndexes();
  }

  @Override
  public <TResult> ListSearchIndexesIterable<TResult> listSearchIndexes(Class<TResult> a0) {
    return delegate.listSearchIndexes(a0);
  }

  @Override
  public String createIndex(Bson a0) {
    return delegate.createIndex(a0);
  }

  @Override
  public String createIndex(Bson a0, IndexOptions a1) {
    return delegate.createIndex(a0, a1);
  }

  @Override
  public String createIndex(ClientSession a0, Bson a1) {
    return delegate.createIndex(a0, a1);
  }

  @Override
  public String createIndex(ClientSession a0, Bson a1, IndexOptions a2) {
    return delegate.createIndex(a0, a1, a2);
  }

  @Override
  public List<String> createIndexes(List<IndexModel> a0) {
    return delegate.createIndexes(a0);
  }

  @Override
  public List<String> createIndexes(List<IndexModel> a0, CreateIndexOptions a1) {
    return delegate.createIndexes(a0, a1);
  }

  @Override
  public List<String> createIndexes(ClientSession a0, List<IndexModel> a1) {
    return delegate.createIndexes(a0, a1);
  }

  @Override
  public List<String> createIndexes(ClientSession a0, List<IndexModel> a1, CreateIndexOptions a2) {
    return delegate.createIndexes(a0, a1, a2);
  }

  @Override
  public ListIndexesIterable<Document> listIndexes() {
    return delegate.listIndexes();
  }

  @Override
  public <TResult> ListIndexesIterable<TResult> listIndexes(Class<TResult> a0) {
    return delegate.listIndexes(a0);
  }

  @Override
  public ListIndexesIterable<Document> listIndexes(ClientSession a0) {
    return delegate.listIndexes(a0);
  }

  @Override
  public <TResult> ListIndexesIterable<TResult> listIndexes(ClientSession a0, Class<TResult> a1) {
    return delegate.listIndexes(a0, a1);
  }

  @Override
  public void dropIndex(String a0) {
    delegate.dropIndex(a0);
  }

  @Override
  public void dropIndex(String a0, DropIndexOptions a1) {
    delegate.dropIndex(a0, a1);
  }

  @Override
  public void dropIndex(Bson a0) {
    delegate.dropIndex(a0);
  }

  @Override
  public void dropIndex(Bson a0, DropIndexOptions a1) {
    delegate.dropIndex(a0, a1);
  }

  @Override
  public void dropIndex(ClientSession a0, String a1) {
    delegate.dropIndex(a0, a1);
  }

  @Override
  public void dropIndex(ClientSession a0, Bson a1) {
    delegate.dropIndex(a0, a1);
  }

  @Override
  public void dropIndex(ClientSession a0, String a1, DropIndexOptions a2) {
    delegate.dropIndex(a0, a1, a2);
  }

  @Override
  public void dropIndex(ClientSession a0, Bson a1, DropIndexOptions a2) {
    delegate.dropIndex(a0, a1, a2);
  }

  @Override
  public void dropIndexes() {
    delegate.dropIndexes();
  }

  @Override
  public void dropIndexes(ClientSession a0) {
    delegate.dropIndexes(a0);
  }

  @Override
  public void dropIndexes(DropIndexOptions a0) {
    delegate.dropIndexes(a0);
  }

  @Override
  public void dropIndexes(ClientSession a0, DropIndexOptions a1) {
    delegate.dropIndexes(a0, a1);
  }

  @Override
  public void renameCollection(MongoNamespace a0) {
    delegate.renameCollection(a0);
  }

  @Override
  public void renameCollection(MongoNamespace a0, RenameCollectionOptions a1) {
    delegate.renameCollection(a0, a1);
  }

  @Override
  public void renameCollection(ClientSession a0, MongoNamespace a1) {
    delegate.renameCollection(a0, a1);
  }

  @Override
  public void renameCollection(ClientSession a0, MongoNamespace a1, RenameCollectionOptions a2) {
    delegate.renameCollection(a0, a1, a2);
  }

}
