package io.fle4j.kms;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.bson.BsonDocument;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class JsonRepliesTest {
  private static BsonDocument parse(String json) {
    return JsonReplies.object(json.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void object_readsWhatKmsRepliesHold() {
    BsonDocument reply = parse("{\"kid\": \"https://v.vault.azure.net/keys/k/1\", \"value\":"
        + " \"AAECAw\\u0041\", \"n\": -12, \"x\": 1.5e3, \"ok\": true, \"none\": null,"
        + " \"error\": {\"code\": \"Forbidden\", \"list\": [1, [2], {}]}}");
    assertThat(reply.getString("value").getValue()).isEqualTo("AAECAwA");
    assertThat(reply.getInt64("n").getValue()).isEqualTo(-12);
    assertThat(reply.getDouble("x").getValue()).isEqualTo(1500.0);
    assertThat(reply.getDocument("error").getString("code").getValue()).isEqualTo("Forbidden");
  }

  @Test
  void object_deepNesting_failsCleanly_withoutOverflowingTheStack() {
    // Issue 13, item 2: the extended-JSON parser recursed without limit (StackOverflowError).
    String deep = "{\"a\": " + "[".repeat(200_000) + "]".repeat(200_000) + "}";
    assertThatThrownBy(() -> parse(deep)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("nested deeper than");
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "[]", "{\"a\": ObjectId(\"0\")}", "{a: 1}", "{\"a\": 'x'}",
      "{\"a\": 1,}", "{\"a\": \"\\x\"}", "{\"a\": 01x}", "{\"a\": 1} trailing", "{\"a\": \"open",
      "{\"a\": 1, \"a\": 2}", "{\"$binary\": {\"base64\": \"AA==\", \"subType\": \"00\"}} x"})
  void object_notStrictJson_isRefused_withoutQuotingIt(String body) {
    assertThatThrownBy(() -> parse(body)).isInstanceOf(IllegalArgumentException.class)
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain("ObjectId").doesNotContain("open"));
  }

  @Test
  void object_tooLarge_isRefusedBeforeReading() {
    assertThatThrownBy(() -> JsonReplies.object(new byte[JsonReplies.MAX_BYTES + 1]))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("bytes");
  }
}
