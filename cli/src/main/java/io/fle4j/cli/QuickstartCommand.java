package io.fle4j.cli;

import com.mongodb.ClientEncryptionSettings;
import com.mongodb.ConnectionString;
import com.mongodb.MongoClientSettings;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.vault.DataKeyOptions;
import com.mongodb.client.model.vault.EncryptOptions;
import com.mongodb.client.vault.ClientEncryption;
import io.fle4j.Algorithm;
import io.fle4j.ClientEncryptions;
import io.fle4j.KeyVaultIndexes;
import io.fle4j.testkit.mongo.EmbeddedMongo;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.bson.BsonBinary;
import org.bson.BsonDocument;
import org.bson.BsonInt32;
import org.bson.BsonString;
import org.bson.BsonValue;
import org.bson.UuidRepresentation;
import org.bson.json.JsonMode;
import org.bson.json.JsonWriterSettings;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * Shows fle4j end to end in one command: a key vault, a local master key, a data key, a document
 * whose sensitive fields are encrypted before they reach MongoDB, and the same document read back
 * decrypted.
 */
@Command(
    name = "quickstart",
    mixinStandardHelpOptions = true,
    description = {
        "Encrypts a sample patient record and shows what MongoDB stores next to what the"
            + " application reads.",
        "With no options it runs an embedded MongoDB stand-in kept in ./fle4j-data, so it needs"
            + " no server and no cloud account. Run it again: it reuses the master key and data key."})
final class QuickstartCommand implements Callable<Integer> {
  static final String KEY_VAULT = "encryption.__keyVault";
  static final String KEY_ALT_NAME = "quickstart-key";
  static final String DATABASE = "quickstart";
  static final String COLLECTION = "patients";
  static final String CUSTOMERS = "customers";
  private static final int SAMPLE_CUSTOMERS = 1_000;

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Option(names = "--uri", paramLabel = "URI",
      description = "A MongoDB connection string to use instead of the embedded stand-in.")
  String uri;

