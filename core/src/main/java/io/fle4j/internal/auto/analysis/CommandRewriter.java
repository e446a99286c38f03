package io.fle4j.internal.auto.analysis;

import com.mongodb.MongoNamespace;
import io.fle4j.internal.auto.schema.CollectionSchema;
import io.fle4j.internal.auto.schema.CollectionSchema.Kind;
import io.fle4j.internal.auto.schema.CollectionSchema.Resolution;
import io.fle4j.internal.auto.schema.EncryptSpec;
import io.fle4j.internal.auto.schema.SchemaNode;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import org.bson.BsonArray;
import org.bson.BsonDocument;
import org.bson.BsonTimestamp;
import org.bson.BsonType;
import org.bson.BsonValue;

/**
 * Applies one collection's encryption schema to the parts of a command, as mongocryptd does:
 * encrypts the values written to encrypted fields and the constants compared with deterministic
 * ones, and refuses — with mongocryptd's text, before anything is sent or any key fetched —
 * whatever would leak, corrupt or silently mis-query an encrypted field. What the schema leaves
 * untouched comes back as the same object.
 */
public final class CommandRewriter {
  /** Update operators that only make sense on plaintext, by mongocryptd's name for them. */
  private static final Map<String, String> VALUE_OPERATORS = Map.ofEntries(
      Map.entry("$inc", "$inc and $mul"), Map.entry("$mul", "$inc and $mul"),
      Map.entry("$min", "$max and $min"), Map.entry("$max", "$max and $min"),
      Map.entry("$addToSet", "$addToSet"), Map.entry("$bit", "$bit"),
      Map.entry("$currentDate", "$currentDate"), Map.entry("$pop", "$pop"),
      Map.entry("$pullAll", "$pullAll"), Map.entry("$pull", "$pull"), Map.entry("$push", "$push"));

  private final CollectionSchema schema;
  private final Marker marker;
  private final Refusal refusal;
  private final Function<MongoNamespace, CollectionSchema> otherCollections;

  /**
   * @param otherCollections the schema of another collection, for pipelines that name one
   */
  public CommandRewriter(CollectionSchema schema, FieldCrypto crypto,
      Function<MongoNamespace, CollectionSchema> otherCollections) {
    this(schema, crypto, otherCollections, false);
  }

  /**
   * @param keepExistingCiphertext keep values that are already encrypted instead of refusing them
   *     (for encrypting existing data in place, where part of it may be encrypted already)
   */
  public CommandRewriter(CollectionSchema schema, FieldCrypto crypto,
      Function<MongoNamespace, CollectionSchema> otherCollections, boolean keepExistingCiphertext) {
    this(schema, new Marker(new Refusal(schema.namespace()), crypto, keepExistingCiphertext),
        otherCollections);
  }

  CommandRewriter(CollectionSchema schema, Marker marker,
      Function<MongoNamespace, CollectionSchema> otherCollections) {
    this.schema = schema;
    this.marker = marker;
    this.refusal = marker.refusal();
    this.otherCollections = otherCollections;
  }

  public boolean hasEncryptedFields() {
    return schema.hasEncryptedFields();
  }

  CollectionSchema schema() {
    return schema;
  }

  Marker marker() {
    return marker;
  }

  Function<MongoNamespace, CollectionSchema> otherCollections() {
    return otherCollections;
  }

  /**
   * The same analysis for a command or statement run under {@code collation}: a non-simple one
   * makes every string compared with an encrypted field a refusal, since the server would compare
   * ciphertext bytes and silently ignore it.
   *
   * @param collation the command's {@code collation} field, or null
   */
  public CommandRewriter withCollation(BsonValue collation) {
    if (collation == null || collation.isNull()) {
      return this;
    }
    if (!collation.isDocument()) {
      throw refusal.of(null, "collation command parameter must be of type Object",
          "got " + collation.getBsonType());
    }
    BsonValue locale = collation.asDocument().get("locale");
    boolean simple = locale != null && locale.isString()
        && locale.asString().getValue().equals("simple");
    return simple ? this
        : new CommandRewriter(schema, marker.withNonSimpleCollation(), otherCollections);
  }

  /** The same analysis against another schema (a later pipeline stage, another collection). */
  CommandRewriter with(CollectionSchema other) {
    return new CommandRewriter(other, marker.forNamespace(other.namespace()), otherCollections);
  }

