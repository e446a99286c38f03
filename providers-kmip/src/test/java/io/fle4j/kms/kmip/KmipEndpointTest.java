package io.fle4j.kms.kmip;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fle4j.ConfigurationException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class KmipEndpointTest {

  @ParameterizedTest(name = "{0}")
  @CsvSource({
      "127.0.0.1:5698, 127.0.0.1, 5698, 127.0.0.1:5698",
      "kmip.example.com, kmip.example.com, 5696, kmip.example.com",
      "localhost:1, localhost, 1, localhost:1",
      "https://kmip.example.com:9000/path?x=1, kmip.example.com, 9000, kmip.example.com:9000",
      "[::1]:5697, ::1, 5697, [::1]:5697",
      "[fe80::1], fe80::1, 5696, [fe80::1]",
      "kmip_host, kmip_host, 5696, kmip_host"})
  void parse_validEndpoint_keepsHostAndPortAsWritten(
      String text, String host, int port, String hostAndPort) {
    KmipEndpoint endpoint = KmipEndpoint.parse(text, "endpoint");
    assertThat(endpoint.host()).isEqualTo(host);
    assertThat(endpoint.port()).isEqualTo(port);
    assertThat(endpoint.hostAndPort()).isEqualTo(hostAndPort);
  }

  @ParameterizedTest(name = "\"{0}\"")
  @ValueSource(strings = {"", ":5696", "host:", "host:0", "host:65536", "host:12a", "::1",
      "[::1", "[::1]x", "host name", "-host", "host:123456", "[nothex]:5"})
  void parse_invalidEndpoint_failsNamingTheField(String text) {
    assertThatThrownBy(() -> KmipEndpoint.parse(text, "masterKey.endpoint"))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageStartingWith("masterKey.endpoint: ");
  }

  @Test
  void parse_null_failsNamingTheField() {
    assertThatThrownBy(() -> KmipEndpoint.parse(null, "endpoint"))
        .isInstanceOf(ConfigurationException.class).hasMessageContaining("got null");
  }

  @Test
  void toString_alwaysShowsThePort() {
    assertThat(KmipEndpoint.parse("kmip.example.com", "e")).hasToString("kmip.example.com:5696");
    assertThat(KmipEndpoint.parse("[::1]", "e")).hasToString("[::1]:5696");
  }

  @Test
  void equals_sameHostIgnoringCaseAndSamePort_areEqual() {
    assertThat(KmipEndpoint.parse("KMIP.example.com:5696", "e"))
        .isEqualTo(KmipEndpoint.parse("kmip.example.com", "e"))
        .hasSameHashCodeAs(KmipEndpoint.parse("kmip.example.com", "e"))
        .isNotEqualTo(KmipEndpoint.parse("kmip.example.com:5697", "e"));
  }
}
