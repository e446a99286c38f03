package io.fle4j.spring;

import com.mongodb.AutoEncryptionSettings;
import com.mongodb.ClientEncryptionSettings;
import com.mongodb.ConnectionString;
import com.mongodb.MongoClientSettings;
import com.mongodb.client.MongoClient;
import com.mongodb.client.vault.ClientEncryption;
import io.fle4j.ClientEncryptions;
import io.fle4j.ConfigurationException;
import io.fle4j.EncryptionEventListener;
import io.fle4j.Fle4jMongoClients;
import io.fle4j.Fle4jSettings;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.bson.BsonDocument;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.mongodb.autoconfigure.MongoAutoConfiguration;
import org.springframework.boot.mongodb.autoconfigure.MongoClientFactorySupport;
import org.springframework.boot.mongodb.autoconfigure.MongoClientSettingsBuilderCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.core.io.Resource;
import org.springframework.core.io.ResourceLoader;
import org.springframework.boot.ssl.SslBundles;
import org.springframework.util.ClassUtils;
import javax.net.ssl.SSLContext;

/**
 * fle4j in a Spring Boot application: a {@link ClientEncryption} bean from {@code fle4j.*}, and,
 * with {@code fle4j.auto-encryption.enabled=true}, Boot's own {@link MongoClient} made an
 * automatically encrypting one (so Spring Data repositories and {@code MongoTemplate} encrypt and
 * decrypt without code). Runs before Boot's Mongo auto-configuration, which then backs off from
 * its own client; Boot's connection settings and customizers still apply.
 */
@AutoConfiguration(before = MongoAutoConfiguration.class)
@ConditionalOnClass({MongoClient.class, ClientEncryptions.class})
@EnableConfigurationProperties(Fle4jProperties.class)
public class Fle4jAutoConfiguration {
  private static final String METRICS = "io.fle4j.micrometer.Fle4jMetrics";
  private static final String METER_REGISTRY = "io.micrometer.core.instrument.MeterRegistry";

  /**
   * fle4j's extras: the event listener the application defines, or else, when Micrometer and
   * fle4j-micrometer are on the classpath and a MeterRegistry bean exists, Fle4jMetrics.
   */
  @Bean
  @ConditionalOnMissingBean
  public Fle4jSettings fle4jSettings(Fle4jProperties properties,
      ObjectProvider<EncryptionEventListener> listener, KmsCallLog kmsCalls,
      org.springframework.beans.factory.BeanFactory beans) {
    Fle4jSettings.Builder builder = Fle4jSettings.builder();
    EncryptionEventListener given = listener.getIfUnique();
    if (given == null && ClassUtils.isPresent(METRICS, getClass().getClassLoader())
        && ClassUtils.isPresent(METER_REGISTRY, getClass().getClassLoader())) {
      given = Metrics.listener(beans);
    }
    // The health indicator reads the KMS call log; the application's listener hears everything.
    builder.eventListener(given == null ? kmsCalls.listener()
        : EncryptionEventListener.allOf(List.of(given, kmsCalls.listener())));
    if (properties.getDecryptionThreads() != null) {
      builder.decryptionThreads(properties.getDecryptionThreads());
    }
    return builder.readOnly(properties.isReadOnly()).build();
  }

  /** The last KMS call of each provider, for the health indicator. */
  @Bean
  @ConditionalOnMissingBean
  KmsCallLog fle4jKmsCallLog() {
    return new KmsCallLog(java.time.Clock.systemUTC());
  }

  /** fle4j's health, under the name {@code fle4j}, when Boot's health support is present. */
  @org.springframework.context.annotation.Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(name = "org.springframework.boot.health.contributor.HealthIndicator")
  static class HealthConfiguration {
    @Bean
    @ConditionalOnMissingBean(name = "fle4jHealthIndicator")
    org.springframework.boot.health.contributor.HealthIndicator fle4jHealthIndicator(
        ClientEncryption clientEncryption, KmsCallLog kmsCalls, Fle4jProperties properties) {
      Fle4jProperties.Health health = properties.getHealth();
      return new Fle4jHealthIndicator(clientEncryption, kmsCalls,
          properties.getKeyVaultNamespace(), properties.getKmsProviders().keySet(),
          health.isProbeKms() ? health.getProbeInterval() : null, java.time.Clock.systemUTC());
    }
  }

