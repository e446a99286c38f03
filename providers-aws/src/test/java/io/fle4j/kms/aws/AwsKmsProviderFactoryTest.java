package io.fle4j.kms.aws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fle4j.ConfigurationException;
import io.fle4j.kms.KmsProvider;
import io.fle4j.kms.KmsProviderConfig;
import io.fle4j.kms.KmsProviderException;
import io.fle4j.kms.KmsProviderFactory;
import io.fle4j.kms.KmsProviderName;
import io.fle4j.testkit.kms.aws.AwsKmsEmulator;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.stream.Collectors;
import java.util.stream.StreamSupport;
import javax.net.ssl.SSLContext;
import org.bson.BsonDocument;
import org.bson.BsonString;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The map path: {@code kmsProviders.aws} entries turned into providers. */
class AwsKmsProviderFactoryTest {
  private static final String SECRET_LOOKALIKE = "TOPSECRET/" + "s".repeat(30);
  private static AwsKmsEmulator kms;
  private static String keyArn;
  private final AwsKmsProviderFactory factory = new AwsKmsProviderFactory();

  @BeforeAll
  static void startEmulator() {
    kms = AwsKmsEmulator.start();
    keyArn = kms.createKey("ap-southeast-2");
  }

  @AfterAll
  static void stopEmulator() {
    kms.close();
  }

  private static KmsProviderConfig config(String name, Map<String, Object> properties,
      SSLContext tls) {
    return new KmsProviderConfig(KmsProviderName.parse(name), properties, tls);
  }

  private static void assertRoundTrip(KmsProvider provider) {
    BsonDocument masterKey = provider.masterKey(new BsonDocument("key", new BsonString(keyArn))
        .append("endpoint", new BsonString(kms.endpoint())));
    byte[] dataKey = new byte[96];
    dataKey[5] = 9;
    assertThat(provider.decryptDataKey(masterKey, provider.encryptDataKey(masterKey, dataKey)))
        .isEqualTo(dataKey);
  }

  @Test
  void serviceLoader_findsTheAwsFactory() {
    List<String> types = StreamSupport.stream(ServiceLoader.load(KmsProviderFactory.class)
        .spliterator(), false).map(KmsProviderFactory::type).collect(Collectors.toList());
    assertThat(types).contains("aws");
  }

  @Test
  void create_accessKeyAndSecret_withSslContextFromTheMap_works() {
    try (KmsProvider aws = factory.create(config("aws",
        kms.credentials().asKmsProviderProperties(), kms.clientSslContext()))) {
      assertRoundTrip(aws);
      assertThat(aws.name().toString()).isEqualTo("aws");
      assertThat(aws.toString()).doesNotContain(kms.credentials().secretAccessKey())
          .doesNotContain(kms.credentials().accessKeyId());
    }
  }

  @Test
  void create_bsonStringsAndSessionToken_namedProvider_works() {
    AwsKmsEmulator.Credentials temporary = kms.issueTemporaryCredentials(Duration.ofMinutes(5));
    Map<String, Object> properties = new LinkedHashMap<>();
    properties.put("accessKeyId", new BsonString(temporary.accessKeyId()));
    properties.put("secretAccessKey", new BsonString(temporary.secretAccessKey()));
    properties.put("sessionToken", temporary.sessionToken().orElseThrow());
    try (KmsProvider aws = factory.create(config("aws:temp", properties, kms.clientSslContext()))) {
      assertRoundTrip(aws);
    }
  }

  @Test
  void create_withoutTheSslContext_cannotReachTheEmulator() {
    try (KmsProvider aws = factory.create(config("aws",
        kms.credentials().asKmsProviderProperties(), null))) {
      assertThatThrownBy(() -> assertRoundTrip(aws)).isInstanceOf(KmsProviderException.class);
    }
  }

  @Test
  void create_malformedEntries_nameTheFieldAndNeverTheSecret() {
    assertThatThrownBy(() -> factory.create(config("aws",
        Map.of("secretAccessKey", SECRET_LOOKALIKE), null)))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("kmsProviders.aws.accessKeyId").hasMessageContaining("required")
        .hasMessageNotContaining(SECRET_LOOKALIKE);
    assertThatThrownBy(() -> factory.create(config("aws:x",
        Map.of("accessKeyId", "AKIAEXAMPLEEXAMPLE12"), null)))
        .hasMessageContaining("kmsProviders.aws:x.secretAccessKey");
    assertThatThrownBy(() -> factory.create(config("aws", Map.of("accessKeyId", "AKIAEXAMPLE",
        "secretAccessKey", SECRET_LOOKALIKE, "region", "us-east-1"), null)))
        .hasMessageContaining("kmsProviders.aws.region").hasMessageContaining("unexpected")
        .hasMessageNotContaining(SECRET_LOOKALIKE);
    assertThatThrownBy(() -> factory.create(config("aws", Map.of("accessKeyId", "AKIAEXAMPLE",
        "secretAccessKey", 42), null)))
        .hasMessageContaining("kmsProviders.aws.secretAccessKey").hasMessageContaining("Integer");
    assertThatThrownBy(() -> factory.create(config("aws", Map.of("accessKeyId", "",
        "secretAccessKey", SECRET_LOOKALIKE), null)))
        .hasMessageContaining("kmsProviders.aws.accessKeyId").hasMessageContaining("empty");
  }
}
