package io.fle4j.kms.kmip;

import static io.fle4j.kms.kmip.KmipTestMessages.hex;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The TTLV encoding item by item (KMIP 1.x §9.1), and decoding of hostile input. */
class TtlvCodecTest {

  @Test
  void encode_integer_isFourBytesThenFourOfPadding() {
    assertThat(TtlvCodec.encode(Ttlv.integer(0x42006A, 1)))
        .isEqualTo(hex("42006A 02 00000004  00000001 00000000"));
  }

  @Test
  void encode_enumeration_isFourBytesThenFourOfPadding() {
    assertThat(TtlvCodec.encode(Ttlv.enumeration(0x42005C, 0x1F)))
        .isEqualTo(hex("42005C 05 00000004  0000001F 00000000"));
  }

  @Test
  void encode_longIntegerAndDateTime_areEightBytes() {
    assertThat(TtlvCodec.encode(Ttlv.longInteger(0x420001, -2)))
        .isEqualTo(hex("420001 03 00000008  FFFFFFFF FFFFFFFE"));
    assertThat(TtlvCodec.encode(Ttlv.dateTime(0x420092, 0x6B03E292L)))
        .isEqualTo(hex("420092 09 00000008  00000000 6B03E292"));
  }

  @Test
  void encode_boolean_isEightBytesHoldingOneOrZero() {
    assertThat(TtlvCodec.encode(Ttlv.bool(0x4200C5, true)))
        .isEqualTo(hex("4200C5 06 00000008  00000000 00000001"));
    assertThat(TtlvCodec.encode(Ttlv.bool(0x4200C5, false)))
        .isEqualTo(hex("4200C5 06 00000008  00000000 00000000"));
  }

  @Test
  void encode_textString_isUtf8PaddedToEight() {
    assertThat(TtlvCodec.encode(Ttlv.text(0x420094, "1")))
        .isEqualTo(hex("420094 07 00000001  31 00000000000000"));
    assertThat(TtlvCodec.encode(Ttlv.text(0x420094, "12345678")))
        .isEqualTo(hex("420094 07 00000008  3132333435363738"));
    assertThat(TtlvCodec.encode(Ttlv.text(0x420094, "é")))
        .isEqualTo(hex("420094 07 00000002  C3A9 000000000000"));
  }

  @Test
  void encode_byteStringAndEmptyValues_padToEight() {
    assertThat(TtlvCodec.encode(Ttlv.bytes(0x4200C2, new byte[] {1, 2, 3})))
        .isEqualTo(hex("4200C2 08 00000003  010203 0000000000"));
    assertThat(TtlvCodec.encode(Ttlv.bytes(0x4200C2, new byte[0])))
        .isEqualTo(hex("4200C2 08 00000000"));
    assertThat(TtlvCodec.encode(Ttlv.structure(0x420091)))
        .isEqualTo(hex("420091 01 00000000"));
  }

  @Test
  void encode_intervalAndBigInteger_followTheSpec() {
    assertThat(TtlvCodec.encode(Ttlv.interval(0x420001, 86400)))
        .isEqualTo(hex("420001 0A 00000004  00015180 00000000"));
    assertThat(TtlvCodec.encode(Ttlv.bigInteger(0x420001, hex("0000000000000001"))))
        .isEqualTo(hex("420001 04 00000008  0000000000000001"));
  }

  @Test
  void encode_structure_lengthCountsPaddedChildren() {
    Ttlv version = Ttlv.structure(0x420069,
        Ttlv.integer(0x42006A, 1), Ttlv.integer(0x42006B, 2));
    assertThat(TtlvCodec.encode(version)).isEqualTo(hex(
        "420069 01 00000020",
        "  42006A 02 00000004  00000001 00000000",
        "  42006B 02 00000004  00000002 00000000"));
  }

  @Test
  void decode_everyType_roundTrips() {
    Ttlv message = Ttlv.structure(0x42007B,
        Ttlv.integer(0x42000D, -7),
        Ttlv.longInteger(0x420001, Long.MIN_VALUE),
        Ttlv.bigInteger(0x420002, hex("00000000000000FF")),
        Ttlv.enumeration(0x42007F, 3),
        Ttlv.bool(0x4200C5, true),
        Ttlv.text(0x42007D, "Ünïcode ✓"),
        Ttlv.bytes(0x4200C2, KmipTestMessages.counting(13)),
        Ttlv.dateTime(0x420092, 1_700_000_000L),
        Ttlv.interval(0x420003, 60),
        Ttlv.structure(0x54ABCD, Ttlv.structure(0x420008)));

    assertThat(TtlvCodec.decode(TtlvCodec.encode(message))).isEqualTo(message);
  }

  @Test
  void decode_extensionAndUnknownStandardTags_areKept() {
    byte[] bytes = hex(
        "42007B 01 00000020",
        "  42FFFF 02 00000004  00000009 00000000", // a standard-range tag this client does not know
        "  540001 07 00000002  6F6B 000000000000"); // a vendor extension
    Ttlv decoded = TtlvCodec.decode(bytes);
    assertThat(decoded.child(0x42FFFF).orElseThrow().intValue()).isEqualTo(9);
    assertThat(decoded.child(0x540001).orElseThrow().textValue()).isEqualTo("ok");
  }

