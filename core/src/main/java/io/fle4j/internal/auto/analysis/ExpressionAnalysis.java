package io.fle4j.internal.auto.analysis;

import io.fle4j.internal.auto.schema.CollectionSchema;
import io.fle4j.internal.auto.schema.CollectionSchema.Kind;
import io.fle4j.internal.auto.schema.CollectionSchema.Resolution;
import io.fle4j.internal.auto.schema.EncryptSpec;
import io.fle4j.internal.auto.schema.SchemaNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.bson.BsonArray;
import org.bson.BsonDocument;
import org.bson.BsonString;
import org.bson.BsonValue;

/**
 * Aggregation expressions against the encrypted fields of what flows through a pipeline, as
 * mongocryptd's expression intender analyses them. Each expression is analysed in a context:
 * <ul>
 *   <li><b>forwarded</b>: the value goes back to the application, so an encrypted field may be
 *       named (it is decrypted on the way back);
 *   <li><b>compared</b>: an equality ({@code $eq}, {@code $ne}, {@code $in} against an array
 *       literal): every field compared must be encrypted the same way or not at all, and literals
 *       compared with a deterministic field are encrypted;
 *   <li><b>evaluated</b>: the server computes with the value, so no encrypted field, prefix of
 *       one, {@code $$ROOT} or {@code $$CURRENT} may appear.
 * </ul>
 * Anything that could reach an encrypted field by another route ({@code $getField} on the
 * current document, whole-document variables) is refused.
 */
final class ExpressionAnalysis {
  /** mongocryptd's words for what evaluates a value, where its errors use them. */
  private static final Map<String, String> DESCRIPTIONS = Map.ofEntries(
      Map.entry("$gt", "a greater than comparison"),
      Map.entry("$gte", "a greater than or equal comparison"),
      Map.entry("$lt", "a less than comparison"),
      Map.entry("$lte", "a less than or equal comparison"),
      Map.entry("$cmp", "a three-way comparison"), Map.entry("$add", "an addition calculation"),
      Map.entry("$and", "a conjunction"), Map.entry("$or", "a disjunction"),
      Map.entry("$not", "a negation"), Map.entry("$concat", "string concatination"),
      Map.entry("$type", "a string type determination"),
      Map.entry("$getField", "a $getField expression"));

  private final CollectionSchema schema;
  private final Marker marker;
  private final Refusal refusal;

  ExpressionAnalysis(CollectionSchema schema, Marker marker) {
    this.schema = schema;
    this.marker = marker;
    this.refusal = marker.refusal();
  }

  /** A value returned to the application: {@code $project}, {@code $addFields}, {@code $expr}. */
  BsonValue forwarded(BsonValue expression) {
    if (isFieldPath(expression)) {
      Resolution r = schema.resolve(fieldPath(expression));
      if (r.kind() == Kind.INSIDE_ENCRYPTED) {
        throw refusal.unusable(fieldPath(expression), r);
      }
      return expression;
    }
    return rewrite(expression, null);
  }

  /** A value the server computes with (a {@code $group} accumulator's input, a bucket boundary). */
  BsonValue evaluated(BsonValue expression, String description) {
    return rewrite(expression, description);
  }

  /**
   * Walks an expression.
   *
   * @param evaluatedBy null when the value is forwarded; otherwise what evaluates it, for errors
   */
  private BsonValue rewrite(BsonValue expression, String evaluatedBy) {
    if (expression.isString()) {
      String text = expression.asString().getValue();
      if (text.startsWith("$$")) {
        checkVariable(text);
      } else if (text.startsWith("$") && evaluatedBy != null) {
        requireUnencrypted(text.substring(1), evaluatedBy);
      }
      return expression;
    }
    if (expression.isArray()) {
      BsonArray out = new BsonArray();
      for (BsonValue element : expression.asArray()) {
        out.add(rewrite(element, evaluatedBy == null ? null : "formation of an array literal"));
      }
      return out;
    }
    if (!expression.isDocument() || expression.asDocument().isEmpty()) {
      return expression;
    }
    BsonDocument document = expression.asDocument();
    String operator = document.getFirstKey();
    if (!operator.startsWith("$")) {
      // An object literal: its fields are computed by the server.
      BsonDocument out = new BsonDocument();
      for (Map.Entry<String, BsonValue> field : document.entrySet()) {
        out.put(field.getKey(), rewrite(field.getValue(),
            evaluatedBy == null ? null : "formation of an object literal"));
      }
      return out;
    }
    if (document.size() != 1) {
      throw refusal.of(null, "an expression object holds exactly one operator",
          "got " + document.keySet());
    }
    BsonValue argument = document.get(operator);
    return switch (operator) {
      case "$literal" -> expression;
      case "$eq", "$ne" -> new BsonDocument(operator, compared(operator, args(operator, argument)));
      case "$in" -> new BsonDocument(operator, in(args(operator, argument)));
      case "$cond" -> new BsonDocument(operator, cond(argument, evaluatedBy));
      case "$ifNull" -> new BsonDocument(operator, each(args(operator, argument), evaluatedBy));
      case "$switch" -> new BsonDocument(operator, switchCases(argument, evaluatedBy));
      case "$let" -> new BsonDocument(operator, let(argument, evaluatedBy));
      case "$getField", "$setField", "$unsetField" -> {
        checkWholeDocumentAccess(operator, argument);
        yield new BsonDocument(operator, operands(argument, operator));
      }
      case "$meta" -> expression;
      case "$reduce" -> new BsonDocument(operator, reduce(argument, evaluatedBy));
      default -> new BsonDocument(operator, operands(argument,
          DESCRIPTIONS.containsKey(operator)
              ? DESCRIPTIONS.get(operator) + " (" + operator + ")" : operator));
    };
  }