  // ----------------------------------------------------------------- documents

  /** Encrypts the marked fields of a document being inserted. */
  public BsonDocument encryptDocument(BsonDocument document) {
    return encryptDocument(document, true);
  }

  /**
   * A replacement document (replaceOne, findOneAndReplace, an update without operators). Unlike
   * mongocryptd, a JSON-pointer keyId is resolved against it: the replacement is the whole
   * document, just as an insert is.
   */
  private BsonDocument encryptReplacement(BsonDocument document, boolean upsert) {
    if (upsert) {
      // An upsert may insert the replacement: the insert rules apply.
      return encryptDocument(document, true);
    }
    return encryptDocument(document, false);
  }

  /**
   * Encrypts the marked fields of a whole document; JSON-pointer keyIds resolve against it.
   *
   * @param insert whether the document is inserted (an encrypted {@code _id} must be given)
   *     rather than a replacement
   */
  private BsonDocument encryptDocument(BsonDocument document, boolean insert) {
    if (!schema.hasEncryptedFields()) {
      return document;
    }
    Resolution id = schema.resolve("_id");
    if (insert && id.kind() == Kind.ENCRYPTED && !document.containsKey("_id")) {
      throw refusal.of("_id", "_id must be explicitly provided when configured as encrypted");
    }
    for (Map.Entry<String, BsonValue> field : insert ? document.entrySet()
        : Map.<String, BsonValue>of().entrySet()) {
      if (field.getValue() instanceof BsonTimestamp ts && ts.getValue() == 0
          && schema.resolve(field.getKey()).kind() == Kind.ENCRYPTED) {
        throw refusal.of(field.getKey(), "A command that inserts cannot supply Timestamp(0, 0)"
            + " for an encrypted top-level field at path " + field.getKey());
      }
    }
    return encryptObject(document, schema.root(), "", document);
  }

  private BsonDocument encryptObject(BsonDocument object, SchemaNode node, String prefix,
      BsonDocument root) {
    BsonDocument out = null;
    for (Map.Entry<String, BsonValue> field : object.entrySet()) {
      String path = prefix.isEmpty() ? field.getKey() : prefix + "." + field.getKey();
      SchemaNode child = node.child(field.getKey());
      BsonValue value = field.getValue();
      BsonValue written = value;
      if (child.isConflict() || child.isUnknown()) {
        throw refusal.of(path, "Found conflicting encryption metadata for path: '" + path + "'");
      } else if (child.encrypt() != null) {
        written = marker.forWrite(path, child.encrypt(), value, root, schema);
      } else if (child.hasEncryptedFields() && value.isDocument()) {
        written = encryptObject(value.asDocument(), child, path, root);
      } else if (child.hasEncryptedFields() && value.isArray()) {
        throw refusal.of(path, "An array at path '" + path + "' would violate the schema",
            "the schema encrypts fields below it, and CSFLE cannot encrypt inside arrays");
      }
      if (written != value && out == null) {
        out = copyUpTo(object, field.getKey());
      }
      if (out != null) {
        out.put(field.getKey(), written);
      }
    }
    return out == null ? object : out;
  }

  /** A copy of the fields before {@code key}, so untouched documents are never copied. */
  private static BsonDocument copyUpTo(BsonDocument object, String key) {
    BsonDocument out = new BsonDocument();
    for (Map.Entry<String, BsonValue> e : object.entrySet()) {
      if (e.getKey().equals(key)) {
        break;
      }
      out.put(e.getKey(), e.getValue());
    }
    return out;
  }

  // ----------------------------------------------------------------- filters

