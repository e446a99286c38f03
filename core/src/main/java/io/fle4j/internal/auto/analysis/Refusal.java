package io.fle4j.internal.auto.analysis;

import io.fle4j.EncryptedFieldOperationException;
import io.fle4j.internal.auto.schema.CollectionSchema.Resolution;

/**
 * Builds the exception for an operation automatic encryption refuses: the specification's text
 * (libmongocrypt's or mongocryptd's, so code and tests that match on it keep working) followed by
 * fle4j's detail. Refusals happen during analysis, before any key is fetched or anything is sent.
 */
final class Refusal {
  private final String namespace;

  Refusal(String namespace) {
    this.namespace = namespace;
  }

  String namespace() {
    return namespace;
  }

  /**
   * @param field the dotted path the refusal is about, or null for a whole command or stage
   * @param specText the specification's wording
   * @param detail what fle4j adds (which value, which rule), or null
   */
  EncryptedFieldOperationException of(String field, String specText, String detail) {
    return new EncryptedFieldOperationException(namespace, field,
        detail == null ? specText : specText + " (" + detail + ")");
  }

  EncryptedFieldOperationException of(String field, String specText) {
    return of(field, specText, null);
  }

  /**
   * The refusal for a path the schema resolves to something a command or expression cannot use:
   * inside an encrypted value, a prefix of one, conflicting or unknown metadata.
   */
  EncryptedFieldOperationException unusable(String path, Resolution r) {
    return switch (r.kind()) {
      case INSIDE_ENCRYPTED -> of(path, "Invalid operation on path '" + path
          + "' which contains an encrypted path prefix.", "'" + r.encryptedField()
              + "' is encrypted, so the server cannot see inside it");
      case CONFLICT -> of(path, "Found conflicting encryption metadata for path: '" + path + "'");
      case UNKNOWN -> of(path, "Cannot get metadata for path whose encryption"
          + " properties are not known until runtime.", "'" + path + "'");
      case ANCESTOR -> of(path, "Found forbidden reference to prefix of encrypted field " + path);
      case ENCRYPTED, PLAIN -> of(path, "Cannot use encrypted field '" + path + "' here");
    };
  }
}
