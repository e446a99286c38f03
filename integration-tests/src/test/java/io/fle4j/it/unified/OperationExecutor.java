package io.fle4j.it.unified;

import com.mongodb.bulk.BulkWriteInsert;
import com.mongodb.bulk.BulkWriteResult;
import com.mongodb.bulk.BulkWriteUpsert;
import com.mongodb.client.FindIterable;
import com.mongodb.client.AggregateIterable;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoDatabase;
import com.mongodb.client.model.BulkWriteOptions;
import com.mongodb.client.model.CreateCollectionOptions;
import com.mongodb.client.model.DeleteManyModel;
import com.mongodb.client.model.DeleteOneModel;
import com.mongodb.client.model.FindOneAndDeleteOptions;
import com.mongodb.client.model.FindOneAndReplaceOptions;
import com.mongodb.client.model.FindOneAndUpdateOptions;
import com.mongodb.client.model.IndexOptions;
import com.mongodb.client.model.InsertManyOptions;
import com.mongodb.client.model.InsertOneModel;
import com.mongodb.client.model.InsertOneOptions;
import com.mongodb.client.model.ReplaceOneModel;
import com.mongodb.client.model.ReplaceOptions;
import com.mongodb.client.model.ReturnDocument;
import com.mongodb.client.model.UpdateManyModel;
import com.mongodb.client.model.UpdateOneModel;
import com.mongodb.client.model.UpdateOptions;
import com.mongodb.client.model.ValidationOptions;
import com.mongodb.client.model.WriteModel;
import com.mongodb.client.model.vault.DataKeyOptions;
import com.mongodb.client.model.vault.EncryptOptions;
import com.mongodb.client.model.vault.RewrapManyDataKeyOptions;
import com.mongodb.client.model.vault.RewrapManyDataKeyResult;
import com.mongodb.client.result.DeleteResult;
import com.mongodb.client.result.InsertManyResult;
import com.mongodb.client.result.InsertOneResult;
import com.mongodb.client.result.UpdateResult;
import com.mongodb.client.vault.ClientEncryption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.bson.BsonArray;
import org.bson.BsonBinary;
import org.bson.BsonDocument;
import org.bson.BsonInt32;
import org.bson.BsonInt64;
import org.bson.BsonNull;
import org.bson.BsonString;
import org.bson.BsonValue;

/**
 * Runs one entity operation ({@code name} on {@code object}) through the driver API that fle4j
 * implements, and turns what it returns into an {@link OperationResult}. Every argument must be
 * understood ({@link Arguments#requireAllUsed}); cursors are iterated to the end.
 */
final class OperationExecutor {
  private final EntityMap entities;

  OperationExecutor(EntityMap entities) {
    this.entities = entities;
  }

  OperationResult execute(String objectId, String name, BsonDocument arguments) {
    Object target = entities.get(objectId);
    Arguments args = new Arguments(name + " on " + objectId, arguments);
    OperationResult result;
    if (target instanceof MongoCollection<?>) {
      result = collectionOperation(entities.collection(objectId), name, args);
    } else if (target instanceof MongoDatabase database) {
      result = databaseOperation(database, name, args);
    } else if (target instanceof ClientEncryption clientEncryption) {
      result = clientEncryptionOperation(clientEncryption, name, args);
    } else if (target instanceof EntityMap.ClientEntity client) {
      result = clientOperation(client.client(), name, args);
    } else {
      throw new RunnerException("operations on " + target.getClass().getSimpleName()
          + " entities are not supported by the runner");
    }
    args.requireAllUsed();
    return result;
  }

  // ------------------------------------------------------------------------------ collection

