package io.fle4j.kms.kmip;

import io.fle4j.ConfigurationException;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Where a KMIP server listens. Parsed as libmongocrypt parses endpoints ({@code
 * [scheme://]host[:port][/path][?query]}, formats.md §2.2): scheme, path and query are dropped,
 * {@code host[:port]} is what a key document stores, and the port defaults to 5696, KMIP's
 * registered port. IPv6 literals go in brackets.
 */
final class KmipEndpoint {
  static final int DEFAULT_PORT = 5696;
  private static final Pattern HOST = Pattern.compile("[A-Za-z0-9_]([A-Za-z0-9_.-]*[A-Za-z0-9_])?");
  private static final Pattern IPV6 = Pattern.compile("[0-9A-Fa-f:.%A-Za-z]+");

  private final String host;
  private final int port;
  private final String hostAndPort;

  private KmipEndpoint(String host, int port, String hostAndPort) {
    this.host = host;
    this.port = port;
    this.hostAndPort = hostAndPort;
  }

  /**
   * Parses an endpoint.
   *
   * @param field the setting it came from, for the error message
   * @throws ConfigurationException naming {@code field} and the rule broken
   */
  static KmipEndpoint parse(String text, String field) {
    if (text == null || text.isEmpty()) {
      throw new ConfigurationException(field, "must be a KMIP server's host[:port], got "
          + (text == null ? "null" : "an empty string"));
    }
    String rest = text;
    int scheme = rest.indexOf("://");
    if (scheme >= 0) {
      rest = rest.substring(scheme + 3);
    }
    int cut = firstOf(rest, '/', '?');
    if (cut >= 0) {
      rest = rest.substring(0, cut);
    }
    String host;
    String portText = null;
    if (rest.startsWith("[")) {
      int close = rest.indexOf(']');
      if (close < 0) {
        throw bad(field, text, "an IPv6 address must be closed with ']'");
      }
      host = rest.substring(1, close);
      String after = rest.substring(close + 1);
      if (!after.isEmpty()) {
        if (!after.startsWith(":")) {
          throw bad(field, text, "only ':port' may follow an IPv6 address");
        }
        portText = after.substring(1);
      }
      if (!IPV6.matcher(host).matches() || !host.contains(":")) {
        throw bad(field, text, "'" + host + "' is not an IPv6 address");
      }
    } else {
      int colon = rest.indexOf(':');
      if (colon >= 0 && rest.indexOf(':', colon + 1) >= 0) {
        throw bad(field, text, "write an IPv6 address in brackets, like [::1]:5696");
      }
      host = colon < 0 ? rest : rest.substring(0, colon);
      portText = colon < 0 ? null : rest.substring(colon + 1);
      if (!HOST.matcher(host).matches()) {
        throw bad(field, text, "the host must be a name or an IP address");
      }
    }
    int port = DEFAULT_PORT;
    if (portText != null) {
      port = parsePort(portText, field, text);
    }
    return new KmipEndpoint(host, port, rest);
  }

  private static int parsePort(String text, String field, String endpoint) {
    if (text.isEmpty() || text.length() > 5 || !text.chars().allMatch(Character::isDigit)) {
      throw bad(field, endpoint, "the port must be a number from 1 to 65535");
    }
    int port = Integer.parseInt(text);
    if (port < 1 || port > 65535) {
      throw bad(field, endpoint, "the port must be a number from 1 to 65535");
    }
    return port;
  }

  private static int firstOf(String text, char a, char b) {
    int i = text.indexOf(a);
    int j = text.indexOf(b);
    return i < 0 ? j : j < 0 ? i : Math.min(i, j);
  }

  private static ConfigurationException bad(String field, String text, String rule) {
    return new ConfigurationException(field, "'" + text + "' is not a valid KMIP endpoint: "
        + rule);
  }

  /** The host name or IP address to connect to (IPv6 without brackets). */
  String host() {
    return host;
  }

  /** The port, 5696 unless the endpoint names one. */
  int port() {
    return port;
  }

  /** {@code host[:port]} as written, without scheme or path: what a key document stores. */
  String hostAndPort() {
    return hostAndPort;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof KmipEndpoint other && host.equalsIgnoreCase(other.host)
        && port == other.port;
  }

  @Override
  public int hashCode() {
    return Objects.hash(host.toLowerCase(java.util.Locale.ROOT), port);
  }

  /** {@code host:port} with the port always shown, for messages. */
  @Override
  public String toString() {
    return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
  }
}