  /**
   * Encrypts the constants compared with deterministic fields ({@code {f: v}} becomes {@code {f:
   * {$eq: <ciphertext>}}}, as mongocryptd writes it); refuses every other use of an encrypted
   * field, and the operators mongocryptd never lets through ({@code $text}, {@code $where}).
   */
  public BsonDocument rewriteFilter(BsonDocument filter) {
    if (filter == null) {
      return null;
    }
    BsonDocument out = null;
    for (Map.Entry<String, BsonValue> entry : filter.entrySet()) {
      String key = entry.getKey();
      BsonValue value = entry.getValue();
      BsonValue rewritten = switch (key) {
        case "$and", "$or", "$nor" -> clauses(key, value);
        case "$comment", "$alwaysTrue", "$alwaysFalse", "$sampleRate" -> value;
        case "$expr" -> new ExpressionAnalysis(schema, marker).forwarded(value);
        case "$text", "$where", "$jsonSchema" -> {
          // Nothing they could reach is encrypted when the collection has no encrypted field.
          if (schema.hasEncryptedFields()) {
            throw refusal.of(null, "Unsupported match expression operator for encryption: " + key,
                "automatic encryption cannot analyse " + key);
          }
          yield value;
        }
        default -> {
          if (key.startsWith("$")) {
            throw refusal.of(null, "Unsupported match expression operator for encryption: " + key);
          }
          yield predicate(key, value);
        }
      };
      if (rewritten != value && out == null) {
        out = copyUpTo(filter, key);
      }
      if (out != null) {
        out.put(key, rewritten);
      }
    }
    return out == null ? filter : out;
  }

  private BsonValue clauses(String operator, BsonValue value) {
    if (!value.isArray() || value.asArray().isEmpty()) {
      throw refusal.of(null, operator + " must be a nonempty array", "got " + value);
    }
    BsonArray out = new BsonArray();
    boolean changed = false;
    for (BsonValue clause : value.asArray()) {
      if (!clause.isDocument()) {
        throw refusal.of(null, operator + " takes an array of filters", "got " + clause);
      }
      BsonDocument rewritten = rewriteFilter(clause.asDocument());
      changed |= rewritten != clause;
      out.add(rewritten);
    }
    return changed ? out : value;
  }

  private BsonValue predicate(String path, BsonValue value) {
    boolean operators = isOperatorDocument(value);
    if (operators && value.asDocument().keySet().stream().allMatch("$exists"::equals)) {
      return value; // mongocryptd does not even look the path up for $exists
    }
    Resolution r = schema.resolve(path);
    switch (r.kind()) {
      case ENCRYPTED:
        return encryptedPredicate(path, r.node().encrypt(), value);
      case ANCESTOR:
        return operators ? ancestorOperators(path, r.node(), value.asDocument())
            : ancestorEquality(path, r.node(), value);
      case PLAIN:
        return value;
      default:
        throw unusable(path, r);
    }
  }

  private BsonValue encryptedPredicate(String path, EncryptSpec spec, BsonValue value) {
    if (!isOperatorDocument(value)) {
      return new BsonDocument("$eq", equality(path, spec, value, value));
    }
    BsonDocument out = new BsonDocument();
    for (Map.Entry<String, BsonValue> operator : value.asDocument().entrySet()) {
      String op = operator.getKey();
      BsonValue operand = operator.getValue();
      switch (op) {
        case "$exists" -> out.put(op, operand);
        case "$eq", "$ne" -> out.put(op, equality(path, spec, operand, value));
        case "$in", "$nin" -> {
          if (!operand.isArray()) {
            throw refusal.of(path, op + " needs an array", "got " + operand.getBsonType());
          }
          BsonArray encrypted = new BsonArray();
          for (BsonValue element : operand.asArray()) {
            if (element.isRegularExpression()) {
              throw refusal.of(path, "Illegal regex inside $in against an encrypted field: '"
                  + path + "'");
            }
            if (element.isNull()) {
              throw refusal.of(path, "Illegal equality to null inside $in against an encrypted"
                  + " field: '" + path + "'");
            }
            encrypted.add(marker.forComparison(path, spec, element));
          }
          out.put(op, encrypted);
        }
        case "$not" -> {
          if (!isOperatorDocument(operand)) {
            throw refusal.of(path, "Invalid match expression operator on encrypted field '" + path
                + "': " + new BsonDocument(op, operand).toJson());
          }
          out.put(op, encryptedPredicate(path, spec, operand));
        }
        case "$all" -> {
          // {$all: [a, b]} is {$and: [{f: a}, {f: b}]}: each element an equality.
          if (!operand.isArray()) {
            throw refusal.of(path, "$all needs an array", "got " + operand.getBsonType());
          }
          BsonArray encrypted = new BsonArray();
          for (BsonValue element : operand.asArray()) {
            if (element.isDocument() && !element.asDocument().isEmpty()
                && element.asDocument().getFirstKey().equals("$elemMatch")) {
              throw refusal.of(path, "$elemMatch is unsupported on encrypted fields: "
                  + element.asDocument().toJson());
            }
            encrypted.add(equality(path, spec, element, element));
          }
          out.put(op, encrypted);
        }
        case "$gt", "$gte", "$lt", "$lte" -> throw refusal.of(path, "Invalid match expression"
            + " operator on encrypted field '" + path + "': " + new BsonDocument(op, operand).toJson(),
            "a range query cannot be evaluated on CSFLE ciphertext");
        case "$elemMatch" -> throw refusal.of(path, "$elemMatch is unsupported on encrypted"
            + " fields: " + new BsonDocument(op, operand).toJson());
        default -> throw refusal.of(path, "Invalid match expression operator on encrypted field '"
            + path + "': " + new BsonDocument(op, operand).toJson(), op.equals("$regex")
                ? "a regular expression cannot match ciphertext" : null);
      }
    }
    return out;
  }

