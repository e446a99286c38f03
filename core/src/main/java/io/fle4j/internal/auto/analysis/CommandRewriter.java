package io.fle4j.internal.auto.analysis;

import io.fle4j.internal.auto.schema.CollectionSchema;
import io.fle4j.internal.auto.schema.EncryptSpec;
import io.fle4j.internal.auto.schema.SchemaNode;
import io.fle4j.internal.auto.schema.SchemaParser;

import io.fle4j.EncryptedFieldOperationException;
import io.fle4j.internal.auto.schema.CollectionSchema.Kind;
import io.fle4j.internal.auto.schema.CollectionSchema.Resolution;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import org.bson.BsonArray;
import org.bson.BsonBinarySubType;
import org.bson.BsonDocument;
import org.bson.BsonValue;

/**
 * Applies a collection's encryption schema to what is about to be sent: encrypts marked values
 * in written documents, in update operators and in equality predicates, and refuses, before
 * anything is sent, whatever would leak, corrupt or silently mis-query an encrypted field. What
 * the schema does not touch passes through as the same object.
 */
public final class CommandRewriter {
  private static final Set<String> FIELD_UPDATE_OPERATORS = Set.of("$inc", "$mul", "$min", "$max",
      "$push", "$addToSet", "$pop", "$pull", "$pullAll", "$currentDate", "$bit");
  private static final Set<String> RANGE_OPERATORS = Set.of("$gt", "$gte", "$lt", "$lte");
  private static final Set<String> PASSTHROUGH_STAGES = Set.of("$limit", "$skip", "$count",
      "$sample", "$out", "$merge", "$unset", "$indexStats", "$collStats", "$documents");

  private final CollectionSchema schema;
  private final FieldCrypto crypto;
  private final Function<String, CollectionSchema> otherCollections;
  private final boolean keepExistingCiphertext;

  /**
   * @param otherCollections the schema of another collection of the same database, by name, for
   *     {@code $lookup}
   */
  public CommandRewriter(CollectionSchema schema, FieldCrypto crypto,
      Function<String, CollectionSchema> otherCollections) {
    this(schema, crypto, otherCollections, false);
  }

  /**
   * @param keepExistingCiphertext keep values that are already encrypted instead of refusing them
   *     (for encrypting existing data in place, where part of it may be encrypted already)
   */
  public CommandRewriter(CollectionSchema schema, FieldCrypto crypto,
      Function<String, CollectionSchema> otherCollections, boolean keepExistingCiphertext) {
    this.schema = schema;
    this.crypto = crypto;
    this.otherCollections = otherCollections;
    this.keepExistingCiphertext = keepExistingCiphertext;
  }

  public boolean hasEncryptedFields() {
    return schema.hasEncryptedFields();
  }

  // ----------------------------------------------------------------- documents

  /** Encrypts the marked fields of a whole document (insert, replacement). */
  public BsonDocument encryptDocument(BsonDocument document) {
    if (!schema.hasEncryptedFields()) {
      return document;
    }
    return encryptObject(document, schema.root(), "", document);
  }

  private BsonDocument encryptObject(BsonDocument object, SchemaNode node, String prefix,
      BsonDocument root) {
    BsonDocument out = new BsonDocument();
    for (Map.Entry<String, BsonValue> field : object.entrySet()) {
      String path = prefix.isEmpty() ? field.getKey() : prefix + "." + field.getKey();
      SchemaNode child = node.child(field.getKey());
      BsonValue value = field.getValue();
      if (child.encrypt() != null) {
        out.put(field.getKey(), encryptValue(value, child.encrypt(), path, root));
      } else if (child.hasEncryptedFields() && value.isDocument()) {
        out.put(field.getKey(), encryptObject(value.asDocument(), child, path, root));
      } else if (child.hasEncryptedFields() && value.isArray()) {
        throw refuse(path, "holds an array, but the schema encrypts fields below it; CSFLE cannot"
            + " encrypt fields inside arrays");
      } else {
        out.put(field.getKey(), value);
      }
    }
    return out;
  }

