package io.fle4j.it.unified;

import java.math.BigDecimal;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.bson.BsonArray;
import org.bson.BsonDocument;
import org.bson.BsonType;
import org.bson.BsonValue;

/**
 * Matches an expected value from a unified test file against an actual value, as the unified test
 * format's "Evaluating Matches" section says: extra fields are allowed in root-level documents
 * only, keys may come in any order, arrays must have the same length, 32-bit, 64-bit and double
 * numbers compare by value (Decimal128 does not take part), and the special operators {@code
 * $$exists}, {@code $$type}, {@code $$unsetOrMatches}, {@code $$matchesEntity}, {@code
 * $$matchesHexBytes}, {@code $$sessionLsid}, {@code $$lte}, {@code $$matchAsDocument} and {@code
 * $$matchAsRoot} apply. A mismatch throws an {@link AssertionError} naming the path; an unknown
 * or malformed operator throws {@link IllegalArgumentException} (a defect of the runner or the
 * file, never a pass).
 */
final class ValueMatcher {

  /** Where {@code $$matchesEntity} and {@code $$sessionLsid} look entities up. */
  interface EntityLookup {
    /** The BSON value saved under {@code id}; throws when there is none. */
    BsonValue bsonEntity(String id);

    /** The logical session id of the session entity {@code id}; throws when there is none. */
    BsonDocument sessionLsid(String id);
  }

  /** $type aliases (https://www.mongodb.com/docs/manual/reference/operator/query/type/). */
  private static final Map<String, List<BsonType>> TYPE_ALIASES = Map.ofEntries(
      Map.entry("double", List.of(BsonType.DOUBLE)),
      Map.entry("string", List.of(BsonType.STRING)),
      Map.entry("object", List.of(BsonType.DOCUMENT)),
      Map.entry("array", List.of(BsonType.ARRAY)),
      Map.entry("binData", List.of(BsonType.BINARY)),
      Map.entry("undefined", List.of(BsonType.UNDEFINED)),
      Map.entry("objectId", List.of(BsonType.OBJECT_ID)),
      Map.entry("bool", List.of(BsonType.BOOLEAN)),
      Map.entry("date", List.of(BsonType.DATE_TIME)),
      Map.entry("null", List.of(BsonType.NULL)),
      Map.entry("regex", List.of(BsonType.REGULAR_EXPRESSION)),
      Map.entry("dbPointer", List.of(BsonType.DB_POINTER)),
      Map.entry("javascript", List.of(BsonType.JAVASCRIPT)),
      Map.entry("symbol", List.of(BsonType.SYMBOL)),
      Map.entry("javascriptWithScope", List.of(BsonType.JAVASCRIPT_WITH_SCOPE)),
      Map.entry("int", List.of(BsonType.INT32)),
      Map.entry("timestamp", List.of(BsonType.TIMESTAMP)),
      Map.entry("long", List.of(BsonType.INT64)),
      Map.entry("decimal", List.of(BsonType.DECIMAL128)),
      Map.entry("minKey", List.of(BsonType.MIN_KEY)),
      Map.entry("maxKey", List.of(BsonType.MAX_KEY)),
      Map.entry("number",
          List.of(BsonType.INT32, BsonType.INT64, BsonType.DOUBLE, BsonType.DECIMAL128)));

  private final EntityLookup entities;

  ValueMatcher(EntityLookup entities) {
    this.entities = entities;
  }

  /** A matcher for tests that use no entity operators. */
  static ValueMatcher withoutEntities() {
    return new ValueMatcher(new EntityLookup() {
      @Override
      public BsonValue bsonEntity(String id) {
        throw new RunnerException("no entity map: $$matchesEntity " + id);
      }

      @Override
      public BsonDocument sessionLsid(String id) {
        throw new RunnerException("no entity map: $$sessionLsid " + id);
      }
    });
  }

  /**
   * Asserts that {@code actual} matches {@code expected}, {@code expected} being the root of the
   * comparison (a root document may have extra fields in {@code actual}).
   *
   * @param actual the actual value, or {@code null} when there is none (an unset result)
   */
  void assertMatches(BsonValue expected, BsonValue actual) {
    match("$", expected, actual, true);
  }

