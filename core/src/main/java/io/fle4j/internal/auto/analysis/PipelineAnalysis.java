package io.fle4j.internal.auto.analysis;

import com.mongodb.MongoNamespace;
import io.fle4j.internal.auto.schema.CollectionSchema;
import io.fle4j.internal.auto.schema.CollectionSchema.Kind;
import io.fle4j.internal.auto.schema.CollectionSchema.Resolution;
import io.fle4j.internal.auto.schema.EncryptSpec;
import io.fle4j.internal.auto.schema.SchemaNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.bson.BsonArray;
import org.bson.BsonDocument;
import org.bson.BsonValue;

/**
 * An aggregation pipeline (or an update pipeline) analysed as a data flow, as mongocryptd does:
 * each stage is checked against the schema of the documents flowing into it, and each stage's
 * output schema is computed for the next one, so a field renamed, copied or regrouped keeps its
 * encryption and a later stage cannot compare it with a plaintext constant.
 *
 * <p>Fail closed: only the stages mongocryptd knows are accepted when any collection the pipeline
 * touches has encrypted fields, and such a pipeline may not touch a second collection. A pipeline
 * none of whose collections (its own, and every {@code $lookup}, {@code $graphLookup}, {@code
 * $unionWith}, {@code $merge} and {@code $out} target, at any depth) has an encrypted field is
 * sent as it is: nothing it can reach is encrypted.
 */
final class PipelineAnalysis {
  enum Mode { AGGREGATE, UPDATE }

  private final CommandRewriter rewriter;
  private final Refusal refusal;

  PipelineAnalysis(CommandRewriter rewriter) {
    this.rewriter = rewriter;
    this.refusal = rewriter.refusal();
  }

  List<BsonDocument> rewrite(List<BsonDocument> stages, Mode mode) {
    MongoNamespace self = new MongoNamespace(rewriter.schema().namespace());
    Set<MongoNamespace> involved = new LinkedHashSet<>();
    involved.add(self);
    collectNamespaces(stages, self.getDatabaseName(), involved);
    boolean anyEncrypted = rewriter.schema().hasEncryptedFields();
    for (MongoNamespace namespace : involved) {
      if (!namespace.equals(self)) {
        anyEncrypted |= rewriter.otherCollections().apply(namespace).hasEncryptedFields();
      }
    }
    if (!anyEncrypted) {
      return stages;
    }
    if (involved.size() > 1) {
      involved.remove(self);
      throw refusal.of(null, "Pipeline over an encrypted collection cannot reference additional"
          + " collections.", "it names " + involved + ", and encrypted fields are involved");
    }
    CollectionSchema current = rewriter.schema();
    List<BsonDocument> out = new ArrayList<>(stages.size());
    for (BsonDocument stage : stages) {
      if (stage.size() != 1) {
        throw refusal.of(null, "A pipeline stage specification object must contain exactly one"
            + " field.", "got " + stage.keySet());
      }
      Step step = mode == Mode.UPDATE ? updateStage(stage, current) : stage(stage, current);
      out.add(step.stage());
      current = step.output();
    }
    if (mode == Mode.UPDATE && !sameSchema(rewriter.schema().root(), current.root())) {
      throw refusal.of(null, "Pipelines in updates are not allowed to modify encrypted fields or"
          + " add fields which are not present in the schema");
    }
    return out;
  }

  /** One analysed stage and the schema of what it outputs. */
  private record Step(BsonDocument stage, CollectionSchema output) {}