  /** An operator's arguments (a list of them is an argument list, not an array literal). */
  private BsonValue operands(BsonValue argument, String operator) {
    if (argument.isArray()) {
      BsonArray out = new BsonArray();
      for (BsonValue element : argument.asArray()) {
        out.add(rewrite(element, operator));
      }
      return out;
    }
    if (argument.isDocument() && !argument.asDocument().isEmpty()
        && !argument.asDocument().getFirstKey().startsWith("$")) {
      // Named arguments ({input, as, in}, {field, input}): each is evaluated by the operator.
      BsonDocument out = new BsonDocument();
      for (Map.Entry<String, BsonValue> e : argument.asDocument().entrySet()) {
        out.put(e.getKey(), rewrite(e.getValue(), operator));
      }
      return out;
    }
    return rewrite(argument, operator);
  }

  // ----------------------------------------------------------------- comparisons

  /**
   * {@code $eq}/{@code $ne}: the sides form one comparison. If any side is an encrypted field,
   * every other field must be encrypted the same way and every literal is encrypted with it.
   */
  private BsonArray compared(String operator, BsonArray sides) {
    List<Leaf> leaves = new ArrayList<>();
    for (BsonValue side : sides) {
      leaves(side, leaves);
    }
    Leaf encrypted = leaves.stream().filter(l -> l.spec != null).findFirst().orElse(null);
    if (encrypted == null) {
      BsonArray out = new BsonArray();
      for (BsonValue side : sides) {
        out.add(rewriteComparedSide(side, null, null));
      }
      return out;
    }
    boolean unencryptedFirst = leaves.get(0).field != null && leaves.get(0).spec == null;
    for (Leaf leaf : leaves) {
      if (leaf.field != null && leaf.spec == null) {
        throw unencryptedFirst
            ? refusal.of(leaf.field, "Comparison disallowed between unencrypted fields and"
                + " encrypted fields; '" + leaf.field + "' is unencrypted but is compared to '"
                + encrypted.field + "'")
            : refusal.of(encrypted.field, "Comparison disallowed between encrypted fields and"
                + " unencrypted fields; '" + encrypted.field + "' is encrypted but is compared to '"
                + leaf.field + "'");
      }
      if (leaf.field != null && !leaf.spec.equals(encrypted.spec)) {
        throw refusal.of(encrypted.field, "Comparison disallowed between fields with different"
            + " encryption algorithms; encryption algorithm for field '" + encrypted.field
            + "' does not match the algorithm of '" + leaf.field + "'");
      }
      if (leaf.computedBy != null) {
        throw refusal.of(encrypted.field, "Result of evaluating " + leaf.computedBy
            + " forbidden from being compared to encrypted fields but is compared to '"
            + encrypted.field + "'");
      }
    }
    if (!encrypted.spec.isDeterministic()) {
      throw refusal.of(encrypted.field, "Comparison disallowed between fields where one is"
          + " randomly encrypted; field '" + encrypted.field + "' is randomly encrypted.",
          "and Cannot query on fields encrypted with the randomized encryption algorithm");
    }
    BsonArray out = new BsonArray();
    for (BsonValue side : sides) {
      out.add(rewriteComparedSide(side, encrypted.field, encrypted.spec));
    }
    return out;
  }

