package io.fle4j.kms.kmip;

import java.util.Map;

/**
 * The KMIP tags this client writes or reads (KMIP 1.x spec §9.1.3.1; formats.md §4.5). Tags are
 * three bytes: {@code 42xxxx} for the standard, {@code 54xxxx} for vendor extensions.
 */
final class KmipTag {
  static final int ATTRIBUTE = 0x420008;
  static final int ATTRIBUTE_NAME = 0x42000A;
  static final int ATTRIBUTE_VALUE = 0x42000B;
  static final int BATCH_COUNT = 0x42000D;
  static final int BATCH_ITEM = 0x42000F;
  static final int BLOCK_CIPHER_MODE = 0x420011;
  static final int CRYPTOGRAPHIC_ALGORITHM = 0x420028;
  static final int CRYPTOGRAPHIC_LENGTH = 0x42002A;
  static final int CRYPTOGRAPHIC_PARAMETERS = 0x42002B;
  static final int IV_COUNTER_NONCE = 0x42003D;
  static final int KEY_BLOCK = 0x420040;
  static final int KEY_FORMAT_TYPE = 0x420042;
  static final int KEY_MATERIAL = 0x420043;
  static final int KEY_VALUE = 0x420045;
  static final int OBJECT_TYPE = 0x420057;
  static final int OPERATION = 0x42005C;
  static final int PADDING_METHOD = 0x42005F;
  static final int PROTOCOL_VERSION = 0x420069;
  static final int PROTOCOL_VERSION_MAJOR = 0x42006A;
  static final int PROTOCOL_VERSION_MINOR = 0x42006B;
  static final int REQUEST_HEADER = 0x420077;
  static final int REQUEST_MESSAGE = 0x420078;
  static final int REQUEST_PAYLOAD = 0x420079;
  static final int RESPONSE_HEADER = 0x42007A;
  static final int RESPONSE_MESSAGE = 0x42007B;
  static final int RESPONSE_PAYLOAD = 0x42007C;
  static final int RESULT_MESSAGE = 0x42007D;
  static final int RESULT_REASON = 0x42007E;
  static final int RESULT_STATUS = 0x42007F;
  static final int REVOCATION_REASON = 0x420081;
  static final int REVOCATION_REASON_CODE = 0x420082;
  static final int SECRET_DATA = 0x420085;
  static final int SECRET_DATA_TYPE = 0x420086;
  static final int SYMMETRIC_KEY = 0x42008F;
  static final int TEMPLATE_ATTRIBUTE = 0x420091;
  static final int TIME_STAMP = 0x420092;
  static final int UNIQUE_BATCH_ITEM_ID = 0x420093;
  static final int UNIQUE_IDENTIFIER = 0x420094;
  static final int DATA = 0x4200C2;
  static final int RANDOM_IV = 0x4200C5;

  private static final Map<Integer, String> NAMES = Map.ofEntries(
      Map.entry(ATTRIBUTE, "Attribute"),
      Map.entry(ATTRIBUTE_NAME, "AttributeName"),
      Map.entry(ATTRIBUTE_VALUE, "AttributeValue"),
      Map.entry(BATCH_COUNT, "BatchCount"),
      Map.entry(BATCH_ITEM, "BatchItem"),
      Map.entry(BLOCK_CIPHER_MODE, "BlockCipherMode"),
      Map.entry(CRYPTOGRAPHIC_ALGORITHM, "CryptographicAlgorithm"),
      Map.entry(CRYPTOGRAPHIC_LENGTH, "CryptographicLength"),
      Map.entry(CRYPTOGRAPHIC_PARAMETERS, "CryptographicParameters"),
      Map.entry(IV_COUNTER_NONCE, "IVCounterNonce"),
      Map.entry(KEY_BLOCK, "KeyBlock"),
      Map.entry(KEY_FORMAT_TYPE, "KeyFormatType"),
      Map.entry(KEY_MATERIAL, "KeyMaterial"),
      Map.entry(KEY_VALUE, "KeyValue"),
      Map.entry(OBJECT_TYPE, "ObjectType"),
      Map.entry(OPERATION, "Operation"),
      Map.entry(PADDING_METHOD, "PaddingMethod"),
      Map.entry(PROTOCOL_VERSION, "ProtocolVersion"),
      Map.entry(PROTOCOL_VERSION_MAJOR, "ProtocolVersionMajor"),
      Map.entry(PROTOCOL_VERSION_MINOR, "ProtocolVersionMinor"),
      Map.entry(REQUEST_HEADER, "RequestHeader"),
      Map.entry(REQUEST_MESSAGE, "RequestMessage"),
      Map.entry(REQUEST_PAYLOAD, "RequestPayload"),
      Map.entry(RESPONSE_HEADER, "ResponseHeader"),
      Map.entry(RESPONSE_MESSAGE, "ResponseMessage"),
      Map.entry(RESPONSE_PAYLOAD, "ResponsePayload"),
      Map.entry(RESULT_MESSAGE, "ResultMessage"),
      Map.entry(RESULT_REASON, "ResultReason"),
      Map.entry(RESULT_STATUS, "ResultStatus"),
      Map.entry(REVOCATION_REASON, "RevocationReason"),
      Map.entry(REVOCATION_REASON_CODE, "RevocationReasonCode"),
      Map.entry(SECRET_DATA, "SecretData"),
      Map.entry(SECRET_DATA_TYPE, "SecretDataType"),
      Map.entry(SYMMETRIC_KEY, "SymmetricKey"),
      Map.entry(TEMPLATE_ATTRIBUTE, "TemplateAttribute"),
      Map.entry(TIME_STAMP, "TimeStamp"),
      Map.entry(UNIQUE_BATCH_ITEM_ID, "UniqueBatchItemID"),
      Map.entry(UNIQUE_IDENTIFIER, "UniqueIdentifier"),
      Map.entry(DATA, "Data"),
      Map.entry(RANDOM_IV, "RandomIV"));

  private KmipTag() {}

  /** {@code Name (42xxxx)} for known tags, the hex alone otherwise. */
  static String describe(int tag) {
    String hex = String.format("%06X", tag);
    String name = NAMES.get(tag);
    return name == null ? hex : name + " (" + hex + ")";
  }

  /** Whether the first byte is one KMIP assigns: 0x42 (standard) or 0x54 (extensions). */
  static boolean isValid(int tag) {
    int prefix = tag >>> 16;
    return prefix == 0x42 || prefix == 0x54;
  }
}
