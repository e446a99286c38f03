package io.fle4j.kms;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class KmsProviderNameTest {

  @Test
  void parse_bareType_hasNoName() {
    KmsProviderName name = KmsProviderName.parse("aws");
    assertThat(name.type()).isEqualTo("aws");
    assertThat(name.isNamed()).isFalse();
    assertThat(name).hasToString("aws");
  }

  @Test
  void parse_namedProvider_splitsTypeAndName() {
    KmsProviderName name = KmsProviderName.parse("local:backup_2");
    assertThat(name.type()).isEqualTo("local");
    assertThat(name.name()).contains("backup_2");
    assertThat(name).hasToString("local:backup_2").isEqualTo(KmsProviderName.parse("local:backup_2"));
  }

  @Test
  void parse_invalidNames_areRefusedWithTheRule() {
    assertThatThrownBy(() -> KmsProviderName.parse("local:")).hasMessageContaining("[A-Za-z0-9_]");
    assertThatThrownBy(() -> KmsProviderName.parse("local:a-b")).hasMessageContaining("[A-Za-z0-9_]");
    assertThatThrownBy(() -> KmsProviderName.parse("local:a:b")).hasMessageContaining("[A-Za-z0-9_]");
    assertThatThrownBy(() -> KmsProviderName.parse("")).hasMessageContaining("type");
    assertThatThrownBy(() -> KmsProviderName.parse("AWS")).hasMessageContaining("type");
  }
}
