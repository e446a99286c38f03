/**
 * fle4j's core: the official driver's {@code ClientEncryption} and automatically encrypting
 * {@code MongoClient} in pure Java ({@code io.fle4j}), and the KMS provider SPI ({@code
 * io.fle4j.kms}). Nothing else is exported: {@code io.fle4j.internal} and its subpackages may
 * change in any release. Provider modules are found with {@link java.util.ServiceLoader}.
 */
module io.fle4j.core {
  requires transitive org.mongodb.driver.sync.client;
  requires transitive org.mongodb.driver.core;
  requires transitive org.mongodb.bson;
  requires com.github.benmanes.caffeine;

  exports io.fle4j;
  exports io.fle4j.kms;

  uses io.fle4j.kms.KmsProviderFactory;
}
