package io.fle4j.testkit.kms.aws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fle4j.testkit.kms.http.RecordedHttpRequest;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import org.bson.BsonDocument;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The emulator spoken to with hand-made HTTP/1.1 requests over TLS, formatted the way
 * libmongocrypt formats them ({@code Name:value}, {@code Connection:close}), so every byte the
 * server sees is under the test's control. The AWS SDK's view is tested in providers-aws.
 */
class AwsKmsEmulatorTest {
  private static final String REGION = "us-east-1";
  private static AwsKmsEmulator kms;
  private static String keyArn;

  @BeforeAll
  static void start() {
    kms = AwsKmsEmulator.start();
    keyArn = kms.createKey(REGION);
  }

  @AfterAll
  static void stop() {
    kms.close();
  }

  @BeforeEach
  void reset() {
    kms.faults().clear();
    kms.resetCounters();
  }

  // ---------------------------------------------------------------- SigV4 against known vectors

  @Test
  void signature_kmsMessageEncryptVector_reproducesCanonicalRequestAndSignature() throws IOException {
    Path dir = specData().resolve("libmongocrypt/kms-message-test/encrypt");
    String signed = Files.readString(dir.resolve("encrypt.sreq"), StandardCharsets.UTF_8);
    String expectedCanonical = Files.readString(dir.resolve("encrypt.creq"), StandardCharsets.UTF_8);
    int blank = signed.indexOf("\n\n");
    String body = signed.substring(blank + 2);
    Map<String, List<String>> headers = new LinkedHashMap<>();
    String authorization = null;
    for (String line : signed.substring(0, blank).split("\n")) {
      if (line.startsWith("POST ")) {
        continue;
      }
      int colon = line.indexOf(':');
      String name = line.substring(0, colon).toLowerCase();
      String value = line.substring(colon + 1);
      if (name.equals("authorization")) {
        authorization = value;
      } else {
        headers.computeIfAbsent(name, k -> new ArrayList<>()).add(value);
      }
    }
    AwsSigV4.Authorization auth = AwsSigV4.parseAuthorization(authorization);
    AwsSigV4.Request request = new AwsSigV4.Request("POST", "/", null, headers,
        body.getBytes(StandardCharsets.UTF_8));

    assertThat(AwsSigV4.canonicalRequest(request, auth.signedHeaders())).isEqualTo(expectedCanonical);
    assertThat(auth.service()).isEqualTo("service");
    assertThat(AwsSigV4.signatureMatches(auth, request, "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"))
        .isTrue();
    assertThat(AwsSigV4.signatureMatches(auth, request, "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEZ"))
        .isFalse();
  }

  // ---------------------------------------------------------------- libmongocrypt-shaped requests

  @Test
  void encryptThenDecrypt_libmongocryptStyleHostWithoutPort_roundTripsWithoutKeyId() throws IOException {
    Reply encrypted = send(Call.of("Encrypt", "{\"Plaintext\": \"" + b64("data key") + "\", "
        + "\"KeyId\": \"" + keyArn + "\"}").host("127.0.0.1"));
    assertThat(encrypted.status).isEqualTo(200);
    BsonDocument reply = encrypted.json();
    assertThat(reply.getString("KeyId").getValue()).isEqualTo(keyArn);

    Reply decrypted = send(Call.of("Decrypt", "{\"CiphertextBlob\": \""
        + reply.getString("CiphertextBlob").getValue() + "\"}"));

    assertThat(decrypted.status).isEqualTo(200);
    assertThat(decrypted.json().getString("Plaintext").getValue()).isEqualTo(b64("data key"));
    assertThat(decrypted.json().getString("KeyId").getValue()).isEqualTo(keyArn);
    assertThat(kms.requests()).extracting(RecordedHttpRequest::host)
        .containsExactly("127.0.0.1", "127.0.0.1:" + kms.port());
  }

