package io.fle4j.it.unified;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.bson.BsonDocument;
import org.bson.BsonInt32;
import org.bson.BsonNull;
import org.bson.BsonString;
import org.bson.BsonValue;
import org.junit.jupiter.api.Test;

class ValueMatcherTest {
  private final ValueMatcher matcher = new ValueMatcher(new ValueMatcher.EntityLookup() {
    @Override
    public BsonValue bsonEntity(String id) {
      if (id.equals("saved")) {
        return BsonDocument.parse("{a: 1}");
      }
      throw new RunnerException("no entity " + id);
    }

    @Override
    public BsonDocument sessionLsid(String id) {
      if (id.equals("session0")) {
        return BsonDocument.parse("{id: {$binary: {base64: 'AAAAAAAAAAAAAAAAAAAAAA==', subType: '04'}}}");
      }
      throw new RunnerException("no session " + id);
    }
  });

  private void matches(String expected, String actual) {
    assertThatCode(() -> matcher.assertMatches(value(expected), value(actual)))
        .doesNotThrowAnyException();
  }

  private void mismatches(String expected, String actual) {
    assertThatThrownBy(() -> matcher.assertMatches(value(expected), value(actual)))
        .isInstanceOf(AssertionError.class);
  }

  /** Parses {@code {v: <text>}} and returns v, so that tests can use scalars too. */
  private static BsonValue value(String text) {
    return text == null ? null : BsonDocument.parse("{v: " + text + "}").get("v");
  }

  @Test
  void rootDocument_extraActualFields_match() {
    matches("{x: 1}", "{x: 1, y: 2}");
  }

  @Test
  void nestedDocument_extraActualFields_mismatch() {
    mismatches("{x: {y: 1}}", "{x: {y: 1, z: 1}}");
  }

  @Test
  void documentInArray_extraActualFields_mismatch() {
    mismatches("{x: [{y: 1}]}", "{x: [{y: 1, z: 1}]}");
  }

  @Test
  void document_missingExpectedField_mismatch() {
    mismatches("{x: 1, y: 1}", "{x: 1}");
  }

  @Test
  void document_keyOrder_isIgnored() {
    matches("{x: 1, y: {a: 1, b: 2}}", "{y: {b: 2, a: 1}, x: 1}");
  }

  @Test
  void arrays_differentLength_mismatch() {
    mismatches("[1, 2, 3]", "[1, 2, 3, 4]");
    mismatches("[1, 2, 3]", "[1, 2]");
  }

  @Test
  void arrays_elementOrder_matters() {
    mismatches("[1, 2]", "[2, 1]");
  }

  @Test
  void numbers_int32Int64AndDoubleOfEqualValue_match() {
    matches("1", "{$numberLong: '1'}");
    matches("{$numberLong: '1'}", "1.0");
    matches("1.0", "1");
    matches("{x: 1}", "{x: 1.0}");
  }

  @Test
  void numbers_differentValues_mismatch() {
    mismatches("1", "1.5");
    mismatches("{$numberLong: '9007199254740993'}", "9007199254740992.0");
  }

  @Test
  void decimal128_isNotFlexible() {
    mismatches("1", "{$numberDecimal: '1'}");
    matches("{$numberDecimal: '1'}", "{$numberDecimal: '1'}");
  }

  @Test
  void scalars_differentTypes_mismatch() {
    mismatches("'1'", "1");
    mismatches("true", "1");
    mismatches("null", "{x: 1}");
  }

  @Test
  void exists_true_requiresThePresentField_anyValue() {
    matches("{x: {$$exists: true}}", "{x: null}");
    mismatches("{x: {$$exists: true}}", "{y: 1}");
  }

  @Test
  void exists_false_requiresTheFieldAbsent_evenInNestedDocuments() {
    matches("{a: {x: {$$exists: false}}}", "{a: {}}");
    mismatches("{a: {x: {$$exists: false}}}", "{a: {x: 1}}");
  }

  @Test
  void exists_outsideADocumentField_isARunnerError() {
    assertThatThrownBy(() -> matcher.assertMatches(value("{$$exists: true}"), value("1")))
        .isInstanceOf(RunnerException.class);
  }

  @Test
  void type_singleAndListOfAliases() {
    matches("{x: {$$type: 'binData'}}", "{x: {$binary: {base64: 'AA==', subType: '06'}}}");
    matches("{x: {$$type: ['int', 'long']}}", "{x: {$numberLong: '5'}}");
    mismatches("{x: {$$type: ['int', 'long']}}", "{x: 5.5}");
    matches("{x: {$$type: 'object'}}", "{x: {a: 1}}");
    matches("{x: {$$type: 'date'}}", "{x: {$date: {$numberLong: '1'}}}");
    mismatches("{x: {$$type: 'string'}}", "{x: 1}");
  }

  @Test
  void type_missingField_mismatch() {
    mismatches("{x: {$$type: 'string'}}", "{}");
  }

  @Test
  void type_unknownAlias_isARunnerError() {
    assertThatThrownBy(() -> matcher.assertMatches(value("{x: {$$type: 'bogus'}}"),
        value("{x: 1}"))).isInstanceOf(RunnerException.class);
  }

  @Test
  void unsetOrMatches_absentOrMatching_match() {
    matches("{x: {$$unsetOrMatches: 1}}", "{}");
    matches("{x: {$$unsetOrMatches: 1}}", "{x: 1}");
    mismatches("{x: {$$unsetOrMatches: 1}}", "{x: 2}");
  }