  @Option(names = "--data-dir", paramLabel = "DIR", defaultValue = "fle4j-data",
      description = "Where the embedded MongoDB and the local master key file live"
          + " (default: ${DEFAULT-VALUE}).")
  Path dataDir;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    LocalMasterKeyFile.Loaded masterKey =
        LocalMasterKeyFile.loadOrCreate(dataDir.resolve("local-master-key.txt"));
    try (EmbeddedMongo embedded = uri == null
            ? EmbeddedMongo.startWithFile(dataDir.resolve("embedded-mongo.mv.db")) : null) {
      String connection = uri != null ? uri : embedded.connectionString();
      MongoClientSettings clientSettings = MongoClientSettings.builder()
          .applyConnectionString(new ConnectionString(connection))
          .uuidRepresentation(UuidRepresentation.STANDARD)
          .build();
      byte[] keyBytes = masterKey.key().copy();
      ClientEncryptionSettings encryptionSettings = ClientEncryptionSettings.builder()
          .keyVaultMongoClientSettings(clientSettings)
          .keyVaultNamespace(KEY_VAULT)
          .kmsProviders(Map.of("local", Map.of("key", keyBytes)))
          .build();
      ClientEncryption created;
      try {
        created = ClientEncryptions.create(encryptionSettings);
      } finally {
        // The provider has its own copy now; wipe ours (not before: the settings hold this array).
        java.util.Arrays.fill(keyBytes, (byte) 0);
      }
      try (MongoClient client = MongoClients.create(clientSettings);
           ClientEncryption encryption = created) {
        run(out, client, encryption, masterKey.created(), connection);
      }
    }
    return 0;
  }

  private void run(PrintWriter out, MongoClient client, ClientEncryption encryption,
      boolean masterKeyCreated, String connection) {
    out.println("fle4j quickstart");
    out.println();
    out.printf("  MongoDB     %s%n", uri == null
        ? "embedded stand-in, data in " + dataDir.resolve("embedded-mongo.mv.db")
        : redactPassword(connection));
    out.printf("  master key  %s (%s, readable by you only)%n",
        dataDir.resolve("local-master-key.txt"), masterKeyCreated ? "created" : "reused");

    MongoCollection<BsonDocument> keyVault = client.getDatabase("encryption")
        .getCollection("__keyVault", BsonDocument.class);
    KeyVaultIndexes.ensureKeyAltNamesIndex(keyVault);
    BsonDocument existing = encryption.getKeyByAltName(KEY_ALT_NAME);
    BsonBinary keyId = existing != null
        ? existing.getBinary("_id")
        : encryption.createDataKey("local", new DataKeyOptions().keyAltNames(List.of(KEY_ALT_NAME)));
    out.printf("  data key    %s (keyAltName '%s', %s, in %s)%n", uuid(keyId), KEY_ALT_NAME,
        existing != null ? "reused" : "created", KEY_VAULT);
    out.println();

    BsonDocument plain = samplePatient();
    EncryptOptions deterministic = new EncryptOptions(Algorithm.DETERMINISTIC.specName()).keyId(keyId);
    EncryptOptions random = new EncryptOptions(Algorithm.RANDOM.specName()).keyAltName(KEY_ALT_NAME);
    BsonDocument toStore = plain.clone();
    toStore.put("ssn", encryption.encrypt(plain.get("ssn"), deterministic));
    toStore.put("cardNumber", encryption.encrypt(plain.get("cardNumber"), random));
    toStore.put("medicalNotes", encryption.encrypt(plain.get("medicalNotes"), random));

    MongoCollection<BsonDocument> patients =
        client.getDatabase(DATABASE).getCollection(COLLECTION, BsonDocument.class);
    patients.deleteMany(Filters.eq("_id", plain.get("_id")));
    patients.insertOne(toStore);

    BsonDocument stored = patients.find(Filters.eq("_id", plain.get("_id"))).first();
    BsonDocument decrypted = decryptAll(stored, encryption);
    // Deterministic encryption makes equality queries work on the encrypted field.
    BsonDocument found = patients.find(Filters.eq("ssn",
        encryption.encrypt(new BsonString("123-45-6789"), deterministic))).first();

    printSideBySide(out, stored, decrypted);
    out.println();
    out.printf("Query by ssn = \"123-45-6789\" (encrypted deterministically before sending): %s%n",
        found != null ? "found " + found.get("name").asString().getValue() : "NOT FOUND");
    long customers = samplePlaintextCustomers(client);
    out.printf("The document is in %s.%s. A plaintext sample, %s.%s (%,d documents), is ready for"
        + " 'fle4j collection encrypt'. Next: ./fle4j --help%n", DATABASE, COLLECTION, DATABASE,
        CUSTOMERS, customers);
    if (!decrypted.equals(plain) || found == null) {
      throw new IllegalStateException("the decrypted document differs from what was encrypted");
    }
  }

  /** Plaintext data to try the collection commands on; created once. */
  private static long samplePlaintextCustomers(MongoClient client) {
    MongoCollection<BsonDocument> customers =
        client.getDatabase(DATABASE).getCollection(CUSTOMERS, BsonDocument.class);
    long existing = customers.countDocuments();
    if (existing > 0) {
      return existing;
    }
    List<BsonDocument> documents = new ArrayList<>();
    for (int i = 1; i <= SAMPLE_CUSTOMERS; i++) {
      documents.add(new BsonDocument("_id", new BsonInt32(i))
          .append("name", new BsonString("Customer " + i))
          .append("ssn", new BsonString(String.format("%03d-%02d-%04d", 100 + i % 800, i % 90 + 10, i)))
          .append("card", new BsonString(String.format("4111 1111 %04d %04d", i / 10_000, i % 10_000)))
          .append("plan", new BsonString(i % 3 == 0 ? "gold" : "basic")));
    }
    customers.insertMany(documents);
    return documents.size();
  }

  static BsonDocument samplePatient() {
    return new BsonDocument("_id", new BsonInt32(1))
        .append("name", new BsonString("Ada Lovelace"))
        .append("ssn", new BsonString("123-45-6789"))
        .append("cardNumber", new BsonString("4111 1111 1111 1111"))
        .append("medicalNotes", new BsonString("Allergic to penicillin."))
        .append("plan", new BsonString("gold"));
  }

  private static BsonDocument decryptAll(BsonDocument stored, ClientEncryption encryption) {
    BsonDocument decrypted = new BsonDocument();
    for (Map.Entry<String, BsonValue> field : stored.entrySet()) {
      BsonValue value = field.getValue();
      boolean encrypted = value.isBinary() && value.asBinary().getType() == 6;
      decrypted.put(field.getKey(), encrypted ? encryption.decrypt(value.asBinary()) : value);
    }
    return decrypted;
  }

  private static void printSideBySide(PrintWriter out, BsonDocument stored, BsonDocument decrypted) {
    List<String[]> rows = new ArrayList<>();
    rows.add(new String[] {"field", "stored in MongoDB", "read by the application"});
    for (String field : stored.keySet()) {
      rows.add(new String[] {field, show(stored.get(field)), show(decrypted.get(field))});
    }
    int[] widths = new int[3];
    for (String[] row : rows) {
      for (int i = 0; i < 3; i++) {
        widths[i] = Math.max(widths[i], row[i].length());
      }
    }
    String format = "  %-" + widths[0] + "s  %-" + widths[1] + "s  %s%n";
    for (int r = 0; r < rows.size(); r++) {
      out.printf(format, (Object[]) rows.get(r));
      if (r == 0) {
        out.printf(format, "-".repeat(widths[0]), "-".repeat(widths[1]), "-".repeat(widths[2]));
      }
    }
  }

  private static String show(BsonValue value) {
    if (value.isBinary() && value.asBinary().getType() == 6) {
      byte[] data = value.asBinary().getData();
      String base64 = Base64.getEncoder().encodeToString(data);
      String kind = data[0] == 1 ? "deterministic" : "random";
      // The first 24 characters are the header (subtype, key id) shared by every field: show the end.
      return "Binary(6, " + data.length + " bytes) …" + base64.substring(base64.length() - 20)
          + " (" + kind + ")";
    }
    return new BsonDocument("v", value)
        .toJson(JsonWriterSettings.builder().outputMode(JsonMode.RELAXED).build())
        .replaceFirst("^\\{\"v\": ", "").replaceFirst("}$", "");
  }

  private static String uuid(BsonBinary id) {
    java.nio.ByteBuffer bytes = java.nio.ByteBuffer.wrap(id.getData());
    return new java.util.UUID(bytes.getLong(), bytes.getLong()).toString();
  }

  private static String redactPassword(String connection) {
    return connection.replaceAll("://([^:/@]+):[^@]*@", "://$1:***@");
  }
}
