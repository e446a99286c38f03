package io.fle4j.kms.kmip;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fle4j.ConfigurationException;
import io.fle4j.kms.KmsProvider;
import io.fle4j.kms.KmsProviderConfig;
import io.fle4j.kms.KmsProviderFactory;
import io.fle4j.kms.KmsProviderName;
import java.util.Map;
import java.util.ServiceLoader;
import org.bson.BsonString;
import org.junit.jupiter.api.Test;

class KmipKmsProviderFactoryTest {
  private final KmipKmsProviderFactory factory = new KmipKmsProviderFactory();

  private static KmsProviderConfig config(String name, Map<String, Object> properties) {
    return new KmsProviderConfig(KmsProviderName.parse(name), properties, null);
  }

  @Test
  void serviceLoader_findsTheFactoryForTypeKmip() {
    assertThat(ServiceLoader.load(KmsProviderFactory.class).stream()
        .map(ServiceLoader.Provider::get).map(KmsProviderFactory::type))
        .contains("kmip");
  }

  @Test
  void create_endpointAsStringOrBsonString_buildsANamedProvider() {
    try (KmsProvider plain = factory.create(config("kmip", Map.of("endpoint", "127.0.0.1:5698")));
        KmsProvider named = factory.create(config("kmip:backup",
            Map.of("endpoint", new BsonString("kmip.example.com"))))) {
      assertThat(plain.name()).hasToString("kmip");
      assertThat(plain.toString()).contains("endpoint=127.0.0.1:5698").contains("tls=default");
      assertThat(named.name()).hasToString("kmip:backup");
      assertThat(named.toString()).contains("endpoint=kmip.example.com:5696");
    }
  }

  @Test
  void create_malformedEntries_nameTheField() {
    assertThatThrownBy(() -> factory.create(config("kmip", Map.of())))
        .isInstanceOf(ConfigurationException.class)
        .hasMessage("kmsProviders.kmip.endpoint: is required: the KMIP server's host[:port]");
    assertThatThrownBy(() -> factory.create(config("kmip:a", Map.of("endpoint", 5696))))
        .hasMessage("kmsProviders.kmip:a.endpoint: must be a string, got Integer");
    assertThatThrownBy(() -> factory.create(config("kmip", Map.of("endpoint", "h:99999"))))
        .hasMessageStartingWith("kmsProviders.kmip.endpoint: 'h:99999' is not a valid KMIP"
            + " endpoint");
    assertThatThrownBy(() -> factory.create(config("kmip",
        Map.of("endpoint", "h", "delegated", true))))
        .hasMessage("kmsProviders.kmip.delegated: unexpected field; the kmip KMS provider takes"
            + " only 'endpoint'");
  }

  @Test
  void builder_badNamesAndLimits_areRefused() {
    assertThatThrownBy(() -> KmipKmsProvider.builder().name("local"))
        .hasMessageContaining("'kmip' or 'kmip:<name>'");
    assertThatThrownBy(() -> KmipKmsProvider.builder().name("kmip:bad-name"))
        .isInstanceOf(ConfigurationException.class);
    assertThatThrownBy(() -> KmipKmsProvider.builder().maxConnectAttempts(0))
        .hasMessage("maxConnectAttempts: must be from 1 to 10, got 0");
    assertThatThrownBy(() -> KmipKmsProvider.builder().readTimeout(java.time.Duration.ZERO))
        .hasMessageContaining("readTimeout: must be a positive duration");
    assertThatThrownBy(() -> KmipKmsProvider.builder().maxIdleConnections(65))
        .hasMessageContaining("maxIdleConnections");
  }
}
