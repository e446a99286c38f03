package io.fle4j.it.azure;

import io.fle4j.it.TestKeyVault;
import io.fle4j.testkit.kms.azure.AzureKeyVaultEmulator;
import java.security.SecureRandom;
import java.util.LinkedHashMap;
import java.util.Map;
import javax.net.ssl.SSLContext;
import org.bson.BsonDocument;
import org.bson.BsonString;

/**
 * A key vault shared by fle4j and the official driver, with the testkit's Azure Key Vault
 * emulator as {@code azure} (one application) and {@code azure:other} (a second application of
 * the same tenant), plus {@code local}. The emulator is the caller's.
 */
final class AzureVault extends TestKeyVault {
  final AzureKeyVaultEmulator azure;
  final AzureKeyVaultEmulator.App app;
  final AzureKeyVaultEmulator.App otherApp;
  final byte[] localMasterKey = new byte[96];

  AzureVault(AzureKeyVaultEmulator azure) {
    super("azure");
    this.azure = azure;
    this.app = azure.registerApplication();
    this.otherApp = azure.registerApplication();
    new SecureRandom().nextBytes(localMasterKey);
  }

  /** {@code {keyVaultEndpoint: <emulator>, keyName}}, plus {@code keyVersion} when given. */
  BsonDocument masterKey(String keyName, String keyVersion) {
    BsonDocument masterKey = new BsonDocument("keyVaultEndpoint", new BsonString(azure.endpoint()))
        .append("keyName", new BsonString(keyName));
    if (keyVersion != null) {
      masterKey.append("keyVersion", new BsonString(keyVersion));
    }
    return masterKey;
  }

  /** {@code azure}, {@code azure:other} and {@code local}. */
  @Override
  public Map<String, Map<String, Object>> kmsProviders() {
    Map<String, Map<String, Object>> providers = new LinkedHashMap<>();
    providers.put("azure", app.asKmsProviderProperties());
    providers.put("azure:other", otherApp.asKmsProviderProperties());
    providers.put("local", Map.of("key", localMasterKey.clone()));
    return providers;
  }

  /** TLS for each azure provider in the map: trust the emulator's CA. */
  @Override
  public Map<String, SSLContext> tls(Map<String, Map<String, Object>> providers) {
    return tlsFor("azure", azure.clientSslContext(), providers);
  }
}
