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

  /**
   * Builds the provider for one entry with the factory of its type found on the class path: the
   * same lookup, and the same errors, as {@code ClientEncryptions} (for tools that need a provider
   * object of their own, such as one to administer master keys with).
   *
   * @throws io.fle4j.ConfigurationException when no module, or two, provide the type, or the
   *     entry is invalid
   */
  static KmsProvider createFor(KmsProviderConfig config) {
    return io.fle4j.internal.kms.KmsProviderRegistry.createOne(config);
  }
}