  private Step stage(BsonDocument stage, CollectionSchema in) {
    String name = stage.getFirstKey();
    BsonValue body = stage.get(name);
    CommandRewriter here = rewriter.with(in);
    ExpressionAnalysis expressions = new ExpressionAnalysis(in, here.marker());
    switch (name) {
      case "$match": {
        return new Step(new BsonDocument(name, here.rewriteFilter(document(name, body))), in);
      }
      case "$limit": case "$skip": case "$sample":
        return new Step(stage, in);
      case "$sort": {
        BsonDocument keys = document(name, body);
        for (Map.Entry<String, BsonValue> key : keys.entrySet()) {
          if (!key.getValue().isDocument() && in.resolve(key.getKey()).kind() != Kind.PLAIN) {
            throw refusal.of(key.getKey(), "Sorting on key '" + key.getKey() + "' is not allowed"
                + " due to encryption.");
          }
        }
        return new Step(stage, in);
      }
      case "$project":
        return project(document(name, body), in, expressions);
      case "$unset": {
        SchemaNode node = in.root();
        for (BsonValue path : body.isArray() ? body.asArray().getValues() : List.of(body)) {
          if (!path.isString()) {
            throw refusal.of(null, "$unset specification must be a string or an array of strings",
                "got " + path);
          }
          node = remove(node, path.asString().getValue());
        }
        return new Step(stage, schema(in, node));
      }
      case "$addFields": case "$set":
        return addFields(name, document(name, body), in, expressions);
      case "$replaceRoot": case "$replaceWith": {
        BsonValue newRoot = name.equals("$replaceWith") ? body
            : document(name, body).get("newRoot");
        if (newRoot == null) {
          throw refusal.of(null, "no newRoot specified for the $replaceRoot stage");
        }
        if (ExpressionAnalysis.isFieldPath(newRoot)
            && in.resolve(ExpressionAnalysis.fieldPath(newRoot)).kind() == Kind.ENCRYPTED) {
          throw refusal.of(ExpressionAnalysis.fieldPath(newRoot),
              "$replaceRoot cannot have an encrypted field as root");
        }
        BsonValue rewritten = expressions.forwarded(newRoot);
        SchemaNode root = expressions.outputSchema(newRoot);
        BsonDocument out = name.equals("$replaceWith") ? new BsonDocument(name, rewritten)
            : new BsonDocument(name, new BsonDocument("newRoot", rewritten));
        return new Step(out, schema(in, root));
      }
      case "$group":
        return group(document(name, body), in, here, expressions);
      case "$count": {
        return new Step(stage, schema(in, SchemaNode.PLAIN));
      }
      case "$sortByCount": {
        // {$group: {_id: <expression>, count: {$sum: 1}}}, then a sort on count.
        BsonValue group = groupKey(body, in, expressions);
        Map<String, SchemaNode> fields = new LinkedHashMap<>();
        fields.put("_id", expressions.outputSchema(body));
        fields.put("count", SchemaNode.PLAIN);
        return new Step(new BsonDocument(name, group), schema(in, SchemaNode.object(fields)));
      }
      case "$bucket": case "$bucketAuto": {
        BsonDocument spec = document(name, body);
        BsonValue groupBy = spec.get("groupBy");
        if (groupBy != null && ExpressionAnalysis.isFieldPath(groupBy)
            && in.resolve(ExpressionAnalysis.fieldPath(groupBy)).kind() != Kind.PLAIN) {
          throw refusal.of(ExpressionAnalysis.fieldPath(groupBy),
              "'groupBy' expression cannot reference encrypted fields or their prefixes.");
        }
        BsonDocument out = spec.clone();
        if (groupBy != null) {
          out.put("groupBy", expressions.evaluated(groupBy, name + " groupBy"));
        }
        Map<String, SchemaNode> fields = new LinkedHashMap<>();
        fields.put("_id", SchemaNode.PLAIN);
        if (spec.containsKey("output")) {
          BsonDocument output = document(name + ".output", spec.get("output"));
          BsonDocument rewrittenOutput = new BsonDocument();
          for (Map.Entry<String, BsonValue> acc : output.entrySet()) {
            Accumulated a = accumulator(acc.getKey(), acc.getValue(), in, expressions);
            rewrittenOutput.put(acc.getKey(), a.expression());
            fields.put(acc.getKey(), a.schema());
          }
          out.put("output", rewrittenOutput);
        } else {
          fields.put("count", SchemaNode.PLAIN);
        }
        return new Step(new BsonDocument(name, out), schema(in, SchemaNode.object(fields)));
      }
      case "$unwind": {
        String path = body.isString() ? body.asString().getValue()
            : string(document(name, body), "path", "$unwind");
        if (!path.startsWith("$")) {
          throw refusal.of(null, "$unwind path must be prefixed by a '$'", "got " + path);
        }
        Resolution r = in.resolve(path.substring(1));
        if (r.kind() == Kind.ENCRYPTED && !r.node().encrypt().isDeterministic()) {
          throw refusal.of(path.substring(1), "$unwind is not allowed on a field which is"
              + " encrypted with the randomized algorithm");
        }
        if (r.kind() == Kind.INSIDE_ENCRYPTED || r.kind() == Kind.CONFLICT) {
          throw here.unusable(path.substring(1), r);
        }
        SchemaNode node = in.root();
        if (body.isDocument() && body.asDocument().containsKey("includeArrayIndex")) {
          node = set(node, string(body.asDocument(), "includeArrayIndex", "$unwind"),
              SchemaNode.PLAIN);
        }
        return new Step(stage, schema(in, node));
      }
      case "$lookup":
        return lookup(document(name, body), in, here);
      case "$graphLookup":
        return graphLookup(document(name, body), in, here, expressions);
      case "$geoNear": {
        BsonDocument spec = document(name, body).clone();
        if (spec.containsKey("key")) {
          String key = string(spec, "key", "$geoNear");
          if (in.resolve(key).kind() != Kind.PLAIN) {
            throw refusal.of(key, "'key' field '" + key + "' in the $geoNear aggregation stage"
                + " cannot be encrypted.");
          }
        }
        if (spec.containsKey("query")) {
          spec.put("query", here.rewriteFilter(document("$geoNear.query", spec.get("query"))));
        }
        SchemaNode node = in.root();
        for (String output : List.of("distanceField", "includeLocs")) {
          if (spec.containsKey(output) && spec.get(output).isString()) {
            node = set(node, spec.getString(output).getValue(), SchemaNode.PLAIN);
          }
        }
        return new Step(new BsonDocument(name, spec), schema(in, node));
      }
      case "$collStats": case "$listSearchIndexes":
        return new Step(stage, schema(in, SchemaNode.PLAIN));
      // $search, $vectorSearch and $searchMeta are refused (fle4j is stricter than mongocryptd
      // here): their queries name fields and carry values the search index compares, and an
      // encrypted field's value would go to the server in plaintext.
      default:
        throw refusal.of(null, "Aggregation stage " + name + " is not allowed or supported with"
            + " automatic encryption.");
    }
  }