  private BsonValue equality(String path, EncryptSpec spec, BsonValue operand, BsonValue whole) {
    if (operand.isNull()) {
      throw refusal.of(path, "Illegal equality to null predicate for encrypted field: '" + path
          + "'", "use {$exists: false}");
    }
    if (operand.isRegularExpression()) {
      throw refusal.of(path, "Invalid match expression operator on encrypted field '" + path
          + "': " + whole, "a regular expression cannot match ciphertext");
    }
    return marker.forComparison(path, spec, operand);
  }

  /** Equality with an object that holds encrypted fields: its encrypted values are encrypted. */
  private BsonValue ancestorEquality(String path, SchemaNode node, BsonValue value) {
    if (value.isArray()) {
      throw refusal.of(path, "$eq to array predicate is illegal for prefix of encrypted path: "
          + new BsonDocument(path, value).toJson());
    }
    if (!value.isDocument()) {
      return value;
    }
    return comparedObject(value.asDocument(), node, path);
  }

  private BsonDocument comparedObject(BsonDocument object, SchemaNode node, String prefix) {
    BsonDocument out = new BsonDocument();
    for (Map.Entry<String, BsonValue> field : object.entrySet()) {
      String path = prefix + "." + field.getKey();
      SchemaNode child = node.child(field.getKey());
      BsonValue value = field.getValue();
      if (child.isConflict() || child.isUnknown()) {
        throw refusal.of(path, "Found conflicting encryption metadata for path: '" + path + "'");
      } else if (child.encrypt() != null) {
        out.put(field.getKey(), equality(path, child.encrypt(), value, value));
      } else if (child.hasEncryptedFields() && value.isDocument()) {
        out.put(field.getKey(), comparedObject(value.asDocument(), child, path));
      } else if (child.hasEncryptedFields() && value.isArray()) {
        throw refusal.of(path, "An array at path '" + path + "' would violate the schema");
      } else {
        out.put(field.getKey(), value);
      }
    }
    return out;
  }

  private BsonValue ancestorOperators(String path, SchemaNode node, BsonDocument operators) {
    BsonDocument out = new BsonDocument();
    for (Map.Entry<String, BsonValue> operator : operators.entrySet()) {
      String op = operator.getKey();
      BsonValue operand = operator.getValue();
      switch (op) {
        case "$eq", "$ne" -> out.put(op, ancestorEquality(path, node, operand));
        case "$in", "$nin" -> {
          if (!operand.isArray()) {
            throw refusal.of(path, op + " needs an array", "got " + operand.getBsonType());
          }
          BsonArray elements = new BsonArray();
          for (BsonValue element : operand.asArray()) {
            if (element.isArray()) {
              throw refusal.of(path, "Illegal $in element for prefix '" + path
                  + "' of encrypted path: " + element);
            }
            elements.add(element.isDocument() ? comparedObject(element.asDocument(), node, path)
                : element);
          }
          out.put(op, elements);
        }
        case "$not" -> {
          if (!isOperatorDocument(operand)) {
            throw refusal.of(path, "$not on a prefix of encrypted fields takes an operator"
                + " document", "got " + operand);
          }
          out.put(op, ancestorOperators(path, node, operand.asDocument()));
        }
        case "$elemMatch" -> {
          if (!operand.isDocument()) {
            throw refusal.of(path, "$elemMatch takes a document", "got " + operand);
          }
          // The elements are matched against this field's part of the schema.
          out.put(op, with(new CollectionSchema(schema.namespace(), node))
              .rewriteFilter(operand.asDocument()));
        }
        case "$gt", "$gte", "$lt", "$lte" -> {
          if (operand.isDocument() && holdsEncryptedField(operand.asDocument(), node)) {
            throw refusal.of(path, "Invalid match expression operator on encrypted field '"
                + new BsonDocument(path, operators).toJson() + "'",
                "the object compared holds encrypted fields");
          }
          out.put(op, operand);
        }
        default -> out.put(op, operand);
      }
    }
    return out;
  }

