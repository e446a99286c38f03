package io.fle4j.it.aws;

import com.mongodb.ClientEncryptionSettings;
import com.mongodb.client.vault.ClientEncryption;
import io.fle4j.it.TestKeyVault;
import io.fle4j.testkit.kms.aws.AwsKmsEmulator;
import java.security.SecureRandom;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;
import javax.net.ssl.SSLContext;
import org.bson.BsonDocument;
import org.bson.BsonString;

/**
 * A key vault shared by fle4j and the official driver, with the testkit's AWS KMS emulator as
 * {@code aws} (and {@code aws:other}, a second account), plus a {@code local} provider for rewrap
 * tests. The emulator is the caller's.
 */
final class AwsVault extends TestKeyVault {
  static final String OTHER_ACCOUNT = "444455556666";

  final AwsKmsEmulator kms;
  final AwsKmsEmulator.Credentials otherAccount;
  final byte[] localMasterKey = new byte[96];

  AwsVault(AwsKmsEmulator kms) {
    super("aws");
    this.kms = kms;
    this.otherAccount = kms.createAccessKey(OTHER_ACCOUNT);
    new SecureRandom().nextBytes(localMasterKey);
  }

  /** {@code {key: arn, endpoint: <emulator>}}, plus {@code region} when given. */
  BsonDocument masterKey(String keyArn, String region) {
    BsonDocument masterKey = new BsonDocument();
    if (region != null) {
      masterKey.append("region", new BsonString(region));
    }
    return masterKey.append("key", new BsonString(keyArn))
        .append("endpoint", new BsonString(kms.endpoint()));
  }

  /** {@code aws}, {@code aws:other} and {@code local}, as kmsProviders maps. */
  @Override
  public Map<String, Map<String, Object>> kmsProviders() {
    Map<String, Map<String, Object>> providers = new LinkedHashMap<>();
    providers.put("aws", kms.credentials().asKmsProviderProperties());
    providers.put("aws:other", otherAccount.asKmsProviderProperties());
    providers.put("local", Map.of("key", localMasterKey.clone()));
    return providers;
  }

  /** TLS for each aws provider in the map: trust the emulator's CA. */
  @Override
  public Map<String, SSLContext> tls(Map<String, Map<String, Object>> providers) {
    return tlsFor("aws", kms.clientSslContext(), providers);
  }

  ClientEncryption fle4j(Map<String, Map<String, Object>> providers,
      Consumer<ClientEncryptionSettings.Builder> extra) {
    ClientEncryptionSettings.Builder builder = settings(providers);
    extra.accept(builder);
    return fle4j(builder.build());
  }
}
