package io.fle4j.internal.auto.schema;

/** The encryption schema of one collection, and the lookup of dotted paths in it. */
public final class CollectionSchema {
  private final String namespace;
  private final SchemaNode root;

  public CollectionSchema(String namespace, SchemaNode root) {
    this.namespace = namespace;
    this.root = root;
  }

  public static CollectionSchema none(String namespace) {
    return new CollectionSchema(namespace, SchemaNode.PLAIN);
  }

  public String namespace() {
    return namespace;
  }

  public SchemaNode root() {
    return root;
  }

  public boolean hasEncryptedFields() {
    return root.hasEncryptedFields();
  }

  /** What a dotted path means for encryption. */
  public Resolution resolve(String path) {
    SchemaNode node = root;
    if (root.encrypt() != null) {
      // The whole document is one encrypted value; nothing inside it can be named.
      return new Resolution(Kind.INSIDE_ENCRYPTED, root, "");
    }
    int start = 0;
    while (true) {
      int dot = path.indexOf('.', start);
      String part = dot < 0 ? path.substring(start) : path.substring(start, dot);
      node = node.child(part);
      String prefix = dot < 0 ? path : path.substring(0, dot);
      if (node.isConflict()) {
        return new Resolution(Kind.CONFLICT, node, prefix);
      }
      if (node.isUnknown()) {
        return new Resolution(Kind.UNKNOWN, node, prefix);
      }
      if (node.encrypt() != null) {
        return dot < 0
            ? new Resolution(Kind.ENCRYPTED, node, prefix)
            : new Resolution(Kind.INSIDE_ENCRYPTED, node, prefix);
      }
      if (!node.hasEncryptedFields()) {
        return new Resolution(Kind.PLAIN, node, null);
      }
      if (dot < 0) {
        return new Resolution(Kind.ANCESTOR, node, null);
      }
      start = dot + 1;
    }
  }

  /** How a path relates to the encrypted fields. */
  public enum Kind {
    /** Neither encrypted nor holding encrypted fields. */
    PLAIN,
    /** An encrypted field. */
    ENCRYPTED,
    /** An object some of whose fields (at any depth) are encrypted. */
    ANCESTOR,
    /** A path into an encrypted field, such as {@code ssn.x} when {@code ssn} is encrypted. */
    INSIDE_ENCRYPTED,
    /**
     * A path whose schemas disagree (a property and a matching pattern, one encrypted and one
     * not, or encrypted differently); every use is refused.
     */
    CONFLICT,
    /** A path whose encryption a pipeline made unknowable until it runs; every use but output is refused. */
    UNKNOWN
  }

  /**
   * @param node the schema at the path (for ENCRYPTED and INSIDE_ENCRYPTED, the encrypted field's)
   * @param encryptedField the encrypted field's path, for ENCRYPTED and INSIDE_ENCRYPTED; the
   *     conflicting path, for CONFLICT
   */
  public record Resolution(Kind kind, SchemaNode node, String encryptedField) {}
}
