package io.fle4j.it.unified;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.bson.BsonValue;

/** BSON values as the plain Java values that driver settings maps expect. */
final class BsonJava {
  private BsonJava() {}

  static Object toJava(BsonValue value) {
    return switch (value.getBsonType()) {
      case STRING -> value.asString().getValue();
      case INT32 -> value.asInt32().getValue();
      case INT64 -> value.asInt64().getValue();
      case DOUBLE -> value.asDouble().getValue();
      case BOOLEAN -> value.asBoolean().getValue();
      case BINARY -> value.asBinary().getData();
      case NULL -> null;
      case DOCUMENT -> {
        Map<String, Object> map = new LinkedHashMap<>();
        value.asDocument().forEach((k, v) -> map.put(k, toJava(v)));
        yield map;
      }
      case ARRAY -> {
        List<Object> list = new ArrayList<>();
        value.asArray().forEach(v -> list.add(toJava(v)));
        yield list;
      }
      default -> value; // dates, ObjectIds...: the driver's maps take BsonValues as well
    };
  }
}