  private OperationResult collectionOperation(MongoCollection<BsonDocument> collection,
      String name, Arguments args) {
    switch (name) {
      case "insertOne": {
        InsertOneOptions options = new InsertOneOptions();
        args.ifPresent("bypassDocumentValidation", bypass -> options.bypassDocumentValidation(bypass.asBoolean().getValue()));
        InsertOneResult r = collection.insertOne(args.requiredDocument("document"), options);
        BsonDocument out = new BsonDocument();
        if (r.getInsertedId() != null) {
          out.put("insertedId", r.getInsertedId());
        }
        return OperationResult.of(out);
      }
      case "insertMany": {
        InsertManyOptions options = new InsertManyOptions();
        args.ifPresent("ordered", ordered -> options.ordered(ordered.asBoolean().getValue()));
        List<BsonDocument> documents = new ArrayList<>();
        args.required("documents").asArray().forEach(d -> documents.add(d.asDocument()));
        InsertManyResult r = collection.insertMany(documents, options);
        BsonDocument ids = new BsonDocument();
        r.getInsertedIds().forEach((index, id) -> ids.put(String.valueOf(index), id));
        return OperationResult.of(new BsonDocument("insertedIds", ids));
      }
      case "find": {
        FindIterable<BsonDocument> find = collection.find(filter(args));
        args.ifPresent("projection", projection -> find.projection(projection.asDocument()));
        args.ifPresent("sort", sort -> find.sort(sort.asDocument()));
        args.ifPresent("batchSize", batchSize -> find.batchSize(batchSize.asNumber().intValue()));
        args.ifPresent("limit", limit -> find.limit(limit.asNumber().intValue()));
        args.ifPresent("skip", skip -> find.skip(skip.asNumber().intValue()));
        return OperationResult.ofDocuments(find.into(new ArrayList<>()));
      }
      case "aggregate": {
        AggregateIterable<BsonDocument> aggregate = collection.aggregate(pipeline(args));
        args.ifPresent("batchSize", batchSize -> aggregate.batchSize(batchSize.asNumber().intValue()));
        return OperationResult.ofDocuments(aggregate.into(new ArrayList<>()));
      }
      case "countDocuments":
        return OperationResult.of(new BsonInt64(collection.countDocuments(filter(args))));
      case "estimatedDocumentCount":
        return OperationResult.of(new BsonInt64(collection.estimatedDocumentCount()));
      case "distinct": {
        String field = args.requiredString("fieldName");
        List<BsonValue> values = collection.distinct(field, filter(args), BsonValue.class)
            .into(new ArrayList<>());
        return OperationResult.of(new BsonArray(values));
      }
      case "updateOne":
      case "updateMany": {
        UpdateOptions options = new UpdateOptions();
        args.ifPresent("upsert", upsert -> options.upsert(upsert.asBoolean().getValue()));
        BsonDocument filter = filter(args);
        BsonValue update = args.required("update");
        UpdateResult r;
        if (update.isArray()) {
          List<BsonDocument> stages = documents(update.asArray());
          r = name.equals("updateOne") ? collection.updateOne(filter, stages, options)
              : collection.updateMany(filter, stages, options);
        } else {
          r = name.equals("updateOne") ? collection.updateOne(filter, update.asDocument(), options)
              : collection.updateMany(filter, update.asDocument(), options);
        }
        return OperationResult.of(updateResult(r));
      }
      case "replaceOne": {
        ReplaceOptions options = new ReplaceOptions();
        args.ifPresent("upsert", upsert -> options.upsert(upsert.asBoolean().getValue()));
        return OperationResult.of(updateResult(collection.replaceOne(filter(args),
            args.requiredDocument("replacement"), options)));
      }
      case "deleteOne":
        return OperationResult.of(deleteResult(collection.deleteOne(filter(args))));
      case "deleteMany":
        return OperationResult.of(deleteResult(collection.deleteMany(filter(args))));
      case "findOneAndDelete": {
        FindOneAndDeleteOptions options = new FindOneAndDeleteOptions();
        args.ifPresent("sort", sort -> options.sort(sort.asDocument()));
        args.ifPresent("projection", projection -> options.projection(projection.asDocument()));
        return OperationResult.of(orNull(collection.findOneAndDelete(filter(args), options)));
      }
      case "findOneAndReplace": {
        FindOneAndReplaceOptions options = new FindOneAndReplaceOptions();
        args.ifPresent("returnDocument", returnDocument -> options.returnDocument(returnDocument(returnDocument)));
        args.ifPresent("upsert", upsert -> options.upsert(upsert.asBoolean().getValue()));
        args.ifPresent("sort", sort -> options.sort(sort.asDocument()));
        return OperationResult.of(orNull(collection.findOneAndReplace(filter(args),
            args.requiredDocument("replacement"), options)));
      }
      case "findOneAndUpdate": {
        FindOneAndUpdateOptions options = new FindOneAndUpdateOptions();
        args.ifPresent("returnDocument", returnDocument -> options.returnDocument(returnDocument(returnDocument)));
        args.ifPresent("upsert", upsert -> options.upsert(upsert.asBoolean().getValue()));
        args.ifPresent("sort", sort -> options.sort(sort.asDocument()));
        BsonDocument filter = filter(args);
        BsonValue update = args.required("update");
        BsonDocument found = update.isArray()
            ? collection.findOneAndUpdate(filter, documents(update.asArray()), options)
            : collection.findOneAndUpdate(filter, update.asDocument(), options);
        return OperationResult.of(orNull(found));
      }
      case "bulkWrite": {
        BulkWriteOptions options = new BulkWriteOptions();
        args.ifPresent("ordered", ordered -> options.ordered(ordered.asBoolean().getValue()));
        List<WriteModel<BsonDocument>> models = new ArrayList<>();
        for (BsonValue request : args.required("requests").asArray()) {
          models.add(writeModel(request.asDocument()));
        }
        return OperationResult.of(bulkWriteResult(collection.bulkWrite(models, options)));
      }
      case "createIndex": {
        IndexOptions options = new IndexOptions();
        args.ifPresent("name", indexName -> options.name(indexName.asString().getValue()));
        args.ifPresent("unique", unique -> options.unique(unique.asBoolean().getValue()));
        return OperationResult.of(new BsonString(
            collection.createIndex(args.requiredDocument("keys"), options)));
      }
      case "drop":
        collection.drop();
        return OperationResult.none();
      default:
        throw new RunnerException("collection operation " + name
            + " is not supported by the runner");
    }
  }

