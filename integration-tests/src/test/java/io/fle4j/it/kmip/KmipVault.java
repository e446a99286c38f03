package io.fle4j.it.kmip;

import com.mongodb.ClientEncryptionSettings;
import io.fle4j.it.TestKeyVault;
import io.fle4j.testkit.kms.kmip.PyKmipServer;
import java.util.LinkedHashMap;
import java.util.Map;
import javax.net.ssl.SSLContext;

/**
 * A key vault with ClientEncryptions of fle4j and of the official driver (libmongocrypt)
 * configured for one PyKMIP server through the map path: {@code kmsProviders {"kmip":
 * {"endpoint": ...}}} and {@code kmsProviderSslContextMap {"kmip": sslContext}}.
 */
final class KmipVault extends TestKeyVault {
  final PyKmipServer kmip;

  KmipVault(PyKmipServer kmip) {
    super("kmip");
    this.kmip = kmip;
  }

  /** {@code kmip} pointing at the server. */
  @Override
  public Map<String, Map<String, Object>> kmsProviders() {
    return kmsProviders(Map.of());
  }

  /** {@code kmsProviders} with {@code kmip} pointing at the server, plus any extra entries. */
  Map<String, Map<String, Object>> kmsProviders(Map<String, Map<String, Object>> extra) {
    Map<String, Map<String, Object>> providers = new LinkedHashMap<>(extra);
    providers.put("kmip", Map.of("endpoint", kmip.endpoint()));
    return providers;
  }

  @Override
  protected Map<String, SSLContext> tls(Map<String, Map<String, Object>> providers) {
    return tlsFor("kmip", kmip.clientSslContext(), providers);
  }

  /** Settings with exactly these TLS contexts. */
  ClientEncryptionSettings settings(Map<String, Map<String, Object>> kmsProviders,
      Map<String, SSLContext> sslContexts) {
    return settings(kmsProviders).kmsProviderSslContextMap(sslContexts).build();
  }
}