  /**
   * libmongocrypt's response parser looks for the body length with a case-sensitive match on
   * {@code Content-Length} (the JDK's HttpServer would send {@code Content-length}).
   */
  @Test
  void reply_headerNamesWrittenAsAwsWritesThem() throws IOException {
    Reply reply = send(encryptCall());
    assertThat(reply.head).startsWith("HTTP/1.1 200 OK\r\n")
        .contains("\r\nContent-Length: " + reply.body.getBytes(StandardCharsets.UTF_8).length + "\r\n")
        .contains("\r\nContent-Type: application/x-amz-json-1.1\r\n")
        .contains("\r\nx-amzn-RequestId: ")
        .contains("\r\nConnection: close\r\n");
  }

  @Test
  void encrypt_wrongSecret_invalidSignatureException() throws IOException {
    Reply reply = send(encryptCall().secret("not-the-secret"));
    assertError(reply, 400, "InvalidSignatureException", "signature we calculated does not match");
  }

  @Test
  void encrypt_bodyChangedAfterSigning_invalidSignatureException() throws IOException {
    Call call = encryptCall();
    call.sentBody = call.body.replace("KeyId", "KeyID");
    assertError(send(call), 400, "InvalidSignatureException", "does not match");
  }

  @Test
  void encrypt_headerChangedAfterSigning_invalidSignatureException() throws IOException {
    Call call = encryptCall();
    call.targetSent = "TrentService.Decrypt";
    assertError(send(call), 400, "InvalidSignatureException", "does not match");
  }

  @Test
  void encrypt_dateSixMinutesOld_signatureExpired() throws IOException {
    Reply reply = send(encryptCall().date(Instant.now().minus(Duration.ofMinutes(6))));
    assertError(reply, 400, "InvalidSignatureException", "Signature expired");
  }

  @Test
  void encrypt_dateFourMinutesOld_accepted() throws IOException {
    assertThat(send(encryptCall().date(Instant.now().minus(Duration.ofMinutes(4)))).status)
        .isEqualTo(200);
  }

  @Test
  void encrypt_unknownAccessKey_unrecognizedClientException() throws IOException {
    Reply reply = send(encryptCall().accessKeyId("AKIAUNKNOWN000000000"));
    assertError(reply, 400, "UnrecognizedClientException", "security token included in the request is invalid");
  }

  @Test
  void encrypt_scopedToAnotherService_invalidSignatureException() throws IOException {
    Reply reply = send(encryptCall().service("s3"));
    assertError(reply, 400, "InvalidSignatureException", "correct service: 'kms'");
  }

  @Test
  void encrypt_noAuthorization_missingAuthenticationToken() throws IOException {
    Call call = encryptCall();
    call.omitAuthorization = true;
    assertError(send(call), 400, "MissingAuthenticationTokenException", "Missing Authentication Token");
  }

  @Test
  void encrypt_authorizationWithoutSignature_incompleteSignatureException() throws IOException {
    Call call = encryptCall();
    call.authorizationOverride = "AWS4-HMAC-SHA256 Credential=" + kms.credentials().accessKeyId()
        + "/20240101/us-east-1/kms/aws4_request, SignedHeaders=host";
    assertError(send(call), 400, "IncompleteSignatureException", "requires 'Signature'");
  }

  @Test
  void temporaryCredentials_tokenRequiredAndExpires() throws IOException {
    AwsKmsEmulator.Credentials temporary = kms.issueTemporaryCredentials(Duration.ofMinutes(10));
    assertThat(send(encryptCall().credentials(temporary)).status).isEqualTo(200);

    Call withoutToken = encryptCall().credentials(temporary);
    withoutToken.token = null;
    assertError(send(withoutToken), 400, "UnrecognizedClientException", "invalid");
    Call wrongToken = encryptCall().credentials(temporary);
    wrongToken.token = "x" + temporary.sessionToken().orElseThrow();
    assertError(send(wrongToken), 400, "UnrecognizedClientException", "invalid");

    kms.revoke(temporary);
    assertError(send(encryptCall().credentials(temporary)), 400, "ExpiredTokenException", "expired");
    assertThat(temporary.toString()).doesNotContain(temporary.secretAccessKey())
        .doesNotContain(temporary.sessionToken().orElseThrow())
        .doesNotContain(temporary.accessKeyId());
  }

