package io.fle4j.kms.kmip;

import io.fle4j.kms.KmsProviderName;
import io.fle4j.testkit.kms.kmip.PyKmipServer;
import java.time.Duration;
import javax.net.ssl.SSLContext;

/** Connections and low-level clients for tests against a PyKmipServer. */
final class PyKmipFixture {
  static final KmipConnectionPool.Settings FAST = new KmipConnectionPool.Settings(
      Duration.ofSeconds(5), Duration.ofSeconds(10), 3, Duration.ofMillis(10), 4,
      Duration.ofSeconds(60));

  private PyKmipFixture() {}

  static KmipConnectionPool pool(SSLContext context) {
    return new KmipConnectionPool(context.getSocketFactory(), FAST);
  }

  /** A low-level client with the server's client certificate, for setting up objects. */
  static KmipClient adminClient(PyKmipServer server) {
    return new KmipClient(KmsProviderName.of("kmip"), pool(server.clientSslContext()));
  }

  static KmipEndpoint endpoint(PyKmipServer server) {
    return KmipEndpoint.parse(server.endpoint(), "endpoint");
  }

  /** A provider on the server with this TLS context, retrying fast. */
  static KmipKmsProvider provider(PyKmipServer server, SSLContext context) {
    return KmipKmsProvider.builder()
        .endpoint(server.endpoint())
        .sslContext(context)
        .retryBackoff(Duration.ofMillis(10))
        .build();
  }
}
