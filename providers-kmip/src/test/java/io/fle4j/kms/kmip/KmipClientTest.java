package io.fle4j.kms.kmip;

import static io.fle4j.kms.kmip.KmipTestMessages.counting;
import static io.fle4j.kms.kmip.KmipTestMessages.failure;
import static io.fle4j.kms.kmip.KmipTestMessages.hex;
import static io.fle4j.kms.kmip.KmipTestMessages.success;
import static io.fle4j.kms.kmip.KmipTestMessages.uid;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fle4j.kms.KmsProviderException;
import io.fle4j.kms.KmsProviderName;
import io.fle4j.kms.SecretBytes;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Responses parsed into results or into specific errors. The hex responses were recorded from
 * PyKMIP 0.10 (an independent KMIP implementation) answering this client's requests.
 */
class KmipClientTest {
  private static final KmipEndpoint ENDPOINT = KmipEndpoint.parse("127.0.0.1:5696", "endpoint");
  private static final String PYKMIP_HEADER_MINOR_0 = String.join("\n",
      "  42007A 01 00000048",
      "    420069 01 00000020",
      "      42006A 02 00000004 00000001 00000000",
      "      42006B 02 00000004 00000000 00000000",
      "    420092 09 00000008 00000000 6B03E292 # TimeStamp",
      "    42000D 02 00000004 00000001 00000000");
  private static final String PYKMIP_HEADER_MINOR_2 =
      PYKMIP_HEADER_MINOR_0.replace("42006B 02 00000004 00000000", "42006B 02 00000004 00000002");

  private final ScriptedTransport transport = new ScriptedTransport();
  private final KmipClient client = new KmipClient(KmsProviderName.of("kmip"), transport);

  @Test
  void register_pykmipSuccess_returnsTheUniqueIdentifier() {
    transport.respond(hex(
        "42007B 01 00000090",
        PYKMIP_HEADER_MINOR_0,
        "  42000F 01 00000038",
        "    42005C 05 00000004 00000003 00000000",
        "    42007F 05 00000004 00000000 00000000 # ResultStatus Success",
        "    42007C 01 00000010",
        "      420094 07 00000001 31 00000000000000"));

    assertThat(client.register(ENDPOINT, counting(96))).isEqualTo("1");
    assertThat(transport.operations()).containsExactly("Register");
  }

  @Test
  void activateAndRevoke_pykmipSuccess_areAccepted() {
    for (String operation : new String[] {"00000012", "00000013"}) {
      transport.respond(hex(
          "42007B 01 00000090",
          PYKMIP_HEADER_MINOR_0,
          "  42000F 01 00000038",
          "    42005C 05 00000004 " + operation + " 00000000 # Activate, then Revoke",
          "    42007F 05 00000004 00000000 00000000",
          "    42007C 01 00000010",
          "      420094 07 00000001 32 00000000000000"));
    }

    client.activate(ENDPOINT, "2");
    client.revoke(ENDPOINT, "2");

    assertThat(transport.operations()).containsExactly("Activate", "Revoke");
  }

  @Test
  void getSecretData_pykmipSuccess_returnsTheKeyMaterial() {
    transport.respond(hex(
        "42007B 01 00000140",
        PYKMIP_HEADER_MINOR_0,
        "  42000F 01 000000E8",
        "    42005C 05 00000004 0000000A 00000000",
        "    42007F 05 00000004 00000000 00000000",
        "    42007C 01 000000C0",
        "      420057 05 00000004 00000007 00000000",
        "      420094 07 00000001 31 00000000000000",
        "      420085 01 00000098",
        "        420086 05 00000004 00000002 00000000",
        "        420040 01 00000080",
        "          420042 05 00000004 00000002 00000000",
        "          420045 01 00000068",
        "            420043 08 00000060 " + hex(counting(96))));

    SecretBytes secret = client.getSecretData(ENDPOINT, "1");

    assertThat(secret.copy()).isEqualTo(counting(96));
    assertThat(transport.lastReturned()).as("response buffer wiped").containsOnly(0);
  }

  @Test
  void create_pykmipSuccess_returnsTheUniqueIdentifier() {
    transport.respond(hex(
        "42007B 01 000000A0",
        PYKMIP_HEADER_MINOR_2,
        "  42000F 01 00000048",
        "    42005C 05 00000004 00000001 00000000",
        "    42007F 05 00000004 00000000 00000000",
        "    42007C 01 00000020",
        "      420057 05 00000004 00000002 00000000",
        "      420094 07 00000001 32 00000000000000"));

    assertThat(client.create(ENDPOINT)).isEqualTo("2");
  }