  /**
   * A value compared with a field outside any expression ({@code $graphLookup}'s {@code
   * startWith} with its {@code connectToField}): when that field is encrypted, every field the
   * value names must be encrypted the same way and every literal is encrypted; when it is not,
   * the value may name no encrypted field.
   *
   * @param spec the compared field's encryption, or null when it is not encrypted
   */
  BsonValue comparedWith(String field, EncryptSpec spec, BsonValue value) {
    List<Leaf> leaves = new ArrayList<>();
    leaves(value, leaves);
    if (spec == null) {
      for (Leaf leaf : leaves) {
        if (leaf.spec != null) {
          throw refusal.of(leaf.field, "Comparison disallowed between encrypted fields and"
              + " unencrypted fields; '" + leaf.field + "' is encrypted but is compared to '"
              + field + "'");
        }
      }
      return rewriteComparedSide(value, null, null);
    }
    for (Leaf leaf : leaves) {
      if (leaf.field != null && !spec.equals(leaf.spec)) {
        throw refusal.of(field, "Comparison disallowed between unencrypted fields and encrypted"
            + " fields; '" + leaf.field + "' is unencrypted but is compared to '" + field + "'");
      }
      if (leaf.computedBy != null) {
        throw refusal.of(field, "Result of evaluating " + leaf.computedBy + " forbidden from"
            + " being compared to encrypted fields but is compared to '" + field + "'");
      }
    }
    if (!spec.isDeterministic()) {
      throw refusal.of(field, "Comparison disallowed between fields where one is randomly"
          + " encrypted; field '" + field + "' is randomly encrypted.");
    }
    return rewriteComparedSide(value, field, spec);
  }

  /** {@code $in: [x, [literal, ...]]}: the list joins the comparison; any other list is evaluated. */
  private BsonArray in(BsonArray args) {
    if (args.size() != 2) {
      throw refusal.of(null, "$in takes two arguments", "got " + args.size());
    }
    if (!args.get(1).isArray()) {
      BsonArray out = new BsonArray();
      out.add(rewrite(args.get(0), "an $in comparison without an array literal"));
      out.add(rewrite(args.get(1), "an $in comparison without an array literal"));
      return out;
    }
    BsonArray sides = new BsonArray();
    sides.add(args.get(0));
    sides.addAll(args.get(1).asArray());
    BsonArray rewritten = compared("$in", sides);
    BsonArray out = new BsonArray();
    out.add(rewritten.get(0));
    out.add(new BsonArray(rewritten.subList(1, rewritten.size())));
    return out;
  }

  /** One compared value: a field, a literal, or something computed (by {@code computedBy}). */
  private record Leaf(String field, EncryptSpec spec, String computedBy) {}

  /** The compared values of one side: through {@code $cond} branches, {@code $ifNull} and the like. */
  private void leaves(BsonValue side, List<Leaf> out) {
    if (isFieldPath(side)) {
      String path = fieldPath(side);
      Resolution r = schema.resolve(path);
      switch (r.kind()) {
        case ENCRYPTED -> out.add(new Leaf(path, r.node().encrypt(), null));
        case PLAIN -> out.add(new Leaf(path, null, null));
        default -> throw refusal.unusable(path, r);
      }
      return;
    }
    if (side.isString() && side.asString().getValue().startsWith("$$")) {
      checkVariable(side.asString().getValue());
      // A variable is never encrypted: it holds a constant or something computed.
      out.add(new Leaf(null, null, "the variable " + side.asString().getValue()));
      return;
    }
    if (side.isDocument() && !side.asDocument().isEmpty()
        && side.asDocument().getFirstKey().startsWith("$")) {
      String operator = side.asDocument().getFirstKey();
      BsonValue argument = side.asDocument().get(operator);
      switch (operator) {
        case "$literal" -> out.add(new Leaf(null, null, null));
        case "$cond" -> {
          BsonArray parts = condParts(argument);
          leaves(parts.get(1), out);
          leaves(parts.get(2), out);
        }
        case "$ifNull" -> args(operator, argument).forEach(a -> leaves(a, out));
        default -> out.add(new Leaf(null, null, operator));
      }
      return;
    }
    if (side.isDocument() || side.isArray()) {
      out.add(new Leaf(null, null, side.isArray() ? "formation of an array literal"
          : "formation of an object literal"));
      return;
    }
    out.add(new Leaf(null, null, null));
  }

