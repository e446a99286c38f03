package io.fle4j.kms.azure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fle4j.ConfigurationException;
import io.fle4j.kms.KmsProvider;
import io.fle4j.kms.KmsProviderConfig;
import io.fle4j.kms.KmsProviderFactory;
import io.fle4j.kms.KmsProviderName;
import io.fle4j.testkit.kms.azure.AzureKeyVaultEmulator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.stream.Collectors;
import java.util.stream.StreamSupport;
import org.bson.BsonDocument;
import org.bson.BsonString;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The kmsProviders map path: every entry shape, named providers, and malformed entries. */
class AzureKmsProviderFactoryTest {
  private static final String SECRET = "Top~Secret.Value_123";
  private static AzureKeyVaultEmulator vault;
  private static AzureKeyVaultEmulator.App app;
  private final AzureKmsProviderFactory factory = new AzureKmsProviderFactory();

  @BeforeAll
  static void start() {
    vault = AzureKeyVaultEmulator.start();
    vault.createKey("k");
    app = vault.registerApplication();
  }

  @AfterAll
  static void stop() {
    vault.close();
  }

  private static KmsProviderConfig config(String name, Map<String, Object> properties) {
    return new KmsProviderConfig(KmsProviderName.parse(name), properties, vault.clientSslContext());
  }

  @Test
  void serviceLoader_findsTheAzureFactory() {
    assertThat(StreamSupport.stream(ServiceLoader.load(KmsProviderFactory.class).spliterator(),
        false).map(KmsProviderFactory::type).collect(Collectors.toList())).contains("azure");
  }

  @Test
  void create_clientSecretEntry_wrapsThroughTheEmulator_asANamedProvider() {
    KmsProvider provider = factory.create(config("azure:prod", app.asKmsProviderProperties()));
    BsonDocument masterKey = provider.masterKey(new BsonDocument("keyVaultEndpoint",
        new BsonString(vault.endpoint())).append("keyName", new BsonString("k")));
    assertThat(masterKey.getString("provider").getValue()).isEqualTo("azure:prod");
    byte[] dataKey = new byte[96];
    assertThat(provider.decryptDataKey(masterKey, provider.encryptDataKey(masterKey, dataKey)))
        .isEqualTo(dataKey);
    assertThat(provider.toString()).contains("azure:prod").doesNotContain(app.clientSecret());
  }

  @Test
  void create_accessTokenAlone_usesIt() {
    KmsProvider provider = factory.create(config("azure",
        Map.of("accessToken", vault.issueAccessToken(app))));
    BsonDocument masterKey = provider.masterKey(new BsonDocument("keyVaultEndpoint",
        new BsonString(vault.endpoint())).append("keyName", new BsonString("k")));
    assertThat(provider.encryptDataKey(masterKey, new byte[96])).hasSize(256);
    assertThat(provider.toString()).contains("access token (redacted)");
  }

  @Test
  void create_emptyEntry_namedOrNot_isDefaultAzureCredential() {
    assertThat(factory.create(config("azure", Map.of())).toString())
        .contains("DefaultAzureCredential");
    assertThat(factory.create(config("azure:managed", Map.of())).toString())
        .contains("azure:managed").contains("DefaultAzureCredential");
  }

  @Test
  void create_malformedEntries_nameTheFieldAndNeverTheSecret() {
    Map<String, Object> noSecret = new LinkedHashMap<>(app.asKmsProviderProperties());
    noSecret.remove("clientSecret");
    assertThatThrownBy(() -> factory.create(config("azure", noSecret)))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("kmsProviders.azure.clientSecret").hasMessageContaining("required");

    Map<String, Object> both = new LinkedHashMap<>(app.asKmsProviderProperties());
    both.put("accessToken", "abcdefghijkl");
    assertThatThrownBy(() -> factory.create(config("azure", both)))
        .hasMessageContaining("kmsProviders.azure.accessToken").hasMessageContaining("alone")
        .hasMessageNotContaining("abcdefghijkl").hasMessageNotContaining(app.clientSecret());

    assertThatThrownBy(() -> factory.create(config("azure", Map.of("tenantId", "t",
        "clientId", "c", "clientSecret", SECRET, "region", "x"))))
        .hasMessageContaining("kmsProviders.azure.region").hasMessageContaining("unexpected");

    assertThatThrownBy(() -> factory.create(config("azure:a", Map.of("tenantId", "t",
        "clientId", "c", "clientSecret", SECRET, "identityPlatformEndpoint", "nodot"))))
        .hasMessageContaining("kmsProviders.azure:a.identityPlatformEndpoint")
        .hasMessageNotContaining(SECRET);

    assertThatThrownBy(() -> factory.create(config("azure", Map.of("tenantId", 42,
        "clientId", "c", "clientSecret", SECRET))))
        .hasMessageContaining("kmsProviders.azure.tenantId").hasMessageContaining("Integer");

    assertThatThrownBy(() -> factory.create(config("azure", Map.of("tenantId", "t",
        "clientId", "c", "clientSecret", ""))))
        .hasMessageContaining("kmsProviders.azure.clientSecret").hasMessageContaining("empty");
  }

  @Test
  void create_bsonStringValues_areAccepted() {
    Map<String, Object> bson = new LinkedHashMap<>();
    app.asKmsProviderProperties().forEach((k, v) -> bson.put(k, new BsonString((String) v)));
    assertThat(factory.create(config("azure", bson)).toString()).contains(app.clientId());
  }
}
