package io.fle4j.internal.kms;

import io.fle4j.ConfigurationException;
import io.fle4j.kms.KmsProvider;
import io.fle4j.kms.KmsProviderConfig;
import io.fle4j.kms.KmsProviderFactory;
import io.fle4j.kms.KmsProviderName;
import java.util.Map;
import java.util.Objects;
import java.util.function.Supplier;
import javax.net.ssl.SSLContext;
import org.bson.BsonDocument;

/**
 * A provider whose properties come from a {@code kmsProviderPropertySuppliers} entry. The
 * supplier is asked on every use, so credentials it returns can change while the application
 * runs; the underlying provider is rebuilt only when what it returns changes.
 */
final class SuppliedKmsProvider implements KmsProvider {
  private final KmsProviderName name;
  private final KmsProviderFactory factory;
  private final Supplier<Map<String, Object>> supplier;
  private final SSLContext sslContext;
  private Map<String, Object> currentProperties;
  private KmsProvider current;

  SuppliedKmsProvider(
      KmsProviderName name,
      KmsProviderFactory factory,
      Supplier<Map<String, Object>> supplier,
      SSLContext sslContext) {
    this.name = name;
    this.factory = factory;
    this.supplier = supplier;
    this.sslContext = sslContext;
  }

  @Override
  public KmsProviderName name() {
    return name;
  }

  @Override
  public BsonDocument masterKey(BsonDocument dataKeyOptsMasterKey) {
    return delegate().masterKey(dataKeyOptsMasterKey);
  }

  @Override
  public byte[] encryptDataKey(BsonDocument masterKey, byte[] dataKey) {
    return delegate().encryptDataKey(masterKey, dataKey);
  }

  @Override
  public byte[] decryptDataKey(BsonDocument masterKey, byte[] keyMaterial) {
    return delegate().decryptDataKey(masterKey, keyMaterial);
  }

  private synchronized KmsProvider delegate() {
    Map<String, Object> properties = supplier.get();
    if (properties == null) {
      throw new ConfigurationException(
          "kmsProviderPropertySuppliers." + name, "the supplier returned null");
    }
    if (current == null || !Objects.equals(properties, currentProperties)) {
      KmsProvider next = factory.create(new KmsProviderConfig(name, properties, sslContext));
      if (current != null) {
        current.close();
      }
      current = next;
      currentProperties = new java.util.HashMap<>(properties);
    }
    return current;
  }

  @Override
  public synchronized void close() {
    if (current != null) {
      current.close();
    }
  }

  @Override
  public String toString() {
    return "SuppliedKmsProvider{" + name + "}";
  }
}