  /** Rebuilds one compared side, encrypting its literals when the comparison is encrypted. */
  private BsonValue rewriteComparedSide(BsonValue side, String field, EncryptSpec spec) {
    if (isFieldPath(side) || (side.isString() && side.asString().getValue().startsWith("$$"))) {
      return side;
    }
    if (side.isDocument() && !side.asDocument().isEmpty()
        && side.asDocument().getFirstKey().startsWith("$")) {
      String operator = side.asDocument().getFirstKey();
      BsonValue argument = side.asDocument().get(operator);
      switch (operator) {
        case "$literal":
          return spec == null ? side : marker.forComparison(field, spec, argument);
        case "$cond": {
          BsonArray parts = condParts(argument);
          BsonArray out = new BsonArray();
          out.add(rewrite(parts.get(0), "a boolean conditional"));
          out.add(rewriteComparedSide(parts.get(1), field, spec));
          out.add(rewriteComparedSide(parts.get(2), field, spec));
          return new BsonDocument(operator, out);
        }
        case "$ifNull": {
          BsonArray out = new BsonArray();
          for (BsonValue a : args(operator, argument)) {
            out.add(rewriteComparedSide(a, field, spec));
          }
          return new BsonDocument(operator, out);
        }
        default:
          return rewrite(side, operator);
      }
    }
    if (spec == null) {
      return side.isDocument() || side.isArray() ? rewrite(side, "a comparison") : side;
    }
    return marker.forComparison(field, spec, side);
  }

  // ----------------------------------------------------------------- control flow

  private BsonValue cond(BsonValue argument, String evaluatedBy) {
    BsonArray parts = condParts(argument);
    BsonArray out = new BsonArray();
    out.add(rewrite(parts.get(0), "a boolean conditional"));
    out.add(rewrite(parts.get(1), evaluatedBy));
    out.add(rewrite(parts.get(2), evaluatedBy));
    return out;
  }

  private BsonArray condParts(BsonValue argument) {
    if (argument.isArray() && argument.asArray().size() == 3) {
      return argument.asArray();
    }
    if (argument.isDocument() && argument.asDocument().keySet().equals(Set.of("if", "then", "else"))) {
      BsonDocument d = argument.asDocument();
      return new BsonArray(List.of(d.get("if"), d.get("then"), d.get("else")));
    }
    throw refusal.of(null, "$cond takes [if, then, else] or {if, then, else}", "got " + argument);
  }

  private BsonValue switchCases(BsonValue argument, String evaluatedBy) {
    if (!argument.isDocument() || !argument.asDocument().containsKey("branches")
        || !argument.asDocument().get("branches").isArray()) {
      throw refusal.of(null, "$switch takes {branches: [...], default}", "got " + argument);
    }
    BsonDocument out = new BsonDocument();
    BsonArray branches = new BsonArray();
    for (BsonValue branch : argument.asDocument().getArray("branches")) {
      if (!branch.isDocument() || !branch.asDocument().keySet().equals(Set.of("case", "then"))) {
        throw refusal.of(null, "a $switch branch takes {case, then}", "got " + branch);
      }
      branches.add(new BsonDocument("case", rewrite(branch.asDocument().get("case"), "a switch case"))
          .append("then", rewrite(branch.asDocument().get("then"), evaluatedBy)));
    }
    out.put("branches", branches);
    for (Map.Entry<String, BsonValue> e : argument.asDocument().entrySet()) {
      if (e.getKey().equals("default")) {
        out.put("default", rewrite(e.getValue(), evaluatedBy));
      } else if (!e.getKey().equals("branches")) {
        throw refusal.of(null, "$switch takes {branches: [...], default}", "got " + e.getKey());
      }
    }
    return out;
  }

  private BsonValue let(BsonValue argument, String evaluatedBy) {
    if (!argument.isDocument() || !argument.asDocument().keySet().equals(Set.of("vars", "in"))
        || !argument.asDocument().get("vars").isDocument()) {
      throw refusal.of(null, "$let takes {vars: {...}, in}", "got " + argument);
    }
    BsonDocument vars = new BsonDocument();
    for (Map.Entry<String, BsonValue> var : argument.asDocument().getDocument("vars").entrySet()) {
      if (var.getKey().equals("CURRENT")) {
        throw refusal.of(null, "Rebinding of CURRENT disallowed");
      }
      vars.put(var.getKey(), rewrite(var.getValue(), "a let binding"));
    }
    return new BsonDocument("vars", vars).append("in",
        rewrite(argument.asDocument().get("in"), evaluatedBy));
  }

  /** {@code $reduce}: input and initial value are evaluated; {@code in} is the result. */
  private BsonValue reduce(BsonValue argument, String evaluatedBy) {
    if (!argument.isDocument()) {
      throw refusal.of(null, "$reduce takes {input, initialValue, in}", "got " + argument);
    }
    BsonDocument out = new BsonDocument();
    for (Map.Entry<String, BsonValue> e : argument.asDocument().entrySet()) {
      out.put(e.getKey(), e.getKey().equals("in") ? rewrite(e.getValue(), evaluatedBy)
          : rewrite(e.getValue(), "a reduce initializer"));
    }
    return out;
  }