  /**
   * Asserts that an iterable result ({@code find}, {@code aggregate}, {@code getKeys}) matches:
   * same number of documents, each matched as a root-level document.
   */
  void assertDocumentsMatch(BsonValue expected, List<BsonDocument> actual) {
    if (isOperator(expected)) {
      // e.g. {$$unsetOrMatches: [...]} around a whole cursor result: match it as an array.
      match("$", expected, new BsonArray(actual), true);
      return;
    }
    if (!expected.isArray()) {
      throw new AssertionError("$: expected " + describe(expected) + " but the operation returned "
          + actual.size() + " documents (an iterable)");
    }
    BsonArray expectedArray = expected.asArray();
    if (expectedArray.size() != actual.size()) {
      throw new AssertionError("$: expected " + expectedArray.size() + " documents but got "
          + actual.size() + ": " + new BsonArray(actual).toString());
    }
    for (int i = 0; i < actual.size(); i++) {
      match("$[" + i + "]", expectedArray.get(i), actual.get(i), true);
    }
  }

  private void match(String path, BsonValue expected, BsonValue actual, boolean root) {
    if (isOperator(expected)) {
      matchOperator(path, expected.asDocument(), actual, root);
      return;
    }
    if (actual == null) {
      throw new AssertionError(path + ": expected " + describe(expected) + " but it is missing");
    }
    if (expected.isDocument()) {
      if (!actual.isDocument()) {
        throw new AssertionError(path + ": expected a document " + describe(expected) + " but got "
            + describe(actual));
      }
      matchDocument(path, expected.asDocument(), actual.asDocument(), root);
      return;
    }
    if (expected.isArray()) {
      if (!actual.isArray()) {
        throw new AssertionError(path + ": expected an array " + describe(expected) + " but got "
            + describe(actual));
      }
      BsonArray e = expected.asArray();
      BsonArray a = actual.asArray();
      if (e.size() != a.size()) {
        throw new AssertionError(path + ": expected " + e.size() + " elements but got " + a.size()
            + ": expected " + e + ", actual " + a);
      }
      for (int i = 0; i < e.size(); i++) {
        match(path + "[" + i + "]", e.get(i), a.get(i), false);
      }
      return;
    }
    if (!scalarEquals(expected, actual)) {
      throw new AssertionError(path + ": expected " + describe(expected) + " but got "
          + describe(actual));
    }
  }

  private void matchDocument(String path, BsonDocument expected, BsonDocument actual,
      boolean root) {
    for (Map.Entry<String, BsonValue> entry : expected.entrySet()) {
      String key = entry.getKey();
      BsonValue value = entry.getValue();
      String fieldPath = path + "." + key;
      if (isOperator(value)) {
        String operator = value.asDocument().getFirstKey();
        if (operator.equals("$$exists")) {
          boolean shouldExist = value.asDocument().get(operator).asBoolean().getValue();
          if (shouldExist != actual.containsKey(key)) {
            throw new AssertionError(fieldPath + ": expected the field to "
                + (shouldExist ? "exist" : "be absent") + " but it "
                + (shouldExist ? "is missing" : "is " + describe(actual.get(key))));
          }
          continue;
        }
        // Other operators decide themselves what a missing field means.
        matchOperator(fieldPath, value.asDocument(), actual.get(key), false);
        continue;
      }
      if (!actual.containsKey(key)) {
        throw new AssertionError(fieldPath + ": expected " + describe(value)
            + " but the field is missing in " + describe(actual));
      }
      match(fieldPath, value, actual.get(key), false);
    }
    if (!root) {
      for (String key : actual.keySet()) {
        if (!expected.containsKey(key)) {
          throw new AssertionError(path + ": unexpected extra field '" + key + "' ("
              + describe(actual.get(key)) + ") in a nested document; expected " + expected);
        }
      }
    }
  }