  @Test
  void encrypt_pykmipSuccess_returnsIvThenCiphertext() {
    String data = "9282A1C4244A9559A5136DA5D8F04DEE882D4DC3F33EEF1AC5ACCC1E2840BEED"
        + "74EC97508ECD595FD717F6B3A8F3D7AD158C1F8EA2F50F287AE079F1E191E062"
        + "842BE166BAC52A954753AD5F6A4D975E7C97305F8C1FFA9E668F77B93BFB8971"
        + "761B0F7C3FA17CC98A72E5436FE1BA47";
    String iv = "9D9B6145834139833CA6018D263DC46C";
    transport.respond(hex(
        "42007B 01 00000120",
        PYKMIP_HEADER_MINOR_2,
        "  42000F 01 000000C8",
        "    42005C 05 00000004 0000001F 00000000",
        "    42007F 05 00000004 00000000 00000000",
        "    42007C 01 000000A0",
        "      420094 07 00000001 32 00000000000000",
        "      4200C2 08 00000070 " + data,
        "      42003D 08 00000010 " + iv));

    assertThat(client.encrypt(ENDPOINT, "2", counting(96))).isEqualTo(hex(iv + data));
  }

  @Test
  void decrypt_pykmipSuccess_returnsThePlaintext() {
    transport.respond(hex(
        "42007B 01 000000F8",
        PYKMIP_HEADER_MINOR_2,
        "  42000F 01 000000A0",
        "    42005C 05 00000004 00000020 00000000",
        "    42007F 05 00000004 00000000 00000000",
        "    42007C 01 00000078",
        "      420094 07 00000001 32 00000000000000",
        "      4200C2 08 00000060 " + hex(counting(96))));

    assertThat(client.decrypt(ENDPOINT, "2", new byte[16], new byte[112]))
        .isEqualTo(counting(96));
  }

  @Test
  void getSecretData_pykmipItemNotFound_throwsKeyNotFoundNamingEndpointAndKeyId() {
    transport.respond(hex(
        "42007B 01 000000B0",
        PYKMIP_HEADER_MINOR_0,
        "  42000F 01 00000058",
        "    42005C 05 00000004 0000000A 00000000",
        "    42007F 05 00000004 00000001 00000000 # Operation Failed",
        "    42007E 05 00000004 00000001 00000000 # Item Not Found",
        "    42007D 07 0000001C 436F756C64206E6F74206C6F63617465206F626A6563743A20393939 00000000"));

    assertThatThrownBy(() -> client.getSecretData(ENDPOINT, "999"))
        .isInstanceOf(KmipKeyNotFoundException.class)
        .hasMessage("KMS provider 'kmip': KMIP server 127.0.0.1:5696 has no object with keyId"
            + " '999' (Get failed: Operation Failed, ITEM_NOT_FOUND: Could not locate object:"
            + " 999); check masterKey.keyId and masterKey.endpoint, and that the object belongs"
            + " to this client certificate")
        .satisfies(e -> {
          KmipKeyNotFoundException notFound = (KmipKeyNotFoundException) e;
          assertThat(notFound.endpoint()).isEqualTo("127.0.0.1:5696");
          assertThat(notFound.keyId()).contains("999");
          assertThat(notFound.operation()).isEqualTo("Get");
          assertThat(notFound.resultStatus()).isEqualTo(1);
          assertThat(notFound.resultReason()).isEqualTo(KmipResultReason.ITEM_NOT_FOUND);
          assertThat(notFound.resultMessage()).contains("Could not locate object: 999");
          assertThat(notFound.isRetryable()).isFalse();
          assertThat(notFound.providerName()).isEqualTo("kmip");
        });
  }

  @Test
  void decrypt_pykmipRefusalOfARevokedKey_throwsKeyStateException() {
    transport.respond(hex(
        "42007B 01 000000E0",
        PYKMIP_HEADER_MINOR_2,
        "  42000F 01 00000088",
        "    42005C 05 00000004 00000020 00000000",
        "    42007F 05 00000004 00000001 00000000",
        "    42007E 05 00000004 0000000C 00000000 # Permission Denied",
        "    42007D 07 00000049",
        "      5468652064656372797074696F6E206B6579206D75737420626520696E20746865",
        "      2041637469766520737461746520746F206265207573656420666F7220646563",
        "      72797074696F6E2E 00000000000000"));

    assertThatThrownBy(() -> client.decrypt(ENDPOINT, "2", new byte[16], new byte[112]))
        .isInstanceOf(KmipKeyStateException.class)
        .hasMessageContaining("KMIP key '2' at 127.0.0.1:5696 is not in a state that allows"
            + " Decrypt")
        .hasMessageContaining("PERMISSION_DENIED: The decryption key must be in the Active state")
        .hasMessageContaining("deactivated, revoked or destroyed");
  }

