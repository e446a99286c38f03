package io.fle4j.kms.kmip;

import static io.fle4j.kms.kmip.KmipTestMessages.counting;
import static io.fle4j.kms.kmip.KmipTestMessages.hex;
import static io.fle4j.kms.kmip.KmipTestMessages.secretDataPayload;
import static io.fle4j.kms.kmip.KmipTestMessages.success;
import static io.fle4j.kms.kmip.KmipTestMessages.uid;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fle4j.kms.KmsProviderException;
import io.fle4j.kms.KmsProviderName;
import io.fle4j.testkit.kms.kmip.PyKmipCertificates;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Connection reuse, timeouts and retries against scripted peers in this JVM: what is retried
 * (opening a connection; a harmless request on a connection the server had dropped) and what is
 * never sent twice (Register, Create, Activate).
 */
class KmipConnectionPoolTest {
  private static PyKmipCertificates.Authority ca;
  private static SSLContext serverContext;
  private static SSLContext clientContext;

  private final AtomicLong clock = new AtomicLong();
  private FakeKmipServer server;
  private KmipConnectionPool pool;
  private KmipClient client;

  @BeforeAll
  static void certificates() {
    ca = PyKmipCertificates.Authority.create("pool test CA");
    serverContext = PyKmipCertificates.sslContext(
        ca.issueServer("localhost", List.of("localhost"), List.of("127.0.0.1")), ca.certificate());
    clientContext = PyKmipCertificates.sslContext(ca.issueClient("client", true), ca.certificate());
  }

  @AfterEach
  void close() throws Exception {
    if (client != null) {
      client.close();
    }
    if (server != null) {
      server.close();
    }
  }

  private void start(FakeKmipServer fake) {
    start(fake, clientContext, 4);
  }

  private void start(FakeKmipServer fake, SSLContext context, int maxIdle) {
    server = fake;
    pool = new KmipConnectionPool(context.getSocketFactory(), new KmipConnectionPool.Settings(
        Duration.ofSeconds(2), Duration.ofMillis(500), 3, Duration.ofMillis(5), maxIdle,
        Duration.ofSeconds(60)), clock::get);
    client = new KmipClient(KmsProviderName.of("kmip"), pool);
  }

  private KmipEndpoint endpoint() {
    return KmipEndpoint.parse(server.endpoint(), "endpoint");
  }

  private static void answer(OutputStream out, Ttlv response) throws Exception {
    out.write(TtlvCodec.encode(response));
    out.flush();
  }

  /** Answers every request of a connection as a KMIP server would (for Get and Register). */
  private static void answerAll(FakeKmipServer server, java.io.InputStream in, OutputStream out)
      throws Exception {
    byte[] request;
    while ((request = server.readRequest(in)) != null) {
      answer(out, response(RecordingTransport.operationName(request)));
    }
  }

  private static Ttlv response(String operation) {
    return operation.equals("Register") ? success(KmipOperation.REGISTER, uid("1"))
        : success(KmipOperation.GET, secretDataPayload("1", counting(96)));
  }

  @Test
  void exchange_severalCalls_shareOneConnection() throws Exception {
    start(FakeKmipServer.tls(serverContext, (i, s, in, out) -> answerAll(s, in, out)));

    for (int i = 0; i < 5; i++) {
      assertThat(client.getSecretData(endpoint(), "1").length()).isEqualTo(96);
    }

    assertThat(server.connections()).isEqualTo(1);
    assertThat(pool.connectionsOpened()).isEqualTo(1);
    assertThat(pool.idleConnections(endpoint())).isEqualTo(1);
  }

  @Test
  void exchange_registerAndServerHangsUpWithoutAnswering_isNeverSentAgain() throws Exception {
    start(FakeKmipServer.tls(serverContext, (i, s, in, out) -> s.readRequest(in)));

    assertThatThrownBy(() -> client.register(endpoint(), counting(96)))
        .isExactlyInstanceOf(KmsProviderException.class)
        .hasMessageContaining("broke during the Register; the server may or may not have"
            + " processed it, so it was not sent again");

    assertThat(server.operations()).containsExactly("Register");
  }

  @Test
  void exchange_getOnAReusedConnectionTheServerDrops_isRetriedOnceOnANewConnection()
      throws Exception {
    start(FakeKmipServer.tls(serverContext, (i, s, in, out) -> {
      if (i == 0) {
        answer(out, response(RecordingTransport.operationName(s.readRequest(in))));
        s.readRequest(in); // the second request arrives, and the server drops the connection
        return;
      }
      answerAll(s, in, out);
    }));

    client.getSecretData(endpoint(), "1");
    assertThat(client.getSecretData(endpoint(), "1").length()).isEqualTo(96);

    assertThat(server.operations()).containsExactly("Get", "Get", "Get");
    assertThat(server.connections()).isEqualTo(2);
  }

