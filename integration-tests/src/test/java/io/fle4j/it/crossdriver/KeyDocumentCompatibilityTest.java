package io.fle4j.it.crossdriver;

import static io.fle4j.it.crossdriver.CrossDriverVault.LOCAL;
import static io.fle4j.it.crossdriver.CrossDriverVault.LOCAL_A;
import static org.assertj.core.api.Assertions.assertThat;

import com.mongodb.client.model.vault.DataKeyOptions;
import com.mongodb.client.vault.ClientEncryption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.bson.BsonBinary;
import org.bson.BsonDocument;
import org.bson.BsonString;
import org.bson.BsonType;
import org.bson.BsonValue;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Key documents written by fle4j and by the official driver (libmongocrypt) have the same shape
 * (formats.md section 2.1): same top-level fields in the same order, same BSON types, same
 * masterKey shape, same keyMaterial size. The key-management reads of both sides return the same
 * documents.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class KeyDocumentCompatibilityTest {
  private CrossDriverVault vault;
  private ClientEncryption fle4j;
  private ClientEncryption official;
  private BsonBinary fle4jKey;
  private BsonBinary officialKey;
  private BsonBinary fle4jKeyNoNames;
  private BsonBinary officialKeyNoNames;
  private BsonBinary fle4jNamedProviderKey;
  private BsonBinary officialNamedProviderKey;

  @BeforeAll
  void createKeys() {
    vault = new CrossDriverVault();
    fle4j = vault.fle4j();
    official = vault.official();
    fle4jKey = fle4j.createDataKey(LOCAL, new DataKeyOptions().keyAltNames(List.of("doc-fle4j")));
    officialKey =
        official.createDataKey(LOCAL, new DataKeyOptions().keyAltNames(List.of("doc-official")));
    fle4jKeyNoNames = fle4j.createDataKey(LOCAL);
    officialKeyNoNames = official.createDataKey(LOCAL);
    fle4jNamedProviderKey = fle4j.createDataKey(LOCAL_A);
    officialNamedProviderKey = official.createDataKey(LOCAL_A);
  }

  @AfterAll
  void dropVault() throws Exception {
    vault.close();
  }

  @Test
  void createDataKey_withAltNames_sameFieldsOrderAndTypesOnBothSides() {
    BsonDocument fromFle4j = vault.rawKey(fle4jKey);
    BsonDocument fromOfficial = vault.rawKey(officialKey);

    assertThat(schema(fromFle4j)).isEqualTo(schema(fromOfficial));
    assertThat(List.copyOf(fromOfficial.keySet())).containsExactly(
        "_id", "keyAltNames", "keyMaterial", "creationDate", "updateDate", "status", "masterKey");
  }

  @Test
  void createDataKey_withoutAltNames_bothSidesOmitKeyAltNames() {
    BsonDocument fromFle4j = vault.rawKey(fle4jKeyNoNames);
    BsonDocument fromOfficial = vault.rawKey(officialKeyNoNames);

    assertThat(schema(fromFle4j)).isEqualTo(schema(fromOfficial));
    assertThat(fromFle4j).doesNotContainKey("keyAltNames");
    assertThat(fromOfficial).doesNotContainKey("keyAltNames");
  }

  @Test
  void createDataKey_namedProvider_sameMasterKeyOnBothSides() {
    BsonDocument fromFle4j = vault.rawKey(fle4jNamedProviderKey);
    BsonDocument fromOfficial = vault.rawKey(officialNamedProviderKey);

    assertThat(schema(fromFle4j)).isEqualTo(schema(fromOfficial));
    assertThat(fromFle4j.getDocument("masterKey"))
        .isEqualTo(fromOfficial.getDocument("masterKey"))
        .isEqualTo(new BsonDocument("provider", new BsonString(LOCAL_A)));
  }

  @Test
  void createDataKey_localProvider_sameValueRulesOnBothSides() {
    for (BsonBinary id : List.of(fle4jKey, officialKey)) {
      BsonDocument doc = vault.rawKey(id);
      String side = id == fle4jKey ? "fle4j" : "official";
      byte[] uuid = doc.getBinary("_id").getData();

      assertThat(doc.getBinary("_id").getType()).as(side + " _id subtype").isEqualTo((byte) 4);
      assertThat(uuid).as(side + " _id length").hasSize(16);
      assertThat(uuid[6] & 0xf0).as(side + " UUID version 4").isEqualTo(0x40);
      assertThat(uuid[8] & 0xc0).as(side + " UUID variant").isEqualTo(0x80);
      assertThat(doc.getBinary("keyMaterial").getType()).as(side + " keyMaterial subtype")
          .isEqualTo((byte) 0);
      assertThat(doc.getBinary("keyMaterial").getData()).as(side + " local wrap 16+112+32")
          .hasSize(160);
      assertThat(doc.get("status")).as(side + " status").isEqualTo(new org.bson.BsonInt32(0));
      assertThat(doc.get("creationDate")).as(side + " creationDate == updateDate")
          .isEqualTo(doc.get("updateDate"));
      assertThat(doc.getDocument("masterKey")).as(side + " masterKey")
          .isEqualTo(new BsonDocument("provider", new BsonString(LOCAL)));
    }
  }

  @Test
  void createDataKey_severalAltNames_sameNameSetOnBothSides() {
    List<String> names = List.of("multi-1", "multi-2", "multi-3");
    BsonBinary fromFle4j = fle4j.createDataKey(LOCAL, new DataKeyOptions().keyAltNames(names));
    BsonBinary fromOfficial = official.createDataKey(LOCAL, new DataKeyOptions()
        .keyAltNames(names.stream().map(n -> n + "-o").toList()));

    // libmongocrypt prepends each name, so its stored order is the reverse of the option list;
    // the spec does not define the order, so only the sets are compared.
    assertThat(altNames(vault.rawKey(fromFle4j))).containsExactlyInAnyOrderElementsOf(names);
    assertThat(altNames(vault.rawKey(fromOfficial))).containsExactlyInAnyOrderElementsOf(
        names.stream().map(n -> n + "-o").toList());
    assertThat(schema(vault.rawKey(fromFle4j))).isEqualTo(schema(vault.rawKey(fromOfficial)));
  }

  @Test
  void getKey_eitherSidesKey_sameDocumentFromBothSides() {
    for (BsonBinary id : List.of(fle4jKey, officialKey, fle4jKeyNoNames, officialKeyNoNames)) {
      BsonDocument raw = vault.rawKey(id);

      assertThat(fle4j.getKey(id)).isEqualTo(raw);
      assertThat(official.getKey(id)).isEqualTo(raw);
    }
  }

  @Test
  void getKey_unknownId_nullOnBothSides() {
    BsonBinary unknown = new BsonBinary(java.util.UUID.randomUUID(),
        org.bson.UuidRepresentation.STANDARD);

    assertThat(fle4j.getKey(unknown)).isNull();
    assertThat(official.getKey(unknown)).isNull();
  }

  @Test
  void getKeyByAltName_eitherSidesKey_sameDocumentFromBothSides() {
    for (String name : List.of("doc-fle4j", "doc-official")) {
      BsonDocument fromFle4j = fle4j.getKeyByAltName(name);
      BsonDocument fromOfficial = official.getKeyByAltName(name);

      assertThat(fromFle4j).as(name).isNotNull().isEqualTo(fromOfficial);
      assertThat(fromFle4j.getArray("keyAltNames")).contains(new BsonString(name));
    }
    assertThat(fle4j.getKeyByAltName("no-such-name")).isNull();
    assertThat(official.getKeyByAltName("no-such-name")).isNull();
  }

  @Test
  void getKeys_sharedVault_sameDocumentsFromBothSides() {
    List<BsonDocument> fromFle4j = sorted(fle4j.getKeys().into(new ArrayList<>()));
    List<BsonDocument> fromOfficial = sorted(official.getKeys().into(new ArrayList<>()));
    List<BsonDocument> raw = sorted(vault.keys.find().into(new ArrayList<>()));

    assertThat(fromFle4j).hasSizeGreaterThanOrEqualTo(6).isEqualTo(fromOfficial).isEqualTo(raw);
  }

  /** "field: BSON type" in document order, recursing into masterKey (order is compared too). */
  static List<String> schema(BsonDocument doc) {
    List<String> schema = new ArrayList<>();
    for (Map.Entry<String, BsonValue> field : doc.entrySet()) {
      BsonValue value = field.getValue();
      String type = value.getBsonType().name();
      if (value.isBinary()) {
        type += "(subtype " + value.asBinary().getType() + ")";
      }
      if (value.isArray()) {
        type += "<" + value.asArray().stream().map(v -> v.getBsonType().name())
            .collect(Collectors.toCollection(java.util.TreeSet::new)) + ">";
      }
      schema.add(field.getKey() + ": " + type);
      if (value.getBsonType() == BsonType.DOCUMENT) {
        schema(value.asDocument()).forEach(inner -> schema.add(field.getKey() + "." + inner));
      }
    }
    return schema;
  }

  private static Set<String> altNames(BsonDocument doc) {
    return doc.getArray("keyAltNames").stream().map(v -> v.asString().getValue())
        .collect(Collectors.toSet());
  }

  private static List<BsonDocument> sorted(List<BsonDocument> docs) {
    docs.sort(Comparator.comparing(
        d -> java.util.HexFormat.of().formatHex(d.getBinary("_id").getData())));
    return docs;
  }
}