  // ---------------------------------------------------------------- operations

  @Test
  void decrypt_alteredBlob_invalidCiphertextException() throws IOException {
    byte[] blob = Base64.getDecoder().decode(
        send(encryptCall()).json().getString("CiphertextBlob").getValue());
    blob[blob.length - 3] ^= 1;
    Reply reply = send(Call.of("Decrypt",
        "{\"CiphertextBlob\": \"" + Base64.getEncoder().encodeToString(blob) + "\"}"));
    assertError(reply, 400, "InvalidCiphertextException", null);
  }

  @Test
  void decrypt_keyIdOfAnotherKey_incorrectKeyException() throws IOException {
    String blob = send(encryptCall()).json().getString("CiphertextBlob").getValue();
    String other = kms.createKey(REGION);
    Reply reply = send(Call.of("Decrypt",
        "{\"CiphertextBlob\": \"" + blob + "\", \"KeyId\": \"" + other + "\"}"));
    assertError(reply, 400, "IncorrectKeyException", "does not identify");
  }

  @Test
  void decrypt_inAnotherRegion_invalidCiphertextException() throws IOException {
    String blob = send(encryptCall()).json().getString("CiphertextBlob").getValue();
    Reply reply = send(Call.of("Decrypt", "{\"CiphertextBlob\": \"" + blob + "\"}").region("eu-west-1"));
    assertError(reply, 400, "InvalidCiphertextException", null);
  }

  @Test
  void encryptionContext_mustMatchOnDecrypt() throws IOException {
    String blob = send(Call.of("Encrypt", "{\"KeyId\": \"" + keyArn + "\", \"Plaintext\": \""
        + b64("x") + "\", \"EncryptionContext\": {\"a\": \"1\"}}")).json()
        .getString("CiphertextBlob").getValue();
    assertError(send(Call.of("Decrypt", "{\"CiphertextBlob\": \"" + blob + "\"}")), 400,
        "InvalidCiphertextException", null);
    assertThat(send(Call.of("Decrypt", "{\"CiphertextBlob\": \"" + blob
        + "\", \"EncryptionContext\": {\"a\": \"1\"}}")).status).isEqualTo(200);
  }

  @Test
  void keysAreRegionalAndPerAccount() throws IOException {
    AwsKmsEmulator.Credentials otherAccount = kms.createAccessKey("444455556666");
    assertError(send(encryptCall().credentials(otherAccount)), 400, "AccessDeniedException",
        "not authorized to perform: kms:Encrypt");
    assertError(send(encryptCall().region("us-west-2")), 400, "NotFoundException", "does not exist");
    String keyId = keyArn.substring(keyArn.lastIndexOf('/') + 1);
    assertError(send(Call.of("Encrypt", "{\"KeyId\": \"" + keyId + "\", \"Plaintext\": \""
        + b64("x") + "\"}").credentials(otherAccount)), 400, "NotFoundException", "does not exist");
    assertThat(keyArn).matches("arn:aws:kms:us-east-1:111122223333:key/[0-9a-f-]{36}");
  }

