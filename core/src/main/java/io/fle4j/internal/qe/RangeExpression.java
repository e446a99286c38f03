package io.fle4j.internal.qe;

import io.fle4j.ConfigurationException;
import java.util.Map;
import org.bson.BsonDocument;
import org.bson.BsonValue;

/**
 * A range predicate given to {@code encryptExpression} (qe-formats.md §9.3): {@code {$and: [...]}}
 * with one or two operands on one field, in the match form {@code {f: {$gt: v}}} or the aggregate
 * form {@code {$gt: ["$f", v]}}. Parsed with libmongocrypt's rules and texts, but without echoing
 * the expression: its values are the plaintexts to be encrypted. Unlike libmongocrypt, an operand
 * document with more than one key is refused rather than read by its first key.
 *
 * @param field the field name as given ({@code "$f"} in the aggregate form)
 * @param lower the lower bound, or null; {@code lowerIncluded} tells {@code $gte} from {@code $gt}
 * @param upper the upper bound, or null
 * @param firstOperator the operator of the first operand (1 $gt, 2 $gte, 3 $lt, 4 $lte)
 * @param secondOperator that of the second operand, 0 when there is one
 */
record RangeExpression(String field, boolean aggregate, BsonValue lower, boolean lowerIncluded,
    BsonValue upper, boolean upperIncluded, int firstOperator, int secondOperator) {

  static final Map<String, Integer> OPERATORS = Map.of("$gt", 1, "$gte", 2, "$lt", 3, "$lte", 4);
  private static final String[] NAMES = {null, "$gt", "$gte", "$lt", "$lte"};
  private static final String FIELD = "expression";

  static String operatorName(int operator) {
    return NAMES[operator];
  }

  static RangeExpression parse(BsonDocument in) {
    if (in.isEmpty() || !in.getFirstKey().equals("$and")) {
      throw invalid("error unable to find '$and'");
    }
    if (!in.get("$and").isArray()) {
      throw invalid("expected '$and' to be array");
    }
    if (in.size() > 1) {
      throw invalid("unexpected extra key '" + in.keySet().toArray()[1] + "' after '$and'");
    }
    Boolean aggregate = null;
    String field = null;
    BsonValue lower = null;
    BsonValue upper = null;
    boolean lowerIncluded = false;
    boolean upperIncluded = false;
    int first = 0;
    int second = 0;
    int count = 0;
    for (BsonValue element : in.getArray("$and")) {
      if (!element.isDocument()) {
        throw invalid("expected document in '$and' array");
      }
      BsonDocument operand = element.asDocument();
      if (operand.isEmpty()) {
        throw invalid("unexpected empty '$and' array document");
      }
      if (operand.size() > 1) {
        throw invalid("unexpected extra key '" + operand.keySet().toArray()[1]
            + "' in an '$and' operand; each operand is {field: {$op: value}} or"
            + " {$op: [\"$field\", value]}");
      }
      String key = operand.getFirstKey();
      if (aggregate == null) {
        aggregate = OPERATORS.containsKey(key);
      }
      String opName;
      String opField;
      BsonValue value;
      if (aggregate) {
        opName = key;
        BsonValue args = operand.get(key);
        if (!args.isArray()) {
          throw invalid("expected argument to be array");
        }
        int size = args.asArray().size();
        if (size == 0) {
          throw invalid("expected 2 elements in operand " + key + ", got 0");
        }
        if (!args.asArray().get(0).isString()) {
          throw invalid("expected UTF-8 as first element in " + key);
        }
        if (size != 2) {
          throw invalid("expected 2 elements in operand " + key + ", got "
              + (size == 1 ? "1" : "> 2"));
        }
        opField = args.asArray().get(0).asString().getValue();
        value = args.asArray().get(1);
      } else {
        opField = key;
        BsonValue predicate = operand.get(key);
        if (!predicate.isDocument()) {
          throw invalid("expected argument to be document");
        }
        BsonDocument doc = predicate.asDocument();
        if (doc.isEmpty()) {
          throw invalid("expected 1 elements in operand " + key + ", got 0");
        }
        opName = doc.getFirstKey();
        if (!OPERATORS.containsKey(opName)) {
          throw invalid("unsupported operator: " + opName);
        }
        if (doc.size() > 1) {
          throw invalid("expected 1 elements in operand " + key + ", got > 1");
        }
        value = doc.get(opName);
      }
      Integer op = OPERATORS.get(opName);
      if (op == null) {
        throw invalid("unsupported operator type " + opName);
      }
      if (op <= 2) {
        if (lower != null) {
          throw invalid("unexpected duplicate bound " + opName);
        }
        lower = value;
        lowerIncluded = op == 2;
      } else {
        if (upper != null) {
          throw invalid("unexpected duplicate bound " + opName);
        }
        upper = value;
        upperIncluded = op == 4;
      }
      if (field != null && !field.equals(opField)) {
        throw invalid("unexpected field mismatch. Expected all fields to be " + field
            + ", but got " + opField);
      }
      field = opField;
      count++;
      if (count == 1) {
        first = op;
      } else {
        second = op; // a third operand would be a duplicate bound, refused above
      }
    }
    if (count == 0) {
      throw invalid("expected lower or upper bound to be set");
    }
    return new RangeExpression(field, aggregate, lower, lowerIncluded, upper, upperIncluded, first,
        second);
  }

  /** The same expression shape with {@code first} and {@code second} as the operand values. */
  BsonDocument rebuild(BsonValue first, BsonValue second) {
    org.bson.BsonArray and = new org.bson.BsonArray();
    and.add(operand(firstOperator, first));
    if (secondOperator != 0) {
      and.add(operand(secondOperator, second));
    }
    return new BsonDocument("$and", and);
  }

  private BsonDocument operand(int operator, BsonValue value) {
    String name = operatorName(operator);
    if (aggregate) {
      return new BsonDocument(name, new org.bson.BsonArray(
          java.util.List.of(new org.bson.BsonString(field), value)));
    }
    return new BsonDocument(field, new BsonDocument(name, value));
  }

  private static ConfigurationException invalid(String libmongocryptText) {
    return new ConfigurationException(FIELD, libmongocryptText);
  }
}
