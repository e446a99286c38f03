package io.fle4j.kms;

/**
 * Turns a {@code kmsProviders} map entry into a {@link KmsProvider}. One factory per provider
 * type, found with {@link java.util.ServiceLoader}; two factories for the same type on the
 * classpath is a configuration error. Each provider module registers its factory in {@code
 * META-INF/services/io.fle4j.kms.KmsProviderFactory}.
 */
public interface KmsProviderFactory {

  /** The provider type this factory builds, such as {@code local} or {@code aws}. */
  String type();

  /**
   * Builds a provider from a map entry. Validates every property and throws {@link
   * io.fle4j.ConfigurationException} naming the field ({@link KmsProviderConfig#fieldPath}) and
   * the rule, never the value of a secret.
   */
  KmsProvider create(KmsProviderConfig config);
}