  private BsonValue encryptValue(BsonValue value, EncryptSpec spec, String path, BsonDocument root) {
    if (value.isBinary() && value.asBinary().getType() == BsonBinarySubType.ENCRYPTED.getValue()) {
      if (keepExistingCiphertext) {
        return value;
      }
      throw refuse(path, "already holds an encrypted value (binary subtype 6); automatic"
          + " encryption does not encrypt twice");
    }
    checkType(value, spec, path);
    String altName = spec.keyAltName();
    if (spec.keyAltNamePointer() != null) {
      if (root == null) {
        throw refuse(path, "its keyId is the JSON pointer '" + spec.keyAltNamePointer() + "', which"
            + " needs the whole document: write it with insert or replace, not an update operator");
      }
      altName = resolvePointer(root, spec.keyAltNamePointer(), path);
    }
    return crypto.encrypt(value, spec, altName);
  }

  private void checkType(BsonValue value, EncryptSpec spec, String path) {
    if (value.isNull()) {
      throw refuse(path, "null cannot be encrypted; leave the field out instead");
    }
    if (!spec.bsonTypes().isEmpty() && !spec.bsonTypes().contains(value.getBsonType())) {
      throw refuse(path, "the schema allows bsonType "
          + spec.bsonTypes().stream().map(SchemaParser::name).sorted().toList()
          + " but the value is " + SchemaParser.name(value.getBsonType()));
    }
  }

  private String resolvePointer(BsonDocument root, String pointer, String path) {
    BsonValue current = root;
    for (String token : pointer.substring(1).split("/", -1)) {
      String name = token.replace("~1", "/").replace("~0", "~");
      current = current != null && current.isDocument() ? current.asDocument().get(name) : null;
    }
    if (current == null || !current.isString()) {
      throw refuse(path, "its keyId pointer '" + pointer + "' must point at a string (a key"
          + " alternate name) in the document, but finds " + (current == null ? "nothing"
              : SchemaParser.name(current.getBsonType())));
    }
    return current.asString().getValue();
  }

  // ----------------------------------------------------------------- filters

  /** Encrypts equality operands on deterministic fields; refuses every other use of one. */
  public BsonDocument rewriteFilter(BsonDocument filter) {
    if (!schema.hasEncryptedFields() || filter == null) {
      return filter;
    }
    BsonDocument out = new BsonDocument();
    for (Map.Entry<String, BsonValue> entry : filter.entrySet()) {
      String key = entry.getKey();
      BsonValue value = entry.getValue();
      switch (key) {
        case "$and", "$or", "$nor" -> {
          if (!value.isArray()) {
            throw refuse(null, key + " takes an array of filters");
          }
          BsonArray clauses = new BsonArray();
          for (BsonValue clause : value.asArray()) {
            if (!clause.isDocument()) {
              throw refuse(null, key + " takes an array of filters");
            }
            clauses.add(rewriteFilter(clause.asDocument()));
          }
          out.put(key, clauses);
        }
        case "$comment", "$text" -> out.put(key, value);
        case "$expr" -> {
          checkExpression(value, "$expr");
          out.put(key, value);
        }
        default -> {
          if (key.startsWith("$")) {
            throw refuse(null, "the query operator " + key + " cannot be checked against the"
                + " encrypted fields of this collection");
          }
          out.put(key, predicate(key, value));
        }
      }
    }
    return out;
  }

  private BsonValue predicate(String path, BsonValue value) {
    Resolution resolution = schema.resolve(path);
    switch (resolution.kind()) {
      case ENCRYPTED:
        return encryptedPredicate(path, resolution.node().encrypt(), value);
      case INSIDE_ENCRYPTED:
        throw refuse(path, "is inside the encrypted field '" + resolution.encryptedField()
            + "', whose content the server cannot see");
      case ANCESTOR:
        if (isOperatorDocument(value) && value.asDocument().keySet().equals(Set.of("$exists"))) {
          return value;
        }
        if (isOperatorDocument(value) && value.asDocument().keySet().equals(Set.of("$elemMatch"))
            && value.asDocument().get("$elemMatch").isDocument()) {
          // The elements are matched against this field's part of the schema.
          CommandRewriter elements = new CommandRewriter(
              new CollectionSchema(schema.namespace(), resolution.node()), crypto, otherCollections);
          return new BsonDocument("$elemMatch",
              elements.rewriteFilter(value.asDocument().getDocument("$elemMatch")));
        }
        throw refuse(path, "holds encrypted fields, so it cannot be compared as a whole; query the"
            + " encrypted fields themselves");
      default:
        return value;
    }
  }

