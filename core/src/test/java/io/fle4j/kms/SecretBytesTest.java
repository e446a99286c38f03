package io.fle4j.kms;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class SecretBytesTest {

  @Test
  void toString_neverShowsTheBytes() {
    SecretBytes secret = SecretBytes.fromBase64("c2VjcmV0LXZhbHVl");
    assertThat(secret.toString()).doesNotContain("c2VjcmV0").doesNotContain("secret").contains("redacted");
  }

  @Test
  void fromBase64_invalidText_doesNotEchoIt() {
    assertThatThrownBy(() -> SecretBytes.fromBase64("not*base64*TOPSECRET"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageNotContaining("TOPSECRET");
  }

  @Test
  void destroy_wipesAndBlocksReads() {
    byte[] raw = {1, 2, 3};
    SecretBytes secret = SecretBytes.copyOf(raw);
    raw[0] = 9;
    assertThat(secret.copy()).containsExactly(1, 2, 3);
    secret.destroy();
    assertThatThrownBy(secret::copy).isInstanceOf(IllegalStateException.class);
  }
}