  /** Whether an object compared at {@code node} sets a field that is encrypted there. */
  private static boolean holdsEncryptedField(BsonDocument object, SchemaNode node) {
    for (Map.Entry<String, BsonValue> field : object.entrySet()) {
      SchemaNode child = node.child(field.getKey());
      if (child.encrypt() != null || child.isConflict() || child.isUnknown()
          || (child.hasEncryptedFields() && !field.getValue().isDocument())
          || (field.getValue().isDocument()
              && holdsEncryptedField(field.getValue().asDocument(), child))) {
        return true;
      }
    }
    return false;
  }

  // ----------------------------------------------------------------- updates

  /**
   * Encrypts the values an update writes to encrypted fields and refuses what cannot be applied
   * to ciphertext.
   *
   * @param upsert whether the update may insert (an encrypted {@code _id} must then be given)
   */
  public BsonDocument rewriteUpdate(BsonDocument update, boolean upsert) {
    if (!schema.hasEncryptedFields()) {
      return update;
    }
    if (update.isEmpty() || !update.getFirstKey().startsWith("$")) {
      return encryptReplacement(update, upsert);
    }
    if (upsert && schema.resolve("_id").kind() == Kind.ENCRYPTED) {
      throw refusal.of("_id", "_id must be explicitly provided when configured as encrypted",
          "an upsert with update operators cannot give it");
    }
    BsonDocument out = new BsonDocument();
    for (Map.Entry<String, BsonValue> entry : update.entrySet()) {
      String op = entry.getKey();
      if (!entry.getValue().isDocument()) {
        throw refusal.of(null, "Modifiers operate on fields but we found type "
            + entry.getValue().getBsonType() + " instead", "the update operator " + op
                + " takes a document");
      }
      BsonDocument fields = entry.getValue().asDocument();
      switch (op) {
        case "$set", "$setOnInsert" -> out.put(op, setFields(fields));
        case "$unset" -> {
          for (String path : fields.keySet()) {
            checkUpdatePath(path, op, false);
          }
          out.put(op, fields);
        }
        case "$rename" -> {
          for (Map.Entry<String, BsonValue> rename : fields.entrySet()) {
            checkRename(rename.getKey(), rename.getValue());
          }
          out.put(op, fields);
        }
        default -> {
          if (!VALUE_OPERATORS.containsKey(op)) {
            throw refusal.of(null, "Unknown modifier: " + op, "automatic encryption cannot"
                + " analyse it");
          }
          for (String path : fields.keySet()) {
            checkUpdatePath(path, op, true);
          }
          out.put(op, fields);
        }
      }
    }
    return out;
  }

  /** Refuses a path an update operator may not touch; {@code valueOperator} for $inc and friends. */
  private void checkUpdatePath(String path, String op, boolean valueOperator) {
    checkPositional(path);
    String plain = withoutPositional(path);
    Resolution r = schema.resolve(plain);
    switch (r.kind()) {
      case PLAIN -> { }
      case ENCRYPTED -> {
        if (valueOperator) {
          throw refusal.of(path, VALUE_OPERATORS.get(op) + " not allowed on encrypted values",
              op + " cannot be applied to ciphertext");
        }
      }
      case ANCESTOR -> {
        if (valueOperator) {
          throw refusal.of(path, VALUE_OPERATORS.get(op) + " not allowed on encrypted values",
              "'" + path + "' holds encrypted fields");
        }
      }
      default -> throw unusable(path, r);
    }
  }