  private static WriteModel<BsonDocument> writeModel(BsonDocument request) {
    String type = request.getFirstKey();
    Arguments args = new Arguments("bulkWrite " + type, request.getDocument(type));
    WriteModel<BsonDocument> model = switch (type) {
      case "insertOne" -> new InsertOneModel<>(args.requiredDocument("document"));
      case "deleteOne" -> new DeleteOneModel<>(args.requiredDocument("filter"));
      case "deleteMany" -> new DeleteManyModel<>(args.requiredDocument("filter"));
      case "replaceOne" -> {
        ReplaceOptions options = new ReplaceOptions();
        args.ifPresent("upsert", upsert -> options.upsert(upsert.asBoolean().getValue()));
        yield new ReplaceOneModel<>(args.requiredDocument("filter"),
            args.requiredDocument("replacement"), options);
      }
      case "updateOne", "updateMany" -> {
        UpdateOptions options = new UpdateOptions();
        args.ifPresent("upsert", upsert -> options.upsert(upsert.asBoolean().getValue()));
        BsonDocument filter = args.requiredDocument("filter");
        BsonValue update = args.required("update");
        if (update.isArray()) {
          List<BsonDocument> stages = documents(update.asArray());
          yield type.equals("updateOne") ? new UpdateOneModel<>(filter, stages, options)
              : new UpdateManyModel<>(filter, stages, options);
        }
        yield type.equals("updateOne")
            ? new UpdateOneModel<>(filter, update.asDocument(), options)
            : new UpdateManyModel<>(filter, update.asDocument(), options);
      }
      default -> throw new RunnerException("bulkWrite request " + type
          + " is not supported by the runner");
    };
    args.requireAllUsed();
    return model;
  }

