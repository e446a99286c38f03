package io.fle4j.internal.auto.analysis;

import io.fle4j.Algorithm;
import io.fle4j.internal.auto.schema.CollectionSchema;
import io.fle4j.internal.auto.schema.EncryptSpec;
import io.fle4j.internal.auto.schema.SchemaParser;
import java.util.stream.Collectors;
import org.bson.BsonBinarySubType;
import org.bson.BsonDocument;
import org.bson.BsonType;
import org.bson.BsonValue;

/**
 * Turns a value at an encrypted path into its ciphertext, after mongocryptd's checks in
 * mongocryptd's order (type allowed by the algorithm, random not queried, type allowed by the
 * schema, key resolvable), each refused with mongocryptd's text.
 */
final class Marker {
  private final Refusal refusal;
  private final FieldCrypto crypto;
  private final boolean keepExistingCiphertext;
  /** Whether comparisons run under a collation other than simple (binary) comparison. */
  private final boolean nonSimpleCollation;

  /**
   * @param keepExistingCiphertext keep values that are already encrypted instead of refusing them
   *     (for encrypting existing data in place, where part of it may be encrypted already)
   */
  Marker(Refusal refusal, FieldCrypto crypto, boolean keepExistingCiphertext) {
    this(refusal, crypto, keepExistingCiphertext, false);
  }

  private Marker(Refusal refusal, FieldCrypto crypto, boolean keepExistingCiphertext,
      boolean nonSimpleCollation) {
    this.refusal = refusal;
    this.crypto = crypto;
    this.keepExistingCiphertext = keepExistingCiphertext;
    this.nonSimpleCollation = nonSimpleCollation;
  }

  /** The same marker, for comparisons under a non-simple collation. */
  Marker withNonSimpleCollation() {
    return new Marker(refusal, crypto, keepExistingCiphertext, true);
  }

  boolean nonSimpleCollation() {
    return nonSimpleCollation;
  }

  Refusal refusal() {
    return refusal;
  }

  /** The same crypto, refusing in the name of another namespace. */
  Marker forNamespace(String namespace) {
    return new Marker(new Refusal(namespace), crypto, false, nonSimpleCollation);
  }

  /** A value compared with an encrypted field (equality, {@code $in}, an expression's {@code $eq}). */
  BsonValue forComparison(String path, EncryptSpec spec, BsonValue value) {
    checkType(path, spec, value);
    if (spec.algorithm() != Algorithm.DETERMINISTIC) {
      throw refusal.of(path, "Cannot query on fields encrypted with the randomized encryption"
          + " algorithm", "only $exists can query it; use the deterministic algorithm for fields"
          + " you query by equality");
    }
    if (nonSimpleCollation && (value.isString() || value.isSymbol())) {
      // The server would compare ciphertext bytes, ignoring the collation: silently wrong.
      throw refusal.of(path, "cannot apply non-simple collation when comparing to element "
          + "of type " + SchemaParser.name(value.getBsonType()) + " with client-side encryption");
    }
    checkSchemaType(path, spec, value);
    if (spec.keyAltNamePointer() != null) {
      throw refusal.of(path, "A non-static (JSONPointer) keyId is not supported.",
          "its keyId is the pointer '" + spec.keyAltNamePointer() + "'");
    }
    return crypto.encrypt(value, spec, spec.keyAltName());
  }

  /**
   * A value written to an encrypted field.
   *
   * @param document the whole document being written, for a JSON-pointer keyId; null when the
   *     write has none (an update operator, a replacement)
   */
  BsonValue forWrite(String path, EncryptSpec spec, BsonValue value, BsonDocument document,
      CollectionSchema schema) {
    if (isCiphertext(value) && keepExistingCiphertext) {
      return value;
    }
    checkType(path, spec, value);
    checkSchemaType(path, spec, value);
    String altName = spec.keyAltName();
    if (spec.keyAltNamePointer() != null) {
      if (document == null) {
        throw refusal.of(path, "A non-static (JSONPointer) keyId is not supported.",
            "its keyId is the pointer '" + spec.keyAltNamePointer() + "', which needs the whole"
                + " document: write it with insert, not an update operator or replacement");
      }
      altName = resolvePointer(document, spec.keyAltNamePointer(), path, schema);
    }
    return crypto.encrypt(value, spec, altName);
  }

  private void checkType(String path, EncryptSpec spec, BsonValue value) {
    BsonType type = value.getBsonType();
    if (isCiphertext(value)) {
      throw refusal.of(path, "Cannot encrypt element of type: encrypted binary data",
          "the value is already a ciphertext (binary subtype 6); automatic encryption does not"
              + " encrypt twice");
    }
    if (SchemaParser.NEVER_ENCRYPTED.contains(type)
        || (spec.algorithm() == Algorithm.DETERMINISTIC
            && SchemaParser.NOT_DETERMINISTIC.contains(type))) {
      throw refusal.of(path, "Cannot encrypt element of type: " + SchemaParser.name(type),
          "with " + spec.algorithm().specName());
    }
  }

  private void checkSchemaType(String path, EncryptSpec spec, BsonValue value) {
    if (!spec.bsonTypes().isEmpty() && !spec.bsonTypes().contains(value.getBsonType())) {
      String allowed = spec.bsonTypes().containsAll(SchemaParser.NUMBER_TYPES)
          && spec.bsonTypes().size() == SchemaParser.NUMBER_TYPES.size() ? "number"
          : spec.bsonTypes().stream().map(SchemaParser::name).sorted()
              .collect(Collectors.joining(" "));
      throw refusal.of(path, "Cannot encrypt element of type " + SchemaParser.name(value.getBsonType())
          + " because schema requires that type is one of: [ " + allowed + " ]");
    }
  }

  private String resolvePointer(BsonDocument document, String pointer, String path,
      CollectionSchema schema) {
    BsonValue current = document;
    StringBuilder dotted = new StringBuilder();
    for (String token : pointer.substring(1).split("/", -1)) {
      String name = token.replace("~1", "/").replace("~0", "~");
      dotted.append(dotted.length() == 0 ? "" : ".").append(name);
      current = current != null && current.isDocument() ? current.asDocument().get(name) : null;
    }
    if (current == null) {
      throw refusal.of(path, "keyId pointer '" + pointer + "' must point to a field that exists");
    }
    if (schema != null && schema.resolve(dotted.toString()).kind()
        == CollectionSchema.Kind.ENCRYPTED) {
      throw refusal.of(path, "keyId pointer '" + pointer + "' cannot point to an encrypted field");
    }
    if (!current.isString()) {
      throw refusal.of(path, "keyId pointer '" + pointer + "' must point to a string",
          "it finds " + SchemaParser.name(current.getBsonType()));
    }
    return current.asString().getValue();
  }

  static boolean isCiphertext(BsonValue value) {
    return value.isBinary() && value.asBinary().getType() == BsonBinarySubType.ENCRYPTED.getValue();
  }
}