  /** Update pipelines accept the stages the server allows there. */
  private Step updateStage(BsonDocument stage, CollectionSchema in) {
    String name = stage.getFirstKey();
    return switch (name) {
      case "$addFields", "$set", "$project", "$unset", "$replaceRoot", "$replaceWith" ->
          stage(stage, in);
      default -> throw refusal.of(null, "Aggregation stage " + name + " is not allowed or"
          + " supported with automatic encryption.", "in an update pipeline");
    };
  }

  // ----------------------------------------------------------------- $project, $addFields

  private Step project(BsonDocument spec, CollectionSchema in, ExpressionAnalysis expressions) {
    boolean exclusion = isExclusion(spec);
    if (exclusion) {
      SchemaNode node = in.root();
      for (String path : flatten(spec, "").keySet()) {
        node = remove(node, path);
      }
      return new Step(new BsonDocument("$project", spec), schema(in, node));
    }
    SchemaNode node = SchemaNode.object(Map.of());
    Map<String, BsonValue> fields = flatten(spec, "");
    if (!fields.containsKey("_id")) {
      node = set(node, "_id", nodeAt(in, "_id"));
    }
    BsonDocument out = new BsonDocument();
    for (Map.Entry<String, BsonValue> field : fields.entrySet()) {
      String path = field.getKey();
      BsonValue value = field.getValue();
      if (value.isBoolean() || value.isNumber()) {
        if (isTrue(value)) {
          node = set(node, path, nodeAt(in, path));
        }
        out.put(path, value);
      } else {
        out.put(path, expressions.forwarded(value));
        node = set(node, path, expressions.outputSchema(value));
      }
    }
    return new Step(new BsonDocument("$project", out), schema(in, node));
  }