  private BsonArray each(BsonArray values, String evaluatedBy) {
    BsonArray out = new BsonArray();
    for (BsonValue value : values) {
      out.add(rewrite(value, evaluatedBy));
    }
    return out;
  }

  // ----------------------------------------------------------------- output schemas

  /**
   * The schema of what an expression produces, for the stages that make new fields from
   * expressions: a field reference carries the field's schema along; anything computed is
   * unencrypted; a choice between differently encrypted values is unknown until it runs.
   */
  SchemaNode outputSchema(BsonValue expression) {
    if (isFieldPath(expression)) {
      Resolution r = schema.resolve(fieldPath(expression));
      return switch (r.kind()) {
        case ENCRYPTED, ANCESTOR, PLAIN -> r.node();
        case CONFLICT, UNKNOWN -> SchemaNode.unknown();
        case INSIDE_ENCRYPTED -> throw refusal.unusable(fieldPath(expression), r);
      };
    }
    if (expression.isString() && expression.asString().getValue().startsWith("$$")) {
      checkVariable(expression.asString().getValue());
      return SchemaNode.PLAIN;
    }
    if (expression.isDocument() && !expression.asDocument().isEmpty()) {
      BsonDocument document = expression.asDocument();
      String first = document.getFirstKey();
      if (!first.startsWith("$")) {
        Map<String, SchemaNode> fields = new LinkedHashMap<>();
        for (Map.Entry<String, BsonValue> e : document.entrySet()) {
          fields.put(e.getKey(), outputSchema(e.getValue()));
        }
        return SchemaNode.object(fields);
      }
      List<BsonValue> choices = switch (first) {
        case "$cond" -> condParts(document.get(first)).subList(1, 3);
        case "$ifNull" -> args(first, document.get(first));
        default -> null;
      };
      if (choices != null) {
        SchemaNode result = null;
        for (BsonValue choice : choices) {
          SchemaNode node = outputSchema(choice);
          if (result == null) {
            result = node;
          } else if (!sameEncryption(result, node)) {
            return SchemaNode.unknown();
          }
        }
        return result;
      }
    }
    return SchemaNode.PLAIN;
  }

  private static boolean sameEncryption(SchemaNode a, SchemaNode b) {
    if (!a.hasEncryptedFields() && !b.hasEncryptedFields()) {
      return true;
    }
    return a.encrypt() != null && a.encrypt().equals(b.encrypt());
  }

  // ----------------------------------------------------------------- checks

  private void requireUnencrypted(String path, String evaluatedBy) {
    Resolution r = schema.resolve(path);
    switch (r.kind()) {
      case PLAIN -> { }
      case ENCRYPTED -> throw refusal.of(path, "Encrypted field '" + path + "' is not allowed to"
          + " be evaluated by " + evaluatedBy);
      default -> throw refusal.unusable(path, r);
    }
  }

  /** {@code $$ROOT} and {@code $$CURRENT} would hand the server the whole document to compute on. */
  private void checkVariable(String text) {
    String name = text.substring(2);
    int dot = name.indexOf('.');
    String variable = dot < 0 ? name : name.substring(0, dot);
    if ((variable.equals("ROOT") || variable.equals("CURRENT")) && schema.hasEncryptedFields()) {
      throw refusal.of(null, "Access to variable " + variable + " disallowed",
          "the document holds encrypted fields");
    }
    // Any other variable holds a constant or something computed, never an encrypted value.
  }

  /** {@code $getField} and friends read a field by name, by default from the current document. */
  private void checkWholeDocumentAccess(String operator, BsonValue argument) {
    if (!schema.hasEncryptedFields()) {
      return;
    }
    BsonValue input = argument.isDocument() ? argument.asDocument().get("input") : null;
    if (input == null) {
      throw refusal.of(null, "Access to variable CURRENT disallowed", operator + " without"
          + " 'input' reads the current document, which holds encrypted fields");
    }
  }

  static boolean isFieldPath(BsonValue value) {
    return value.isString() && value.asString().getValue().startsWith("$")
        && !value.asString().getValue().startsWith("$$") && value.asString().getValue().length() > 1;
  }

  static String fieldPath(BsonValue value) {
    return value.asString().getValue().substring(1);
  }

  private BsonArray args(String operator, BsonValue argument) {
    if (!argument.isArray()) {
      throw refusal.of(null, operator + " takes an array of arguments", "got " + argument);
    }
    return argument.asArray();
  }

  static BsonString path(String path) {
    return new BsonString("$" + path);
  }
}
