package io.fle4j.internal.kms;

import io.fle4j.ConfigurationException;
import io.fle4j.kms.KmsProvider;
import io.fle4j.kms.KmsProviderConfig;
import io.fle4j.kms.KmsProviderException;
import io.fle4j.kms.KmsProviderFactory;
import io.fle4j.kms.KmsProviderName;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import java.util.function.Supplier;
import javax.net.ssl.SSLContext;
import org.bson.BsonDocument;

/**
 * A provider whose properties come from a {@code kmsProviderPropertySuppliers} entry. The
 * supplier is asked on every use, so credentials it returns can change while the application
 * runs; the underlying provider is rebuilt only when what it returns changes, by content (a
 * {@code byte[]} key equal to the last one is the same key).
 *
 * <p>A provider replaced by a newer one is closed only once the calls already inside it have
 * returned: with credentials rotating every few milliseconds under many threads, closing it at
 * once failed the calls still using it.
 */
final class SuppliedKmsProvider implements KmsProvider {
  private final KmsProviderName name;
  private final KmsProviderFactory factory;
  private final Supplier<Map<String, Object>> supplier;
  private final SSLContext sslContext;
  private Generation current;
  private boolean closed;

  /** One provider built from one set of properties, and the calls inside it. */
  private static final class Generation {
    final KmsProvider provider;
    final Map<String, Object> properties;
    int inFlight;
    boolean retired;

    Generation(KmsProvider provider, Map<String, Object> properties) {
      this.provider = provider;
      this.properties = properties;
    }
  }

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
    return call(provider -> provider.masterKey(dataKeyOptsMasterKey));
  }

  @Override
  public byte[] encryptDataKey(BsonDocument masterKey, byte[] dataKey) {
    return call(provider -> provider.encryptDataKey(masterKey, dataKey));
  }

  @Override
  public byte[] decryptDataKey(BsonDocument masterKey, byte[] keyMaterial) {
    return call(provider -> provider.decryptDataKey(masterKey, keyMaterial));
  }

  private <T> T call(Function<KmsProvider, T> operation) {
    Generation generation = acquire();
    try {
      return operation.apply(generation.provider);
    } finally {
      release(generation);
    }
  }

  private Generation acquire() {
    // Asked outside the lock: a slow supplier must not serialise every KMS call.
    Map<String, Object> properties = supplier.get();
    if (properties == null) {
      throw new ConfigurationException(
          "kmsProviderPropertySuppliers." + name, "the supplier returned null");
    }
    synchronized (this) {
      if (closed) {
        throw new KmsProviderException(name, false, "the KMS provider was closed");
      }
      if (current == null || !sameContent(properties, current.properties)) {
        Generation next = new Generation(
            factory.create(new KmsProviderConfig(name, properties, sslContext)),
            snapshot(properties));
        if (current != null) {
          retire(current);
        }
        current = next;
      }
      current.inFlight++;
      return current;
    }
  }

  private synchronized void release(Generation generation) {
    generation.inFlight--;
    if (generation.retired && generation.inFlight == 0) {
      generation.provider.close();
    }
  }

  /** Closes a generation now if nothing runs in it, else when its last call returns. */
  private void retire(Generation generation) {
    generation.retired = true;
    if (generation.inFlight == 0) {
      generation.provider.close();
    }
  }

  @Override
  public synchronized void close() {
    closed = true;
    if (current != null) {
      retire(current);
      current = null;
    }
  }

  /** A copy to compare later calls with, whatever the supplier does with its own arrays. */
  private static Map<String, Object> snapshot(Map<String, Object> properties) {
    Map<String, Object> copy = new HashMap<>();
    properties.forEach((key, value) -> copy.put(key, value instanceof byte[] bytes ? bytes.clone()
        : value instanceof char[] chars ? chars.clone() : value));
    return copy;
  }

  /** Equality of property maps by content: arrays element by element, nested maps and lists too. */
  static boolean sameContent(Object a, Object b) {
    if (a instanceof byte[] x && b instanceof byte[] y) {
      return Arrays.equals(x, y);
    }
    if (a instanceof char[] x && b instanceof char[] y) {
      return Arrays.equals(x, y);
    }
    if (a instanceof Map<?, ?> x && b instanceof Map<?, ?> y) {
      if (x.size() != y.size()) {
        return false;
      }
      for (Map.Entry<?, ?> entry : x.entrySet()) {
        if (!y.containsKey(entry.getKey()) || !sameContent(entry.getValue(), y.get(entry.getKey()))) {
          return false;
        }
      }
      return true;
    }
    if (a instanceof List<?> x && b instanceof List<?> y) {
      if (x.size() != y.size()) {
        return false;
      }
      for (int i = 0; i < x.size(); i++) {
        if (!sameContent(x.get(i), y.get(i))) {
          return false;
        }
      }
      return true;
    }
    return Objects.equals(a, b);
  }

  @Override
  public String toString() {
    return "SuppliedKmsProvider{" + name + "}";
  }
}
