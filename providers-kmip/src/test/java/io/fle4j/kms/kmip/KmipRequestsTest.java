package io.fle4j.kms.kmip;

import static io.fle4j.kms.kmip.KmipTestMessages.counting;
import static io.fle4j.kms.kmip.KmipTestMessages.hex;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * Every request this client sends, byte for byte, as libmongocrypt lays them out (formats.md §4.5;
 * LMC:kms-message/src/kms_kmip_request.c). PyKMIP accepts each of them (KmipKmsProviderTest).
 */
class KmipRequestsTest {
  private static String header(int minor) {
    return String.join("\n",
        "  420077 01 00000038                     # RequestHeader",
        "    420069 01 00000020                   #   ProtocolVersion",
        "      42006A 02 00000004 00000001 00000000 #   Major 1",
        "      42006B 02 00000004 0000000" + minor + " 00000000 #   Minor",
        "    42000D 02 00000004 00000001 00000000 #   BatchCount 1");
  }

  @Test
  void register_secretData_matchesTheLayoutByteForByte() {
    byte[] expected = hex(
        "420078 01 00000150                       # RequestMessage",
        header(0),
        "  42000F 01 00000108                     # BatchItem",
        "    42005C 05 00000004 00000003 00000000 #   Operation Register",
        "    420079 01 000000F0                   #   RequestPayload",
        "      420057 05 00000004 00000007 00000000 # ObjectType SecretData",
        "      420091 01 00000038                 #     TemplateAttribute",
        "        420008 01 00000030               #       Attribute",
        "          42000A 07 00000018             #         AttributeName",
        "            43727970746F67726170686963205573616765204D61736B # Cryptographic Usage Mask",
        "          42000B 02 00000004 00000000 00000000 #   AttributeValue 0",
        "      420085 01 00000098                 #     SecretData",
        "        420086 05 00000004 00000002 00000000 #   SecretDataType Seed",
        "        420040 01 00000080               #       KeyBlock",
        "          420042 05 00000004 00000002 00000000 # KeyFormatType Opaque",
        "          420045 01 00000068             #         KeyValue",
        "            420043 08 00000060           #           KeyMaterial (96 bytes)",
        hex(counting(96)));

    assertThat(TtlvCodec.encode(KmipRequests.register(counting(96)))).isEqualTo(expected);
  }

  @Test
  void activate_matchesTheLayoutByteForByte() {
    byte[] expected = hex(
        "420078 01 00000070",
        header(0),
        "  42000F 01 00000028",
        "    42005C 05 00000004 00000012 00000000 # Operation Activate",
        "    420079 01 00000010",
        "      420094 07 00000001 31 00000000000000 # UniqueIdentifier \"1\"");

    assertThat(TtlvCodec.encode(KmipRequests.activate("1"))).isEqualTo(expected);
  }

  @Test
  void get_thirtyTwoCharacterId_matchesLibmongocryptsVectorAtMinorVersionZero() {
    // LMC:kms-message/test/test_kms_kmip_request.c GET_REQUEST, with the minor version 0 that
    // libmongocrypt sends today.
    byte[] expected = hex(
        "420078 01 00000088",
        header(0),
        "  42000F 01 00000040",
        "    42005C 05 00000004 0000000A 00000000 # Operation Get",
        "    420079 01 00000028",
        "      420094 07 00000020",
        "        37464A59766E5636586B61554357755939366243536336417568766B50707149");

    assertThat(TtlvCodec.encode(KmipRequests.get("7FJYvnV6XkaUCWuY96bCSc6AuhvkPpqI")))
        .isEqualTo(expected);
  }

