package io.fle4j.internal.kms;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fle4j.ConfigurationException;
import io.fle4j.internal.kms.FakeKmsProviderFactory.FakeKmsProvider;
import io.fle4j.kms.KmsProviderName;
import io.fle4j.kms.SecretBytes;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.bson.BsonDocument;
import org.junit.jupiter.api.Test;

class KmsProviderRegistryTest {
  private static final String SECRET = Base64.getEncoder().encodeToString(new byte[96]);
  private final ClassLoader loader = getClass().getClassLoader();

  private KmsProviderRegistry registry(Map<String, Map<String, Object>> map) {
    return KmsProviderRegistry.create(map, Map.of(), Map.of(), List.of(), loader);
  }

  @Test
  void create_mapEntries_areBuiltByTheirFactory_includingNamedOnes() {
    KmsProviderRegistry registry = registry(Map.of(
        "fake", Map.of("secret", SECRET), "fake:two", Map.of("secret", SECRET)));
    assertThat(registry.names()).extracting(Object::toString).containsExactly("fake", "fake:two");
    assertThat(registry.get("fake:two", "kmsProvider").name()).hasToString("fake:two");
  }

  @Test
  void create_typeWithoutModule_namesTheModuleToAdd() {
    assertThatThrownBy(() -> registry(Map.of("aws", Map.of())))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("kmsProviders.aws")
        .hasMessageContaining("fle4j-kms-aws");
  }

  @Test
  void create_invalidName_isRefused() {
    assertThatThrownBy(() -> registry(Map.of("fake:bad-name", Map.of("secret", SECRET))))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("[A-Za-z0-9_]");
  }

  @Test
  void create_nullEntry_isRefused() {
    Map<String, Map<String, Object>> map = new HashMap<>();
    map.put("fake", null);
    assertThatThrownBy(() -> registry(map)).hasMessageContaining("kmsProviders.fake");
  }

  @Test
  void create_typedProviderClashingWithMapEntry_isRefused() {
    FakeKmsProvider typed = new FakeKmsProvider(KmsProviderName.of("fake"), SecretBytes.copyOf(new byte[96]), 0);
    assertThatThrownBy(() -> KmsProviderRegistry.create(Map.of("fake", Map.of("secret", SECRET)),
        Map.of(), Map.of(), List.of(typed), loader))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("configured twice");
  }

  @Test
  void create_sslContextForUnknownProvider_isRefused() throws Exception {
    assertThatThrownBy(() -> KmsProviderRegistry.create(Map.of("fake", Map.of("secret", SECRET)),
        Map.of(), Map.of("fake:other", javax.net.ssl.SSLContext.getDefault()), List.of(), loader))
        .hasMessageContaining("kmsProviderSslContextMap.fake:other");
  }

  @Test
  void get_unknownProvider_listsTheConfiguredOnes() {
    KmsProviderRegistry registry = registry(Map.of("fake", Map.of("secret", SECRET)));
    assertThatThrownBy(() -> registry.get("fake:nope", "kmsProvider"))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("'fake:nope'")
        .hasMessageContaining("[fake]");
  }

  @Test
  void propertySupplier_isAskedOnEveryUse_andProviderRebuiltWhenItChanges() {
    AtomicInteger calls = new AtomicInteger();
    Map<String, Object> properties = new HashMap<>(Map.of("secret", SECRET));
    Supplier<Map<String, Object>> supplier = () -> {
      calls.incrementAndGet();
      return Map.copyOf(properties);
    };
    KmsProviderRegistry registry = KmsProviderRegistry.create(Map.of("fake", Map.of()),
        Map.of("fake", supplier), Map.of(), List.of(), loader);
    var provider = registry.get("fake", "kmsProvider");
    BsonDocument masterKey = provider.masterKey(new BsonDocument());
    byte[] wrapped = provider.encryptDataKey(masterKey, new byte[96]);
    assertThat(provider.decryptDataKey(masterKey, wrapped)).isEqualTo(new byte[96]);
    assertThat(calls.get()).isEqualTo(3);

    // Rotate the credential: the next call uses the new one and fails to unwrap the old wrap.
    byte[] other = new byte[96];
    other[0] = 1;
    properties.put("secret", Base64.getEncoder().encodeToString(other));
    assertThatThrownBy(() -> provider.decryptDataKey(masterKey, wrapped))
        .hasMessageContaining("cannot unwrap");
  }
}
