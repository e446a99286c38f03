package io.fle4j.internal.auto.schema;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fle4j.Algorithm;
import io.fle4j.ConfigurationException;
import io.fle4j.Encrypted;
import org.bson.BsonType;
import org.bson.codecs.pojo.annotations.BsonProperty;
import org.junit.jupiter.api.Test;

class AnnotatedSchemasTest {
  record Plain(String a, int b) {}

  record Inner(@Encrypted(algorithm = Algorithm.DETERMINISTIC, keyAltName = "k") long pin) {}

  record Outer(@BsonProperty("tax_id") @Encrypted(algorithm = Algorithm.DETERMINISTIC,
      keyId = "2ce0802c-0000-0000-0000-000000000000") String taxId, Inner inner, Plain plain) {}

  static class Pojo {
    @Encrypted(algorithm = Algorithm.RANDOM, keyAltName = "k")
    double score;
    String name;
  }

  record BadType(@Encrypted(algorithm = Algorithm.DETERMINISTIC, keyAltName = "k") double d) {}

  record BadKey(@Encrypted(algorithm = Algorithm.RANDOM) String s) {}

  @Test
  void of_recordsAndPojos_deriveNamesTypesAndNesting() {
    SchemaNode outer = AnnotatedSchemas.of(Outer.class).orElseThrow();
    EncryptSpec taxId = outer.child("tax_id").encrypt();
    assertThat(taxId.keyId()).hasToString("2ce0802c-0000-0000-0000-000000000000");
    assertThat(taxId.bsonTypes()).containsExactly(BsonType.STRING);
    assertThat(outer.child("inner").child("pin").encrypt().keyAltName()).isEqualTo("k");
    assertThat(outer.child("inner").child("pin").encrypt().bsonTypes()).containsExactly(BsonType.INT64);
    assertThat(outer.child("plain").hasEncryptedFields()).isFalse();
    assertThat(AnnotatedSchemas.of(Pojo.class).orElseThrow().child("score").encrypt().algorithm())
        .isEqualTo(Algorithm.RANDOM);
    assertThat(AnnotatedSchemas.of(Plain.class)).isEmpty();
    assertThat(AnnotatedSchemas.of(org.bson.Document.class)).isEmpty();
  }

  @Test
  void of_invalidAnnotations_nameTheMemberAndRule() {
    assertThatThrownBy(() -> AnnotatedSchemas.of(BadType.class))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("BadType.d").hasMessageContaining("deterministic encryption is not possible for double");
    assertThatThrownBy(() -> AnnotatedSchemas.of(BadKey.class))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("BadKey.s").hasMessageContaining("exactly one of keyAltName and keyId");
  }
}
