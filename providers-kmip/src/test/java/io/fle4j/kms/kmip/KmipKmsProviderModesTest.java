package io.fle4j.kms.kmip;

import static io.fle4j.kms.kmip.KmipTestMessages.counting;
import static io.fle4j.kms.kmip.KmipTestMessages.secretDataPayload;
import static io.fle4j.kms.kmip.KmipTestMessages.success;
import static io.fle4j.kms.kmip.KmipTestMessages.uid;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fle4j.ConfigurationException;
import io.fle4j.kms.Fle1KeyWrap;
import io.fle4j.kms.KmsProviderException;
import io.fle4j.kms.SecretBytes;
import java.util.Arrays;
import org.bson.BsonBoolean;
import org.bson.BsonDocument;
import org.bson.BsonInt32;
import org.bson.BsonString;
import org.junit.jupiter.api.Test;

/**
 * The operations each mode sends, in libmongocrypt's order (formats.md §2.3), and the master key
 * documents it stores, over a scripted transport.
 */
class KmipKmsProviderModesTest {
  private final ScriptedTransport transport = new ScriptedTransport();
  private final KmipKmsProvider provider =
      KmipKmsProvider.withTransport("kmip", "127.0.0.1:5696", transport);

  @Test
  void createDataKey_defaultMode_registersActivatesThenGetsAndWrapsLocally() throws Exception {
    byte[] secret = counting(96);
    transport.respond(success(KmipOperation.REGISTER, uid("17")))
        .respond(success(KmipOperation.ACTIVATE, uid("17")))
        .respond(success(KmipOperation.GET, secretDataPayload("17", secret)));

    BsonDocument masterKey = provider.masterKey(new BsonDocument());
    byte[] dataKey = counting(96);
    byte[] material = provider.encryptDataKey(masterKey, dataKey);

    assertThat(transport.operations()).containsExactly("Register", "Activate", "Get");
    assertThat(masterKey.toJson()).isEqualTo("{\"provider\": \"kmip\", \"keyId\": \"17\"}");
    assertThat(material).hasSize(160);
    assertThat(Fle1KeyWrap.unwrap(SecretBytes.copyOf(secret), material)).isEqualTo(dataKey);
    // The registered secret is the request's KeyMaterial: 96 fresh random bytes.
    byte[] registered = TtlvCodec.decode(transport.requests().get(0))
        .required(KmipTag.BATCH_ITEM, TtlvType.STRUCTURE)
        .required(KmipTag.REQUEST_PAYLOAD, TtlvType.STRUCTURE)
        .required(KmipTag.SECRET_DATA, TtlvType.STRUCTURE)
        .required(KmipTag.KEY_BLOCK, TtlvType.STRUCTURE)
        .required(KmipTag.KEY_VALUE, TtlvType.STRUCTURE)
        .required(KmipTag.KEY_MATERIAL, TtlvType.BYTE_STRING).bytesValue();
    assertThat(registered).hasSize(96).isNotEqualTo(new byte[96]);
  }

  @Test
  void decryptDataKey_defaultMode_getsOnceAndUnwraps() {
    byte[] secret = counting(96);
    byte[] dataKey = counting(96);
    byte[] material = Fle1KeyWrap.wrap(SecretBytes.copyOf(secret), dataKey);
    transport.respond(success(KmipOperation.GET, secretDataPayload("3", secret)));

    byte[] unwrapped = provider.decryptDataKey(
        new BsonDocument("provider", new BsonString("kmip")).append("keyId", new BsonString("3")),
        material);

    assertThat(unwrapped).isEqualTo(dataKey);
    assertThat(transport.operations()).containsExactly("Get");
  }

  @Test
  void createDataKey_givenKeyId_registersNothing() {
    transport.respond(success(KmipOperation.GET, secretDataPayload("3", counting(96))));

    BsonDocument masterKey = provider.masterKey(new BsonDocument("keyId", new BsonString("3")));
    provider.encryptDataKey(masterKey, counting(96));

    assertThat(transport.operations()).containsExactly("Get");
    assertThat(masterKey.toJson()).isEqualTo("{\"provider\": \"kmip\", \"keyId\": \"3\"}");
  }