  /**
   * A path with a positional element ({@code $}, {@code $[]}, {@code $[id]}) reaches into an
   * array: nothing below it may be encrypted or hold encrypted fields.
   */
  private void checkPositional(String path) {
    int at = path.indexOf(".$");
    while (at >= 0) {
      String before = withoutPositional(path.substring(0, at));
      Resolution prefix = schema.resolve(before);
      Resolution whole = schema.resolve(withoutPositional(path));
      if (prefix.kind() != Kind.PLAIN || whole.kind() != Kind.PLAIN) {
        if (path.startsWith(".$[", at)) {
          throw refusal.of(path, "Array update operations not allowed on encrypted values");
        }
        throw refusal.of(path, "Cannot encrypt fields below '$' positional update operator");
      }
      at = path.indexOf(".$", at + 2);
    }
  }

  private void checkRename(String from, BsonValue toValue) {
    if (!toValue.isString()) {
      throw refusal.of(from, "The 'to' field for $rename must be a string", "got " + toValue);
    }
    String to = toValue.asString().getValue();
    Resolution source = schema.resolve(from);
    Resolution target = schema.resolve(to);
    for (Resolution r : List.of(source, target)) {
      String path = r == source ? from : to;
      if (r.kind() == Kind.ANCESTOR) {
        throw refusal.of(path, "$rename is not allowed on an object containing encrypted fields");
      }
      if (r.kind() != Kind.PLAIN && r.kind() != Kind.ENCRYPTED) {
        throw unusable(path, r);
      }
    }
    EncryptSpec a = source.kind() == Kind.ENCRYPTED ? source.node().encrypt() : null;
    EncryptSpec b = target.kind() == Kind.ENCRYPTED ? target.node().encrypt() : null;
    if (a == null ? b != null : !a.equals(b)) {
      throw refusal.of(from, "$rename between two encrypted fields must have the same metadata or"
          + " both be unencrypted", "'" + from + "' -> '" + to + "'");
    }
  }

  private BsonDocument setFields(BsonDocument fields) {
    BsonDocument out = new BsonDocument();
    for (Map.Entry<String, BsonValue> field : fields.entrySet()) {
      String path = field.getKey();
      BsonValue value = field.getValue();
      checkPositional(path);
      Resolution r = schema.resolve(withoutPositional(path));
      switch (r.kind()) {
        case ENCRYPTED -> out.put(path, marker.forWrite(path, r.node().encrypt(), value, null,
            schema));
        case ANCESTOR -> {
          if (!value.isDocument()) {
            throw refusal.of(path, "Cannot $set to a path " + path + " that is an encrypted"
                + " prefix to a non-object type");
          }
          out.put(path, encryptObject(value.asDocument(), r.node(), path, null));
        }
        case PLAIN -> out.put(path, value);
        default -> throw unusable(path, r);
      }
    }
    return out;
  }

  /**
   * Checks an update pipeline. As in mongocryptd, the pipeline may not change the schema of the
   * document when it has encrypted fields: no new fields, no removed ones, no encrypted field
   * overwritten. Constants in it are not encrypted, so it may not compare with encrypted fields
   * either.
   *
   * @param upsert whether the update may insert
   */
  public List<BsonDocument> rewriteUpdatePipeline(List<BsonDocument> stages, boolean upsert) {
    if (!schema.hasEncryptedFields()) {
      return new PipelineAnalysis(this).rewrite(stages, PipelineAnalysis.Mode.UPDATE);
    }
    if (upsert && schema.resolve("_id").kind() == Kind.ENCRYPTED) {
      throw refusal.of("_id", "Pipelines in update are not allowed with an encrypted '_id' and"
          + " 'upsert: true'");
    }
    return new PipelineAnalysis(this).rewrite(stages, PipelineAnalysis.Mode.UPDATE);
  }

  // ----------------------------------------------------------------- aggregation

  /** Analyses a collection's aggregation pipeline stage by stage. */
  public List<BsonDocument> rewritePipeline(List<BsonDocument> stages) {
    return new PipelineAnalysis(this).rewrite(stages, PipelineAnalysis.Mode.AGGREGATE);
  }