  private Step addFields(String name, BsonDocument spec, CollectionSchema in,
      ExpressionAnalysis expressions) {
    SchemaNode node = in.root();
    BsonDocument out = new BsonDocument();
    for (Map.Entry<String, BsonValue> field : flatten(spec, "").entrySet()) {
      String path = field.getKey();
      Resolution target = in.resolve(path);
      if (target.kind() == Kind.INSIDE_ENCRYPTED) {
        throw rewriter.with(in).unusable(path, target);
      }
      out.put(path, expressions.forwarded(field.getValue()));
      node = set(node, path, expressions.outputSchema(field.getValue()));
    }
    return new Step(new BsonDocument(name, out), schema(in, node));
  }

  private static boolean isExclusion(BsonDocument spec) {
    boolean sawExclusion = false;
    for (Map.Entry<String, BsonValue> field : flattenStatic(spec, "").entrySet()) {
      BsonValue value = field.getValue();
      if ((value.isBoolean() || value.isNumber()) && !isTrue(value)) {
        sawExclusion |= !field.getKey().equals("_id");
        continue;
      }
      if (!field.getKey().equals("_id") || !(value.isBoolean() || value.isNumber())) {
        return false;
      }
    }
    return sawExclusion || spec.size() == 1 && spec.containsKey("_id")
        && !isTrue(spec.get("_id"));
  }

  private static boolean isTrue(BsonValue value) {
    return value.isBoolean() ? value.asBoolean().getValue()
        : value.isNumber() && value.asNumber().doubleValue() != 0;
  }

  /** {@code {a: {b: 1}}} → {@code {"a.b": 1}}; expression objects stay whole. */
  private Map<String, BsonValue> flatten(BsonDocument spec, String prefix) {
    return flattenStatic(spec, prefix);
  }

  private static Map<String, BsonValue> flattenStatic(BsonDocument spec, String prefix) {
    Map<String, BsonValue> out = new LinkedHashMap<>();
    for (Map.Entry<String, BsonValue> field : spec.entrySet()) {
      String path = prefix.isEmpty() ? field.getKey() : prefix + "." + field.getKey();
      BsonValue value = field.getValue();
      if (value.isDocument() && !value.asDocument().isEmpty()
          && !value.asDocument().getFirstKey().startsWith("$")) {
        out.putAll(flattenStatic(value.asDocument(), path));
      } else {
        out.put(path, value);
      }
    }
    return out;
  }

  // ----------------------------------------------------------------- $group

  private Step group(BsonDocument spec, CollectionSchema in, CommandRewriter here,
      ExpressionAnalysis expressions) {
    if (!spec.containsKey("_id")) {
      throw refusal.of(null, "a group specification must include an _id");
    }
    BsonDocument out = new BsonDocument();
    Map<String, SchemaNode> fields = new LinkedHashMap<>();
    BsonValue id = spec.get("_id");
    out.put("_id", groupKey(id, in, expressions));
    fields.put("_id", expressions.outputSchema(id));
    boolean encryptedKey = fields.get("_id").hasEncryptedFields();
    for (Map.Entry<String, BsonValue> field : spec.entrySet()) {
      if (field.getKey().equals("_id")) {
        continue;
      }
      if (encryptedKey) {
        checkConstantInitializer(field.getKey(), field.getValue());
      }
      Accumulated a = accumulator(field.getKey(), field.getValue(), in, expressions);
      out.put(field.getKey(), a.expression());
      fields.put(field.getKey(), a.schema());
    }
    return new Step(new BsonDocument("$group", out), schema(in, SchemaNode.object(fields)));
  }

