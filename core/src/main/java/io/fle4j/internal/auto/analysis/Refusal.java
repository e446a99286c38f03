package io.fle4j.internal.auto.analysis;

import io.fle4j.EncryptedFieldOperationException;

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
}