  private BsonValue encryptedPredicate(String path, EncryptSpec spec, BsonValue value) {
    if (!isOperatorDocument(value)) {
      requireDeterministic(path, spec);
      if (value.isRegularExpression()) {
        throw refuse(path, "is encrypted; a regular expression cannot match ciphertext");
      }
      return encryptQueryValue(path, spec, value);
    }
    BsonDocument out = new BsonDocument();
    for (Map.Entry<String, BsonValue> operator : value.asDocument().entrySet()) {
      String op = operator.getKey();
      BsonValue operand = operator.getValue();
      switch (op) {
        case "$exists" -> out.put(op, operand);
        case "$eq", "$ne" -> {
          requireDeterministic(path, spec);
          out.put(op, encryptQueryValue(path, spec, operand));
        }
        case "$in", "$nin" -> {
          requireDeterministic(path, spec);
          if (!operand.isArray()) {
            throw refuse(path, op + " takes an array");
          }
          BsonArray encrypted = new BsonArray();
          for (BsonValue element : operand.asArray()) {
            if (element.isRegularExpression()) {
              throw refuse(path, "is encrypted; a regular expression cannot match ciphertext");
            }
            encrypted.add(encryptQueryValue(path, spec, element));
          }
          out.put(op, encrypted);
        }
        case "$not" -> {
          if (!isOperatorDocument(operand)) {
            throw refuse(path, "is encrypted; $not takes an operator document here");
          }
          out.put(op, encryptedPredicate(path, spec, operand));
        }
        default -> {
          if (RANGE_OPERATORS.contains(op)) {
            throw refuse(path, "is encrypted; a range query (" + op + ") cannot be evaluated on"
                + " ciphertext");
          }
          if (op.equals("$regex") || op.equals("$options")) {
            throw refuse(path, "is encrypted; a regular expression cannot match ciphertext");
          }
          throw refuse(path, "is encrypted; the operator " + op + " cannot be evaluated on"
              + " ciphertext (only $eq, $ne, $in, $nin, $not and $exists can)");
        }
      }
    }
    return out;
  }

  private void requireDeterministic(String path, EncryptSpec spec) {
    if (!spec.isDeterministic()) {
      throw refuse(path, "is encrypted with the random algorithm, so it cannot be queried (only"
          + " $exists); use the deterministic algorithm for fields you query by equality");
    }
  }

  private BsonValue encryptQueryValue(String path, EncryptSpec spec, BsonValue value) {
    if (value.isNull()) {
      throw refuse(path, "is encrypted; equality with null cannot be expressed on ciphertext"
          + " (use $exists: false)");
    }
    checkType(value, spec, path);
    return crypto.encrypt(value, spec, spec.keyAltName());
  }

  // ----------------------------------------------------------------- updates

  /** Encrypts the values an update writes to encrypted fields; refuses unsafe operators. */
  public BsonDocument rewriteUpdate(BsonDocument update) {
    if (!schema.hasEncryptedFields()) {
      return update;
    }
    if (update.isEmpty() || !update.getFirstKey().startsWith("$")) {
      return encryptDocument(update);
    }
    BsonDocument out = new BsonDocument();
    for (Map.Entry<String, BsonValue> entry : update.entrySet()) {
      String op = entry.getKey();
      if (!entry.getValue().isDocument()) {
        throw refuse(null, "the update operator " + op + " takes a document");
      }
      BsonDocument fields = entry.getValue().asDocument();
      switch (op) {
        case "$set", "$setOnInsert" -> out.put(op, setFields(fields));
        case "$unset" -> {
          for (String path : fields.keySet()) {
            Resolution r = schema.resolve(withoutPositional(path));
            if (r.kind() == Kind.INSIDE_ENCRYPTED) {
              throw refuse(path, "is inside the encrypted field '" + r.encryptedField()
                  + "'; unset the whole field instead");
            }
          }
          out.put(op, fields);
        }
        case "$rename" -> {
          for (Map.Entry<String, BsonValue> rename : fields.entrySet()) {
            String target = rename.getValue().isString() ? rename.getValue().asString().getValue() : "";
            for (String path : List.of(rename.getKey(), target)) {
              if (schema.resolve(path).kind() != Kind.PLAIN) {
                throw refuse(path, "is or holds an encrypted field; $rename would separate the"
                    + " ciphertext from the schema that describes it");
              }
            }
          }
          out.put(op, fields);
        }
        default -> {
          for (String path : fields.keySet()) {
            Resolution r = schema.resolve(withoutPositional(path));
            if (r.kind() != Kind.PLAIN) {
              throw refuse(path, "is or holds an encrypted field; " + op + " cannot be applied to"
                  + " ciphertext" + (FIELD_UPDATE_OPERATORS.contains(op) ? "" : " (unknown operator)"));
            }
          }
          out.put(op, fields);
        }
      }
    }
    return out;
  }