  @Test
  void getSecretData_pykmipSymmetricKey_explainsThatTheKeyIsForDelegatedMode() {
    transport.respond(hex(
        "42007B 01 00000110",
        PYKMIP_HEADER_MINOR_0,
        "  42000F 01 000000B8",
        "    42005C 05 00000004 0000000A 00000000",
        "    42007F 05 00000004 00000000 00000000",
        "    42007C 01 00000090",
        "      420057 05 00000004 00000002 00000000 # ObjectType SymmetricKey",
        "      420094 07 00000001 32 00000000000000",
        "      42008F 01 00000068",
        "        420040 01 00000060",
        "          420042 05 00000004 00000001 00000000",
        "          420045 01 00000028",
        "            420043 08 00000020 " + hex(counting(32)),
        "          420028 05 00000004 00000003 00000000",
        "          42002A 02 00000004 00000100 00000000"));

    assertThatThrownBy(() -> client.getSecretData(ENDPOINT, "2"))
        .isInstanceOf(KmsProviderException.class)
        .hasMessageContaining("KMIP object '2' at 127.0.0.1:5696 is a SymmetricKey, not a"
            + " SecretData")
        .hasMessageContaining("'delegated: true'")
        .hasMessageNotContaining(hex(counting(32)));
    assertThat(transport.lastReturned()).as("response buffer wiped").containsOnly(0);
  }

  @Test
  void encrypt_pykmipRefusalOfASecretData_throwsServerExceptionWithTheServersWords() {
    transport.respond(failure(KmipOperation.ENCRYPT, 0x0C, "The requested encryption key is not"
        + " a symmetric key. Only symmetric encryption is currently supported."));

    assertThatThrownBy(() -> client.encrypt(ENDPOINT, "1", counting(96)))
        .isExactlyInstanceOf(KmipServerException.class)
        .hasMessage("KMS provider 'kmip': KMIP Encrypt of key '1' at 127.0.0.1:5696 failed:"
            + " Operation Failed, PERMISSION_DENIED: The requested encryption key is not a"
            + " symmetric key. Only symmetric encryption is currently supported.");
  }

  @Test
  void serverFailure_kmip2LifecycleReasonAndDestroyed_areStateErrors() {
    transport.respond(failure(KmipOperation.GET, 0x43, null))
        .respond(failure(KmipOperation.GET, 0x36, "gone"));

    assertThatThrownBy(() -> client.getSecretData(ENDPOINT, "5"))
        .isInstanceOf(KmipKeyStateException.class)
        .hasMessageContaining("WRONG_KEY_LIFECYCLE_STATE");
    assertThatThrownBy(() -> client.getSecretData(ENDPOINT, "5"))
        .isInstanceOf(KmipKeyStateException.class)
        .hasMessageContaining("OBJECT_DESTROYED: gone");
  }

  @Test
  void serverFailure_unknownReasonAndNoReason_areReportedAsSuch() {
    transport.respond(failure(KmipOperation.GET, 0x999, "odd"))
        .respond(KmipTestMessages.response(KmipOperation.GET, List.of(
            Ttlv.enumeration(KmipTag.RESULT_STATUS, KmipResponse.STATUS_OPERATION_PENDING))));

    assertThatThrownBy(() -> client.getSecretData(ENDPOINT, "5"))
        .isExactlyInstanceOf(KmipServerException.class)
        .hasMessageContaining("Operation Failed, 0x999: odd")
        .satisfies(e -> assertThat(((KmipServerException) e).resultReason())
            .isEqualTo(KmipResultReason.UNRECOGNIZED));
    assertThatThrownBy(() -> client.getSecretData(ENDPOINT, "5"))
        .isExactlyInstanceOf(KmipServerException.class)
        .hasMessageContaining("Operation Pending, NONE")
        .satisfies(e -> assertThat(((KmipServerException) e).resultReasonCode()).isEqualTo(-1));
  }

