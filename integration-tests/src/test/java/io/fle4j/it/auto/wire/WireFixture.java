package io.fle4j.it.auto.wire;

import com.mongodb.AutoEncryptionSettings;
import com.mongodb.ClientEncryptionSettings;
import com.mongodb.ConnectionString;
import com.mongodb.MongoClientSettings;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoDatabase;
import com.mongodb.client.model.vault.DataKeyOptions;
import com.mongodb.client.vault.ClientEncryption;
import io.fle4j.Algorithm;
import io.fle4j.ClientEncryptions;
import io.fle4j.Fle4jMongoClients;
import io.fle4j.KeyVaultIndexes;
import io.fle4j.testkit.mongo.EmbeddedMongo;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.bson.BsonArray;
import org.bson.BsonBinary;
import org.bson.BsonDocument;
import org.bson.BsonValue;
import org.bson.Document;
import org.bson.UuidRepresentation;

/**
 * One embedded stand-in with a wire capture, a key vault, and an fle4j client whose schemaMap
 * encrypts {@code wire.people}: deterministic and random fields at top level and nested (object
 * parents), a pointer keyId, patternProperties; {@code wire.plain} beside it has no schema.
 *
 * <p>The stand-in is always our own (never {@code FLE4J_MONGODB_URI}): the point is the relay's
 * view of the bytes.
 */
final class WireFixture implements AutoCloseable {
  static final String DB = "wire";
  static final String KEY_VAULT_DB = "wirekeys";
  static final String KEY_VAULT_COLL = "__keyVault";
  static final String ALT_NAME = "alt-key";
  static final String DET = Algorithm.DETERMINISTIC.specName();
  static final String RND = Algorithm.RANDOM.specName();
  /** The date canary as extended JSON, for documents written as text. */
  static final String DATE_JSON = "{$date: {$numberLong: '" + Canaries.BORN_MILLIS + "'}}";

  final EmbeddedMongo mongo = EmbeddedMongo.startInMemory();
  final WireCapture capture = new WireCapture();
  private final AutoCloseable listener = mongo.onClientMessage(capture);
  final MongoClient plain;
  final MongoClient fle4j;
  final MongoDatabase db;
  final MongoCollection<Document> people;
  final MongoCollection<Document> plainColl;
  final BsonBinary keyId;

  WireFixture() {
    MongoClientSettings plainSettings = MongoClientSettings.builder()
        .applyConnectionString(new ConnectionString(mongo.connectionString()))
        .uuidRepresentation(UuidRepresentation.STANDARD).build();
    byte[] masterKey = new byte[96];
    new SecureRandom().nextBytes(masterKey);
    Map<String, Map<String, Object>> kms = Map.of("local", Map.of("key", masterKey));
    plain = MongoClients.create(plainSettings);
    KeyVaultIndexes.ensureKeyAltNamesIndex(plain.getDatabase(KEY_VAULT_DB).getCollection(KEY_VAULT_COLL));
    try (ClientEncryption ce = ClientEncryptions.create(ClientEncryptionSettings.builder()
        .keyVaultMongoClientSettings(plainSettings).keyVaultNamespace(keyVaultNamespace())
        .kmsProviders(kms).build())) {
      keyId = ce.createDataKey("local", new DataKeyOptions());
      ce.createDataKey("local", new DataKeyOptions().keyAltNames(List.of(ALT_NAME)));
    }
    fle4j = Fle4jMongoClients.create(MongoClientSettings.builder(plainSettings)
        .autoEncryptionSettings(AutoEncryptionSettings.builder()
            .keyVaultNamespace(keyVaultNamespace()).kmsProviders(kms)
            .schemaMap(Map.of(DB + ".people", schema())).build())
        .build());
    db = fle4j.getDatabase(DB);
    people = db.getCollection("people");
    plainColl = db.getCollection("plain");
    // Seed through fle4j (only ciphertext is stored) so that queries have something to match.
    people.insertOne(Document.parse(person("seed").toJson()));
    plain.getDatabase(DB).getCollection("plain").insertOne(new Document("name", "seed"));
  }

  static String keyVaultNamespace() {
    return KEY_VAULT_DB + "." + KEY_VAULT_COLL;
  }