  /** A group key: a deterministic field groups by ciphertext; a random one cannot. */
  private BsonValue groupKey(BsonValue id, CollectionSchema in, ExpressionAnalysis expressions) {
    for (String path : referencedPaths(id)) {
      Resolution r = in.resolve(path);
      if ((r.kind() == Kind.ENCRYPTED && !r.node().encrypt().isDeterministic())
          || r.kind() == Kind.UNKNOWN || r.kind() == Kind.CONFLICT) {
        throw refusal.of(path, "Cannot group on field '" + path + "' which is encrypted with the"
            + " random algorithm or whose encryption properties are not known until runtime");
      }
    }
    return expressions.forwarded(id);
  }

  /**
   * {@code $accumulator} runs its {@code init} once per group with {@code initArgs}: when the
   * group key holds encrypted values, those arguments may not be computed from the documents.
   */
  private void checkConstantInitializer(String field, BsonValue accumulator) {
    if (accumulator.isDocument() && accumulator.asDocument().containsKey("$accumulator")
        && accumulator.asDocument().get("$accumulator").isDocument()) {
      BsonValue initArgs = accumulator.asDocument().getDocument("$accumulator").get("initArgs");
      if (initArgs != null && !referencedPaths(initArgs).isEmpty()) {
        throw refusal.of(field, "Accumulator '$accumulator' must have a constant initializer"
            + " (initArgs) when the group key contains encrypted fields.");
      }
    }
  }

  private record Accumulated(BsonValue expression, SchemaNode schema) {}

  private Accumulated accumulator(String field, BsonValue value, CollectionSchema in,
      ExpressionAnalysis expressions) {
    if (!value.isDocument() || value.asDocument().size() != 1) {
      throw refusal.of(field, "The field '" + field + "' must be an accumulator object");
    }
    String op = value.asDocument().getFirstKey();
    BsonValue input = value.asDocument().get(op);
    SchemaNode inputSchema = expressions.outputSchema(input);
    boolean mayBeEncrypted = inputSchema.hasEncryptedFields();
    switch (op) {
      case "$first", "$last" -> {
        return new Accumulated(new BsonDocument(op, expressions.forwarded(input)), inputSchema);
      }
      case "$push", "$addToSet" -> {
        if (op.equals("$addToSet") && mayBeEncrypted && (inputSchema.isUnknown()
            || (inputSchema.encrypt() != null && !inputSchema.encrypt().isDeterministic())
            || (inputSchema.encrypt() == null))) {
          throw refusal.of(field, "'" + field + "' cannot have fields encrypted with the random"
              + " algorithm or whose encryption properties are not known until runtime when"
              + " used in an $addToSet accumulator.");
        }
        return new Accumulated(new BsonDocument(op, expressions.forwarded(input)),
            mayBeEncrypted ? SchemaNode.unknown() : SchemaNode.PLAIN);
      }
      default -> {
        if (mayBeEncrypted) {
          throw refusal.of(field, "Accumulator '" + op + "' cannot aggregate encrypted fields.");
        }
        return new Accumulated(new BsonDocument(op, expressions.evaluated(input, op)),
            SchemaNode.PLAIN);
      }
    }
  }

  /** The field paths an expression names directly ({@code "$a.b"} strings at any depth). */
  private static List<String> referencedPaths(BsonValue expression) {
    List<String> out = new ArrayList<>();
    if (ExpressionAnalysis.isFieldPath(expression)) {
      out.add(ExpressionAnalysis.fieldPath(expression));
    } else if (expression.isDocument()) {
      expression.asDocument().values().forEach(v -> out.addAll(referencedPaths(v)));
    } else if (expression.isArray()) {
      expression.asArray().forEach(v -> out.addAll(referencedPaths(v)));
    }
    return out;
  }