  @Test
  void decode_emptyInput_failsAsTruncated() {
    assertThatThrownBy(() -> TtlvCodec.decode(new byte[0]))
        .isInstanceOf(TtlvException.class)
        .hasMessageContaining("truncated").hasMessageContaining("needs 8 bytes, 0 remain");
  }

  @Test
  void decode_truncatedHeader_fails() {
    assertThatThrownBy(() -> TtlvCodec.decode(hex("42007B 01 0000")))
        .isInstanceOf(TtlvException.class).hasMessageContaining("truncated");
  }

  @Test
  void decode_truncatedValue_failsNamingTheItem() {
    assertThatThrownBy(() -> TtlvCodec.decode(hex("420094 07 00000010  3132333435363738")))
        .isInstanceOf(TtlvException.class)
        .hasMessageContaining("UniqueIdentifier (420094)")
        .hasMessageContaining("declares 16 bytes (16 padded) but only 8 remain");
  }

  @Test
  void decode_missingPadding_failsAsTruncated() {
    assertThatThrownBy(() -> TtlvCodec.decode(hex("420094 07 00000001  31")))
        .isInstanceOf(TtlvException.class)
        .hasMessageContaining("declares 1 bytes (8 padded) but only 1 remain");
  }

  @Test
  void decode_childOverrunsItsStructure_fails() {
    byte[] bytes = hex(
        "42007B 01 00000010", // says 16 bytes of children
        "  42000D 02 00000004  00000001 00000000",
        "  42000D 02 00000004  00000001 00000000"); // but 32 follow
    assertThatThrownBy(() -> TtlvCodec.decode(bytes))
        .isInstanceOf(TtlvException.class)
        .hasMessageContaining("16 bytes follow");
    byte[] overrun = hex(
        "42007B 01 00000008",
        "  420094 07 00000008  3132333435363738");
    assertThatThrownBy(() -> TtlvCodec.decode(overrun))
        .isInstanceOf(TtlvException.class)
        .hasMessageContaining("UniqueIdentifier (420094) at offset 8 declares 8 bytes")
        .hasMessageContaining("only 0 remain");
  }

  @Test
  void decode_structureLengthNotAMultipleOfEight_fails() {
    assertThatThrownBy(() -> TtlvCodec.decode(hex("42007B 01 00000004  00000000 00000000")))
        .isInstanceOf(TtlvException.class).hasMessageContaining("not a multiple of 8");
  }

  @Test
  void decode_wrongLengthForFixedSizeType_fails() {
    assertThatThrownBy(() -> TtlvCodec.decode(hex("42000D 02 00000008  00000000 00000001")))
        .isInstanceOf(TtlvException.class)
        .hasMessageContaining("BatchCount (42000D) at offset 0 is a Integer declaring 8 bytes;"
            + " it must declare 4");
    assertThatThrownBy(() -> TtlvCodec.decode(hex("4200C5 06 00000004  00000001 00000000")))
        .isInstanceOf(TtlvException.class).hasMessageContaining("must declare 8");
    assertThatThrownBy(() -> TtlvCodec.decode(hex("420092 09 00000004  00000001 00000000")))
        .isInstanceOf(TtlvException.class).hasMessageContaining("must declare 8");
  }

  @Test
  void decode_unknownTypeCode_fails() {
    assertThatThrownBy(() -> TtlvCodec.decode(hex("42000D 0B 00000004  00000001 00000000")))
        .isInstanceOf(TtlvException.class).hasMessageContaining("unknown type code 0x0B");
    assertThatThrownBy(() -> TtlvCodec.decode(hex("42000D 00 00000000")))
        .isInstanceOf(TtlvException.class).hasMessageContaining("unknown type code 0x00");
  }

  @Test
  void decode_tagOutsideKmipRanges_fails() {
    assertThatThrownBy(() -> TtlvCodec.decode(hex("41000D 02 00000004  00000001 00000000")))
        .isInstanceOf(TtlvException.class).hasMessageContaining("invalid tag 41000D");
    assertThatThrownBy(() -> TtlvCodec.decode(hex("000000 01 00000000")))
        .isInstanceOf(TtlvException.class).hasMessageContaining("invalid tag 000000");
  }

  @Test
  void decode_booleanOtherThanZeroOrOne_fails() {
    assertThatThrownBy(() -> TtlvCodec.decode(hex("4200C5 06 00000008  00000000 00000002")))
        .isInstanceOf(TtlvException.class).hasMessageContaining("only 0 and 1 are allowed");
  }

  @Test
  void decode_invalidUtf8Text_fails() {
    assertThatThrownBy(() -> TtlvCodec.decode(hex("42007D 07 00000002  C328 000000000000")))
        .isInstanceOf(TtlvException.class).hasMessageContaining("not valid UTF-8");
  }

