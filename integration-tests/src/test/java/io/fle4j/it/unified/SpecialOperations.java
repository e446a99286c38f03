package io.fle4j.it.unified;

import com.mongodb.client.MongoClient;
import java.util.ArrayList;
import java.util.List;
import org.bson.BsonDocument;

/**
 * The {@code testRunner} operations the CSFLE files use: {@code assertCollectionExists}, {@code
 * assertCollectionNotExists}, {@code assertIndexExists}, {@code assertIndexNotExists} (all through
 * the internal client, as the format requires) and {@code wait}.
 */
final class SpecialOperations {
  private final MongoClient internalClient;

  SpecialOperations(MongoClient internalClient) {
    this.internalClient = internalClient;
  }

  void run(String name, BsonDocument arguments) throws InterruptedException {
    Arguments args = new Arguments("testRunner." + name, arguments);
    switch (name) {
      case "assertCollectionExists", "assertCollectionNotExists" -> {
        String database = args.requiredString("databaseName");
        String collection = args.requiredString("collectionName");
        boolean exists = internalClient.getDatabase(database).listCollectionNames()
            .into(new ArrayList<>()).contains(collection);
        if (exists != name.equals("assertCollectionExists")) {
          throw new AssertionError(name + ": collection " + database + "." + collection
              + (exists ? " exists" : " does not exist"));
        }
      }
      case "assertIndexExists", "assertIndexNotExists" -> {
        String database = args.requiredString("databaseName");
        String collection = args.requiredString("collectionName");
        String index = args.requiredString("indexName");
        List<String> names = new ArrayList<>();
        internalClient.getDatabase(database).getCollection(collection).listIndexes(
            BsonDocument.class).forEach(i -> names.add(i.getString("name").getValue()));
        boolean exists = names.contains(index);
        if (exists != name.equals("assertIndexExists")) {
          throw new AssertionError(name + ": index " + index + " on " + database + "."
              + collection + (exists ? " exists" : " does not exist") + "; indexes: " + names);
        }
      }
      case "wait" -> Thread.sleep(args.required("ms").asNumber().longValue());
      default -> throw new RunnerException("testRunner operation " + name
          + " is not supported by the runner");
    }
    args.requireAllUsed();
  }
}