  @Test
  void aliases_byNameAndArn_andListed() throws IOException {
    String key = kms.createKey(REGION);
    assertThat(send(Call.of("CreateAlias",
        "{\"AliasName\": \"alias/app\", \"TargetKeyId\": \"" + key + "\"}")).status).isEqualTo(200);
    String aliasArn = "arn:aws:kms:us-east-1:" + kms.accountId() + ":alias/app";
    for (String id : List.of("alias/app", aliasArn)) {
      Reply reply = send(Call.of("Encrypt", "{\"KeyId\": \"" + id + "\", \"Plaintext\": \"" + b64("x") + "\"}"));
      assertThat(reply.json().getString("KeyId").getValue()).as(id).isEqualTo(key);
    }
    assertError(send(Call.of("CreateAlias", "{\"AliasName\": \"alias/app\", \"TargetKeyId\": \""
        + key + "\"}")), 400, "AlreadyExistsException", "already exists");
    assertError(send(Call.of("Encrypt", "{\"KeyId\": \"alias/none\", \"Plaintext\": \"" + b64("x")
        + "\"}")), 400, "NotFoundException", "alias/none is not found");

    BsonDocument list = send(Call.of("ListAliases", "{\"KeyId\": \"" + key + "\"}")).json();
    assertThat(list.getArray("Aliases")).hasSize(1);
    assertThat(list.getArray("Aliases").get(0).asDocument().getString("AliasArn").getValue())
        .isEqualTo(aliasArn);
  }

  @Test
  void disableEnableAndScheduleDeletion_realErrorShapes() throws IOException {
    String key = kms.createKey(REGION);
    String encrypt = "{\"KeyId\": \"" + key + "\", \"Plaintext\": \"" + b64("x") + "\"}";
    assertThat(send(Call.of("DisableKey", "{\"KeyId\": \"" + key + "\"}")).status).isEqualTo(200);
    assertError(send(Call.of("Encrypt", encrypt)), 400, "DisabledException", "is disabled");
    assertThat(send(Call.of("EnableKey", "{\"KeyId\": \"" + key + "\"}")).status).isEqualTo(200);
    assertThat(send(Call.of("Encrypt", encrypt)).status).isEqualTo(200);

    BsonDocument scheduled = send(Call.of("ScheduleKeyDeletion",
        "{\"KeyId\": \"" + key + "\", \"PendingWindowInDays\": 7}")).json();
    assertThat(scheduled.getString("KeyState").getValue()).isEqualTo("PendingDeletion");
    assertError(send(Call.of("Encrypt", encrypt)), 400, "KMSInvalidStateException", "pending deletion");
    assertThat(send(Call.of("DescribeKey", "{\"KeyId\": \"" + key + "\"}")).json()
        .getDocument("KeyMetadata").getString("KeyState").getValue()).isEqualTo("PendingDeletion");
  }

  @Test
  void createKeyAndGenerateDataKey_overHttp() throws IOException {
    BsonDocument created = send(Call.of("CreateKey", "{\"Description\": \"made over http\"}")).json();
    String arn = created.getDocument("KeyMetadata").getString("Arn").getValue();
    assertThat(created.getDocument("KeyMetadata").getString("KeySpec").getValue())
        .isEqualTo("SYMMETRIC_DEFAULT");

    BsonDocument generated = send(Call.of("GenerateDataKey",
        "{\"KeyId\": \"" + arn + "\", \"KeySpec\": \"AES_256\"}")).json();
    BsonDocument decrypted = send(Call.of("Decrypt", "{\"CiphertextBlob\": \""
        + generated.getString("CiphertextBlob").getValue() + "\"}")).json();

    assertThat(Base64.getDecoder().decode(generated.getString("Plaintext").getValue())).hasSize(32);
    assertThat(decrypted.getString("Plaintext")).isEqualTo(generated.getString("Plaintext"));
    assertError(send(Call.of("CreateKey", "{\"KeySpec\": \"RSA_2048\"}")), 400,
        "UnsupportedOperationException", "RSA_2048");
  }

  @Test
  void unknownOperation_unknownOperationException() throws IOException {
    assertError(send(Call.of("Sign", "{}")), 400, "UnknownOperationException", null);
  }

  // ---------------------------------------------------------------- knobs and counters

