package io.fle4j.internal.auto.schema;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * One level of a CSFLE JSON schema: an encrypted field ({@link #encrypt()} set), an object whose
 * {@code properties}, {@code patternProperties} and {@code additionalProperties} describe its
 * fields, or the union of several such levels (a field name that matches a property and patterns).
 *
 * <p>Lookup follows mongocryptd: a field's schemas are its {@code properties} entry plus every
 * {@code patternProperties} entry whose regex finds a match in the name; {@code
 * additionalProperties} applies only when none does. When several apply they must agree: all
 * encrypted the same way, or all unencrypted; otherwise the field is a {@link #isConflict()
 * conflict}, which every analysis refuses.
 */
public final class SchemaNode {
  /** A field the schema says nothing about. */
  public static final SchemaNode PLAIN = new SchemaNode(null, Map.of(), List.of(), null);

  private final EncryptSpec encrypt;
  private final Map<String, SchemaNode> properties;
  private final List<PatternProperty> patternProperties;
  private final SchemaNode additionalProperties;
  private final List<SchemaNode> alternatives;
  private final boolean conflict;
  private final boolean unknown;
  private final boolean hasEncryptedFields;

  /**
   * @param additionalProperties the schema of fields no property or pattern names; null for none
   */
  public SchemaNode(EncryptSpec encrypt, Map<String, SchemaNode> properties,
      List<PatternProperty> patternProperties, SchemaNode additionalProperties) {
    this.encrypt = encrypt;
    this.properties = Map.copyOf(properties);
    this.patternProperties = List.copyOf(patternProperties);
    this.additionalProperties = additionalProperties;
    this.alternatives = List.of();
    this.conflict = false;
    this.unknown = false;
    this.hasEncryptedFields = encrypt != null
        || properties.values().stream().anyMatch(SchemaNode::hasEncryptedFields)
        || patternProperties.stream().anyMatch(p -> p.node().hasEncryptedFields())
        || (additionalProperties != null && additionalProperties.hasEncryptedFields());
  }

  /** An encrypted field. */
  public static SchemaNode encrypted(EncryptSpec spec) {
    return new SchemaNode(spec, Map.of(), List.of(), null);
  }

  private SchemaNode(List<SchemaNode> alternatives, boolean conflict, boolean unknown) {
    this.encrypt = null;
    this.properties = Map.of();
    this.patternProperties = List.of();
    this.additionalProperties = null;
    this.alternatives = List.copyOf(alternatives);
    this.conflict = conflict;
    this.unknown = unknown;
    this.hasEncryptedFields = unknown
        || alternatives.stream().anyMatch(SchemaNode::hasEncryptedFields);
  }

  /**
   * A field whose encryption is known only when the pipeline runs (an array of values gathered
   * by {@code $push}, a {@code $lookup} result, a {@code $cond} whose branches differ): it may be
   * returned to the application, but nothing may compare, sort, group or compute on it.
   */
  public static SchemaNode unknown() {
    return new SchemaNode(List.of(), false, true);
  }

  /** An object whose fields are exactly {@code properties}; for schemas a pipeline computes. */
  public static SchemaNode object(Map<String, SchemaNode> properties) {
    return new SchemaNode(null, properties, List.of(), null);
  }

  /** This object with field {@code name} described by {@code child} (replacing what was there). */
  public SchemaNode withProperty(String name, SchemaNode child) {
    if (unknown || conflict || encrypt != null || !alternatives.isEmpty()) {
      return unknown();
    }
    Map<String, SchemaNode> copy = new java.util.LinkedHashMap<>(properties);
    copy.put(name, child);
    return new SchemaNode(null, copy, patternProperties, additionalProperties);
  }

  /**
   * This object without its {@code properties} entry {@code name}. Patterns and
   * additionalProperties stay, so a removed field that they also describe keeps their schema:
   * the conservative answer for a field that is gone.
   */
  public SchemaNode withoutProperty(String name) {
    if (!properties.containsKey(name)) {
      return this;
    }
    Map<String, SchemaNode> copy = new java.util.LinkedHashMap<>(properties);
    copy.remove(name);
    return new SchemaNode(null, copy, patternProperties, additionalProperties);
  }

  /** Whether this is an {@link #unknown()} field. */
  public boolean isUnknown() {
    return unknown;
  }

  /** The fields this object's {@code properties} name (pipeline stages rebuild schemas from it). */
  public Map<String, SchemaNode> properties() {
    return properties;
  }

  /** Whether only {@code properties} describe this object (no patterns, no additionalProperties). */
  public boolean isPlainObject() {
    return alternatives.isEmpty() && patternProperties.isEmpty() && additionalProperties == null
        && encrypt == null && !unknown && !conflict;
  }

  /** The spec of an encrypted field, or null. */
  public EncryptSpec encrypt() {
    return encrypt;
  }

  /** Whether this field, or any field below it, may be encrypted. */
  public boolean hasEncryptedFields() {
    return hasEncryptedFields;
  }

  /**
   * Whether the schemas that apply here disagree (one encrypts, another does not, or they encrypt
   * differently): mongocryptd's "Found conflicting encryption metadata for path".
   */
  public boolean isConflict() {
    return conflict;
  }

  /** The schema of field {@code name} of this object; {@link #PLAIN} when the schema is silent. */
  public SchemaNode child(String name) {
    if (alternatives.isEmpty() && patternProperties.isEmpty() && !unknown) {
      // The common case, on every field of every document written: no list to build.
      SchemaNode property = properties.get(name);
      return property != null ? property
          : additionalProperties != null ? additionalProperties : PLAIN;
    }
    List<SchemaNode> candidates = new ArrayList<>();
    collectChildren(name, candidates);
    if (candidates.isEmpty()) {
      return PLAIN;
    }
    if (candidates.size() == 1) {
      return candidates.get(0);
    }
    SchemaNode first = candidates.get(0);
    boolean allEncrypted = candidates.stream().allMatch(c -> c.encrypt != null);
    boolean noneEncrypted = candidates.stream().noneMatch(c -> c.encrypt != null || c.conflict);
    if (allEncrypted) {
      boolean same = candidates.stream().allMatch(c -> c.encrypt.equals(first.encrypt));
      return same ? first : new SchemaNode(candidates, true, false);
    }
    return new SchemaNode(candidates, !noneEncrypted, false);
  }

  private void collectChildren(String name, List<SchemaNode> out) {
    if (unknown) {
      out.add(this);
      return;
    }
    if (!alternatives.isEmpty()) {
      for (SchemaNode alternative : alternatives) {
        alternative.collectChildren(name, out);
      }
      return;
    }
    int before = out.size();
    SchemaNode property = properties.get(name);
    if (property != null) {
      out.add(property);
    }
    for (PatternProperty pattern : patternProperties) {
      if (pattern.pattern().matcher(name).find()) {
        out.add(pattern.node());
      }
    }
    if (out.size() == before && additionalProperties != null) {
      out.add(additionalProperties);
    }
  }

  /** A {@code patternProperties} entry. */
  public record PatternProperty(Pattern pattern, SchemaNode node) {}
}
