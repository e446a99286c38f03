package io.fle4j.it.unified;

import com.mongodb.MongoClientSettings;
import com.mongodb.client.ClientSession;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoDatabase;
import com.mongodb.client.vault.ClientEncryption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.bson.BsonDocument;
import org.bson.BsonValue;

/**
 * The entities of one test case, by id: clients (with their event recorders), databases,
 * collections, ClientEncryptions, sessions and saved BSON results. A fresh map per case; {@link
 * #close()} ends sessions and closes ClientEncryptions and clients.
 */
final class EntityMap implements ValueMatcher.EntityLookup, AutoCloseable {

  /** A client entity: the client, the settings it was made from, and its event recorder. */
  record ClientEntity(MongoClient client, MongoClientSettings settings,
      CommandEventRecorder recorder) {}

  private final Map<String, Object> entities = new LinkedHashMap<>();

  void put(String id, Object entity) {
    if (entities.containsKey(id)) {
      throw new RunnerException("entity id '" + id + "' is already defined");
    }
    entities.put(id, entity);
  }

  boolean contains(String id) {
    return entities.containsKey(id);
  }

  Object get(String id) {
    Object entity = entities.get(id);
    if (entity == null) {
      throw new RunnerException("no entity '" + id + "'");
    }
    return entity;
  }

  ClientEntity client(String id) {
    return typed(id, ClientEntity.class);
  }

  MongoDatabase database(String id) {
    return typed(id, MongoDatabase.class);
  }

  @SuppressWarnings("unchecked")
  MongoCollection<BsonDocument> collection(String id) {
    return typed(id, MongoCollection.class);
  }

  ClientEncryption clientEncryption(String id) {
    return typed(id, ClientEncryption.class);
  }

  ClientSession session(String id) {
    return typed(id, ClientSession.class);
  }

  /** Every client entity with an event recorder. */
  List<ClientEntity> clients() {
    List<ClientEntity> clients = new ArrayList<>();
    entities.values().forEach(e -> {
      if (e instanceof ClientEntity client) {
        clients.add(client);
      }
    });
    return clients;
  }

  @Override
  public BsonValue bsonEntity(String id) {
    return typed(id, BsonValue.class);
  }

  @Override
  public BsonDocument sessionLsid(String id) {
    return session(id).getServerSession().getIdentifier();
  }

  private <T> T typed(String id, Class<T> type) {
    Object entity = get(id);
    if (!type.isInstance(entity)) {
      throw new RunnerException("entity '" + id + "' is a "
          + entity.getClass().getSimpleName() + ", not a " + type.getSimpleName());
    }
    return type.cast(entity);
  }

  /** Stops recording, ends sessions, closes ClientEncryptions then clients; reports failures. */
  @Override
  public void close() {
    RuntimeException failure = null;
    clients().forEach(c -> {
      if (c.recorder() != null) {
        c.recorder().stop();
      }
    });
    List<AutoCloseable> order = new ArrayList<>();
    entities.values().stream().filter(ClientSession.class::isInstance)
        .forEach(s -> order.add((ClientSession) s));
    entities.values().stream().filter(ClientEncryption.class::isInstance)
        .forEach(e -> order.add((ClientEncryption) e));
    entities.values().stream().filter(ClientEntity.class::isInstance)
        .forEach(c -> order.add(((ClientEntity) c).client()));
    for (AutoCloseable closeable : order) {
      try {
        closeable.close();
      } catch (Exception e) {
        if (failure == null) {
          failure = new IllegalStateException("closing an entity failed: " + e, e);
        }
      }
    }
    entities.clear();
    if (failure != null) {
      throw failure;
    }
  }
}
