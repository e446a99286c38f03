package io.fle4j.internal.qe;

import static org.assertj.core.api.Assertions.assertThat;

import com.mongodb.client.model.vault.EncryptOptions;
import org.junit.jupiter.api.Test;

class QeOptionsSelectsTest {
  @Test
  void queryableEncryptionNames_inAnyAsciiCase_areSelected() {
    for (String name : new String[] {"Indexed", "INDEXED", "Unindexed", "range", "RangePreview",
        "String", "TextPreview"}) {
      assertThat(QeOptions.selects(new EncryptOptions(name))).as(name).isTrue();
    }
  }

  @Test
  void otherNames_includingNonAsciiLookalikes_areNot() {
    for (String name : new String[] {"AEAD_AES_256_CBC_HMAC_SHA_512-Deterministic",
        "AEAD_AES_256_CBC_HMAC_SHA_512-Random", "indexe", "indexedx", "\u0130ndexed", ""}) {
      assertThat(QeOptions.selects(new EncryptOptions(name))).as(name).isFalse();
    }
  }
}
