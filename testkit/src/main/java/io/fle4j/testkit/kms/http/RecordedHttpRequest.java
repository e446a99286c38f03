package io.fle4j.testkit.kms.http;

import java.util.List;

/**
 * What {@link io.fle4j.testkit.kms.azure.AzureKeyVaultEmulator} or {@link io.fle4j.testkit.kms.gcp.GcpKmsEmulator} saw of one request: the
 * operation it was taken for, method, path, query, the {@code Host} header, header names, the
 * status answered and the error code. Never holds the body or the {@code Authorization} value.
 */
public final class RecordedHttpRequest {
  private final String operation;
  private final String method;
  private final String path;
  private final String query;
  private final String host;
  private final List<String> headerNames;
  private final int status;
  private final String errorCode;
  private final String principal;

  private RecordedHttpRequest(String operation, String method, String path, String query,
      String host, List<String> headerNames, int status, String errorCode, String principal) {
    this.principal = principal;
    this.operation = operation;
    this.method = method;
    this.path = path;
    this.query = query;
    this.host = host;
    this.headerNames = headerNames;
    this.status = status;
    this.errorCode = errorCode;
  }

  public static RecordedHttpRequest of(String operation, EmulatorHttpsServer.Request request,
      int status, String errorCode, String principal) {
    if (request == null) {
      return new RecordedHttpRequest(operation, null, null, null, null, List.of(), status,
          errorCode, principal);
    }
    return new RecordedHttpRequest(operation, request.method, request.path, request.rawQuery,
        request.header("host"), request.headerNames, status, errorCode, principal);
  }

  /**
   * Who sent it, as the emulator reads it: the AWS access key id that signed it; {@code null}
   * when the emulator does not say.
   *
   * @return the principal, or {@code null}
   */
  public String principal() {
    return principal;
  }

  /**
   * The operation, such as {@code token}, {@code wrapkey} or {@code encrypt}.
   *
   * @return the operation name the counters use
   */
  public String operation() {
    return operation;
  }

  /**
   * The HTTP method.
   *
   * @return such as {@code POST}
   */
  public String method() {
    return method;
  }

  /**
   * The raw path, such as {@code /keys/name//wrapkey}.
   *
   * @return the path
   */
  public String path() {
    return path;
  }

  /**
   * The raw query string.
   *
   * @return the query, or {@code null}
   */
  public String query() {
    return query;
  }

  /**
   * The {@code Host} header as received.
   *
   * @return the header, or {@code null}
   */
  public String host() {
    return host;
  }

  /**
   * Request header names as the JDK server normalised them.
   *
   * @return header names
   */
  public List<String> headerNames() {
    return headerNames;
  }

  /**
   * The status answered; 0 when the connection was dropped.
   *
   * @return the HTTP status
   */
  public int status() {
    return status;
  }

  /**
   * The error code of an error reply.
   *
   * @return such as {@code KeyNotFound} or {@code NOT_FOUND}, or {@code null} on success
   */
  public String errorCode() {
    return errorCode;
  }

  @Override
  public String toString() {
    return operation + " " + method + " " + path + (query == null ? "" : "?" + query) + " -> "
        + status + (errorCode == null ? "" : " " + errorCode);
  }
}
