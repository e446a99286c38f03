package io.fle4j.kms.gcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fle4j.ConfigurationException;
import io.fle4j.kms.KmsProvider;
import io.fle4j.kms.KmsProviderConfig;
import io.fle4j.kms.KmsProviderFactory;
import io.fle4j.kms.KmsProviderName;
import io.fle4j.testkit.kms.gcp.GcpKmsEmulator;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.stream.Collectors;
import java.util.stream.StreamSupport;
import org.bson.BsonBinary;
import org.bson.BsonDocument;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The kmsProviders map path: every entry shape, named providers, malformed entries. */
class GcpKmsProviderFactoryTest {
  private static GcpKmsEmulator kms;
  private static GcpKmsEmulator.CryptoKey key;
  private final GcpKmsProviderFactory factory = new GcpKmsProviderFactory();

  @BeforeAll
  static void start() {
    kms = GcpKmsEmulator.start();
    key = kms.createKey("global", "r", "k");
  }

  @AfterAll
  static void stop() {
    kms.close();
  }

  private static KmsProviderConfig config(String name, Map<String, Object> properties) {
    return new KmsProviderConfig(KmsProviderName.parse(name), properties, kms.clientSslContext());
  }

  private static void roundTrip(KmsProvider provider) {
    BsonDocument masterKey = provider.masterKey(key.masterKey());
    byte[] dataKey = new byte[96];
    dataKey[5] = 5;
    assertThat(provider.decryptDataKey(masterKey, provider.encryptDataKey(masterKey, dataKey)))
        .isEqualTo(dataKey);
  }

  @Test
  void serviceLoader_findsTheGcpFactory() {
    assertThat(StreamSupport.stream(ServiceLoader.load(KmsProviderFactory.class).spliterator(),
        false).map(KmsProviderFactory::type).collect(Collectors.toList())).contains("gcp");
  }

  @Test
  void create_serviceAccountEntry_base64DerPemOrBytes_asANamedProvider() {
    GcpKmsEmulator.ServiceAccount account = kms.serviceAccount();
    for (Object privateKey : new Object[] {account.privateKeyBase64(), account.privateKeyPem(),
        account.privateKeyPkcs8(), new BsonBinary(account.privateKeyPkcs8())}) {
      Map<String, Object> entry = account.asKmsProviderProperties();
      entry.put("privateKey", privateKey);
      KmsProvider provider = factory.create(config("gcp:prod", entry));
      assertThat(provider.masterKey(key.masterKey()).getString("provider").getValue())
          .isEqualTo("gcp:prod");
      roundTrip(provider);
      assertThat(provider.toString()).contains(account.email())
          .doesNotContain(account.privateKeyBase64().substring(64, 100));
    }
  }

  @Test
  void create_accessTokenAlone_andEmptyEntries() {
    roundTrip(factory.create(config("gcp", Map.of("accessToken",
        kms.issueAccessToken(kms.serviceAccount(), Duration.ofMinutes(5))))));
    assertThat(factory.create(config("gcp", Map.of())).toString())
        .contains("Application Default Credentials");
    assertThat(factory.create(config("gcp:adc", Map.of())).toString()).contains("gcp:adc");
  }

  @Test
  void create_malformedEntries_nameTheFieldAndNeverTheKey() {
    String der = kms.serviceAccount().privateKeyBase64();
    String damaged = der.substring(0, 200) + "AAAA" + der.substring(204, 400);
    assertThatThrownBy(() -> factory.create(config("gcp", Map.of("email", "a@b.c",
        "privateKey", damaged))))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("kmsProviders.gcp.privateKey").hasMessageContaining("PKCS#8")
        .hasMessageNotContaining(damaged.substring(0, 40));
    assertThatThrownBy(() -> factory.create(config("gcp", Map.of("privateKey", der))))
        .hasMessageContaining("kmsProviders.gcp.email").hasMessageNotContaining(der.substring(0, 40));
    assertThatThrownBy(() -> factory.create(config("gcp", Map.of("email", "a@b.c"))))
        .hasMessageContaining("kmsProviders.gcp.privateKey").hasMessageContaining("required");
    Map<String, Object> both = new LinkedHashMap<>(kms.serviceAccount().asKmsProviderProperties());
    both.put("accessToken", "ya29.something-long");
    assertThatThrownBy(() -> factory.create(config("gcp", both)))
        .hasMessageContaining("alone").hasMessageNotContaining("ya29.something-long");
    assertThatThrownBy(() -> factory.create(config("gcp:x", Map.of("email", "a@b.c",
        "privateKey", der, "endpoint", "nodot"))))
        .hasMessageContaining("kmsProviders.gcp:x.endpoint");
    assertThatThrownBy(() -> factory.create(config("gcp", Map.of("email", "a@b.c",
        "privateKey", 12))))
        .hasMessageContaining("Integer");
    assertThatThrownBy(() -> factory.create(config("gcp", Map.of("region", "x"))))
        .hasMessageContaining("kmsProviders.gcp.region").hasMessageContaining("unexpected");
  }

  @Test
  void privateKey_base64OfGarbage_isRefused() {
    String garbage = Base64.getEncoder().encodeToString(new byte[64]);
    assertThatThrownBy(() -> factory.create(config("gcp", Map.of("email", "a@b.c",
        "privateKey", garbage))))
        .isInstanceOf(ConfigurationException.class).hasMessageContaining("64 bytes");
  }
}