  @Test
  void decode_bigIntegerNotAMultipleOfEight_fails() {
    assertThatThrownBy(() -> TtlvCodec.decode(hex("420001 04 00000004  00000001 00000000")))
        .isInstanceOf(TtlvException.class).hasMessageContaining("BigInteger of 4 bytes");
  }

  @Test
  void decode_trailingBytes_fail() {
    assertThatThrownBy(() -> TtlvCodec.decode(hex(
        "42000D 02 00000004  00000001 00000000",
        "42000D 02 00000004  00000001 00000000")))
        .isInstanceOf(TtlvException.class).hasMessageContaining("16 bytes follow");
  }

  @Test
  void decode_nestingDeeperThanTheLimit_fails() {
    Ttlv item = Ttlv.structure(0x420001);
    for (int i = 0; i < TtlvCodec.MAX_DEPTH + 1; i++) {
      item = Ttlv.structure(0x420001, item);
    }
    byte[] deep = TtlvCodec.encode(item);
    assertThatThrownBy(() -> TtlvCodec.decode(deep))
        .isInstanceOf(TtlvException.class).hasMessageContaining("nest more than 32 deep");
  }

  @Test
  void decode_hugeDeclaredLengths_failWithoutAllocatingThem() {
    List<byte[]> hostile = new ArrayList<>();
    hostile.add(hex("4200C2 08 7FFFFFF8  00000000 00000000")); // ByteString of 2 GiB
    hostile.add(hex("4200C2 08 FFFFFFFF  00000000 00000000")); // 4 GiB - 1: padding overflows int
    hostile.add(hex("42007D 07 FFFFFFF9  00000000 00000000")); // TextString
    hostile.add(hex("42007B 01 FFFFFFF8  00000000 00000000")); // Structure
    hostile.add(hex("42007B 01 00000010  4200C2 08 7FFFFFF0 00000000")); // nested
    com.sun.management.ThreadMXBean threads =
        (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    long thread = Thread.currentThread().getId();
    for (byte[] bytes : hostile) {
      assertThatThrownBy(() -> TtlvCodec.decode(bytes)); // warm up: load classes first
      long before = threads.getThreadAllocatedBytes(thread);
      assertThatThrownBy(() -> TtlvCodec.decode(bytes))
          .isInstanceOf(TtlvException.class).hasMessageContaining("remain");
      long allocated = threads.getThreadAllocatedBytes(thread) - before;
      assertThat(allocated).as("bytes allocated decoding %s", hex(bytes)).isLessThan(64 * 1024);
    }
  }

  @Test
  void messageBodyLength_wellFormedHeader_returnsTheLength() {
    assertThat(TtlvCodec.messageBodyLength(hex("42007B 01 00000090"), KmipTag.RESPONSE_MESSAGE,
        1 << 20)).isEqualTo(0x90);
  }

  @Test
  void messageBodyLength_hostileHeaders_failBeforeAnythingIsRead() {
    int max = 1 << 20;
    assertThatThrownBy(() -> TtlvCodec.messageBodyLength(hex("42007B 01 FFFFFFF8"),
        KmipTag.RESPONSE_MESSAGE, max))
        .isInstanceOf(TtlvException.class)
        .hasMessageContaining("declares 4294967288 bytes, more than the 1048576-byte limit");
    assertThatThrownBy(() -> TtlvCodec.messageBodyLength(hex("42007B 01 00100000"),
        KmipTag.RESPONSE_MESSAGE, max))
        .isInstanceOf(TtlvException.class).hasMessageContaining("limit");
    assertThatThrownBy(() -> TtlvCodec.messageBodyLength(hex("42007B 01 00000091"),
        KmipTag.RESPONSE_MESSAGE, max))
        .isInstanceOf(TtlvException.class).hasMessageContaining("not a multiple of 8");
    assertThatThrownBy(() -> TtlvCodec.messageBodyLength(hex("42007B 02 00000004"),
        KmipTag.RESPONSE_MESSAGE, max))
        .isInstanceOf(TtlvException.class).hasMessageContaining("expected Structure");
    assertThatThrownBy(() -> TtlvCodec.messageBodyLength(hex("485454 50 2F312E31"),
        KmipTag.RESPONSE_MESSAGE, max))
        .isInstanceOf(TtlvException.class)
        .hasMessageContaining("starts with tag 485454")
        .hasMessageContaining("is the peer a KMIP server?");
  }

  @Test
  void wipe_zeroesEveryByteStringInTheTree() {
    byte[] secret = KmipTestMessages.counting(96);
    Ttlv tree = Ttlv.structure(0x420085, Ttlv.structure(0x420045,
        Ttlv.bytes(0x420043, secret)));
    tree.wipe();
    assertThat(secret).containsOnly(0);
  }

  @Test
  void toString_showsByteStringLengthsOnly() {
    Ttlv tree = Ttlv.structure(KmipTag.KEY_VALUE,
        Ttlv.bytes(KmipTag.KEY_MATERIAL, hex("DEADBEEFCAFE")));
    assertThat(tree.toString())
        .isEqualTo("KeyValue (420045) Structure {KeyMaterial (420043) ByteString [6 bytes]}")
        .doesNotContainIgnoringCase("dead");
  }
}