  @Test
  void createDataKey_delegated_createsActivatesThenEncryptsOnTheServer() {
    byte[] iv = Arrays.copyOfRange(counting(200), 100, 116);
    byte[] ciphertext = Arrays.copyOfRange(counting(250), 120, 232);
    transport.respond(success(KmipOperation.CREATE,
            Ttlv.enumeration(KmipTag.OBJECT_TYPE, 2), uid("9")))
        .respond(success(KmipOperation.ACTIVATE, uid("9")))
        .respond(success(KmipOperation.ENCRYPT, uid("9"), Ttlv.bytes(KmipTag.DATA, ciphertext),
            Ttlv.bytes(KmipTag.IV_COUNTER_NONCE, iv)));

    BsonDocument masterKey = provider.masterKey(new BsonDocument("delegated", BsonBoolean.TRUE));
    byte[] material = provider.encryptDataKey(masterKey, counting(96));

    assertThat(transport.operations()).containsExactly("Create", "Activate", "Encrypt");
    assertThat(masterKey.toJson())
        .isEqualTo("{\"provider\": \"kmip\", \"delegated\": true, \"keyId\": \"9\"}");
    assertThat(Arrays.copyOfRange(material, 0, 16)).isEqualTo(iv);
    assertThat(Arrays.copyOfRange(material, 16, material.length)).isEqualTo(ciphertext);
  }

  @Test
  void decryptDataKey_delegated_sendsDecryptWithTheFirst16BytesAsIv() {
    byte[] material = counting(128);
    transport.respond(success(KmipOperation.DECRYPT, uid("9"),
        Ttlv.bytes(KmipTag.DATA, counting(96))));

    byte[] dataKey = provider.decryptDataKey(new BsonDocument("provider", new BsonString("kmip"))
        .append("delegated", BsonBoolean.TRUE).append("keyId", new BsonString("9")), material);

    assertThat(dataKey).isEqualTo(counting(96));
    Ttlv payload = TtlvCodec.decode(transport.requests().get(0))
        .required(KmipTag.BATCH_ITEM, TtlvType.STRUCTURE)
        .required(KmipTag.REQUEST_PAYLOAD, TtlvType.STRUCTURE);
    assertThat(payload.required(KmipTag.IV_COUNTER_NONCE, TtlvType.BYTE_STRING).bytesValue())
        .isEqualTo(Arrays.copyOfRange(material, 0, 16));
    assertThat(payload.required(KmipTag.DATA, TtlvType.BYTE_STRING).bytesValue())
        .isEqualTo(Arrays.copyOfRange(material, 16, 128));
  }

  @Test
  void masterKey_allFields_areWrittenInLibmongocryptsOrder() {
    BsonDocument options = new BsonDocument("keyId", new BsonString("5"))
        .append("delegated", BsonBoolean.TRUE)
        .append("endpoint", new BsonString("https://kmip.example.com:5697/ignored"))
        .append("provider", new BsonString("kmip"));

    assertThat(provider.masterKey(options).toJson()).isEqualTo("{\"provider\": \"kmip\","
        + " \"endpoint\": \"kmip.example.com:5697\", \"delegated\": true, \"keyId\": \"5\"}");
    assertThat(transport.operations()).isEmpty();
  }

  @Test
  void masterKey_delegatedFalse_isNotWritten() {
    BsonDocument options = new BsonDocument("delegated", BsonBoolean.FALSE)
        .append("keyId", new BsonString("5"));

    assertThat(provider.masterKey(options).toJson())
        .isEqualTo("{\"provider\": \"kmip\", \"keyId\": \"5\"}");
  }

  @Test
  void masterKey_endpointOverride_sendsTheRequestsThere() {
    KmipTransport checking = new KmipTransport() {
      @Override
      public byte[] exchange(KmipEndpoint endpoint, byte[] request, boolean idempotent) {
        assertThat(endpoint).hasToString("other.example:7000");
        return TtlvCodec.encode(RecordingTransport.operationName(request).equals("Register")
            ? success(KmipOperation.REGISTER, uid("1")) : success(KmipOperation.ACTIVATE, uid("1")));
      }

      @Override
      public void close() {}
    };
    KmipKmsProvider overridden = KmipKmsProvider.withTransport("kmip", "127.0.0.1", checking);

    BsonDocument masterKey =
        overridden.masterKey(new BsonDocument("endpoint", new BsonString("other.example:7000")));

    assertThat(masterKey.getString("endpoint").getValue()).isEqualTo("other.example:7000");
  }