  @Test
  void serverFailure_controlCharactersAndLongMessages_areCleanedUp() {
    transport.respond(failure(KmipOperation.GET, 0x100, "line1\nline2\u0007" + "x".repeat(500)));

    assertThatThrownBy(() -> client.getSecretData(ENDPOINT, "5"))
        .hasMessageContaining("GENERAL_FAILURE: line1 line2 xxx")
        .hasMessageEndingWith("x...")
        .satisfies(e -> assertThat(e.getMessage()).hasSizeLessThan(450));
  }

  @Test
  void malformedResponses_failCleanlyNamingTheServerAndTheProblem() {
    assertMalformed(success(KmipOperation.ACTIVATE, uid("1")),
        "answers operation 0x12, but the request was Get (0x0A)");
    assertMalformed(Ttlv.structure(KmipTag.RESPONSE_MESSAGE, KmipTestMessages.header(1, 2),
            Ttlv.structure(KmipTag.BATCH_ITEM,
                Ttlv.enumeration(KmipTag.RESULT_STATUS, 0), Ttlv.structure(KmipTag.RESPONSE_PAYLOAD)),
            Ttlv.structure(KmipTag.BATCH_ITEM,
                Ttlv.enumeration(KmipTag.RESULT_STATUS, 0), Ttlv.structure(KmipTag.RESPONSE_PAYLOAD))),
        "2 batch items (BatchCount 2) for a request of one");
    assertMalformed(Ttlv.structure(KmipTag.RESPONSE_MESSAGE, KmipTestMessages.header(2, 1),
            Ttlv.structure(KmipTag.BATCH_ITEM, Ttlv.enumeration(KmipTag.RESULT_STATUS, 0))),
        "KMIP protocol version 2.0; this client speaks KMIP 1.x");
    assertMalformed(KmipTestMessages.response(KmipOperation.GET, List.of(
            Ttlv.integer(KmipTag.RESULT_STATUS, 0))),
        "ResultStatus (42007F) has type Integer, expected Enumeration");
    assertMalformed(KmipTestMessages.response(KmipOperation.GET, List.of(
            Ttlv.enumeration(KmipTag.RESULT_STATUS, 0))),
        "the successful Get response has no ResponsePayload");
    assertMalformed(KmipTestMessages.response(KmipOperation.GET, List.of()),
        "BatchItem (42000F) has no ResultStatus (42007F)");
    assertMalformed(success(KmipOperation.GET, uid("1")), "has no SecretData (420085)");
    assertMalformed(success(KmipOperation.GET, Ttlv.structure(KmipTag.SECRET_DATA,
            Ttlv.structure(KmipTag.KEY_BLOCK, Ttlv.structure(KmipTag.KEY_VALUE,
                Ttlv.text(KmipTag.KEY_MATERIAL, "not bytes"))))),
        "KeyMaterial (420043) has type TextString, expected ByteString");
    assertMalformed(Ttlv.structure(KmipTag.REQUEST_MESSAGE), "expected a ResponseMessage");
    assertMalformed(hex("485454502F312E3120343030"), "invalid tag 485454");
  }

  @Test
  void encrypt_malformedIv_failsCleanly() {
    transport.respond(success(KmipOperation.ENCRYPT, uid("2"),
        Ttlv.bytes(KmipTag.DATA, new byte[112]), Ttlv.bytes(KmipTag.IV_COUNTER_NONCE, new byte[15])));
    transport.respond(success(KmipOperation.ENCRYPT, uid("2"), Ttlv.bytes(KmipTag.DATA, new byte[112])));

    assertThatThrownBy(() -> client.encrypt(ENDPOINT, "2", counting(96)))
        .hasMessageContaining("malformed KMIP response from 127.0.0.1:5696 to the Encrypt of key"
            + " '2': the Encrypt response's IVCounterNonce is 15 bytes, expected 16");
    assertThatThrownBy(() -> client.encrypt(ENDPOINT, "2", counting(96)))
        .hasMessageContaining("the Encrypt response has no IVCounterNonce");
  }

  @Test
  void register_emptyUniqueIdentifier_failsCleanly() {
    transport.respond(success(KmipOperation.REGISTER, uid("")));

    assertThatThrownBy(() -> client.register(ENDPOINT, counting(96)))
        .isExactlyInstanceOf(KmsProviderException.class)
        .hasMessageContaining("to the Register: the UniqueIdentifier is empty");
  }

