package io.fle4j.testkit.mongo;

import static org.assertj.core.api.Assertions.assertThat;

import org.bson.BsonDocument;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class PartialIndexFixTest {

  @ParameterizedTest
  @ValueSource(
      strings = {
        "{key: {keyAltNames: 1}, unique: true,"
            + " partialFilterExpression: {keyAltNames: {$exists: true}}}",
        "{key: {keyAltNames: -1}, partialFilterExpression: {keyAltNames: {$exists: 1}}}",
        "{key: {a: 1}, sparse: false, partialFilterExpression: {a: {$exists: true}}}",
      })
  void isExistsOnlyPartialIndex_singleFieldExistsFilter_isTrue(String index) {
    assertThat(PartialIndexFix.isExistsOnlyPartialIndex(BsonDocument.parse(index))).isTrue();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "{key: {keyAltNames: 1}, unique: true}",
        "{key: {keyAltNames: 1}, partialFilterExpression: {keyAltNames: {$exists: false}}}",
        "{key: {keyAltNames: 1}, partialFilterExpression: {keyAltNames: {$exists: 0}}}",
        "{key: {keyAltNames: 1}, partialFilterExpression: {other: {$exists: true}}}",
        "{key: {keyAltNames: 1, b: 1}, partialFilterExpression: {keyAltNames: {$exists: true}}}",
        "{key: {a: 1}, partialFilterExpression: {a: {$exists: true}, b: {$exists: true}}}",
        "{key: {a: 1}, partialFilterExpression: {a: {$exists: true, $gt: 1}}}",
        "{key: {a: 1}, partialFilterExpression: {a: {$gt: 1}}}",
        "{key: {a: 1}, partialFilterExpression: {a: true}}",
        "{key: {a: 1}, partialFilterExpression: 'a'}",
      })
  void isExistsOnlyPartialIndex_anythingElse_isFalse(String index) {
    assertThat(PartialIndexFix.isExistsOnlyPartialIndex(BsonDocument.parse(index))).isFalse();
  }
}