  @Test
  void exchange_registerOnAReusedConnectionTheServerDrops_isNotRepeated() throws Exception {
    start(FakeKmipServer.tls(serverContext, (i, s, in, out) -> {
      answer(out, response(RecordingTransport.operationName(s.readRequest(in))));
      s.readRequest(in);
    }));

    client.register(endpoint(), counting(96));
    assertThatThrownBy(() -> client.register(endpoint(), counting(96)))
        .hasMessageContaining("so it was not sent again");

    assertThat(server.operations()).containsExactly("Register", "Register");
    assertThat(server.connections()).isEqualTo(1);
  }

  @Test
  void exchange_idleConnectionClosedByTheServer_isNoticedBeforeSending() throws Exception {
    start(FakeKmipServer.tls(serverContext, (i, s, in, out) -> {
      answer(out, response(RecordingTransport.operationName(s.readRequest(in))));
      // then close: an idle timeout on the server side
    }));

    client.register(endpoint(), counting(96));
    Thread.sleep(100); // let the close arrive
    client.register(endpoint(), counting(96));

    assertThat(server.operations()).containsExactly("Register", "Register");
    assertThat(server.connections()).isEqualTo(2);
  }

  @Test
  void exchange_idleLongerThanMaxIdleTime_opensANewConnection() throws Exception {
    start(FakeKmipServer.tls(serverContext, (i, s, in, out) -> answerAll(s, in, out)));

    client.getSecretData(endpoint(), "1");
    clock.addAndGet(Duration.ofSeconds(61).toNanos());
    client.getSecretData(endpoint(), "1");

    assertThat(server.connections()).isEqualTo(2);
  }

  @Test
  void exchange_maxIdleZero_closesEachConnectionAfterUse() throws Exception {
    start(FakeKmipServer.tls(serverContext, (i, s, in, out) -> answerAll(s, in, out)),
        clientContext, 0);

    client.getSecretData(endpoint(), "1");
    client.getSecretData(endpoint(), "1");

    assertThat(server.connections()).isEqualTo(2);
    assertThat(pool.idleConnections(endpoint())).isZero();
  }

