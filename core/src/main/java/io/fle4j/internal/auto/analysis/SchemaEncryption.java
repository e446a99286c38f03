package io.fle4j.internal.auto.analysis;

import io.fle4j.internal.auto.schema.CollectionSchema;
import io.fle4j.internal.auto.schema.SchemaParser;

import com.mongodb.client.model.vault.EncryptOptions;
import com.mongodb.client.vault.ClientEncryption;
import io.fle4j.internal.vault.KeyDocument;
import org.bson.BsonDocument;

/** Encrypts documents by schema through a {@link ClientEncryption}; backs the public {@code SchemaEncryptor}. */
public final class SchemaEncryption {
  private final CommandRewriter rewriter;

  private SchemaEncryption(CommandRewriter rewriter) {
    this.rewriter = rewriter;
  }

  public static SchemaEncryption of(String namespace, BsonDocument jsonSchema, ClientEncryption encryption) {
    FieldCrypto crypto = (value, spec, altName) -> {
      EncryptOptions options = new EncryptOptions(spec.algorithm().specName());
      if (altName != null) {
        options.keyAltName(altName);
      } else {
        options.keyId(KeyDocument.uuidBinary(spec.keyId()));
      }
      return encryption.encrypt(value, options);
    };
    CollectionSchema schema = new CollectionSchema(namespace,
        SchemaParser.parse(jsonSchema, true, "the schema of " + namespace));
    return new SchemaEncryption(new CommandRewriter(schema, crypto,
        other -> CollectionSchema.none(other.getFullName()), true));
  }

  public BsonDocument encrypt(BsonDocument document) {
    return rewriter.encryptDocument(document);
  }

  public boolean hasEncryptedFields() {
    return rewriter.hasEncryptedFields();
  }
}