  @Test
  void transportFailures_becomeMessagesNamingServerOperationAndKey() {
    transport
        .fail(new KmipTransportException(KmipTransportException.Kind.TLS,
            KmipTlsException.Failure.SERVER_CERTIFICATE_UNTRUSTED, 1, "PKIX path building failed",
            null))
        .fail(new KmipTransportException(KmipTransportException.Kind.TLS,
            KmipTlsException.Failure.SERVER_HOSTNAME_MISMATCH, 1, "No subject alternative names",
            null))
        .fail(new KmipTransportException(KmipTransportException.Kind.TLS,
            KmipTlsException.Failure.CLIENT_CERTIFICATE_REFUSED, 1, "alert", null))
        .fail(new KmipTransportException(KmipTransportException.Kind.CONNECT, null, 3,
            "ConnectException: Connection refused", null))
        .fail(new KmipTransportException(KmipTransportException.Kind.LOST_AFTER_SEND,
            "EOFException", null))
        .fail(new KmipTransportException(KmipTransportException.Kind.TIMEOUT_AFTER_SEND,
            "no answer within 500 ms", null))
        .fail(new KmipTransportException(KmipTransportException.Kind.UNKNOWN_HOST,
            "unknown host 'nowhere'", null));

    assertThatThrownBy(() -> client.getSecretData(ENDPOINT, "7"))
        .isInstanceOf(KmipTlsException.class)
        .hasMessageContaining("TLS handshake with KMIP server 127.0.0.1:5696 failed before the"
            + " Get of key '7' was sent: this client does not trust the server's certificate")
        .satisfies(e -> assertThat(((KmipTlsException) e).failure())
            .isEqualTo(KmipTlsException.Failure.SERVER_CERTIFICATE_UNTRUSTED));
    assertThatThrownBy(() -> client.getSecretData(ENDPOINT, "7"))
        .isInstanceOf(KmipTlsException.class)
        .hasMessageContaining("the server's certificate is not issued for '127.0.0.1'");
    assertThatThrownBy(() -> client.getSecretData(ENDPOINT, "7"))
        .isInstanceOf(KmipTlsException.class)
        .hasMessageContaining("the server refused this client");
    assertThatThrownBy(() -> client.getSecretData(ENDPOINT, "7"))
        .hasMessageContaining("cannot connect to KMIP server 127.0.0.1:5696 for the Get of key"
            + " '7' (3 attempts): ConnectException: Connection refused")
        .satisfies(e -> assertThat(((KmsProviderException) e).isRetryable()).isTrue());
    assertThatThrownBy(() -> client.register(ENDPOINT, counting(96)))
        .hasMessageContaining("broke during the Register; the server may or may not have"
            + " processed it, so it was not sent again");
    assertThatThrownBy(() -> client.getSecretData(ENDPOINT, "7"))
        .hasMessageContaining("KMIP server 127.0.0.1:5696 did not answer the Get of key '7': no"
            + " answer within 500 ms");
    assertThatThrownBy(() -> client.getSecretData(ENDPOINT, "7"))
        .hasMessageContaining("cannot reach KMIP server 127.0.0.1:5696 for the Get of key '7':"
            + " unknown host 'nowhere'")
        .satisfies(e -> assertThat(((KmsProviderException) e).isRetryable()).isFalse());
  }

  @Test
  void register_afterSending_wipesTheEncodedRequest() throws Exception {
    byte[][] seen = new byte[1][];
    KmipTransport capturing = new KmipTransport() {
      @Override
      public byte[] exchange(KmipEndpoint endpoint, byte[] request, boolean idempotent) {
        seen[0] = request; // the very array the client encoded the secret into
        return TtlvCodec.encode(success(KmipOperation.REGISTER, uid("1")));
      }

      @Override
      public void close() {}
    };
    new KmipClient(KmsProviderName.of("kmip"), capturing).register(ENDPOINT, counting(96));
    assertThat(seen[0]).containsOnly(0);
  }

  @Test
  void close_closesTheTransport() {
    client.close();
    assertThat(transport.closed()).isTrue();
  }

  private void assertMalformed(Object response, String detail) {
    ScriptedTransport one = new ScriptedTransport();
    if (response instanceof Ttlv t) {
      one.respond(t);
    } else {
      one.respond((byte[]) response);
    }
    KmipClient c = new KmipClient(KmsProviderName.of("kmip"), one);
    assertThatThrownBy(() -> c.getSecretData(ENDPOINT, "1"))
        .isExactlyInstanceOf(KmsProviderException.class)
        .hasMessageContaining("malformed KMIP response from 127.0.0.1:5696 to the Get of key '1'")
        .hasMessageContaining(detail);
  }
}
