package io.fle4j.spring;

import static org.assertj.core.api.Assertions.assertThat;

import com.mongodb.client.model.vault.EncryptOptions;
import com.mongodb.client.vault.ClientEncryption;
import io.fle4j.testkit.mongo.MongoTestTarget;
import io.fle4j.testkit.kms.kmip.PyKmipServer;
import java.nio.file.Path;
import java.util.Optional;
import java.util.UUID;
import org.bson.BsonBinary;
import org.bson.BsonString;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.ssl.SslAutoConfiguration;
import org.springframework.boot.mongodb.autoconfigure.MongoAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/**
 * A KMIP provider whose mutual TLS comes from a Spring Boot SSL bundle named in {@code
 * fle4j.kms-tls}: the client certificate and CA are PEM files, as operators usually hold them.
 * Needs pykmip-server (installed by .ci/run); skipped with its install hint otherwise.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class KmipTlsPropertiesTest {
  private static final String DET = "AEAD_AES_256_CBC_HMAC_SHA_512-Deterministic";
  private Optional<PyKmipServer> started;

  @BeforeAll
  void start() throws java.io.IOException {
    Path dir = java.nio.file.Files.createTempDirectory("fle4j-kmip-tls");
    started = PyKmipServer.startIfInstalled(dir);
  }

  @AfterAll
  void stop() {
    started.ifPresent(PyKmipServer::close);
  }

  @Test
  void kmipWithAnSslBundle_createsAndUsesAKey() {
    PyKmipServer kmip = PyKmipServer.orAbort(started);
    String db = "kmiptls_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    new ApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(SslAutoConfiguration.class,
            MongoAutoConfiguration.class, Fle4jAutoConfiguration.class))
        .withPropertyValues(
            "spring.mongodb.uri=" + MongoTestTarget.connectionString() + "/" + db,
            "spring.mongodb.representation.uuid=standard",
            "spring.ssl.bundle.pem.kmip.keystore.certificate=file:" + kmip.clientCertificatePem(),
            "spring.ssl.bundle.pem.kmip.keystore.private-key=file:" + kmip.clientKeyPem(),
            "spring.ssl.bundle.pem.kmip.truststore.certificate=file:" + kmip.caPem(),
            "fle4j.key-vault-namespace=" + db + ".keys",
            "fle4j.kms-providers.kmip.endpoint=" + kmip.endpoint(),
            "fle4j.kms-tls.kmip=kmip")
        .run(context -> {
          assertThat(context).hasNotFailed();
          ClientEncryption encryption = context.getBean(ClientEncryption.class);
          BsonBinary keyId = encryption.createDataKey("kmip");
          BsonBinary ciphertext = encryption.encrypt(new BsonString("over mutual TLS"),
              new EncryptOptions(DET).keyId(keyId));
          assertThat(encryption.decrypt(ciphertext)).isEqualTo(new BsonString("over mutual TLS"));
          // The health probe reaches the KMIP server over the same bundle and unwraps the key.
          org.springframework.boot.health.contributor.Health health = context.getBean(
              "fle4jHealthIndicator", org.springframework.boot.health.contributor.HealthIndicator.class)
              .health();
          assertThat(health.getStatus().getCode()).isEqualTo("UP");
          assertThat(health.getDetails().get("kmsProviders")).asInstanceOf(
                  org.assertj.core.api.InstanceOfAssertFactories.MAP)
              .extractingByKey("kmip").asInstanceOf(
                  org.assertj.core.api.InstanceOfAssertFactories.MAP)
              .containsEntry("probe", "reachable")
              .containsEntry("probeKeyId", keyId.asUuid().toString());
        });
  }

  @Test
  void anUnknownSslBundle_failsStartup_namingTheProperty() {
    new ApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(SslAutoConfiguration.class,
            MongoAutoConfiguration.class, Fle4jAutoConfiguration.class))
        .withPropertyValues("spring.mongodb.uri=" + MongoTestTarget.connectionString(),
            "fle4j.kms-providers.kmip.endpoint=localhost:5696", "fle4j.kms-tls.kmip=missing")
        .run(context -> {
          assertThat(context).hasFailed();
          String all = "";
          for (Throwable t = context.getStartupFailure(); t != null; t = t.getCause()) {
            all += " | " + t.getMessage();
          }
          assertThat(all).contains("fle4j.kms-tls.kmip").contains("missing");
        });
  }
}
