package io.fle4j.testkit.kms.gcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.zip.CRC32C;
import org.bson.BsonDocument;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The Cloud KMS emulator over raw HTTP: the JWT-bearer grant as libmongocrypt signs it (padded
 * base64url, {@code aud} without port, custom-endpoint scope) and its refusals, encrypt/decrypt
 * with CRC32C, versions, admin calls, the metadata server, knobs and counters.
 */
class GcpKmsEmulatorTest {
  private GcpKmsEmulator kms;
  private GcpKmsEmulator.CryptoKey key;
  private HttpClient http;

  @BeforeEach
  void start() {
    kms = GcpKmsEmulator.start();
    key = kms.createKey("global", "ring", "kek");
    http = HttpClient.newBuilder().sslContext(kms.clientSslContext()).build();
  }

  @AfterEach
  void stop() {
    kms.close();
  }

  /** A JWT as libmongocrypt builds it: its claim spacing and base64url that keeps '='. */
  private String jwt(GcpKmsEmulator.ServiceAccount account, String audience, String scope,
      long issuedAt, long expires) throws Exception {
    return jwt(account.email(), account, audience, scope, issuedAt, expires);
  }

  private String jwt(String issuer, GcpKmsEmulator.ServiceAccount account, String audience,
      String scope, long issuedAt, long expires) throws Exception {
    Base64.Encoder padded = Base64.getUrlEncoder();
    String claims = "{\"iss\": \"" + issuer + "\", \"aud\": \"" + audience
        + "\", \"scope\": \"" + scope + "\", \"iat\": " + issuedAt + ", \"exp\": " + expires + "}";
    String input = "eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9."
        + padded.encodeToString(claims.getBytes(StandardCharsets.UTF_8));
    PrivateKey privateKey = KeyFactory.getInstance("RSA")
        .generatePrivate(new PKCS8EncodedKeySpec(account.privateKeyPkcs8()));
    Signature signer = Signature.getInstance("SHA256withRSA");
    signer.initSign(privateKey);
    signer.update(input.getBytes(StandardCharsets.US_ASCII));
    return input + "." + padded.encodeToString(signer.sign());
  }

