package io.fle4j.internal.auto.decrypt;

import io.fle4j.Algorithm;
import io.fle4j.internal.crypto.ValueCipher;
import io.fle4j.internal.events.Events;
import io.fle4j.internal.vault.DataKeys;
import java.util.Map;
import org.bson.BsonArray;
import org.bson.BsonBinary;
import org.bson.BsonDocument;
import org.bson.BsonJavaScriptWithScope;
import org.bson.BsonValue;

/**
 * Replaces every CSFLE ciphertext in a value, at any depth, by its plaintext. A ciphertext whose
 * key cannot be found or unwrapped is an error (naming the key id), never returned as data.
 * Subtype-6 values that are not CSFLE ciphertexts (Queryable Encryption payloads) are left alone.
 */
public final class Decryptor {
  private final DataKeys dataKeys;
  private final Events events;

  public Decryptor(DataKeys dataKeys) {
    this(dataKeys, Events.NONE);
  }

  /** @param events told of each value that cannot be decrypted */
  public Decryptor(DataKeys dataKeys, Events events) {
    this.dataKeys = dataKeys;
    this.events = events;
  }

  public BsonValue decrypt(BsonValue value) {
    if (value.isDocument()) {
      return decryptDocument(value.asDocument());
    }
    if (value.isArray()) {
      BsonArray out = new BsonArray(value.asArray().size());
      for (BsonValue element : value.asArray()) {
        out.add(decrypt(element));
      }
      return out;
    }
    if (Algorithm.ofCiphertext(value).isPresent()) {
      BsonBinary binary = value.asBinary();
      ValueCipher.Header header = null;
      try {
        header = ValueCipher.parseHeader(binary);
        return ValueCipher.decrypt(binary, header, dataKeys.byId(header.keyId()).key());
      } catch (RuntimeException e) {
        throw events.decryptionFailed(header == null ? null : header.keyId(), e);
      }
    }
    if (value.isJavaScriptWithScope()) {
      BsonJavaScriptWithScope code = value.asJavaScriptWithScope();
      return new BsonJavaScriptWithScope(code.getCode(), decryptDocument(code.getScope()));
    }
    return value;
  }

  public BsonDocument decryptDocument(BsonDocument document) {
    BsonDocument out = new BsonDocument();
    for (Map.Entry<String, BsonValue> field : document.entrySet()) {
      out.put(field.getKey(), decrypt(field.getValue()));
    }
    return out;
  }
}