  @Test
  void failNextAndThrottle_thenNormalService_countedPerOperation() throws IOException {
    kms.faults().failNext("Encrypt", 1, 503, "KMSInternalException");
    kms.faults().throttleNext(1);

    assertError(send(encryptCall()), 503, "KMSInternalException", null);
    assertError(send(encryptCall()), 400, "ThrottlingException", "Rate exceeded");
    assertThat(send(encryptCall()).status).isEqualTo(200);
    assertThat(kms.requestCount("Encrypt")).isEqualTo(3);
    assertThat(kms.requestCount("Decrypt")).isZero();
    assertThat(kms.requestCount()).isEqualTo(3);
  }

  @Test
  void dropNextConnections_clientSeesEndOfStream() {
    kms.faults().dropNextConnections(1);
    assertThatThrownBy(() -> send(encryptCall())).isInstanceOf(IOException.class);
    assertThat(kms.requestCount("Encrypt")).isEqualTo(1);
    assertThat(kms.requests().get(0).status()).isZero();
  }

  @Test
  void dropNextConnections_ofOneOperation_leavesOthersAlone() throws IOException {
    kms.faults().dropNextConnections("Decrypt", 1);
    assertThat(send(encryptCall()).status).isEqualTo(200);
    assertThat(kms.requests()).extracting(RecordedHttpRequest::status)
        .containsExactly(200);
  }