  // ------------------------------------------------------------------------------ database

  private OperationResult databaseOperation(MongoDatabase database, String name, Arguments args) {
    switch (name) {
      case "createCollection": {
        CreateCollectionOptions options = new CreateCollectionOptions();
        args.ifPresent("validator", validator -> options.validationOptions(new ValidationOptions().validator(validator.asDocument())));
        database.createCollection(args.requiredString("collection"), options);
        return OperationResult.none();
      }
      case "dropCollection":
        database.getCollection(args.requiredString("collection")).drop();
        return OperationResult.none();
      case "runCommand": {
        args.optional("commandName"); // informative: the command document names the command
        return OperationResult.of(database.runCommand(args.requiredDocument("command"),
            BsonDocument.class));
      }
      case "aggregate":
        return OperationResult.ofDocuments(database.aggregate(pipeline(args), BsonDocument.class)
            .into(new ArrayList<>()));
      default:
        throw new RunnerException("database operation " + name
            + " is not supported by the runner");
    }
  }

  private OperationResult clientOperation(MongoClient client, String name, Arguments args) {
    if (name.equals("listDatabaseNames")) {
      return OperationResult.of(new BsonArray(client.listDatabaseNames().into(new ArrayList<>())
          .stream().<BsonValue>map(BsonString::new).toList()));
    }
    throw new RunnerException("client operation " + name
        + " is not supported by the runner");
  }

  // ------------------------------------------------------------------------------ ClientEncryption

  private OperationResult clientEncryptionOperation(ClientEncryption ce, String name,
      Arguments args) {
    switch (name) {
      case "createDataKey": {
        String provider = args.requiredString("kmsProvider");
        DataKeyOptions options = new DataKeyOptions();
        BsonValue opts = args.optional("opts");
        if (opts != null) {
          Arguments o = new Arguments("createDataKey opts", opts.asDocument());
          o.ifPresent("masterKey", masterKey -> options.masterKey(masterKey.asDocument()));
          BsonValue altNames = o.optional("keyAltNames");
          if (altNames != null) {
            options.keyAltNames(altNames.asArray().stream()
                .map(v -> v.asString().getValue()).toList());
          }
          o.ifPresent("keyMaterial", keyMaterial -> options.keyMaterial(keyMaterial.asBinary().getData()));
          o.requireAllUsed();
        }
        return OperationResult.of(ce.createDataKey(provider, options));
      }
      case "rewrapManyDataKey": {
        BsonDocument filter = args.requiredDocument("filter");
        RewrapManyDataKeyOptions options = new RewrapManyDataKeyOptions();
        BsonValue opts = args.optional("opts");
        if (opts != null) {
          Arguments o = new Arguments("rewrapManyDataKey opts", opts.asDocument());
          options.provider(o.requiredString("provider"));
          o.ifPresent("masterKey", masterKey -> options.masterKey(masterKey.asDocument()));
          o.requireAllUsed();
        }
        RewrapManyDataKeyResult r = ce.rewrapManyDataKey(filter, options);
        BsonDocument out = new BsonDocument();
        if (r.getBulkWriteResult() != null) {
          out.put("bulkWriteResult", bulkWriteResult(r.getBulkWriteResult()));
        }
        return OperationResult.of(out);
      }
      case "deleteKey":
        return OperationResult.of(deleteResult(ce.deleteKey(args.required("id").asBinary())));
      case "getKey":
        return OperationResult.of(orNull(ce.getKey(args.required("id").asBinary())));
      case "getKeys":
        return OperationResult.ofDocuments(ce.getKeys().into(new ArrayList<>()));
      case "addKeyAltName":
        return OperationResult.of(orNull(ce.addKeyAltName(args.required("id").asBinary(),
            args.requiredString("keyAltName"))));
      case "removeKeyAltName":
        return OperationResult.of(orNull(ce.removeKeyAltName(args.required("id").asBinary(),
            args.requiredString("keyAltName"))));
      case "getKeyByAltName":
        return OperationResult.of(orNull(ce.getKeyByAltName(args.requiredString("keyAltName"))));
      case "encrypt": {
        Arguments o = new Arguments("encrypt opts", args.requiredDocument("opts"));
        EncryptOptions options = new EncryptOptions(o.requiredString("algorithm"));
        o.ifPresent("keyId", keyId -> options.keyId(keyId.asBinary()));
        o.ifPresent("keyAltName", keyAltName -> options.keyAltName(keyAltName.asString().getValue()));
        o.ifPresent("contentionFactor", contentionFactor -> options.contentionFactor(contentionFactor.asNumber().longValue()));
        o.ifPresent("queryType", queryType -> options.queryType(queryType.asString().getValue()));
        o.requireAllUsed();
        BsonBinary encrypted = ce.encrypt(args.required("value"), options);
        return OperationResult.of(encrypted);
      }
      case "decrypt":
        return OperationResult.of(ce.decrypt(args.required("value").asBinary()));
      default:
        throw new RunnerException("clientEncryption operation " + name
            + " is not supported by the runner");
    }
  }