  private BsonDocument setFields(BsonDocument fields) {
    BsonDocument out = new BsonDocument();
    for (Map.Entry<String, BsonValue> field : fields.entrySet()) {
      String path = field.getKey();
      BsonValue value = field.getValue();
      String plainPath = withoutPositional(path);
      Resolution r = schema.resolve(plainPath);
      if (!plainPath.equals(path) && r.kind() != Kind.PLAIN) {
        throw refuse(path, "reaches an encrypted field through an array; CSFLE cannot encrypt"
            + " inside arrays");
      }
      switch (r.kind()) {
        case ENCRYPTED -> out.put(path, encryptValue(value, r.node().encrypt(), path, null));
        case ANCESTOR -> {
          if (value.isDocument()) {
            out.put(path, encryptObject(value.asDocument(), r.node(), path, null));
          } else if (value.isArray()) {
            throw refuse(path, "holds encrypted fields; setting it to an array cannot be encrypted");
          } else {
            out.put(path, value);
          }
        }
        case INSIDE_ENCRYPTED -> throw refuse(path, "is inside the encrypted field '"
            + r.encryptedField() + "'; set the whole field instead");
        default -> out.put(path, value);
      }
    }
    return out;
  }

  /** Checks an update pipeline: it may not read or write encrypted fields. */
  public List<BsonDocument> rewriteUpdatePipeline(List<BsonDocument> stages) {
    if (!schema.hasEncryptedFields()) {
      return stages;
    }
    for (BsonDocument stage : stages) {
      String name = stage.getFirstKey();
      BsonValue body = stage.get(name);
      switch (name) {
        case "$set", "$addFields", "$project" -> {
          for (Map.Entry<String, BsonValue> field : body.asDocument().entrySet()) {
            boolean inclusion = field.getValue().isNumber() || field.getValue().isBoolean();
            if (!inclusion && schema.resolve(field.getKey()).kind() != Kind.PLAIN) {
              throw refuse(field.getKey(), "is or holds an encrypted field; a pipeline update"
                  + " cannot encrypt what it writes (use an update document with $set)");
            }
            checkExpression(field.getValue(), name);
          }
        }
        case "$unset" -> {
          List<BsonValue> paths = body.isArray() ? body.asArray().getValues() : List.of(body);
          for (BsonValue path : paths) {
            if (path.isString()
                && schema.resolve(path.asString().getValue()).kind() == Kind.INSIDE_ENCRYPTED) {
              throw refuse(path.asString().getValue(), "is inside an encrypted field");
            }
          }
        }
        default -> throw refuse(null, "the pipeline update stage " + name + " cannot be checked"
            + " against the encrypted fields of this collection");
      }
    }
    return stages;
  }

  // ----------------------------------------------------------------- aggregation

  /** Rewrites the {@code $match} stages and checks every other stage. */
  public List<BsonDocument> rewritePipeline(List<BsonDocument> stages) {
    List<BsonDocument> out = new ArrayList<>(stages.size());
    for (BsonDocument stage : stages) {
      if (stage.size() != 1) {
        throw refuse(null, "a pipeline stage must have exactly one field, got " + stage.keySet());
      }
      String name = stage.getFirstKey();
      BsonValue body = stage.get(name);
      out.add(switch (name) {
        case "$match" -> new BsonDocument(name, rewriteFilter(body.asDocument()));
        case "$lookup" -> new BsonDocument(name, lookup(body.asDocument()));
        case "$facet" -> {
          BsonDocument facets = new BsonDocument();
          for (Map.Entry<String, BsonValue> facet : body.asDocument().entrySet()) {
            facets.put(facet.getKey(), new BsonArray(rewritePipeline(documents(facet.getValue()))));
          }
          yield new BsonDocument(name, facets);
        }
        default -> {
          checkStage(name, body);
          yield stage;
        }
      });
    }
    return out;
  }

