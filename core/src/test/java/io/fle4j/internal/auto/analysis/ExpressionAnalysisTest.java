package io.fle4j.internal.auto.analysis;

import static io.fle4j.internal.auto.analysis.Fixtures.SCHEMA;
import static io.fle4j.internal.auto.analysis.Fixtures.assertRefused;
import static io.fle4j.internal.auto.analysis.Fixtures.doc;
import static io.fle4j.internal.auto.analysis.Fixtures.enc;
import static io.fle4j.internal.auto.analysis.Fixtures.rewriter;
import static org.assertj.core.api.Assertions.assertThat;

import org.bson.BsonDocument;
import org.bson.BsonValue;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Section 3c: the expression intender, through $expr (forwarded root) and $project. */
class ExpressionAnalysisTest {
  private final CommandRewriter rewriter = rewriter(SCHEMA);

  private BsonValue expr(String json) {
    return rewriter.rewriteFilter(doc("{$expr: " + json + "}")).get("$expr");
  }

  // ----------------------------------------------------------------- compared

  @Test
  void expr_inWithAnArrayLiteral_marksEachElement() {
    BsonDocument out = expr("{$in: ['$ssn', ['a', 'b']]}").asDocument();
    assertThat(out.getArray("$in").get(1).asArray()).containsExactly(enc("'a'"), enc("'b'"));
  }

  @Test
  void expr_inWithoutAnArrayLiteral_evaluatesItsArguments() {
    assertRefused(() -> expr("{$in: ['$ssn', '$list']}"), "ssn",
        "Encrypted field 'ssn' is not allowed to be evaluated by an $in comparison without an array literal");
  }

  @Test
  void expr_ne_marksLikeEq() {
    assertThat(expr("{$ne: [1, '$pin']}").asDocument().getArray("$ne").get(0)).isEqualTo(enc("1"));
  }

  @Test
  void expr_twoFieldsWithIdenticalMetadata_mayBeCompared() {
    BsonDocument f = doc("{$expr: {$eq: ['$ssn', '$taxId']}}");
    assertThat(rewriter.rewriteFilter(f)).isEqualTo(f);
  }

  @Test
  void expr_fieldsWithDifferentMetadata_areRefusedWith31100() {
    assertRefused(() -> expr("{$eq: ['$ssn', '$other']}"), "ssn",
        "Comparison disallowed between fields with different encryption algorithms; encryption algorithm for"
            + " field 'ssn' does not match the algorithm of 'other'");
  }

  @Test
  void expr_randomFieldCompared_isRefusedWith31158() {
    assertRefused(() -> expr("{$eq: ['$rnd', 'x']}"), "rnd",
        "Comparison disallowed between fields where one is randomly encrypted; field 'rnd' is randomly encrypted.");
  }

  @Test
  void expr_unencryptedFieldFirst_isRefusedWith31099() {
    assertRefused(() -> expr("{$eq: ['$plan', '$ssn']}"),
        "Comparison disallowed between unencrypted fields and encrypted fields; 'plan' is unencrypted but is compared to 'ssn'");
  }

  @Test
  void expr_unencryptedFieldComparedWithEncrypted_isRefused() {
    assertRefused(() -> expr("{$eq: ['$plan', '$ssn']}"), "Comparison disallowed between");
  }

  @Test
  void expr_computedValueComparedWithEncrypted_isRefusedWith31117() {
    assertRefused(() -> expr("{$eq: ['$ssn', {$concat: ['a', 'b']}]}"), "ssn",
        "forbidden from being compared to encrypted fields but is compared to 'ssn'");
    assertRefused(() -> expr("{$eq: ['$ssn', {a: 1}]}"), "ssn",
        "Result of evaluating formation of an object literal forbidden from being compared to encrypted fields but is compared to 'ssn'");
    assertRefused(() -> expr("{$eq: ['$ssn', ['a']]}"), "ssn",
        "Result of evaluating formation of an array literal forbidden from being compared to encrypted fields but is compared to 'ssn'");
  }

  @Test
  void expr_prefixInComparedOrEvaluatedContext_isRefusedWith31131() {
    assertRefused(() -> expr("{$eq: ['$address', '$plan']}"), "address",
        "Found forbidden reference to prefix of encrypted field address");
    assertRefused(() -> expr("{$concat: ['$address.geo']}"), "address.geo",
        "Found forbidden reference to prefix of encrypted field address.geo");
  }

  @Test
  void expr_ifNullAndCondBranches_inheritTheComparison() {
    BsonDocument out = expr("{$eq: [{$ifNull: ['$ssn', 'x']}, 'a']}").asDocument();
    assertThat(out.getArray("$eq").get(0).asDocument().getArray("$ifNull").get(1)).isEqualTo(enc("'x'"));
    assertThat(out.getArray("$eq").get(1)).isEqualTo(enc("'a'"));
    BsonDocument cond = expr("{$eq: [{$cond: [{$eq: ['$plan', 'p']}, '$ssn', 'x']}, 'a']}").asDocument();
    BsonDocument condOut = cond.getArray("$eq").get(0).asDocument();
    assertThat(condOut.getArray("$cond").get(2)).isEqualTo(enc("'x'"));
    assertThat(condOut.getArray("$cond").get(0)).as("the if is its own, unencrypted comparison")
        .isEqualTo(doc("{$eq: ['$plan', 'p']}"));
  }