  @Test
  void latency_delaysReplies() throws IOException {
    kms.faults().latency(Duration.ofMillis(150));
    long start = System.nanoTime();
    send(encryptCall());
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(150));
  }

  @Test
  void failureRateOne_failsEveryRequest_andRateLimitThrottles() throws IOException {
    kms.faults().failureRate(1.0, 500, "KMSInternalException");
    assertError(send(encryptCall()), 500, "KMSInternalException", null);
    kms.faults().clear();
    kms.faults().rateLimit(1);
    List<Integer> statuses = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      statuses.add(send(encryptCall()).status);
    }
    assertThat(statuses).contains(400); // at most 2 of 3 fit in the 1 s windows they span
  }

  // ---------------------------------------------------------------- helpers

  private static Call encryptCall() {
    return Call.of("Encrypt", "{\"Plaintext\": \"" + b64("data key") + "\", \"KeyId\": \"" + keyArn + "\"}");
  }

  private static String b64(String text) {
    return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
  }

  private static void assertError(Reply reply, int status, String type, String messagePart) {
    assertThat(reply.status).as(reply.body).isEqualTo(status);
    BsonDocument json = reply.json();
    assertThat(json.getString("__type").getValue()).as(reply.body).isEqualTo(type);
    if (messagePart != null) {
      assertThat(json.getString("message").getValue()).contains(messagePart);
    }
  }

  /** One request, signed as libmongocrypt signs it; fields may be changed after signing. */
  private static final class Call {
    final String operation;
    final String body;
    String sentBody;
    String targetSent;
    String host;
    String region = REGION;
    String service = "kms";
    Instant date = Instant.now();
    String accessKeyId = kms.credentials().accessKeyId();
    String secret = kms.credentials().secretAccessKey();
    String token;
    boolean omitAuthorization;
    String authorizationOverride;

    private Call(String operation, String body) {
      this.operation = operation;
      this.body = body;
      this.host = kms.endpoint();
    }

    static Call of(String operation, String body) {
      return new Call(operation, body);
    }

    Call host(String value) {
      host = value;
      return this;
    }

    Call region(String value) {
      region = value;
      return this;
    }

    Call service(String value) {
      service = value;
      return this;
    }

    Call date(Instant value) {
      date = value;
      return this;
    }

    Call accessKeyId(String value) {
      accessKeyId = value;
      return this;
    }

    Call secret(String value) {
      secret = value;
      return this;
    }

    Call credentials(AwsKmsEmulator.Credentials credentials) {
      accessKeyId = credentials.accessKeyId();
      secret = credentials.secretAccessKey();
      token = credentials.sessionToken().orElse(null);
      return this;
    }
  }

  private static final class Reply {
    final int status;
    final String head;
    final String body;

    Reply(int status, String head, String body) {
      this.status = status;
      this.head = head;
      this.body = body;
    }

    BsonDocument json() {
      return BsonDocument.parse(body);
    }
  }

  private static Reply send(Call call) throws IOException {
    String amzDate = AwsSigV4.AMZ_DATE.format(call.date);
    byte[] body = call.body.getBytes(StandardCharsets.UTF_8);
    Map<String, List<String>> signed = new LinkedHashMap<>();
    signed.put("content-length", List.of(Integer.toString(body.length)));
    signed.put("content-type", List.of("application/x-amz-json-1.1"));
    signed.put("host", List.of(call.host));
    signed.put("x-amz-date", List.of(amzDate));
    if (call.token != null) {
      signed.put("x-amz-security-token", List.of(call.token));
    }
    signed.put("x-amz-target", List.of("TrentService." + call.operation));
    List<String> names = new ArrayList<>(signed.keySet());
    String canonical = AwsSigV4.canonicalRequest(
        new AwsSigV4.Request("POST", "/", null, signed, body), names);
    String scopeDate = amzDate.substring(0, 8);
    String signature = AwsSigV4.signature(call.secret, amzDate, scopeDate, call.region,
        call.service, canonical);

    byte[] sentBody = (call.sentBody != null ? call.sentBody : call.body).getBytes(StandardCharsets.UTF_8);
    StringBuilder request = new StringBuilder("POST / HTTP/1.1\r\n");
    request.append("Connection:close\r\n");
    request.append("Content-Length:").append(sentBody.length).append("\r\n");
    request.append("Content-Type:application/x-amz-json-1.1\r\n");
    request.append("Host:").append(call.host).append("\r\n");
    request.append("X-Amz-Date:").append(amzDate).append("\r\n");
    if (call.token != null) {
      request.append("X-Amz-Security-Token:").append(call.token).append("\r\n");
    }
    request.append("X-Amz-Target:")
        .append(call.targetSent != null ? call.targetSent : "TrentService." + call.operation)
        .append("\r\n");
    if (call.authorizationOverride != null) {
      request.append("Authorization: ").append(call.authorizationOverride).append("\r\n");
    } else if (!call.omitAuthorization) {
      request.append("Authorization: AWS4-HMAC-SHA256 Credential=").append(call.accessKeyId)
          .append('/').append(scopeDate).append('/').append(call.region).append('/')
          .append(call.service).append("/aws4_request, SignedHeaders=")
          .append(String.join(";", names)).append(", Signature=").append(signature).append("\r\n");
    }
    request.append("\r\n");

    try (SSLSocket socket = (SSLSocket) kms.clientSslContext().getSocketFactory()
        .createSocket("127.0.0.1", kms.port())) {
      SSLParameters parameters = socket.getSSLParameters();
      parameters.setEndpointIdentificationAlgorithm("HTTPS");
      socket.setSSLParameters(parameters);
      socket.setSoTimeout(10_000);
      socket.getOutputStream().write(request.toString().getBytes(StandardCharsets.UTF_8));
      socket.getOutputStream().write(sentBody);
      socket.getOutputStream().flush();
      return readReply(socket.getInputStream());
    }
  }

  private static Reply readReply(InputStream in) throws IOException {
    ByteArrayOutputStream all = new ByteArrayOutputStream();
    in.transferTo(all);
    String text = all.toString(StandardCharsets.UTF_8);
    if (text.isEmpty()) {
      throw new IOException("connection closed without a reply");
    }
    int headerEnd = text.indexOf("\r\n\r\n");
    int status = Integer.parseInt(text.substring(9, 12));
    return new Reply(status, text.substring(0, headerEnd + 2), text.substring(headerEnd + 4));
  }

  private static Path specData() {
    for (Path dir = Paths.get("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
      Path candidate = dir.resolve("shared").resolve("spec-data");
      if (Files.isDirectory(candidate)) {
        return candidate;
      }
    }
    Assumptions.abort("shared/spec-data not found beside the repository");
    return null;
  }
}