  // ----------------------------------------------------------------- $lookup, $graphLookup

  /** A self-join (the only kind allowed when encrypted fields are involved). */
  private Step lookup(BsonDocument spec, CollectionSchema in, CommandRewriter here) {
    BsonValue let = spec.get("let");
    if (let != null && !(let.isDocument() && let.asDocument().isEmpty())) {
      throw refusal.of(null, "Non-empty 'let' field is not allowed in the $lookup aggregation"
          + " stage over an encrypted collection.");
    }
    BsonDocument out = spec.clone();
    if (spec.containsKey("localField") || spec.containsKey("foreignField")) {
      String local = string(spec, "localField", "$lookup");
      String foreign = string(spec, "foreignField", "$lookup");
      CollectionSchema foreignSchema = rewriter.schema();
      Resolution l = in.resolve(local);
      Resolution f = foreignSchema.resolve(foreign);
      if (l.kind() == Kind.ANCESTOR) {
        throw refusal.of(local, "'localField' '" + local + "' in the $lookup aggregation stage"
            + " cannot have an encrypted child.");
      }
      if (f.kind() == Kind.ANCESTOR) {
        throw refusal.of(foreign, "'foreignField' '" + foreign + "' in the $lookup aggregation"
            + " stage cannot have an encrypted child.");
      }
      for (Resolution r : List.of(l, f)) {
        if (r.kind() != Kind.PLAIN && r.kind() != Kind.ENCRYPTED) {
          throw here.unusable(r == l ? local : foreign, r);
        }
      }
      EncryptSpec a = l.kind() == Kind.ENCRYPTED ? l.node().encrypt() : null;
      EncryptSpec b = f.kind() == Kind.ENCRYPTED ? f.node().encrypt() : null;
      if (a == null ? b != null : !a.equals(b)) {
        throw refusal.of(local, "'localField' '" + local + " and 'foreignField' '" + foreign
            + "' in the $lookup aggregation stage need to be both unencypted or be encrypted with"
            + " the same encryption properties.");
      }
      if (a != null && !a.isDeterministic()) {
        throw refusal.of(local, "'localField' '" + local + " and 'foreignField' '" + foreign
            + "' in the $lookup aggregation stage need to be both encrypted with deterministic"
            + " algorithm.");
      }
    }
    if (spec.containsKey("pipeline")) {
      out.put("pipeline", new BsonArray(new PipelineAnalysis(rewriter)
          .rewriteNested(documents("$lookup.pipeline", spec.get("pipeline")))));
    }
    String as = string(spec, "as", "$lookup");
    return new Step(new BsonDocument("$lookup", out), schema(in, set(in.root(), as,
        rewriter.schema().hasEncryptedFields() ? SchemaNode.unknown() : SchemaNode.PLAIN)));
  }