  @Test
  void expr_userVariableComparedWithEncryptedField_isRefused_deliberatelyStricter() {
    // mongocryptd treats $$v as unencrypted and sends its value in plaintext; fle4j refuses.
    assertRefused(() -> rewriter.rewriteFilter(doc("{$expr: {$eq: ['$ssn', '$$v']}}")),
        "forbidden from being compared to encrypted fields");
  }

  // ----------------------------------------------------------------- evaluated

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "{$cond: ['$ssn', 1, 2]}|a boolean conditional",
      "{$switch: {branches: [{case: '$ssn', then: 1}], default: 2}}|a switch case",
      "{$let: {vars: {v: '$ssn'}, in: 1}}|a let binding"})
  void expr_controlFlowConditions_areEvaluated(String expression, String description) {
    assertRefused(() -> expr(expression), "ssn", "Encrypted field 'ssn' is not allowed to be evaluated by " + description);
  }

  @Test
  void expr_controlFlowBranches_inheritTheForwardedContext() {
    BsonDocument f = doc("{$expr: {$cond: [{$eq: ['$plan', 'p']}, '$ssn', {$ifNull: ['$ssn', '$taxId']}]}}");
    assertThat(rewriter.rewriteFilter(f)).isEqualTo(f);
    BsonDocument s = doc("{$expr: {$switch: {branches: [{case: true, then: '$ssn'}], default: '$pin'}}}");
    assertThat(rewriter.rewriteFilter(s)).isEqualTo(s);
    BsonDocument l = doc("{$expr: {$let: {vars: {v: 1}, in: '$ssn'}}}");
    assertThat(rewriter.rewriteFilter(l)).isEqualTo(l);
  }

  @Test
  void expr_rebindingCurrent_isRefusedWith31152() {
    assertRefused(() -> expr("{$let: {vars: {CURRENT: '$address'}, in: '$zip'}}"), "Rebinding of CURRENT disallowed");
  }

  @Test
  void expr_rootOrCurrentInEvaluatedContext_isRefusedWith31121() {
    assertRefused(() -> expr("{$concat: ['$$CURRENT.plan']}"), "Access to variable CURRENT disallowed");
    assertRefused(() -> expr("{$eq: ['$$ROOT', 1]}"), "Access to variable ROOT disallowed");
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "{$gt: ['$ssn', 'a']}|a greater than comparison",
      "{$gte: ['$ssn', 'a']}|a greater than or equal comparison",
      "{$lt: ['$ssn', 'a']}|a less than comparison",
      "{$lte: ['$ssn', 'a']}|a less than or equal comparison",
      "{$cmp: ['$ssn', 'a']}|a three-way comparison",
      "{$add: ['$pin', 1]}|an addition calculation",
      "{$and: ['$ssn']}|a conjunction",
      "{$or: ['$ssn']}|a disjunction",
      "{$not: ['$ssn']}|a negation",
      "{$concat: ['$ssn']}|string concatination",
      "{$type: '$ssn'}|a string type determination",
      "{$reduce: {input: '$list', initialValue: '$ssn', in: 1}}|a reduce initializer"})
  void expr_evaluatedOperators_useMongocryptdsDescriptions(String expression, String description) {
    String field = expression.contains("$pin") ? "pin" : "ssn";
    assertRefused(() -> expr(expression), field,
        "Encrypted field '" + field + "' is not allowed to be evaluated by " + description);
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {"{$gt: ['$ssn', 'a']}", "{$add: ['$pin', 1]}", "{$and: ['$ssn']}",
      "{$concat: ['$ssn']}", "{$type: '$ssn'}", "{$reduce: {input: '$list', initialValue: '$ssn', in: 1}}",
      "{$toUpper: '$address.zip'}", "{$size: '$rnd'}"})
  void expr_evaluatedOperators_refuseEncryptedFields(String expression) {
    assertRefused(() -> expr(expression), "is not allowed to be evaluated by ");
  }

  @Test
  void expr_metaAndLiteral_areLeftAlone() {
    BsonDocument f = doc("{$expr: {$and: [{$meta: 'textScore'}, {$literal: '$ssn'}]}}");
    assertThat(rewriter.rewriteFilter(f)).isEqualTo(f);
  }

  // ----------------------------------------------------------------- $project forwarded root

  @Test
  void project_forwardedEncryptedFields_areAllowed_computedOnesAreNot() {
    java.util.List<BsonDocument> p = Fixtures.pipeline("{$project: {s: '$ssn', c: {$cond: [true, '$ssn', '$rnd']}}}");
    assertThat(rewriter.rewritePipeline(p)).isEqualTo(p);
    assertRefused(() -> rewriter.rewritePipeline(Fixtures.pipeline("{$project: {s: {$substr: ['$ssn', 0, 1]}}}")),
        "ssn", "Encrypted field 'ssn' is not allowed to be evaluated by ");
  }
}
