package io.fle4j;

import com.mongodb.MongoClientException;

/**
 * Root of every exception fle4j throws. Unchecked, and a {@link MongoClientException} so code
 * written against the official driver's {@code ClientEncryption} keeps catching what it caught.
 *
 * <p>Messages name the field, the rule and the offending value, but never a secret: no key
 * material, credential or plaintext ever appears in a message.
 */
public class Fle4jException extends MongoClientException {
  private static final long serialVersionUID = 1L;

  public Fle4jException(String message) {
    super(message);
  }

  public Fle4jException(String message, Throwable cause) {
    super(message, cause);
  }
}
