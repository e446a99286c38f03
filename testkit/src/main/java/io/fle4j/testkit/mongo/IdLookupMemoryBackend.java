package io.fle4j.testkit.mongo;

import de.bwaldvogel.mongo.MongoDatabase;
import de.bwaldvogel.mongo.backend.CollectionOptions;
import de.bwaldvogel.mongo.backend.CursorRegistry;
import de.bwaldvogel.mongo.backend.Index;
import de.bwaldvogel.mongo.backend.QueryResult;
import de.bwaldvogel.mongo.backend.memory.MemoryBackend;
import de.bwaldvogel.mongo.backend.memory.MemoryCollection;
import de.bwaldvogel.mongo.backend.memory.MemoryDatabase;
import de.bwaldvogel.mongo.bson.Document;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * mongo-java-server's memory backend, with one query-planning gap closed: it uses the {@code _id}
 * index only when a query holds nothing but {@code _id}, and scans the whole collection when it
 * also holds other conditions, as every compare-and-set update does ({@code {_id: x, field:
 * expected}}). Here such a query (flat, or as the clauses of a top-level {@code $and}) looks the
 * document up by {@code _id} and applies the whole query to that one document, which is what
 * MongoDB does. Results are the same; only the cost changes. Built on the backend's protected
 * extension points, not on a modified copy of its classes.
 */
final class IdLookupMemoryBackend extends MemoryBackend {

  @Override
  public MemoryDatabase openOrCreateDatabase(String databaseName) {
    return new Database(databaseName, getCursorRegistry());
  }

  private static final class Database extends MemoryDatabase {
    Database(String name, CursorRegistry cursorRegistry) {
      super(name, cursorRegistry);
    }

    @Override
    protected MemoryCollection openOrCreateCollection(String collectionName, CollectionOptions options) {
      return new Collection(this, collectionName, options, cursorRegistry);
    }
  }

  private static final class Collection extends MemoryCollection {
    Collection(MongoDatabase database, String name, CollectionOptions options, CursorRegistry cursors) {
      super(database, name, options, cursors);
    }

    @Override
    protected QueryResult queryDocuments(Document query, Document orderBy, int skip, int limit,
        int batchSize, Document projection) {
      Object id = pinnedId(query);
      if (id != null && query.size() > 0 && !(query.size() == 1 && query.containsKey("_id"))) {
        Document byId = new Document("_id", id);
        for (Index<Integer> index : getIndexes()) {
          if (index.canHandle(byId)) {
            return matchDocuments(query, index.getPositions(byId), orderBy, skip, limit, batchSize, projection);
          }
        }
      }
      return super.queryDocuments(query, orderBy, skip, limit, batchSize, projection);
    }

    /** The value {@code _id} must equal for the query to match, if the query says so plainly. */
    private static Object pinnedId(Document query) {
      Object id = query.get("_id");
      if (id == null && query.get("$and") instanceof List<?> clauses) {
        for (Object clause : clauses) {
          if (clause instanceof Document document && document.size() == 1) {
            id = document.get("_id");
            if (id != null) {
              break;
            }
          }
        }
      }
      boolean plainValue = id != null && !(id instanceof Map<?, ?>) && !(id instanceof Pattern)
          && !(id instanceof List<?>);
      return plainValue ? id : null;
    }
  }
}