  private HttpResponse<String> token(String assertion) throws Exception {
    return http.send(HttpRequest.newBuilder(kms.tokenUri())
        .header("Content-Type", "application/x-www-form-urlencoded")
        .POST(HttpRequest.BodyPublishers.ofString(
            "grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Ajwt-bearer&assertion="
                + assertion)).build(), HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> kmsCall(String path, String token, String body) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create("https://" + kms.endpoint() + path))
        .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static long crc(byte[] data) {
    CRC32C crc = new CRC32C();
    crc.update(data);
    return crc.getValue();
  }

  @Test
  void jwtBearer_libmongocryptStyle_isAccepted_andItsTokenEncryptsAndDecrypts() throws Exception {
    long now = Instant.now().getEpochSecond();
    HttpResponse<String> granted = token(jwt(kms.serviceAccount(), "https://127.0.0.1/token",
        "https://www.0.0.1/auth/cloudkms", now, now + 300));
    assertThat(granted.statusCode()).isEqualTo(200);
    assertThat(granted.headers().firstValue("Content-Length")).isPresent();
    String token = BsonDocument.parse(granted.body()).getString("access_token").getValue();

    byte[] plaintext = "ninety-six bytes would do".getBytes(StandardCharsets.US_ASCII);
    HttpResponse<String> encrypted = kmsCall("/v1/" + key.resourceName() + ":encrypt", token,
        "{\"plaintext\": \"" + Base64.getEncoder().encodeToString(plaintext)
            + "\", \"plaintextCrc32c\": \"" + crc(plaintext) + "\"}");
    assertThat(encrypted.statusCode()).isEqualTo(200);
    BsonDocument reply = BsonDocument.parse(encrypted.body());
    assertThat(reply.getString("name").getValue()).isEqualTo(key.resourceName() + "/cryptoKeyVersions/1");
    assertThat(reply.getBoolean("verifiedPlaintextCrc32c").getValue()).isTrue();
    byte[] ciphertext = Base64.getDecoder().decode(reply.getString("ciphertext").getValue());
    assertThat(Long.parseLong(reply.getString("ciphertextCrc32c").getValue())).isEqualTo(crc(ciphertext));
    assertThat(ciphertext[0]).isEqualTo((byte) 0x0a);

    HttpResponse<String> decrypted = kmsCall("/v1/" + key.resourceName() + ":decrypt", token,
        "{\"ciphertext\": \"" + reply.getString("ciphertext").getValue() + "\"}");
    assertThat(Base64.getDecoder().decode(BsonDocument.parse(decrypted.body())
        .getString("plaintext").getValue())).isEqualTo(plaintext);
  }

  @Test
  void jwtBearer_badSignatureTimeAudienceOrScope_areRefusedLikeGoogle() throws Exception {
    long now = Instant.now().getEpochSecond();
    GcpKmsEmulator.ServiceAccount other = kms.createServiceAccount("other-one");
    String forged = jwt(kms.serviceAccount().email(), other, kms.tokenUri().toString(),
        GcpKmsEmulator.CLOUDKMS_SCOPE, now, now + 300);
    assertThat(token(forged).body()).contains("Invalid JWT Signature.");
    assertThat(token(jwt(kms.serviceAccount(), kms.tokenUri().toString(),
        GcpKmsEmulator.CLOUDKMS_SCOPE, now - 7200, now - 3600)).body())
        .contains("short-lived token");
    assertThat(token(jwt(kms.serviceAccount(), "https://elsewhere.example/token",
        GcpKmsEmulator.CLOUDKMS_SCOPE, now, now + 300)).body()).contains("audience");
    HttpResponse<String> badScope = token(jwt(kms.serviceAccount(), kms.tokenUri().toString(),
        "https://www.example.com/auth/storage", now, now + 300));
    assertThat(badScope.statusCode()).isEqualTo(400);
    assertThat(badScope.body()).contains("invalid_scope");
  }

  @Test
  void encrypt_wrongChecksumUnknownKeyDisabledVersion_giveGooglesErrors() throws Exception {
    String token = kms.issueAccessToken(kms.serviceAccount(), Duration.ofMinutes(5));
    HttpResponse<String> badCrc = kmsCall("/v1/" + key.resourceName() + ":encrypt", token,
        "{\"plaintext\": \"AAAA\", \"plaintextCrc32c\": \"1\"}");
    assertThat(badCrc.statusCode()).isEqualTo(400);
    assertThat(badCrc.body()).contains("INVALID_ARGUMENT").contains("plaintext_crc32c");
    HttpResponse<String> missing = kmsCall("/v1/" + key.resourceName() + "x:encrypt", token,
        "{\"plaintext\": \"AAAA\"}");
    assertThat(missing.statusCode()).isEqualTo(404);
    assertThat(BsonDocument.parse(missing.body()).getDocument("error").getString("status")
        .getValue()).isEqualTo("NOT_FOUND");
    String v2 = kms.createKeyVersion(key);
    kms.setVersionEnabled(key, v2, false);
    HttpResponse<String> disabled = kmsCall("/v1/" + key.resourceName() + "/cryptoKeyVersions/"
        + v2 + ":encrypt", token, "{\"plaintext\": \"AAAA\"}");
    assertThat(disabled.body()).contains("FAILED_PRECONDITION");
    HttpResponse<String> noToken = kmsCall("/v1/" + key.resourceName() + ":encrypt", "nope",
        "{\"plaintext\": \"AAAA\"}");
    assertThat(noToken.statusCode()).isEqualTo(401);
    assertThat(noToken.body()).contains("UNAUTHENTICATED");
  }

  @Test
  void adminOverHttp_createKeyVersionAndPrimary() throws Exception {
    String token = kms.issueAccessToken(kms.serviceAccount(), Duration.ofMinutes(5));
    String ring = "/v1/projects/" + kms.projectId() + "/locations/global/keyRings/ring";
    assertThat(kmsCall(ring + "/cryptoKeys?cryptoKeyId=made", token,
        "{\"purpose\":\"ENCRYPT_DECRYPT\"}").statusCode()).isEqualTo(200);
    HttpResponse<String> version = kmsCall(ring + "/cryptoKeys/made/cryptoKeyVersions", token, "{}");
    assertThat(BsonDocument.parse(version.body()).getString("name").getValue())
        .endsWith("/cryptoKeys/made/cryptoKeyVersions/2");
    HttpResponse<String> primary = kmsCall(ring + "/cryptoKeys/made:updatePrimaryVersion", token,
        "{\"cryptoKeyVersionId\":\"2\"}");
    assertThat(BsonDocument.parse(primary.body()).getDocument("primary").getString("name")
        .getValue()).endsWith("/cryptoKeyVersions/2");
    assertThat(kms.requestCount("admin")).isEqualTo(3);
  }

  @Test
  void metadataServer_requiresTheFlavorHeader_andHandsOutTokens() throws Exception {
    String host = kms.startMetadataServer(0, kms.serviceAccount());
    HttpClient plain = HttpClient.newHttpClient();
    URI tokenUri = URI.create("http://" + host
        + "/computeMetadata/v1/instance/service-accounts/default/token");
    assertThat(plain.send(HttpRequest.newBuilder(tokenUri).build(),
        HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(403);
    HttpResponse<String> granted = plain.send(HttpRequest.newBuilder(tokenUri)
        .header("Metadata-Flavor", "Google").build(), HttpResponse.BodyHandlers.ofString());
    assertThat(granted.headers().firstValue("Metadata-Flavor")).contains("Google");
    String token = BsonDocument.parse(granted.body()).getString("access_token").getValue();
    assertThat(kmsCall("/v1/" + key.resourceName() + ":encrypt", token,
        "{\"plaintext\": \"AAAA\"}").statusCode()).isEqualTo(200);
  }

  @Test
  void knobs_throttleCorruptAndCount() throws Exception {
    String token = kms.issueAccessToken(kms.serviceAccount(), Duration.ofMinutes(5));
    kms.faults().throttleNext(1, Duration.ofSeconds(3));
    HttpResponse<String> throttled = kmsCall("/v1/" + key.resourceName() + ":encrypt", token,
        "{\"plaintext\": \"AAAA\"}");
    assertThat(throttled.statusCode()).isEqualTo(429);
    assertThat(throttled.headers().firstValue("Retry-After")).contains("3");
    kms.corruptNextResponses(1, GcpKmsEmulator.Corruption.PAYLOAD_BIT_FLIP);
    BsonDocument corrupted = BsonDocument.parse(kmsCall("/v1/" + key.resourceName() + ":encrypt",
        token, "{\"plaintext\": \"AAAA\"}").body());
    byte[] ciphertext = Base64.getDecoder().decode(corrupted.getString("ciphertext").getValue());
    assertThat(crc(ciphertext)).isNotEqualTo(
        Long.parseLong(corrupted.getString("ciphertextCrc32c").getValue()));
    assertThat(kms.requestCount("encrypt")).isEqualTo(2);

    // The shapes every emulator shares: any operation, no Retry-After.
    kms.faults().failNext(1, 503, "UNAVAILABLE");
    kms.faults().throttleNext(1);
    assertThat(kmsCall("/v1/" + key.resourceName() + ":encrypt", token,
        "{\"plaintext\": \"AAAA\"}").statusCode()).isEqualTo(503);
    HttpResponse<String> plainThrottle = kmsCall("/v1/" + key.resourceName() + ":encrypt", token,
        "{\"plaintext\": \"AAAA\"}");
    assertThat(plainThrottle.statusCode()).isEqualTo(429);
    assertThat(plainThrottle.headers().firstValue("Retry-After")).isEmpty();
    kms.faults().dropNextConnections(1);
    assertThatThrownBy(() -> kmsCall("/v1/" + key.resourceName() + ":encrypt", token,
        "{\"plaintext\": \"AAAA\"}")).isInstanceOf(java.io.IOException.class);
  }
}
