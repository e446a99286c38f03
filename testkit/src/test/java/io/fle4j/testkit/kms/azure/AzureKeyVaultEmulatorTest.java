package io.fle4j.testkit.kms.azure;

import io.fle4j.testkit.kms.http.RecordedHttpRequest;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import javax.net.ssl.SSLSocket;
import org.bson.BsonDocument;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The Azure Key Vault emulator over raw HTTP: libmongocrypt's exact request bytes, the identity
 * platform's and Key Vault's errors, key management, tokens it checks, knobs and counters.
 */
class AzureKeyVaultEmulatorTest {
  private AzureKeyVaultEmulator vault;
  private AzureKeyVaultEmulator.App app;
  private HttpClient http;

  @BeforeEach
  void start() {
    vault = AzureKeyVaultEmulator.start();
    app = vault.registerApplication();
    http = HttpClient.newBuilder().sslContext(vault.clientSslContext()).build();
  }

  @AfterEach
  void stop() {
    vault.close();
  }

  /** Sends bytes as libmongocrypt does (Name:value headers, Connection:close); returns the reply. */
  private String raw(String request) throws IOException {
    try (SSLSocket socket = (SSLSocket) vault.clientSslContext().getSocketFactory()
        .createSocket("127.0.0.1", vault.port())) {
      socket.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
      socket.getOutputStream().flush();
      return new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  private static String libmongocrypt(String method, String target, String body, String... headers) {
    StringBuilder out = new StringBuilder(method).append(' ').append(target).append(" HTTP/1.1\r\n");
    for (String header : headers) {
      out.append(header).append("\r\n");
    }
    out.append("Connection:close\r\nContent-Length:").append(body.length()).append("\r\n")
        .append("Host:127.0.0.1\r\n\r\n").append(body);
    return out.toString();
  }

  private static BsonDocument json(String reply) {
    return BsonDocument.parse(reply.substring(reply.indexOf("\r\n\r\n") + 4));
  }

  private String libmongocryptToken() throws IOException {
    String body = "client_id=" + app.clientId() + "&scope=https%3A%2F%2F0.0.1%2F.default"
        + "&client_secret=" + app.clientSecret() + "&grant_type=client_credentials";
    String reply = raw(libmongocrypt("POST", "/" + app.tenantId() + "/oauth2/v2.0/token", body,
        "Accept:application/json", "Content-Type:application/x-www-form-urlencoded"));
    assertThat(reply).startsWith("HTTP/1.1 200 ").contains("\r\nContent-Length: ");
    BsonDocument token = json(reply);
    assertThat(token.get("expires_in").isNumber()).isTrue(); // libmongocrypt needs an integer
    return token.getString("access_token").getValue();
  }

  @Test
  void libmongocryptShapedRequests_tokenThenWrapAndUnwrap_withPaddedBase64Url() throws IOException {
    vault.createKey("kek");
    String token = libmongocryptToken();
    byte[] dataKey = new byte[96];
    dataKey[0] = 7;
    String wrapBody = "{\"alg\": \"RSA-OAEP-256\", \"value\": \""
        + Base64.getUrlEncoder().encodeToString(dataKey) + "\"}";
    String wrapped = raw(libmongocrypt("POST", "/keys/kek//wrapkey?api-version=7.1", wrapBody,
        "Accept:application/json", "Authorization:Bearer " + token,
        "Content-Type:application/json"));
    assertThat(wrapped).startsWith("HTTP/1.1 200 ");
    String value = json(wrapped).getString("value").getValue();
    assertThat(Base64.getUrlDecoder().decode(value)).hasSize(256);

    String unwrapBody = "{\"alg\": \"RSA-OAEP-256\", \"value\": \"" + value + "==\"}";
    String unwrapped = raw(libmongocrypt("POST", "/keys/kek//unwrapkey?api-version=7.1",
        unwrapBody, "Accept:application/json", "Authorization:Bearer " + token,
        "Content-Type:application/json"));
    assertThat(Base64.getUrlDecoder().decode(json(unwrapped).getString("value").getValue()))
        .isEqualTo(dataKey);
    assertThat(vault.requestCount("token")).isEqualTo(1);
    assertThat(vault.requestCount("wrapkey")).isEqualTo(1);
  }

  @Test
  void tokenEndpoint_errorsAreTheIdentityPlatforms() throws IOException {
    String wrongTenant = raw(libmongocrypt("POST", "/nobody/oauth2/v2.0/token",
        "client_id=x&scope=https%3A%2F%2F0.0.1%2F.default&client_secret=y&grant_type=client_credentials",
        "Content-Type:application/x-www-form-urlencoded"));
    assertThat(wrongTenant).startsWith("HTTP/1.1 400 ");
    assertThat(json(wrongTenant).getString("error").getValue()).isEqualTo("invalid_request");
    assertThat(json(wrongTenant).getString("error_description").getValue()).startsWith("AADSTS90002");

    String wrongSecret = raw(libmongocrypt("POST", "/" + app.tenantId() + "/oauth2/v2.0/token",
        "client_id=" + app.clientId() + "&scope=https%3A%2F%2F0.0.1%2F.default&client_secret=nope"
            + "&grant_type=client_credentials", "Content-Type:application/x-www-form-urlencoded"));
    assertThat(wrongSecret).startsWith("HTTP/1.1 401 ");
    assertThat(json(wrongSecret).getString("error").getValue()).isEqualTo("invalid_client");

    String noDefault = raw(libmongocrypt("POST", "/" + app.tenantId() + "/oauth2/v2.0/token",
        "client_id=" + app.clientId() + "&scope=https%3A%2F%2F0.0.1&client_secret="
            + app.clientSecret() + "&grant_type=client_credentials",
        "Content-Type:application/x-www-form-urlencoded"));
    assertThat(json(noDefault).getString("error").getValue()).isEqualTo("invalid_scope");
  }

  @Test
  void federatedClientAssertion_isExchangedForAToken() throws Exception {
    String body = "client_id=" + app.clientId() + "&scope=https%3A%2F%2Fvault.azure.net%2F.default"
        + "&client_assertion_type=urn%3Aietf%3Aparams%3Aoauth%3Aclient-assertion-type%3Ajwt-bearer"
        + "&client_assertion=" + app.federatedToken() + "&grant_type=client_credentials";
    HttpResponse<String> reply = http.send(HttpRequest.newBuilder(
        URI.create(vault.authorityHost() + "/" + app.tenantId() + "/oauth2/v2.0/token"))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .POST(HttpRequest.BodyPublishers.ofString(body)).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(reply.statusCode()).isEqualTo(200);
    assertThat(reply.headers().firstValue("Content-Length")).isPresent();
  }

  @Test
  void vault_missingTokenWrongVersionAndApiVersion_giveKeyVaultsErrors() throws Exception {
    String v1 = vault.createKey("kek");
    HttpResponse<String> noToken = post("/keys/kek/" + v1 + "/wrapkey?api-version=7.1", null,
        "{\"alg\":\"RSA-OAEP-256\",\"value\":\"AAAA\"}");
    assertThat(noToken.statusCode()).isEqualTo(401);
    assertThat(noToken.headers().firstValue("WWW-Authenticate")).get().asString()
        .contains("authorization=\"" + vault.authorityHost() + "/" + vault.tenantId() + "\"");
    String token = vault.issueAccessToken(app);
    HttpResponse<String> wrongVersion = post("/keys/kek/0123456789abcdef0123456789abcdef/wrapkey"
        + "?api-version=7.1", token, "{\"alg\":\"RSA-OAEP-256\",\"value\":\"AAAA\"}");
    assertThat(wrongVersion.statusCode()).isEqualTo(404);
    assertThat(BsonDocument.parse(wrongVersion.body()).getDocument("error").getString("code")
        .getValue()).isEqualTo("KeyNotFound");
    HttpResponse<String> badApi = post("/keys/kek//wrapkey?api-version=2.0", token,
        "{\"alg\":\"RSA-OAEP-256\",\"value\":\"AAAA\"}");
    assertThat(badApi.statusCode()).isEqualTo(400);
    HttpResponse<String> expired = post("/keys/kek//wrapkey?api-version=7.1",
        vault.issueAccessToken(app, vault.audience(), Duration.ofSeconds(-1)),
        "{\"alg\":\"RSA-OAEP-256\",\"value\":\"AAAA\"}");
    assertThat(expired.statusCode()).isEqualTo(401);
    HttpResponse<String> otherAudience = post("/keys/kek//wrapkey?api-version=7.1",
        vault.issueAccessToken(app, "https://storage.azure.com", Duration.ofMinutes(5)),
        "{\"alg\":\"RSA-OAEP-256\",\"value\":\"AAAA\"}");
    assertThat(otherAudience.body()).contains("AKV10022");
  }

  @Test
  void createKeyOverHttp_thenDisableWithPatch_givesKeyDisabled() throws Exception {
    String token = vault.issueAccessToken(app);
    HttpResponse<String> created = post("/keys/made-by-http/create?api-version=7.4", token,
        "{\"kty\":\"RSA\",\"key_size\":2048}");
    assertThat(created.statusCode()).isEqualTo(200);
    String kid = BsonDocument.parse(created.body()).getDocument("key").getString("kid").getValue();
    String version = kid.substring(kid.lastIndexOf('/') + 1);
    assertThat(vault.keyVersions("made-by-http")).containsExactly(version);

    HttpResponse<String> patched = http.send(HttpRequest.newBuilder(URI.create(
        vault.authorityHost() + "/keys/made-by-http/" + version + "?api-version=7.4"))
        .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
        .method("PATCH", HttpRequest.BodyPublishers.ofString("{\"attributes\":{\"enabled\":false}}"))
        .build(), HttpResponse.BodyHandlers.ofString());
    assertThat(patched.statusCode()).isEqualTo(200);
    HttpResponse<String> disabled = post("/keys/made-by-http//wrapkey?api-version=7.1", token,
        "{\"alg\":\"RSA-OAEP-256\",\"value\":\"AAAA\"}");
    assertThat(disabled.statusCode()).isEqualTo(403);
    assertThat(BsonDocument.parse(disabled.body()).getDocument("error").getDocument("innererror")
        .getString("code").getValue()).isEqualTo("KeyDisabled");
  }

  @Test
  void knobs_failThrottleDrop_andCounters() throws Exception {
    vault.createKey("kek");
    String token = vault.issueAccessToken(app);
    vault.faults().failNext("wrapkey", 1, 503, "ServiceUnavailable");
    vault.faults().throttleNext(1, Duration.ofSeconds(2));
    String body = "{\"alg\":\"RSA-OAEP-256\",\"value\":\"AAAA\"}";
    assertThat(post("/keys/kek//wrapkey?api-version=7.1", token, body).statusCode()).isEqualTo(503);
    HttpResponse<String> throttled = post("/keys/kek//wrapkey?api-version=7.1", token, body);
    assertThat(throttled.statusCode()).isEqualTo(429);
    assertThat(throttled.headers().firstValue("Retry-After")).contains("2");
    assertThat(post("/keys/kek//wrapkey?api-version=7.1", token, body).statusCode()).isEqualTo(200);
    vault.faults().dropNextConnections(null, 1);
    assertThat(raw(libmongocrypt("POST", "/keys/kek//wrapkey?api-version=7.1", body,
        "Authorization:Bearer " + token))).isEmpty();
    assertThat(vault.requestCount("wrapkey")).isEqualTo(4);
    assertThat(vault.requests()).extracting(RecordedHttpRequest::status)
        .containsExactly(503, 429, 200, 0);
    vault.resetCounters();
    assertThat(vault.requestCount()).isZero();

    // The shapes every emulator shares: any operation, no Retry-After.
    vault.faults().failNext(1, 500, "InternalServerError");
    vault.faults().throttleNext(1);
    vault.faults().dropNextConnections(1);
    assertThat(post("/keys/kek//wrapkey?api-version=7.1", token, body).statusCode()).isEqualTo(500);
    HttpResponse<String> plainThrottle = post("/keys/kek//wrapkey?api-version=7.1", token, body);
    assertThat(plainThrottle.statusCode()).isEqualTo(429);
    assertThat(plainThrottle.headers().firstValue("Retry-After")).isEmpty();
    assertThat(raw(libmongocrypt("POST", "/keys/kek//wrapkey?api-version=7.1", body,
        "Authorization:Bearer " + token))).isEmpty();
    assertThat(vault.requests()).extracting(RecordedHttpRequest::status)
        .containsExactly(500, 429, 0);
  }

  private HttpResponse<String> post(String pathAndQuery, String token, String body)
      throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(vault.authorityHost()
        + pathAndQuery)).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body));
    if (token != null) {
      request.header("Authorization", "Bearer " + token);
    }
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }
}