  @Test
  void create_aes256EncryptDecryptKey_matchesTheLayoutByteForByte() {
    byte[] expected = hex(
        "420078 01 00000120",
        header(2),
        "  42000F 01 000000D8",
        "    42005C 05 00000004 00000001 00000000 # Operation Create",
        "    420079 01 000000C0",
        "      420057 05 00000004 00000002 00000000 # ObjectType SymmetricKey",
        "      420091 01 000000A8",
        "        420008 01 00000030",
        "          42000A 07 00000017 43727970746F6772617068696320416C676F726974686D 00",
        "          42000B 05 00000004 00000003 00000000 # AES (an Enumeration)",
        "        420008 01 00000030",
        "          42000A 07 00000014 43727970746F67726170686963204C656E677468 00000000",
        "          42000B 02 00000004 00000100 00000000 # 256",
        "        420008 01 00000030",
        "          42000A 07 00000018 43727970746F67726170686963205573616765204D61736B",
        "          42000B 02 00000004 0000000C 00000000 # Encrypt | Decrypt");

    assertThat(TtlvCodec.encode(KmipRequests.create())).isEqualTo(expected);
  }

  @Test
  void encrypt_cbcPkcs5RandomIv_matchesTheLayoutByteForByte() {
    byte[] expected = hex(
        "420078 01 00000120",
        header(2),
        "  42000F 01 000000D8",
        "    42005C 05 00000004 0000001F 00000000 # Operation Encrypt",
        "    420079 01 000000C0",
        "      420094 07 00000001 32 00000000000000",
        "      42002B 01 00000040                 # CryptographicParameters",
        "        420011 05 00000004 00000001 00000000 # BlockCipherMode CBC",
        "        42005F 05 00000004 00000003 00000000 # PaddingMethod PKCS5",
        "        420028 05 00000004 00000003 00000000 # CryptographicAlgorithm AES",
        "        4200C5 06 00000008 00000000 00000001 # RandomIV true",
        "      4200C2 08 00000060                 # Data",
        hex(counting(96)));

    assertThat(TtlvCodec.encode(KmipRequests.encrypt("2", counting(96)))).isEqualTo(expected);
  }

  @Test
  void decrypt_dataThenIv_matchesTheLayoutByteForByte() {
    byte[] iv = Arrays.copyOfRange(counting(128), 112, 128);
    byte[] data = counting(112);
    byte[] expected = hex(
        "420078 01 00000138",
        header(2),
        "  42000F 01 000000F0",
        "    42005C 05 00000004 00000020 00000000 # Operation Decrypt",
        "    420079 01 000000D8",
        "      420094 07 00000001 32 00000000000000",
        "      42002B 01 00000030                 # no RandomIV",
        "        420011 05 00000004 00000001 00000000",
        "        42005F 05 00000004 00000003 00000000",
        "        420028 05 00000004 00000003 00000000",
        "      4200C2 08 00000070 " + hex(data),
        "      42003D 08 00000010 " + hex(iv) + " # IVCounterNonce");

    assertThat(TtlvCodec.encode(KmipRequests.decrypt("2", iv, data))).isEqualTo(expected);
  }

  @Test
  void revoke_cessationOfOperation_matchesTheLayoutByteForByte() {
    byte[] expected = hex(
        "420078 01 00000088",
        header(0),
        "  42000F 01 00000040",
        "    42005C 05 00000004 00000013 00000000 # Operation Revoke",
        "    420079 01 00000028",
        "      420094 07 00000001 32 00000000000000",
        "      420081 01 00000010                 # RevocationReason",
        "        420082 05 00000004 00000006 00000000 # Cessation of Operation");

    assertThat(TtlvCodec.encode(KmipRequests.revoke("2"))).isEqualTo(expected);
  }

  @Test
  void destroy_matchesTheLayoutByteForByte() {
    byte[] expected = hex(
        "420078 01 00000070",
        header(0),
        "  42000F 01 00000028",
        "    42005C 05 00000004 00000014 00000000 # Operation Destroy",
        "    420079 01 00000010",
        "      420094 07 00000001 32 00000000000000");

    assertThat(TtlvCodec.encode(KmipRequests.destroy("2"))).isEqualTo(expected);
  }

  @Test
  void register_encodedTwice_leavesTheCallersSecretIntact() {
    byte[] secret = counting(96);
    TtlvCodec.encode(KmipRequests.register(secret));
    assertThat(secret).isEqualTo(counting(96));
  }
}