  private Step graphLookup(BsonDocument spec, CollectionSchema in, CommandRewriter here,
      ExpressionAnalysis expressions) {
    BsonDocument out = spec.clone();
    CollectionSchema foreign = rewriter.schema();
    String from = string(spec, "connectFromField", "$graphLookup");
    String to = string(spec, "connectToField", "$graphLookup");
    Resolution f = foreign.resolve(from);
    Resolution t = foreign.resolve(to);
    if (f.kind() == Kind.ANCESTOR) {
      throw refusal.of(from, "'connectFromField' '" + from + "' in the $graphLookup aggregation"
          + " stage cannot have an encrypted child.");
    }
    if (t.kind() == Kind.ANCESTOR) {
      throw refusal.of(to, "'connectToField' '" + to + "' in the $graphLookup aggregation stage"
          + " cannot have an encrypted child.");
    }
    EncryptSpec a = f.kind() == Kind.ENCRYPTED ? f.node().encrypt() : null;
    EncryptSpec b = t.kind() == Kind.ENCRYPTED ? t.node().encrypt() : null;
    if (a == null ? b != null : !a.equals(b)) {
      throw refusal.of(from, "'connectFromField' '" + from + "' and 'connectToField' '" + to
          + "' in the $graphLookup aggregation stage need to be both unencypted or be encrypted"
          + " with the same encryption properties.");
    }
    if (a != null && !a.isDeterministic()) {
      throw refusal.of(from, "'connectFromField' '" + from + "' and 'connectToField' '" + to
          + "' in the $graphLookup aggregation stage need to be both encrypted  with the"
          + " deterministic algorithm.");
    }
    if (spec.containsKey("startWith")) {
      // Its values are compared with connectToField's: encrypted alike, or refused.
      out.put("startWith", expressions.comparedWith(to, b, spec.get("startWith")));
    }
    if (spec.containsKey("restrictSearchWithMatch")) {
      out.put("restrictSearchWithMatch", rewriter.rewriteFilter(
          document("restrictSearchWithMatch", spec.get("restrictSearchWithMatch"))));
    }
    SchemaNode node = set(in.root(), string(spec, "as", "$graphLookup"),
        foreign.hasEncryptedFields() ? SchemaNode.unknown() : SchemaNode.PLAIN);
    if (spec.containsKey("depthField")) {
      node = set(node, string(spec, "depthField", "$graphLookup"), SchemaNode.PLAIN);
    }
    return new Step(new BsonDocument("$graphLookup", out), schema(in, node));
  }

  /** A sub-pipeline over this same collection, starting from its stored schema. */
  private List<BsonDocument> rewriteNested(List<BsonDocument> stages) {
    CollectionSchema current = rewriter.schema();
    List<BsonDocument> out = new ArrayList<>();
    for (BsonDocument stage : stages) {
      if (stage.size() != 1) {
        throw refusal.of(null, "A pipeline stage specification object must contain exactly one"
            + " field.");
      }
      Step step = stage(stage, current);
      out.add(step.stage());
      current = step.output();
    }
    return out;
  }

  // ----------------------------------------------------------------- collections involved

  /** Every collection a pipeline names, at any depth. */
  static void collectNamespaces(List<BsonDocument> stages, String database,
      Set<MongoNamespace> out) {
    for (BsonDocument stage : stages) {
      if (stage.isEmpty()) {
        continue;
      }
      String name = stage.getFirstKey();
      BsonValue body = stage.get(name);
      switch (name) {
        case "$lookup", "$graphLookup" -> {
          if (body.isDocument()) {
            addTarget(body.asDocument().get("from"), database, out);
            BsonValue pipeline = body.asDocument().get("pipeline");
            if (pipeline != null && pipeline.isArray()) {
              collectNamespaces(subStages(pipeline), database, out);
            }
          }
        }
        case "$unionWith" -> {
          if (body.isString()) {
            addTarget(body, database, out);
          } else if (body.isDocument()) {
            addTarget(body.asDocument().get("coll"), database, out);
            BsonValue pipeline = body.asDocument().get("pipeline");
            if (pipeline != null && pipeline.isArray()) {
              collectNamespaces(subStages(pipeline), database, out);
            }
          }
        }
        case "$facet" -> {
          if (body.isDocument()) {
            for (BsonValue pipeline : body.asDocument().values()) {
              if (pipeline.isArray()) {
                collectNamespaces(subStages(pipeline), database, out);
              }
            }
          }
        }
        case "$out" -> addTarget(body, database, out);
        case "$merge" -> addTarget(body.isDocument() ? body.asDocument().get("into") : body,
            database, out);
        default -> { }
      }
    }
  }

  private static void addTarget(BsonValue target, String database, Set<MongoNamespace> out) {
    if (target == null) {
      return;
    }
    if (target.isString()) {
      out.add(new MongoNamespace(database, target.asString().getValue()));
    } else if (target.isDocument()) {
      BsonDocument d = target.asDocument();
      BsonValue db = d.get("db");
      BsonValue coll = d.containsKey("coll") ? d.get("coll") : d.get("collection");
      if (coll != null && coll.isString()) {
        out.add(new MongoNamespace(db != null && db.isString() ? db.asString().getValue() : database,
            coll.asString().getValue()));
      }
    }
  }