  /** fle4j's ClientEncryption, on the key vault of {@code fle4j.key-vault-*}. */
  @Bean(destroyMethod = "close")
  @ConditionalOnMissingBean(ClientEncryption.class)
  public ClientEncryption clientEncryption(Fle4jProperties properties, Fle4jSettings extras,
      ObjectProvider<MongoClientSettingsBuilderCustomizer> customizers,
      ObjectProvider<MongoClientSettings> settings, ObjectProvider<SslBundles> sslBundles) {
    ClientEncryptionSettings.Builder builder = ClientEncryptionSettings.builder()
        .keyVaultMongoClientSettings(keyVaultSettings(properties, customizers, settings))
        .keyVaultNamespace(properties.getKeyVaultNamespace())
        .kmsProviders(kmsProviders(properties))
        .kmsProviderSslContextMap(kmsTls(properties, sslBundles));
    if (properties.getKeyExpiration() != null) {
      builder.keyExpiration(properties.getKeyExpiration().toMillis(), TimeUnit.MILLISECONDS);
    }
    return translated(() -> ClientEncryptions.create(builder.build(), extras));
  }

  /**
   * Boot's MongoClient, automatically encrypting: built from Boot's settings and customizers
   * (spring.mongodb.*) plus {@code fle4j.auto-encryption.*}.
   */
  @Bean
  @ConditionalOnMissingBean(MongoClient.class)
  @ConditionalOnProperty(prefix = "fle4j.auto-encryption", name = "enabled", havingValue = "true")
  public MongoClient mongo(Fle4jProperties properties, Fle4jSettings extras,
      ObjectProvider<MongoClientSettingsBuilderCustomizer> customizers,
      ObjectProvider<MongoClientSettings> settings, ResourceLoader resources,
      ObjectProvider<SslBundles> sslBundles) {
    Map<String, BsonDocument> schemaMap = schemaMap(properties, resources);
    Fle4jProperties.AutoEncryption auto = properties.getAutoEncryption();
    AutoEncryptionSettings.Builder autoSettings = AutoEncryptionSettings.builder()
        .keyVaultNamespace(properties.getKeyVaultNamespace())
        .kmsProviders(kmsProviders(properties))
        .kmsProviderSslContextMap(kmsTls(properties, sslBundles))
        .schemaMap(schemaMap)
        .bypassAutoEncryption(auto.isBypassAutoEncryption())
        .bypassQueryAnalysis(auto.isBypassQueryAnalysis());
    if (properties.getKeyVaultUri() != null) {
      // Otherwise the key vault is the application's own database, through this very client.
      autoSettings.keyVaultMongoClientSettings(keyVaultSettings(properties, customizers, settings));
    }
    if (properties.getKeyExpiration() != null) {
      autoSettings.keyExpiration(properties.getKeyExpiration().toMillis(), TimeUnit.MILLISECONDS);
    }
    AutoEncryptionSettings built = autoSettings.build();
    return translated(() -> new EncryptingClientFactory(customizers.orderedStream().toList(),
        built, extras).createMongoClient(settings.getIfAvailable(
            () -> MongoClientSettings.builder().build())));
  }

  /** Boot's client factory (customizers, driver information), creating fle4j's client. */
  static final class EncryptingClientFactory extends MongoClientFactorySupport<MongoClient> {
    EncryptingClientFactory(List<MongoClientSettingsBuilderCustomizer> customizers,
        AutoEncryptionSettings auto, Fle4jSettings extras) {
      super(customizers, (settings, driverInformation) -> Fle4jMongoClients.create(
          MongoClientSettings.builder(settings).autoEncryptionSettings(auto).build(), extras));
    }
  }

  private static MongoClientSettings keyVaultSettings(Fle4jProperties properties,
      ObjectProvider<MongoClientSettingsBuilderCustomizer> customizers,
      ObjectProvider<MongoClientSettings> settings) {
    if (properties.getKeyVaultUri() != null) {
      return MongoClientSettings.builder()
          .applyConnectionString(new ConnectionString(properties.getKeyVaultUri())).build();
    }
    MongoClientSettings.Builder builder = MongoClientSettings.builder(
        settings.getIfAvailable(() -> MongoClientSettings.builder().build()));
    customizers.orderedStream().forEach(customizer -> customizer.customize(builder));
    return builder.build();
  }

  /** The {@code kmsProviders} map, field names turned from kebab-case to the driver's camelCase. */
  static Map<String, Map<String, Object>> kmsProviders(Fle4jProperties properties) {
    Map<String, Map<String, Object>> providers = new LinkedHashMap<>();
    properties.getKmsProviders().forEach((name, fields) -> {
      Map<String, Object> entry = new LinkedHashMap<>();
      fields.forEach((field, value) -> entry.put(camelCase(field), value));
      providers.put(name, entry);
    });
    return providers;
  }

