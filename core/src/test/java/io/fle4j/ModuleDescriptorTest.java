package io.fle4j;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.lang.module.ModuleDescriptor;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * core's module descriptor, as compiled: the API and the SPI are exported, nothing internal is,
 * and the provider factories are a service it uses.
 */
class ModuleDescriptorTest {
  @Test
  void exportsTheApiAndTheSpiOnly() throws Exception {
    Path compiled = Path.of("target", "classes", "module-info.class");
    assertThat(compiled).exists();
    ModuleDescriptor descriptor;
    try (InputStream in = Files.newInputStream(compiled)) {
      descriptor = ModuleDescriptor.read(in);
    }
    assertThat(descriptor.name()).isEqualTo("io.fle4j.core");
    assertThat(descriptor.exports()).extracting(ModuleDescriptor.Exports::source)
        .containsExactlyInAnyOrder("io.fle4j", "io.fle4j.kms");
    assertThat(descriptor.exports()).allMatch(e -> !e.isQualified());
    assertThat(descriptor.opens()).isEmpty();
    assertThat(descriptor.uses()).containsExactly("io.fle4j.kms.KmsProviderFactory");
    // The internal packages are in the module, just not exported.
    assertThat(Path.of("target", "classes", "io", "fle4j", "internal", "crypto")).isDirectory();
  }
}