  /** A find or findAndModify projection, analysed as mongocryptd does: as a {@code $project}. */
  public BsonDocument rewriteProjection(BsonDocument projection) {
    if (projection == null || projection.isEmpty() || !schema.hasEncryptedFields()) {
      return projection;
    }
    BsonDocument out = null;
    ExpressionAnalysis expressions = new ExpressionAnalysis(schema, marker);
    for (Map.Entry<String, BsonValue> field : projection.entrySet()) {
      BsonValue value = field.getValue();
      BsonValue rewritten = value;
      if (field.getKey().endsWith(".$")) {
        Resolution r = schema.resolve(field.getKey().substring(0, field.getKey().length() - 2));
        if (r.kind() != Kind.PLAIN) {
          throw refusal.of(field.getKey(), "Encrypted field '" + field.getKey() + "' is not"
              + " allowed to be evaluated by the positional projection operator");
        }
      } else if (value.isNumber() || value.isBoolean()) {
        rewritten = value;
      } else if (isOperatorDocument(value) && Set.of("$elemMatch", "$slice")
          .contains(value.asDocument().getFirstKey())) {
        Resolution r = schema.resolve(field.getKey());
        if (r.kind() != Kind.PLAIN) {
          throw refusal.of(field.getKey(), "Encrypted field '" + field.getKey() + "' is not"
              + " allowed to be evaluated by " + value.asDocument().getFirstKey());
        }
      } else {
        rewritten = expressions.forwarded(value);
      }
      if (rewritten != value && out == null) {
        out = copyUpTo(projection, field.getKey());
      }
      if (out != null) {
        out.put(field.getKey(), rewritten);
      }
    }
    return out == null ? projection : out;
  }

  /**
   * Refuses a sort on encrypted fields: ciphertext order means nothing (mongocryptd refuses it in
   * {@code $sort}; fle4j refuses it in find too, where it would silently sort by ciphertext).
   */
  public void checkSort(BsonDocument sort) {
    if (sort == null) {
      return;
    }
    for (Map.Entry<String, BsonValue> key : sort.entrySet()) {
      if (key.getValue().isDocument()) {
        continue; // {$meta: ...}
      }
      Resolution r = schema.resolve(key.getKey());
      if (r.kind() != Kind.PLAIN) {
        throw refusal.of(key.getKey(), "Sorting on key '" + key.getKey() + "' is not allowed"
            + " due to encryption.", "ciphertext order is meaningless");
      }
    }
  }

  /**
   * Refuses index bounds ({@code min}, {@code max}) on encrypted fields: their values would be
   * sent as plaintext and compared with ciphertext.
   */
  public void checkIndexBounds(String option, BsonDocument bounds) {
    if (bounds == null) {
      return;
    }
    for (String path : bounds.keySet()) {
      Resolution r = schema.resolve(path);
      if (r.kind() != Kind.PLAIN) {
        throw refusal.of(path, "Invalid match expression operator on encrypted field '" + path
            + "': " + option, "index bounds compare plaintext with ciphertext");
      }
    }
  }

  /** Checks distinct's key, with mongocryptd's texts. */
  public void checkDistinctField(String field) {
    Resolution r = schema.resolve(field);
    switch (r.kind()) {
      case PLAIN -> { }
      case ENCRYPTED -> {
        EncryptSpec spec = r.node().encrypt();
        if (spec.keyAltNamePointer() != null) {
          throw refusal.of(field, "The distinct key is not allowed to be marked for encryption"
              + " with a non-UUID keyId");
        }
        if (!spec.isDeterministic()) {
          throw refusal.of(field, "Distinct key is not allowed to be marked for encryption with"
              + " the randomized encryption algorithm", "each document's ciphertext differs");
        }
        if (marker.nonSimpleCollation() && spec.bsonTypes().contains(BsonType.STRING)) {
          throw refusal.of(field, "Distinct key cannot be an encrypted string field if the"
              + " collation is non-simple");
        }
      }
      case ANCESTOR -> throw refusal.of(field, "Distinct key is not allowed to be a prefix of an"
          + " encrypted field");
      default -> throw unusable(field, r);
    }
  }

  // ----------------------------------------------------------------- helpers

  RuntimeException unusable(String path, Resolution r) {
    return refusal.unusable(path, r);
  }

  static boolean isOperatorDocument(BsonValue value) {
    return value.isDocument() && !value.asDocument().isEmpty()
        && value.asDocument().getFirstKey().startsWith("$");
  }

  /** {@code a.$.b}, {@code a.$[].b}, {@code a.$[x].b} → {@code a.b}. */
  static String withoutPositional(String path) {
    return path.replaceAll("\\.\\$(\\[[^\\]]*\\])?(?=\\.|$)", "");
  }

  Refusal refusal() {
    return refusal;
  }
}