  /** {@code fle4j.kms-tls.<provider>=<ssl bundle>}, each bundle's SSLContext by provider. */
  private static Map<String, SSLContext> kmsTls(Fle4jProperties properties,
      ObjectProvider<SslBundles> sslBundles) {
    Map<String, SSLContext> contexts = new LinkedHashMap<>();
    properties.getKmsTls().forEach((provider, bundle) -> {
      String property = "fle4j.kms-tls." + (provider.contains(":") ? "[" + provider + "]"
          : provider);
      SslBundles bundles = sslBundles.getIfAvailable();
      if (bundles == null) {
        throw new IllegalStateException("Invalid fle4j configuration: " + property + ": names SSL"
            + " bundle '" + bundle + "', but the application has no SSL bundles (spring.ssl.*)");
      }
      try {
        contexts.put(provider, bundles.getBundle(bundle).createSslContext());
      } catch (RuntimeException e) {
        throw new IllegalStateException("Invalid fle4j configuration: " + property + ": SSL"
            + " bundle '" + bundle + "': " + e.getMessage(), e);
      }
    });
    return contexts;
  }

  static String camelCase(String kebab) {
    StringBuilder out = new StringBuilder(kebab.length());
    boolean upper = false;
    for (char c : kebab.toCharArray()) {
      if (c == '-') {
        upper = true;
      } else {
        out.append(upper ? Character.toUpperCase(c) : c);
        upper = false;
      }
    }
    return out.toString();
  }

  private static Map<String, BsonDocument> schemaMap(Fle4jProperties properties,
      ResourceLoader resources) {
    Map<String, BsonDocument> schemas = new LinkedHashMap<>();
    properties.getAutoEncryption().getSchemaMap().forEach((namespace, value) -> {
      String property = "fle4j.auto-encryption.schema-map[" + namespace + "]";
      String json = value.strip();
      if (!json.startsWith("{")) {
        Resource resource = resources.getResource(json);
        try (InputStream in = resource.getInputStream()) {
          json = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
          throw new IllegalStateException("Invalid fle4j configuration: " + property
              + ": cannot read the schema resource '" + value + "': " + e.getMessage(), e);
        }
      }
      try {
        schemas.put(namespace, BsonDocument.parse(json));
      } catch (RuntimeException e) {
        throw new IllegalStateException("Invalid fle4j configuration: " + property
            + ": not a JSON schema document (" + e.getMessage() + ")", e);
      }
    });
    return schemas;
  }

  /** fle4j's configuration errors, re-worded with the property that holds the bad value. */
  private static <T> T translated(java.util.function.Supplier<T> create) {
    try {
      return create.get();
    } catch (ConfigurationException e) {
      String prefix = e.field() + ": ";
      String rule = e.getMessage().startsWith(prefix)
          ? e.getMessage().substring(prefix.length()) : e.getMessage();
      throw new IllegalStateException("Invalid fle4j configuration: " + property(e.field())
          + ": " + rule, e);
    }
  }

  /** {@code kmsProviders.aws:prod.accessKeyId} → {@code fle4j.kms-providers.[aws:prod].access-key-id}. */
  static String property(String field) {
    if (field == null) {
      return "fle4j";
    }
    String[] parts = field.split("\\.", 3);
    if (parts[0].equals("kmsProviders") && parts.length >= 2) {
      String name = parts[1].contains(":") ? "[" + parts[1] + "]" : parts[1];
      return "fle4j.kms-providers." + name + (parts.length == 3 ? "." + kebab(parts[2]) : "");
    }
    return "fle4j (" + field + ")";
  }

  private static String kebab(String camel) {
    return camel.replaceAll("([a-z0-9])([A-Z])", "$1-$2").toLowerCase(Locale.ROOT);
  }

  /** Kept apart so that Micrometer classes load only when they are present. */
  private static final class Metrics {
    static EncryptionEventListener listener(org.springframework.beans.factory.BeanFactory beans) {
      io.micrometer.core.instrument.MeterRegistry registry = beans
          .getBeanProvider(io.micrometer.core.instrument.MeterRegistry.class).getIfUnique();
      if (registry == null) {
        return null;
      }
      io.micrometer.observation.ObservationRegistry observations = beans
          .getBeanProvider(io.micrometer.observation.ObservationRegistry.class)
          .getIfUnique(() -> io.micrometer.observation.ObservationRegistry.NOOP);
      return io.fle4j.micrometer.Fle4jMetrics.of(registry, observations);
    }
  }
}