  private void checkStage(String name, BsonValue body) {
    if (!schema.hasEncryptedFields() || PASSTHROUGH_STAGES.contains(name)) {
      return;
    }
    switch (name) {
      case "$sort" -> {
        for (Map.Entry<String, BsonValue> key : body.asDocument().entrySet()) {
          if (!key.getValue().isDocument() && schema.resolve(key.getKey()).kind() != Kind.PLAIN) {
            throw refuse(key.getKey(), "is or holds an encrypted field; sorting on ciphertext"
                + " gives a meaningless order");
          }
        }
      }
      case "$project", "$addFields", "$set" -> {
        for (Map.Entry<String, BsonValue> field : body.asDocument().entrySet()) {
          checkExpression(field.getValue(), name);
        }
      }
      case "$group", "$bucket", "$bucketAuto", "$sortByCount", "$replaceRoot", "$replaceWith",
          "$redact", "$densify", "$fill", "$setWindowFields" -> checkExpression(body, name);
      case "$unwind" -> checkExpression(body.isDocument() ? body.asDocument().get("path") : body, name);
      default -> throw refuse(null, "the aggregation stage " + name + " cannot be checked against"
          + " the encrypted fields of this collection");
    }
  }

  private BsonDocument lookup(BsonDocument lookup) {
    BsonValue from = lookup.get("from");
    CollectionSchema foreign = from != null && from.isString()
        ? otherCollections.apply(from.asString().getValue()) : CollectionSchema.none("?");
    CommandRewriter foreignRewriter = new CommandRewriter(foreign, crypto, otherCollections);
    if (lookup.containsKey("localField")) {
      requirePlain(lookup.getString("localField").getValue(), "$lookup localField");
    }
    if (lookup.containsKey("foreignField")) {
      foreignRewriter.requirePlain(lookup.getString("foreignField").getValue(), "$lookup foreignField");
    }
    if (lookup.containsKey("let")) {
      checkExpression(lookup.get("let"), "$lookup let");
    }
    if (!lookup.containsKey("pipeline")) {
      return lookup;
    }
    BsonDocument out = lookup.clone();
    out.put("pipeline", new BsonArray(foreignRewriter.rewritePipeline(documents(lookup.get("pipeline")))));
    return out;
  }

  private void requirePlain(String path, String what) {
    if (schema.resolve(path).kind() != Kind.PLAIN) {
      throw refuse(path, "is or holds an encrypted field; it cannot be used as " + what);
    }
  }

  /** Refuses an expression that reads an encrypted field (a {@code "$path"} string). */
  private void checkExpression(BsonValue expression, String where) {
    if (expression == null || !schema.hasEncryptedFields()) {
      return;
    }
    if (expression.isString()) {
      String text = expression.asString().getValue();
      if (text.startsWith("$") && !text.startsWith("$$") && text.length() > 1) {
        String path = text.substring(1);
        if (schema.resolve(path).kind() != Kind.PLAIN) {
          throw refuse(path, "is or holds an encrypted field; " + where + " cannot compute on,"
              + " group by or move ciphertext");
        }
      }
    } else if (expression.isDocument()) {
      for (BsonValue value : expression.asDocument().values()) {
        checkExpression(value, where);
      }
    } else if (expression.isArray()) {
      for (BsonValue value : expression.asArray()) {
        checkExpression(value, where);
      }
    }
  }

  /** Refuses a sort on encrypted fields (find's sort option). */
  public void checkSort(BsonDocument sort) {
    if (sort != null) {
      checkStage("$sort", sort);
    }
  }

  /** Refuses distinct on a randomly encrypted field (each ciphertext differs). */
  public void checkDistinctField(String field) {
    Resolution r = schema.resolve(field);
    if (r.kind() == Kind.ENCRYPTED && !r.node().encrypt().isDeterministic()) {
      throw refuse(field, "is encrypted with the random algorithm; distinct would return one"
          + " value per document");
    }
    if (r.kind() == Kind.INSIDE_ENCRYPTED) {
      throw refuse(field, "is inside the encrypted field '" + r.encryptedField() + "'");
    }
  }

  // ----------------------------------------------------------------- helpers

  private static boolean isOperatorDocument(BsonValue value) {
    return value.isDocument() && !value.asDocument().isEmpty()
        && value.asDocument().getFirstKey().startsWith("$");
  }

  /** {@code a.$.b}, {@code a.$[].b}, {@code a.$[x].b} → {@code a.b}. */
  private static String withoutPositional(String path) {
    return path.replaceAll("\\.\\$(\\[[^\\]]*\\])?(?=\\.|$)", "");
  }

  private static List<BsonDocument> documents(BsonValue array) {
    return array.asArray().getValues().stream().map(BsonValue::asDocument).toList();
  }

  private EncryptedFieldOperationException refuse(String field, String reason) {
    return new EncryptedFieldOperationException(schema.namespace(), field, reason);
  }
}