  @Test
  void unsetOrMatches_atTheRoot_acceptsNoResultOrAMatchingOne() {
    assertThatCode(() -> matcher.assertMatches(value("{$$unsetOrMatches: {a: 1}}"), null))
        .doesNotThrowAnyException();
    matches("{$$unsetOrMatches: null}", "null");
    mismatches("{$$unsetOrMatches: null}", "{a: 1}");
    // The inner document keeps the root's extra-field allowance.
    matches("{$$unsetOrMatches: {a: 1}}", "{a: 1, b: 2}");
  }

  @Test
  void unsetOrMatches_nested_doesNotAllowExtraFields() {
    mismatches("{x: {$$unsetOrMatches: {a: 1}}}", "{x: {a: 1, b: 2}}");
  }

  @Test
  void matchesEntity_comparesWithTheSavedValue() {
    matches("{x: {$$matchesEntity: 'saved'}}", "{x: {a: 1}}");
    mismatches("{x: {$$matchesEntity: 'saved'}}", "{x: {a: 2}}");
    assertThatThrownBy(() -> matcher.assertMatches(value("{x: {$$matchesEntity: 'nope'}}"),
        value("{x: 1}"))).isInstanceOf(RunnerException.class);
  }

  @Test
  void matchesHexBytes_comparesBytes_caseInsensitively() {
    matches("{x: {$$matchesHexBytes: 'ab01'}}", "{x: {$binary: {base64: 'qwE=', subType: '00'}}}");
    matches("{x: {$$matchesHexBytes: 'AB01'}}", "{x: {$binary: {base64: 'qwE=', subType: '00'}}}");
    mismatches("{x: {$$matchesHexBytes: 'ab02'}}", "{x: {$binary: {base64: 'qwE=', subType: '00'}}}");
    mismatches("{x: {$$matchesHexBytes: 'ab01'}}", "{x: 'ab01'}");
    assertThatThrownBy(() -> matcher.assertMatches(value("{x: {$$matchesHexBytes: 'abc'}}"),
        value("{x: 1}"))).isInstanceOf(RunnerException.class);
  }

  @Test
  void sessionLsid_comparesWithTheSessionsId() {
    matches("{lsid: {$$sessionLsid: 'session0'}}",
        "{lsid: {id: {$binary: {base64: 'AAAAAAAAAAAAAAAAAAAAAA==', subType: '04'}}}}");
    mismatches("{lsid: {$$sessionLsid: 'session0'}}",
        "{lsid: {id: {$binary: {base64: 'AQAAAAAAAAAAAAAAAAAAAA==', subType: '04'}}}}");
  }

  @Test
  void lte_comparesNumbersFlexibly() {
    matches("{x: {$$lte: 1}}", "{x: 1.0}");
    matches("{x: {$$lte: 1}}", "{x: {$numberLong: '0'}}");
    mismatches("{x: {$$lte: 1}}", "{x: 1.1}");
    mismatches("{x: {$$lte: 1}}", "{}");
  }

  @Test
  void matchAsDocument_parsesTheActualStringAsANestedDocument() {
    matches("{x: {$$matchAsDocument: {a: 1}}}", "{x: '{\"a\": 1}'}");
    mismatches("{x: {$$matchAsDocument: {a: 1}}}", "{x: '{\"a\": 1, \"b\": 2}'}");
    matches("{x: {$$matchAsDocument: {$$matchAsRoot: {a: 1}}}}", "{x: '{\"a\": 1, \"b\": 2}'}");
  }

  @Test
  void matchAsRoot_allowsExtraFieldsInANestedDocument() {
    matches("{x: {$$matchAsRoot: {a: 1}}}", "{x: {a: 1, b: 2}}");
  }

  @Test
  void unknownOperator_isARunnerError() {
    assertThatThrownBy(() -> matcher.assertMatches(value("{x: {$$bogus: 1}}"), value("{x: 1}")))
        .isInstanceOf(RunnerException.class);
  }

  @Test
  void aggregationVariablesAsStrings_areOrdinaryValues() {
    matches("{x: '$$REMOVE'}", "{x: '$$REMOVE'}");
    mismatches("{x: '$$REMOVE'}", "{x: '$$ROOT'}");
  }

  @Test
  void documentsOfAnIterable_areEachRoots_andTheCountMustMatch() {
    List<BsonDocument> actual = List.of(BsonDocument.parse("{x: 1, y: 1}"),
        BsonDocument.parse("{x: 2, y: 2}"));
    assertThatCode(() -> matcher.assertDocumentsMatch(value("[{x: 1}, {x: 2}]"), actual))
        .doesNotThrowAnyException();
    assertThatThrownBy(() -> matcher.assertDocumentsMatch(value("[{x: 1}]"), actual))
        .isInstanceOf(AssertionError.class);
    assertThatThrownBy(() -> matcher.assertDocumentsMatch(value("[{x: 1}, {x: 3}]"), actual))
        .isInstanceOf(AssertionError.class);
  }

  @Test
  void arrayValueNotFromAnIterable_doesNotAllowExtraFieldsInItsDocuments() {
    // A distinct result, for example: the array is the root, its documents are not.
    mismatches("[{x: 1}]", "[{x: 1, y: 1}]");
  }

  @Test
  void missingActualValue_mismatch() {
    assertThatThrownBy(() -> matcher.assertMatches(new BsonInt32(1), null))
        .isInstanceOf(AssertionError.class);
    assertThatThrownBy(() -> matcher.assertMatches(BsonNull.VALUE, null))
        .isInstanceOf(AssertionError.class);
    assertThatThrownBy(() -> matcher.assertMatches(new BsonString("a"), new BsonString("b")))
        .isInstanceOf(AssertionError.class);
  }
}
