package io.fle4j;

/**
 * Automatic encryption refused an operation because it would leak, corrupt or silently mis-query
 * an encrypted field: a range or regex query, a sort or group on an encrypted field, any query on
 * a randomly encrypted field, {@code $inc} or {@code $push} on one, a pipeline stage fle4j cannot
 * analyse, and the like. Thrown before anything is sent to the server.
 */
public class EncryptedFieldOperationException extends Fle4jException {
  private static final long serialVersionUID = 1L;
  private final String namespace;
  private final String field;
  private final String reason;

  public EncryptedFieldOperationException(String namespace, String field, String reason) {
    super(namespace + ": " + (field == null ? "" : "field '" + field + "': ") + reason);
    this.namespace = namespace;
    this.field = field;
    this.reason = reason;
  }

  /** The rule that refused the operation, without the namespace and field. */
  public String reason() {
    return reason;
  }

  /** The collection, {@code db.collection}. */
  public String namespace() {
    return namespace;
  }

  /** The field the refusal is about, as a dotted path; null when it is about a whole stage. */
  public String field() {
    return field;
  }
}
