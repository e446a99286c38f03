package io.fle4j.kms;

import io.fle4j.ConfigurationException;

/**
 * A KMS endpoint as libmongocrypt reads one ({@code mongocrypt-endpoint.c}): {@code
 * [scheme://]host[:port][/path][?query]}, of which only {@code host[:port]} is kept; the host must
 * contain a dot. Shared by the providers whose endpoints follow that rule (Azure, GCP).
 *
 * @param authority {@code host[:port]}, where requests go
 * @param host the host alone, from which token scopes are derived
 */
public record HostAndPort(String authority, String host) {
  /**
   * Reads {@code endpoint}.
   *
   * @param field the setting it came from, for the error message
   * @param example a valid endpoint to show in the error message
   * @throws ConfigurationException naming {@code field} and the rule broken
   */
  public static HostAndPort parse(String endpoint, String field, String example) {
    String authority = authorityOf(endpoint.trim());
    int colon = authority.indexOf(':');
    String host = colon < 0 ? authority : authority.substring(0, colon);
    if (host.isEmpty() || host.indexOf('.') < 0 || host.startsWith(".") || host.endsWith(".")) {
      throw new ConfigurationException(field, "must be a host name with a dot, optionally"
          + " ':port', such as '" + example + "', got '" + endpoint + "'");
    }
    if (colon >= 0) {
      String port = authority.substring(colon + 1);
      if (!port.matches("[0-9]{1,5}") || Integer.parseInt(port) == 0
          || Integer.parseInt(port) > 65535) {
        throw new ConfigurationException(field, "has an invalid port in '" + endpoint + "'");
      }
    }
    for (int i = 0; i < host.length(); i++) {
      char c = host.charAt(i);
      if (!(Character.isLetterOrDigit(c) || c == '.' || c == '-')) {
        throw new ConfigurationException(field, "has an invalid host name in '" + endpoint + "'");
      }
    }
    return new HostAndPort(authority, host);
  }

  /**
   * The {@code host[:port]} part of {@code [scheme://]host[:port][/path][?query]}, unchecked:
   * the scheme, path and query dropped, as libmongocrypt does before it judges the rest.
   */
  public static String authorityOf(String endpoint) {
    String rest = endpoint;
    int scheme = rest.indexOf("://");
    if (scheme >= 0) {
      rest = rest.substring(scheme + 3);
    }
    int end = rest.length();
    for (char stop : new char[] {'/', '?'}) {
      int at = rest.indexOf(stop);
      if (at >= 0 && at < end) {
        end = at;
      }
    }
    return rest.substring(0, end);
  }
}