  private BsonDocument schema() {
    String id = keyId.asUuid().toString();
    String det = "{encrypt: {bsonType: 'string', algorithm: '" + DET + "'}}";
    String rnd = "{encrypt: {bsonType: 'string', algorithm: '" + RND + "'}}";
    return BsonDocument.parse("""
        {bsonType: 'object',
         encryptMetadata: {keyId: [UUID('%s')]},
         properties: {
           ssn: %s,
           age: {encrypt: {bsonType: 'int', algorithm: '%s'}},
           born: {encrypt: {bsonType: 'date', algorithm: '%s'}},
           secret: %s,
           pin: {encrypt: {bsonType: 'string', algorithm: '%s', keyId: '/keyName'}},
           visits: {encrypt: {bsonType: 'array', algorithm: '%s'}},
           address: {bsonType: 'object', properties: {
             zip: %s,
             note: %s,
             geo: {bsonType: 'object', properties: {cell: %s}}}}},
         patternProperties: {'^tag_': %s}}
        """.formatted(id, det, DET, DET, rnd, RND, RND, det, rnd, det, det));
  }

  /** A document with a canary in every encrypted field and the control in {@code name}. */
  static BsonDocument person(String control) {
    return BsonDocument.parse("""
        {name: '%s', plan: 'gold', keyName: '%s', ssn: '%s', age: %d, born: %s, secret: '%s',
         pin: '%s', visits: [%d],
         address: {city: 'Oslo', zip: '%s', note: '%s', geo: {cell: '%s', lat: 1}},
         tag_a: '%s'}
        """.formatted(control, ALT_NAME, Canaries.SSN, Canaries.AGE, DATE_JSON, Canaries.SECRET,
        Canaries.PIN, Canaries.AGE, Canaries.ZIP, Canaries.NOTE, Canaries.CELL,
        Canaries.TAG));
  }

  static Document personDoc(String control) {
    return Document.parse(person(control).toJson());
  }

  /** Parses extended JSON with {@code CTL} replaced by the call's control value. */
  static BsonDocument d(String json, String control) {
    return BsonDocument.parse(expand(json, control));
  }

  /** Replaces {@code CTL} with the control and {@code SSN!}, {@code AGE!}… with the canaries. */
  static String expand(String json, String control) {
    return json.replace("CTL", control)
        .replace("SSN2!", Canaries.SSN2).replace("SSN!", Canaries.SSN)
        .replace("SECRET!", Canaries.SECRET).replace("PIN!", Canaries.PIN)
        .replace("ALIAS!", Canaries.ALIAS).replace("ZIP!", Canaries.ZIP)
        .replace("NOTE!", Canaries.NOTE).replace("CELL!", Canaries.CELL)
        .replace("TAG!", Canaries.TAG).replace("AGE!", Integer.toString(Canaries.AGE))
        .replace("BORN!", DATE_JSON);
  }

  /** A pipeline (a JSON array of stages) with {@code CTL} replaced. */
  static List<BsonDocument> p(String jsonArray, String control) {
    BsonArray stages = BsonDocument.parse("{p: " + expand(jsonArray, control) + "}")
        .getArray("p");
    List<BsonDocument> out = new ArrayList<>();
    for (BsonValue stage : stages) {
      out.add(stage.asDocument());
    }
    return out;
  }

  /** Writes the outcomes as a markdown table under target/wire-canary, for the report. */
  static void write(String name, List<ProbeRunner.Outcome> outcomes) {
    Map<ProbeRunner.Verdict, Integer> totals = new EnumMap<>(ProbeRunner.Verdict.class);
    StringBuilder md = new StringBuilder("# " + name + "\n\n");
    for (ProbeRunner.Outcome o : outcomes) {
      totals.merge(o.verdict(), 1, Integer::sum);
    }
    md.append("Totals: ").append(totals).append("\n\n| call | verdict | detail |\n|---|---|---|\n");
    for (ProbeRunner.Outcome o : outcomes) {
      md.append("| `").append(o.call().replace("|", "\\|")).append("` | ").append(o.verdict())
          .append(" | ").append(o.detail().replace("|", "\\|").replace("\n", "<br>"))
          .append(" |\n");
    }
    try {
      Path dir = Path.of("target", "wire-canary");
      Files.createDirectories(dir);
      Files.writeString(dir.resolve(name + ".md"), md);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void close() throws Exception {
    try {
      listener.close();
      fle4j.close();
      plain.close();
    } finally {
      mongo.close();
    }
  }
}
