package io.fle4j.kms.kmip;

import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/** Builds response messages and reads hex written one TTLV item per line, for tests. */
final class KmipTestMessages {
  private KmipTestMessages() {}

  /** A ResponseMessage answering {@code operation} with Success and this payload. */
  static Ttlv success(KmipOperation operation, Ttlv... payload) {
    return response(operation, List.of(
        Ttlv.enumeration(KmipTag.RESULT_STATUS, KmipResponse.STATUS_SUCCESS),
        Ttlv.structure(KmipTag.RESPONSE_PAYLOAD, payload)));
  }

  /** A ResponseMessage answering {@code operation} with Operation Failed. */
  static Ttlv failure(KmipOperation operation, int reason, String message) {
    List<Ttlv> items = new ArrayList<>();
    items.add(Ttlv.enumeration(KmipTag.RESULT_STATUS, KmipResponse.STATUS_OPERATION_FAILED));
    items.add(Ttlv.enumeration(KmipTag.RESULT_REASON, reason));
    if (message != null) {
      items.add(Ttlv.text(KmipTag.RESULT_MESSAGE, message));
    }
    return response(operation, items);
  }

  static Ttlv response(KmipOperation operation, List<Ttlv> resultItems) {
    List<Ttlv> batchItem = new ArrayList<>();
    if (operation != null) {
      batchItem.add(Ttlv.enumeration(KmipTag.OPERATION, operation.code));
    }
    batchItem.addAll(resultItems);
    return Ttlv.structure(KmipTag.RESPONSE_MESSAGE,
        header(1, 1),
        Ttlv.structure(KmipTag.BATCH_ITEM, batchItem));
  }

  static Ttlv header(int major, int batchCount) {
    return Ttlv.structure(KmipTag.RESPONSE_HEADER,
        Ttlv.structure(KmipTag.PROTOCOL_VERSION,
            Ttlv.integer(KmipTag.PROTOCOL_VERSION_MAJOR, major),
            Ttlv.integer(KmipTag.PROTOCOL_VERSION_MINOR, 0)),
        Ttlv.dateTime(KmipTag.TIME_STAMP, 1_700_000_000L),
        Ttlv.integer(KmipTag.BATCH_COUNT, batchCount));
  }

  static Ttlv uid(String id) {
    return Ttlv.text(KmipTag.UNIQUE_IDENTIFIER, id);
  }

  /** A Get payload for a SecretData holding {@code secret}. */
  static Ttlv[] secretDataPayload(String id, byte[] secret) {
    return new Ttlv[] {
        Ttlv.enumeration(KmipTag.OBJECT_TYPE, KmipRequests.OBJECT_TYPE_SECRET_DATA),
        uid(id),
        Ttlv.structure(KmipTag.SECRET_DATA,
            Ttlv.enumeration(KmipTag.SECRET_DATA_TYPE, KmipRequests.SECRET_DATA_TYPE_SEED),
            Ttlv.structure(KmipTag.KEY_BLOCK,
                Ttlv.enumeration(KmipTag.KEY_FORMAT_TYPE, KmipRequests.KEY_FORMAT_OPAQUE),
                Ttlv.structure(KmipTag.KEY_VALUE, Ttlv.bytes(KmipTag.KEY_MATERIAL, secret))))};
  }

  /**
   * Hex written for people: whitespace is ignored, and so is everything from {@code #} to the
   * end of a line.
   */
  static byte[] hex(String... lines) {
    StringBuilder digits = new StringBuilder();
    for (String block : lines) {
      for (String line : block.split("\n")) {
        int comment = line.indexOf('#');
        digits.append((comment < 0 ? line : line.substring(0, comment)).replaceAll("\\s", ""));
      }
    }
    return HexFormat.of().parseHex(digits.toString());
  }

  static String hex(byte[] bytes) {
    return HexFormat.of().formatHex(bytes);
  }

  /** {@code count} bytes 0, 1, 2, ... */
  static byte[] counting(int count) {
    byte[] bytes = new byte[count];
    for (int i = 0; i < count; i++) {
      bytes[i] = (byte) i;
    }
    return bytes;
  }
}
