package io.fle4j.internal.auto.schema;

import io.fle4j.Algorithm;
import io.fle4j.ConfigurationException;
import io.fle4j.Encrypted;
import java.lang.reflect.AnnotatedElement;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.Date;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.bson.BsonType;
import org.bson.codecs.pojo.annotations.BsonId;
import org.bson.codecs.pojo.annotations.BsonProperty;
import org.bson.types.ObjectId;

/**
 * Derives a collection schema from {@link Encrypted} annotations on the document class's record
 * components or fields (following nested records and POJOs), for collections that have no JSON
 * schema. Derived once per class.
 */
public final class AnnotatedSchemas {
  private static final ClassValue<Optional<SchemaNode>> CACHE = new ClassValue<>() {
    @Override
    protected Optional<SchemaNode> computeValue(Class<?> type) {
      SchemaNode node = derive(type, new HashSet<>());
      return node.hasEncryptedFields() ? Optional.of(node) : Optional.empty();
    }
  };

  private static final Map<Class<?>, BsonType> DETERMINISTIC_TYPES = Map.ofEntries(
      Map.entry(String.class, BsonType.STRING), Map.entry(Integer.class, BsonType.INT32),
      Map.entry(int.class, BsonType.INT32), Map.entry(Long.class, BsonType.INT64),
      Map.entry(long.class, BsonType.INT64), Map.entry(Date.class, BsonType.DATE_TIME),
      Map.entry(java.time.Instant.class, BsonType.DATE_TIME),
      Map.entry(java.time.LocalDateTime.class, BsonType.DATE_TIME),
      Map.entry(java.time.LocalDate.class, BsonType.DATE_TIME),
      Map.entry(ObjectId.class, BsonType.OBJECT_ID), Map.entry(byte[].class, BsonType.BINARY),
      Map.entry(UUID.class, BsonType.BINARY), Map.entry(org.bson.types.Binary.class, BsonType.BINARY));

  private AnnotatedSchemas() {}

  /** The schema the annotations of {@code type} describe, if any field is annotated. */
  public static Optional<SchemaNode> of(Class<?> type) {
    if (type.isPrimitive() || type.isArray() || type.getName().startsWith("java.")
        || type.getName().startsWith("org.bson.")) {
      return Optional.empty();
    }
    return CACHE.get(type);
  }

  private static SchemaNode derive(Class<?> type, Set<Class<?>> visiting) {
    if (!visiting.add(type)) {
      return SchemaNode.PLAIN; // a cycle: the inner occurrence adds nothing new
    }
    Map<String, SchemaNode> properties = new LinkedHashMap<>();
    for (Member member : members(type)) {
      Encrypted encrypted = member.element().getAnnotation(Encrypted.class);
      String name = bsonName(member);
      if (encrypted != null) {
        properties.put(name, SchemaNode.encrypted(spec(encrypted, member, type)));
      } else if (!member.type().isPrimitive() && !member.type().getName().startsWith("java.")) {
        SchemaNode nested = derive(member.type(), visiting);
        if (nested.hasEncryptedFields()) {
          properties.put(name, nested);
        }
      }
    }
    visiting.remove(type);
    return new SchemaNode(null, properties, List.of(), null);
  }

  private static EncryptSpec spec(Encrypted encrypted, Member member, Class<?> owner) {
    String where = "@Encrypted on " + owner.getName() + "." + member.name();
    boolean hasAltName = !encrypted.keyAltName().isEmpty();
    boolean hasKeyId = !encrypted.keyId().isEmpty();
    if (hasAltName == hasKeyId) {
      throw new ConfigurationException(where, "set exactly one of keyAltName and keyId");
    }
    UUID keyId = null;
    if (hasKeyId) {
      try {
        keyId = UUID.fromString(encrypted.keyId());
      } catch (IllegalArgumentException e) {
        throw new ConfigurationException(where + ".keyId", "is not a UUID: '" + encrypted.keyId() + "'");
      }
    }
    Set<BsonType> types = Set.of();
    if (encrypted.algorithm() == Algorithm.DETERMINISTIC) {
      BsonType type = DETERMINISTIC_TYPES.get(member.type());
      if (type == null) {
        throw new ConfigurationException(where, "deterministic encryption is not possible for "
            + member.type().getSimpleName() + " (use String, Integer, Long, a date, ObjectId, byte[]"
            + " or UUID, or the random algorithm)");
      }
      types = Set.of(type);
    }
    return new EncryptSpec(encrypted.algorithm(), keyId, null, hasAltName ? encrypted.keyAltName() : null,
        types);
  }

  private record Member(String name, Class<?> type, AnnotatedElement element, AnnotatedElement other) {}

  private static List<Member> members(Class<?> type) {
    List<Member> members = new ArrayList<>();
    if (type.isRecord()) {
      for (RecordComponent component : type.getRecordComponents()) {
        members.add(new Member(component.getName(), component.getType(), component,
            component.getAccessor()));
      }
      return members;
    }
    for (Class<?> c = type; c != null && c != Object.class; c = c.getSuperclass()) {
      for (Field field : c.getDeclaredFields()) {
        if (!Modifier.isStatic(field.getModifiers()) && !Modifier.isTransient(field.getModifiers())) {
          members.add(new Member(field.getName(), field.getType(), field, field));
        }
      }
    }
    return members;
  }

  private static String bsonName(Member member) {
    for (AnnotatedElement element : List.of(member.element(), member.other())) {
      if (element.isAnnotationPresent(BsonId.class)) {
        return "_id";
      }
      BsonProperty property = element.getAnnotation(BsonProperty.class);
      if (property != null && !property.value().isEmpty()) {
        return property.value();
      }
    }
    return member.name();
  }
}