  // ------------------------------------------------------------------------------ conversions

  private static BsonDocument filter(Arguments args) {
    BsonValue filter = args.optional("filter");
    return filter == null ? new BsonDocument() : filter.asDocument();
  }

  private static List<BsonDocument> pipeline(Arguments args) {
    return documents(args.required("pipeline").asArray());
  }

  private static List<BsonDocument> documents(BsonArray array) {
    List<BsonDocument> documents = new ArrayList<>();
    array.forEach(v -> documents.add(v.asDocument()));
    return documents;
  }

  private static ReturnDocument returnDocument(BsonValue value) {
    return switch (value.asString().getValue().toLowerCase(Locale.ROOT)) {
      case "before" -> ReturnDocument.BEFORE;
      case "after" -> ReturnDocument.AFTER;
      default -> throw new RunnerException("returnDocument must be Before or After: "
          + value);
    };
  }

  private static BsonValue orNull(BsonDocument document) {
    return document == null ? BsonNull.VALUE : document;
  }

  static BsonDocument updateResult(UpdateResult r) {
    BsonDocument out = new BsonDocument()
        .append("matchedCount", new BsonInt64(r.getMatchedCount()))
        .append("modifiedCount", new BsonInt64(r.getModifiedCount()))
        .append("upsertedCount", new BsonInt32(r.getUpsertedId() == null ? 0 : 1));
    if (r.getUpsertedId() != null) {
      out.append("upsertedId", r.getUpsertedId());
    }
    return out;
  }

  static BsonDocument deleteResult(DeleteResult r) {
    return new BsonDocument("deletedCount", new BsonInt64(r.getDeletedCount()));
  }

  static BsonDocument bulkWriteResult(BulkWriteResult r) {
    BsonDocument upserted = new BsonDocument();
    for (BulkWriteUpsert upsert : r.getUpserts()) {
      upserted.put(String.valueOf(upsert.getIndex()), upsert.getId());
    }
    BsonDocument inserted = new BsonDocument();
    for (BulkWriteInsert insert : r.getInserts()) {
      inserted.put(String.valueOf(insert.getIndex()), insert.getId());
    }
    return new BsonDocument()
        .append("insertedCount", new BsonInt32(r.getInsertedCount()))
        .append("matchedCount", new BsonInt32(r.getMatchedCount()))
        .append("modifiedCount", new BsonInt32(r.getModifiedCount()))
        .append("deletedCount", new BsonInt32(r.getDeletedCount()))
        .append("upsertedCount", new BsonInt32(r.getUpserts().size()))
        .append("upsertedIds", upserted)
        .append("insertedIds", inserted);
  }
}