  private static List<BsonDocument> subStages(BsonValue pipeline) {
    List<BsonDocument> out = new ArrayList<>();
    for (BsonValue stage : pipeline.asArray()) {
      if (stage.isDocument()) {
        out.add(stage.asDocument());
      }
    }
    return out;
  }

  // ----------------------------------------------------------------- schema trees

  private static CollectionSchema schema(CollectionSchema in, SchemaNode root) {
    return new CollectionSchema(in.namespace(), root);
  }

  private SchemaNode nodeAt(CollectionSchema in, String path) {
    Resolution r = in.resolve(path);
    return switch (r.kind()) {
      case PLAIN, ENCRYPTED, ANCESTOR -> r.node();
      case UNKNOWN, CONFLICT -> SchemaNode.unknown();
      case INSIDE_ENCRYPTED -> throw rewriter.with(in).unusable(path, r);
    };
  }

  /** {@code root} with the dotted {@code path} described by {@code node}. */
  private static SchemaNode set(SchemaNode root, String path, SchemaNode node) {
    int dot = path.indexOf('.');
    if (dot < 0) {
      return root.withProperty(path, node);
    }
    String head = path.substring(0, dot);
    SchemaNode child = root.child(head);
    if (child.encrypt() != null || child.isConflict()) {
      return root.withProperty(head, SchemaNode.unknown());
    }
    if (child == SchemaNode.PLAIN) {
      child = SchemaNode.object(Map.of());
    }
    return root.withProperty(head, set(child, path.substring(dot + 1), node));
  }

  private static SchemaNode remove(SchemaNode root, String path) {
    int dot = path.indexOf('.');
    if (dot < 0) {
      return root.withoutProperty(path);
    }
    String head = path.substring(0, dot);
    SchemaNode child = root.child(head);
    if (!child.isPlainObject() || !root.properties().containsKey(head)) {
      return root;
    }
    return root.withProperty(head, remove(child, path.substring(dot + 1)));
  }

  /** Whether two schema trees encrypt the same paths the same way. */
  private static boolean sameSchema(SchemaNode a, SchemaNode b) {
    if (a == b) {
      return true;
    }
    if (a.isUnknown() || b.isUnknown() || a.isConflict() || b.isConflict()) {
      return false;
    }
    if (a.encrypt() != null || b.encrypt() != null) {
      return a.encrypt() != null && a.encrypt().equals(b.encrypt());
    }
    Set<String> names = new LinkedHashSet<>(a.properties().keySet());
    names.addAll(b.properties().keySet());
    for (String name : names) {
      if (!sameSchema(a.child(name), b.child(name))) {
        return false;
      }
      if (a.properties().containsKey(name) != b.properties().containsKey(name)) {
        return false;
      }
    }
    return true;
  }

  /** A required string field of a stage's specification. */
  private String string(BsonDocument spec, String field, String stage) {
    BsonValue value = spec.get(field);
    if (value == null || !value.isString()) {
      throw refusal.of(null, stage + " needs a string '" + field + "'", "got " + value);
    }
    return value.asString().getValue();
  }

  private BsonDocument document(String where, BsonValue value) {
    if (!value.isDocument()) {
      throw refusal.of(null, where + " must be a document", "got " + value.getBsonType());
    }
    return value.asDocument();
  }

  private List<BsonDocument> documents(String where, BsonValue value) {
    if (!value.isArray()) {
      throw refusal.of(null, where + " must be an array", "got " + value.getBsonType());
    }
    List<BsonDocument> out = new ArrayList<>();
    for (BsonValue stage : value.asArray()) {
      out.add(document(where, stage));
    }
    return out;
  }
}