  @Test
  void masterKey_wrongTypes_areRefusedNamingTheField() {
    assertThatThrownBy(() -> provider.masterKey(new BsonDocument("keyId", new BsonInt32(5))))
        .isInstanceOf(ConfigurationException.class)
        .hasMessage("masterKey.keyId: must be a string, got INT32");
    assertThatThrownBy(() -> provider.masterKey(new BsonDocument("keyId", new BsonString(""))))
        .isInstanceOf(ConfigurationException.class).hasMessageContaining("must not be empty");
    assertThatThrownBy(() -> provider.masterKey(
        new BsonDocument("delegated", new BsonString("true"))))
        .isInstanceOf(ConfigurationException.class)
        .hasMessage("masterKey.delegated: must be a boolean, got STRING");
    assertThatThrownBy(() -> provider.masterKey(new BsonDocument("endpoint", new BsonInt32(1))))
        .isInstanceOf(ConfigurationException.class).hasMessageContaining("masterKey.endpoint");
    assertThatThrownBy(() -> provider.masterKey(new BsonDocument("endpoint", new BsonString("a:b"))))
        .isInstanceOf(ConfigurationException.class).hasMessageContaining("port");
    assertThatThrownBy(() -> provider.masterKey(
        new BsonDocument("provider", new BsonString("kmip:other"))))
        .isInstanceOf(ConfigurationException.class).hasMessageContaining("masterKey.provider");
    assertThatThrownBy(() -> provider.masterKey(new BsonDocument("key", new BsonString("x"))))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("masterKey.key: unexpected field");
    assertThat(transport.operations()).isEmpty();
  }

  @Test
  void encryptDataKey_storedMasterKeyWithoutKeyId_isRefused() {
    assertThatThrownBy(() -> provider.encryptDataKey(
        new BsonDocument("provider", new BsonString("kmip")), counting(96)))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("masterKey.keyId: is required");
  }

  @Test
  void decryptDataKey_delegatedMaterialOfWrongLength_isRefusedBeforeAnyCall() {
    BsonDocument masterKey = new BsonDocument("delegated", BsonBoolean.TRUE)
        .append("keyId", new BsonString("9"));
    for (int length : new int[] {0, 16, 31, 33, 127}) {
      assertThatThrownBy(() -> provider.decryptDataKey(masterKey, new byte[length]))
          .isInstanceOf(KmsProviderException.class)
          .hasMessageContaining("got " + length + " bytes");
    }
    assertThat(transport.operations()).isEmpty();
  }

  @Test
  void decryptDataKey_secretDataOfWrongSize_isRefusedWithoutShowingIt() {
    transport.respond(success(KmipOperation.GET, secretDataPayload("3", counting(32))));

    assertThatThrownBy(() -> provider.decryptDataKey(
        new BsonDocument("keyId", new BsonString("3")), new byte[160]))
        .isInstanceOf(KmsProviderException.class)
        .hasMessageContaining("KMIP SecretData '3' at 127.0.0.1:5696 is 32 bytes; a"
            + " key-encryption key is 96 bytes");
  }

  @Test
  void decryptDataKey_wrappedUnderAnotherSecret_namesTheKeyAndEndpoint() {
    byte[] material = Fle1KeyWrap.wrap(SecretBytes.copyOf(new byte[96]), counting(96));
    transport.respond(success(KmipOperation.GET, secretDataPayload("3", counting(96))));

    assertThatThrownBy(() -> provider.decryptDataKey(
        new BsonDocument("keyId", new BsonString("3")), material))
        .isExactlyInstanceOf(KmsProviderException.class)
        .hasMessageContaining("the KMIP SecretData '3' at 127.0.0.1:5696 cannot unwrap this data"
            + " key");
  }

  @Test
  void masterKey_registerFails_leavesNoHalfMadeKeyInTheResult() {
    transport.respond(success(KmipOperation.REGISTER, uid("4")))
        .respond(KmipTestMessages.failure(KmipOperation.ACTIVATE, 0x0C, "no"));

    assertThatThrownBy(() -> provider.masterKey(new BsonDocument()))
        .isInstanceOf(KmipServerException.class)
        .hasMessageContaining("Activate of key '4'");
  }

  @Test
  void toString_namesEndpointAndTlsSourceOnly() {
    assertThat(provider).hasToString(
        "KmipKmsProvider{name=kmip, endpoint=127.0.0.1:5696, tls=test transport}");
  }
}
