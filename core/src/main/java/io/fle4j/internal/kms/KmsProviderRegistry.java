package io.fle4j.internal.kms;

import io.fle4j.ConfigurationException;
import io.fle4j.kms.KmsProvider;
import io.fle4j.kms.KmsProviderConfig;
import io.fle4j.kms.KmsProviderFactory;
import io.fle4j.kms.KmsProviderName;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.TreeMap;
import java.util.function.Supplier;
import javax.net.ssl.SSLContext;

/**
 * The KMS providers one {@code ClientEncryption} can use, by full name. Built from the driver's
 * {@code kmsProviders} map (translated by {@link KmsProviderFactory}s found with {@link
 * ServiceLoader}), its {@code kmsProviderPropertySuppliers}, and providers given as objects.
 */
public final class KmsProviderRegistry implements AutoCloseable {
  private final Map<KmsProviderName, KmsProvider> providers;

  private KmsProviderRegistry(Map<KmsProviderName, KmsProvider> providers) {
    this.providers = providers;
  }

  /**
   * Builds every provider now, so a malformed entry fails at start-up rather than at first use.
   *
   * @throws ConfigurationException naming the entry and the rule
   */
  public static KmsProviderRegistry create(
      Map<String, Map<String, Object>> kmsProviders,
      Map<String, Supplier<Map<String, Object>>> propertySuppliers,
      Map<String, SSLContext> sslContexts,
      Collection<KmsProvider> typedProviders,
      ClassLoader classLoader) {
    Map<KmsProviderName, KmsProvider> built = new TreeMap<>();
    Map<String, KmsProviderFactory> factories = null;
    try {
      for (KmsProvider provider : typedProviders) {
        putUnique(built, provider.name(), provider, "kmsProvider");
      }
      for (Map.Entry<String, Map<String, Object>> entry : kmsProviders.entrySet()) {
        KmsProviderName name = parseName(entry.getKey());
        if (entry.getValue() == null) {
          throw new ConfigurationException(
              "kmsProviders." + name, "the entry is null; use an empty map for on-demand credentials");
        }
        if (factories == null) {
          factories = factories(classLoader);
        }
        KmsProviderFactory factory = factoryFor(factories, name);
        Supplier<Map<String, Object>> supplier = propertySuppliers.get(entry.getKey());
        KmsProviderConfig config =
            new KmsProviderConfig(name, entry.getValue(), sslContexts.get(entry.getKey()));
        KmsProvider provider =
            supplier != null && entry.getValue().isEmpty()
                ? new SuppliedKmsProvider(name, factory, supplier, config.sslContext().orElse(null))
                : factory.create(config);
        putUnique(built, name, provider, "kmsProviders");
      }
      for (Map.Entry<String, Supplier<Map<String, Object>>> entry : propertySuppliers.entrySet()) {
        KmsProviderName name = parseName(entry.getKey());
        if (built.containsKey(name)) {
          continue; // paired with an empty kmsProviders entry above
        }
        if (factories == null) {
          factories = factories(classLoader);
        }
        built.put(name, new SuppliedKmsProvider(
            name, factoryFor(factories, name), entry.getValue(), sslContexts.get(entry.getKey())));
      }
      for (String sslName : sslContexts.keySet()) {
        if (!built.containsKey(parseName(sslName))) {
          throw new ConfigurationException(
              "kmsProviderSslContextMap." + sslName,
              "there is no KMS provider named '" + sslName + "'; configured: " + built.keySet());
        }
      }
    } catch (RuntimeException e) {
      built.values().forEach(KmsProvider::close);
      throw e;
    }
    return new KmsProviderRegistry(built);
  }

  /**
   * The provider with this full name.
   *
   * @param field the setting or document field that named it, for the error message
   * @throws ConfigurationException when no such provider is configured
   */
  public KmsProvider get(String providerName, String field) {
    KmsProviderName name;
    try {
      name = KmsProviderName.parse(providerName);
    } catch (IllegalArgumentException e) {
      throw new ConfigurationException(field, e.getMessage());
    }
    KmsProvider provider = providers.get(name);
    if (provider == null) {
      throw new ConfigurationException(
          field,
          "no KMS provider named '" + providerName + "' is configured; configured: "
              + providers.keySet());
    }
    return provider;
  }

  /**
   * The same providers, each reporting its KMS calls to {@code events}; this registry itself
   * when nobody listens. Closing either closes the providers.
   */
  public KmsProviderRegistry observed(io.fle4j.internal.events.Events events) {
    if (!events.enabled()) {
      return this;
    }
    Map<KmsProviderName, KmsProvider> wrapped = new TreeMap<>();
    providers.forEach((name, provider) -> wrapped.put(name,
        new ObservedKmsProvider(provider, events)));
    return new KmsProviderRegistry(wrapped);
  }

  /** Full names of the configured providers, sorted. */
  public List<KmsProviderName> names() {
    return new ArrayList<>(providers.keySet());
  }

  @Override
  public void close() {
    providers.values().forEach(KmsProvider::close);
  }

  private static KmsProviderName parseName(String text) {
    try {
      return KmsProviderName.parse(text);
    } catch (IllegalArgumentException | NullPointerException e) {
      throw new ConfigurationException("kmsProviders", e.getMessage());
    }
  }

  private static void putUnique(
      Map<KmsProviderName, KmsProvider> built, KmsProviderName name, KmsProvider p, String field) {
    if (built.putIfAbsent(name, p) != null) {
      throw new ConfigurationException(
          field + "." + name, "a KMS provider named '" + name + "' is configured twice");
    }
  }

  /** One provider, built by the factory of its type (see KmsProviderFactory#createFor). */
  public static KmsProvider createOne(KmsProviderConfig config) {
    return factoryFor(factories(defaultClassLoader()), config.name()).create(config);
  }

  /** Where provider factories are looked up: the thread's context class loader, else fle4j's. */
  public static ClassLoader defaultClassLoader() {
    ClassLoader context = Thread.currentThread().getContextClassLoader();
    return context != null ? context : KmsProviderRegistry.class.getClassLoader();
  }

  private static KmsProviderFactory factoryFor(
      Map<String, KmsProviderFactory> factories, KmsProviderName name) {
    KmsProviderFactory factory = factories.get(name.type());
    if (factory == null) {
      throw new ConfigurationException(
          "kmsProviders." + name,
          "no fle4j module for KMS provider type '" + name.type() + "' is on the classpath"
              + " (add io.fle4j:fle4j-kms-" + name.type() + "); found modules for "
              + new TreeMap<>(factories).keySet());
    }
    return factory;
  }

  private static Map<String, KmsProviderFactory> factories(ClassLoader classLoader) {
    Map<String, KmsProviderFactory> byType = new HashMap<>();
    for (KmsProviderFactory factory : ServiceLoader.load(KmsProviderFactory.class, classLoader)) {
      KmsProviderFactory previous = byType.putIfAbsent(factory.type(), factory);
      if (previous != null && previous.getClass() != factory.getClass()) {
        throw new ConfigurationException(
            "kmsProviders",
            "two KmsProviderFactory implementations claim type '" + factory.type() + "': "
                + previous.getClass().getName() + " and " + factory.getClass().getName());
      }
    }
    return byType;
  }
}
