package io.fle4j;

import io.fle4j.internal.auto.analysis.SchemaEncryption;

import com.mongodb.client.vault.ClientEncryption;
import java.util.Objects;
import org.bson.BsonDocument;

/**
 * Encrypts the fields a CSFLE JSON schema marks in a document, explicitly, through any {@link
 * ClientEncryption} (fle4j's or the official driver's). Values that are already encrypted are
 * kept as they are, so a half-migrated document can be passed again: this is what {@code fle4j
 * collection encrypt} uses to encrypt existing data in place. Thread-safe.
 */
public final class SchemaEncryptor {
  private final SchemaEncryption encryption;

  private SchemaEncryptor(SchemaEncryption encryption) {
    this.encryption = encryption;
  }

  /**
   * @param namespace {@code db.collection}, for messages
   * @param jsonSchema the schema, as in {@code schemaMap}
   * @throws ConfigurationException when the schema is invalid, naming the path and the rule
   */
  public static SchemaEncryptor of(String namespace, BsonDocument jsonSchema, ClientEncryption encryption) {
    return new SchemaEncryptor(SchemaEncryption.of(Objects.requireNonNull(namespace, "namespace"),
        Objects.requireNonNull(jsonSchema, "jsonSchema"), Objects.requireNonNull(encryption, "encryption")));
  }

  /**
   * A copy of {@code document} with its marked plaintext fields encrypted.
   *
   * @throws EncryptedFieldOperationException when a value cannot be encrypted as the schema says
   *     (a wrong bsonType, null, fields inside an array)
   */
  public BsonDocument encrypt(BsonDocument document) {
    return encryption.encrypt(document);
  }

  /** Whether the schema marks any field at all. */
  public boolean hasEncryptedFields() {
    return encryption.hasEncryptedFields();
  }
}
