package io.fle4j.internal.auto.schema;

import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * One level of a CSFLE JSON schema: either an encrypted field ({@link #encrypt()} set), or an
 * object whose {@code properties} and {@code patternProperties} describe its fields.
 */
public final class SchemaNode {
  static final SchemaNode PLAIN = new SchemaNode(null, Map.of(), List.of());

  private final EncryptSpec encrypt;
  private final Map<String, SchemaNode> properties;
  private final List<PatternProperty> patternProperties;
  private final boolean hasEncryptedFields;

  public SchemaNode(EncryptSpec encrypt, Map<String, SchemaNode> properties,
      List<PatternProperty> patternProperties) {
    this.encrypt = encrypt;
    this.properties = Map.copyOf(properties);
    this.patternProperties = List.copyOf(patternProperties);
    this.hasEncryptedFields = encrypt != null
        || properties.values().stream().anyMatch(SchemaNode::hasEncryptedFields)
        || patternProperties.stream().anyMatch(p -> p.node().hasEncryptedFields());
  }

  /** The spec of an encrypted field, or null. */
  public EncryptSpec encrypt() {
    return encrypt;
  }

  /** Whether this field, or any field below it, is encrypted. */
  public boolean hasEncryptedFields() {
    return hasEncryptedFields;
  }

  /** The schema of field {@code name} of this object; {@link #PLAIN} when the schema is silent. */
  public SchemaNode child(String name) {
    SchemaNode node = properties.get(name);
    if (node != null) {
      return node;
    }
    for (PatternProperty pattern : patternProperties) {
      if (pattern.pattern().matcher(name).find()) {
        return pattern.node();
      }
    }
    return PLAIN;
  }

  /** A {@code patternProperties} entry. */
  public record PatternProperty(Pattern pattern, SchemaNode node) {}
}