  private void matchOperator(String path, BsonDocument operatorDocument, BsonValue actual,
      boolean root) {
    String operator = operatorDocument.getFirstKey();
    BsonValue argument = operatorDocument.get(operator);
    switch (operator) {
      case "$$exists" -> throw new RunnerException(
          path + ": $$exists is only allowed as the value of a document field");
      case "$$type" -> {
        if (actual == null) {
          throw new AssertionError(path + ": expected a value of type " + argument
              + " but it is missing");
        }
        List<BsonValue> names = argument.isArray() ? argument.asArray().getValues()
            : List.of(argument);
        for (BsonValue name : names) {
          List<BsonType> types = TYPE_ALIASES.get(name.asString().getValue());
          if (types == null) {
            throw new RunnerException(path + ": unknown $$type alias " + name);
          }
          if (types.contains(actual.getBsonType())) {
            return;
          }
        }
        throw new AssertionError(path + ": expected type " + argument + " but got "
            + describe(actual));
      }
      case "$$unsetOrMatches" -> {
        if (actual != null) {
          match(path, argument, actual, root);
        }
      }
      case "$$matchesEntity" -> match(path, entities.bsonEntity(argument.asString().getValue()),
          actual, root);
      case "$$matchesHexBytes" -> {
        byte[] expectedBytes;
        try {
          expectedBytes = HexFormat.of().parseHex(argument.asString().getValue());
        } catch (IllegalArgumentException e) {
          throw new RunnerException(path + ": malformed $$matchesHexBytes " + argument, e);
        }
        if (actual == null || !actual.isBinary()) {
          throw new AssertionError(path + ": expected bytes " + argument.asString().getValue()
              + " but got " + describe(actual));
        }
        if (!java.util.Arrays.equals(expectedBytes, actual.asBinary().getData())) {
          throw new AssertionError(path + ": expected bytes " + argument.asString().getValue()
              + " but got " + HexFormat.of().formatHex(actual.asBinary().getData()));
        }
      }
      case "$$sessionLsid" -> {
        BsonDocument lsid = entities.sessionLsid(argument.asString().getValue());
        if (actual == null || !lsid.equals(actual)) {
          throw new AssertionError(path + ": expected the lsid of session " + argument
              + " " + lsid + " but got " + describe(actual));
        }
      }
      case "$$lte" -> {
        if (actual == null || !isFlexibleNumber(actual) || !isFlexibleNumber(argument)) {
          throw new AssertionError(path + ": expected a number <= " + argument + " but got "
              + describe(actual));
        }
        if (numericValue(actual).compareTo(numericValue(argument)) > 0) {
          throw new AssertionError(path + ": expected a number <= " + argument + " but got "
              + describe(actual));
        }
      }
      case "$$matchAsDocument" -> {
        if (actual == null || !actual.isString()) {
          throw new AssertionError(path + ": expected an extended JSON string but got "
              + describe(actual));
        }
        match(path, argument, BsonDocument.parse(actual.asString().getValue()), false);
      }
      case "$$matchAsRoot" -> match(path, argument, actual, true);
      default -> throw new RunnerException(path + ": unsupported special operator "
          + operator);
    }
  }

  /** Whether {@code value} is a document whose first and only key starts with {@code $$}. */
  static boolean isOperator(BsonValue value) {
    return value != null && value.isDocument() && value.asDocument().size() == 1
        && value.asDocument().getFirstKey().startsWith("$$");
  }

  private static boolean scalarEquals(BsonValue expected, BsonValue actual) {
    if (isFlexibleNumber(expected) && isFlexibleNumber(actual)) {
      double e = expected.isDouble() ? expected.asDouble().getValue() : 0;
      double a = actual.isDouble() ? actual.asDouble().getValue() : 0;
      if (Double.isNaN(e) || Double.isNaN(a) || Double.isInfinite(e) || Double.isInfinite(a)) {
        return expected.isDouble() && actual.isDouble() && Double.compare(e, a) == 0;
      }
      return numericValue(expected).compareTo(numericValue(actual)) == 0;
    }
    // Same BSON type and equal; documents inside (code with scope) compare ignoring key order.
    return expected.getBsonType() == actual.getBsonType() && expected.equals(actual);
  }

  private static boolean isFlexibleNumber(BsonValue value) {
    return value.isInt32() || value.isInt64() || value.isDouble();
  }

  private static BigDecimal numericValue(BsonValue value) {
    if (value.isInt32()) {
      return BigDecimal.valueOf(value.asInt32().getValue());
    }
    if (value.isInt64()) {
      return BigDecimal.valueOf(value.asInt64().getValue());
    }
    return new BigDecimal(value.asDouble().getValue());
  }

  private static String describe(BsonValue value) {
    if (value == null) {
      return "(missing)";
    }
    String json = new BsonDocument("v", value).toJson();
    // {"v": <value>} -> <value>, plus the type so that 1 and 1L or "1" and 1 read differently.
    String text = json.substring(6, json.length() - 1)
        + (value.isDocument() || value.isArray() ? "" : " (" + value.getBsonType() + ")");
    return text.length() > 600 ? text.substring(0, 600) + "..." : text;
  }
}
