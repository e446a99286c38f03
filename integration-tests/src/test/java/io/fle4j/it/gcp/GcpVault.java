package io.fle4j.it.gcp;

import io.fle4j.it.TestKeyVault;
import io.fle4j.testkit.kms.gcp.GcpKmsEmulator;
import java.security.SecureRandom;
import java.util.LinkedHashMap;
import java.util.Map;
import javax.net.ssl.SSLContext;

/**
 * A key vault shared by fle4j and the official driver, with the testkit's Cloud KMS emulator as
 * {@code gcp} (its default service account) and {@code gcp:other} (a second service account),
 * plus {@code local}. The emulator is the caller's.
 */
final class GcpVault extends TestKeyVault {
  final GcpKmsEmulator gcp;
  final GcpKmsEmulator.ServiceAccount otherAccount;
  final byte[] localMasterKey = new byte[96];

  GcpVault(GcpKmsEmulator gcp) {
    super("gcp");
    this.gcp = gcp;
    this.otherAccount = gcp.createServiceAccount("other-kms");
    new SecureRandom().nextBytes(localMasterKey);
  }

  /** {@code gcp}, {@code gcp:other} and {@code local}. */
  @Override
  public Map<String, Map<String, Object>> kmsProviders() {
    Map<String, Map<String, Object>> providers = new LinkedHashMap<>();
    providers.put("gcp", gcp.serviceAccount().asKmsProviderProperties());
    providers.put("gcp:other", otherAccount.asKmsProviderProperties());
    providers.put("local", Map.of("key", localMasterKey.clone()));
    return providers;
  }

  /** TLS for each gcp provider in the map: trust the emulator's CA. */
  @Override
  public Map<String, SSLContext> tls(Map<String, Map<String, Object>> providers) {
    return tlsFor("gcp", gcp.clientSslContext(), providers);
  }
}