  @Test
  void exchange_serverNeverAnswers_timesOutWithoutRetrying() throws Exception {
    start(FakeKmipServer.tls(serverContext, (i, s, in, out) -> {
      s.readRequest(in);
      Thread.sleep(5_000);
    }));
    long started = System.nanoTime();

    assertThatThrownBy(() -> client.getSecretData(endpoint(), "1"))
        .hasMessageContaining("did not answer the Get of key '1': no answer within 500 ms")
        .satisfies(e -> assertThat(((KmsProviderException) e).isRetryable()).isTrue());

    assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(3));
    assertThat(server.operations()).containsExactly("Get");
  }

  @Test
  void exchange_responseDeclaringMoreThanTheLimit_failsBeforeReadingIt() throws Exception {
    start(FakeKmipServer.tls(serverContext, (i, s, in, out) -> {
      s.readRequest(in);
      out.write(hex("42007B 01 7FFFFFF8"));
      out.flush();
      Thread.sleep(2_000);
    }));

    assertThatThrownBy(() -> client.getSecretData(endpoint(), "1"))
        .isExactlyInstanceOf(KmsProviderException.class)
        .hasMessageContaining("malformed KMIP response from " + endpoint())
        .hasMessageContaining("declares 2147483640 bytes, more than the 1048576-byte limit");
    assertThat(pool.idleConnections(endpoint())).as("the broken connection is dropped").isZero();
  }

  @Test
  void exchange_responseDeclaringAMegabyteButSendingLittle_allocatesLittle() throws Exception {
    start(FakeKmipServer.tls(serverContext, (i, s, in, out) -> {
      s.readRequest(in);
      out.write(hex("42007B 01 000FFFF0  42007A 01 00000048 42006A 02 00000004"));
      out.flush();
    }));
    com.sun.management.ThreadMXBean threads =
        (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    long before = threads.getThreadAllocatedBytes(Thread.currentThread().getId());

    assertThatThrownBy(() -> client.getSecretData(endpoint(), "1"))
        .hasMessageContaining("closed the connection after 24 of 1048568 response bytes");

    long allocated = threads.getThreadAllocatedBytes(Thread.currentThread().getId()) - before;
    assertThat(allocated).isLessThan(1_000_000);
  }

  @Test
  void exchange_peerThatIsNotKmip_isReportedAsSuch() throws Exception {
    start(FakeKmipServer.tls(serverContext, (i, s, in, out) -> {
      s.readRequest(in);
      out.write("HTTP/1.1 400 Bad Request\r\n\r\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
      out.flush();
    }));

    assertThatThrownBy(() -> client.getSecretData(endpoint(), "1"))
        .hasMessageContaining("starts with tag 485454")
        .hasMessageContaining("is the peer a KMIP server?");
  }

  @Test
  void connect_nothingListening_triesThreeTimesThenFails() throws Exception {
    start(FakeKmipServer.plain((i, s, in, out) -> { }));
    String endpoint = server.endpoint();
    server.close();

    assertThatThrownBy(() -> client.getSecretData(KmipEndpoint.parse(endpoint, "e"), "1"))
        .isExactlyInstanceOf(KmsProviderException.class)
        .hasMessageContaining("cannot connect to KMIP server " + endpoint
            + " for the Get of key '1' (3 attempts): ConnectException");
  }

  @Test
  void connect_plainTcpPeerAnsweringGarbage_isAHandshakeFailureNotRetried() throws Exception {
    start(FakeKmipServer.plain((i, s, in, out) -> {
      in.read();
      out.write("HTTP/1.1 400 Bad Request\r\n\r\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
      out.flush();
    }));

    assertThatThrownBy(() -> client.getSecretData(endpoint(), "1"))
        .isInstanceOf(KmipTlsException.class)
        .hasMessageContaining("is a KMIP server listening there?")
        .satisfies(e -> assertThat(((KmipTlsException) e).failure())
            .isEqualTo(KmipTlsException.Failure.HANDSHAKE_FAILED));
    assertThat(server.connections()).isEqualTo(1);
  }

  @Test
  void connect_peerHangingUpDuringEveryHandshake_isReportedAsARefusedClient() throws Exception {
    start(FakeKmipServer.plain((i, s, in, out) -> in.read()));

    assertThatThrownBy(() -> client.getSecretData(endpoint(), "1"))
        .isInstanceOf(KmipTlsException.class)
        .hasMessageContaining("closed the connection during the TLS handshake, on all 3 attempts")
        .satisfies(e -> assertThat(((KmipTlsException) e).failure())
            .isEqualTo(KmipTlsException.Failure.CLIENT_CERTIFICATE_REFUSED));
    assertThat(server.connections()).isEqualTo(3);
  }

  @Test
  void connect_serverCertificateForAnotherName_isRefusedAtOnce() throws Exception {
    SSLContext otherName = PyKmipCertificates.sslContext(
        ca.issueServer("other", List.of("other.example"), List.of()), ca.certificate());
    start(FakeKmipServer.tls(otherName, (i, s, in, out) -> answerAll(s, in, out)));

    assertThatThrownBy(() -> client.getSecretData(endpoint(), "1"))
        .isInstanceOf(KmipTlsException.class)
        .satisfies(e -> assertThat(((KmipTlsException) e).failure())
            .isEqualTo(KmipTlsException.Failure.SERVER_HOSTNAME_MISMATCH));
    assertThat(server.operations()).isEmpty();
  }

  @Test
  void connect_serverCertificateFromAnUntrustedCa_isRefusedAtOnce() throws Exception {
    PyKmipCertificates.Authority other = PyKmipCertificates.Authority.create("other");
    start(FakeKmipServer.tls(serverContext, (i, s, in, out) -> answerAll(s, in, out)),
        PyKmipCertificates.sslContext(ca.issueClient("c", true), other.certificate()), 4);

    assertThatThrownBy(() -> client.getSecretData(endpoint(), "1"))
        .isInstanceOf(KmipTlsException.class)
        .satisfies(e -> assertThat(((KmipTlsException) e).failure())
            .isEqualTo(KmipTlsException.Failure.SERVER_CERTIFICATE_UNTRUSTED));
    assertThat(server.operations()).isEmpty();
  }

  @Test
  void close_thenExchange_isRefusedAndIdleConnectionsAreClosed() throws Exception {
    start(FakeKmipServer.tls(serverContext, (i, s, in, out) -> answerAll(s, in, out)));
    client.getSecretData(endpoint(), "1");

    pool.close();

    assertThat(pool.idleConnections(endpoint())).isZero();
    assertThatThrownBy(() -> client.getSecretData(endpoint(), "1"))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
  }
}
