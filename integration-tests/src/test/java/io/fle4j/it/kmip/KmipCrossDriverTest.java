package io.fle4j.it.kmip;

import static org.assertj.core.api.Assertions.assertThat;

import com.mongodb.client.model.Filters;
import com.mongodb.client.model.vault.DataKeyOptions;
import com.mongodb.client.model.vault.EncryptOptions;
import com.mongodb.client.model.vault.RewrapManyDataKeyOptions;
import com.mongodb.client.vault.ClientEncryption;
import io.fle4j.testkit.kms.kmip.PyKmipServer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.bson.BsonBinary;
import org.bson.BsonBoolean;
import org.bson.BsonDocument;
import org.bson.BsonInt64;
import org.bson.BsonString;
import org.bson.BsonValue;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * fle4j and the official driver (libmongocrypt 1.x inside mongodb-crypt 5.6.5) on one key vault
 * and one PyKMIP server, with the same client certificate: each reads the data keys the other
 * made, in default and delegated mode, stores the same master key documents field for field (in
 * the same order), and rewraps the other's keys.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class KmipCrossDriverTest {
  private static final String DETERMINISTIC = "AEAD_AES_256_CBC_HMAC_SHA_512-Deterministic";
  private static final String RANDOM = "AEAD_AES_256_CBC_HMAC_SHA_512-Random";

  @TempDir static Path dir;
  private Optional<PyKmipServer> started = Optional.empty();
  private PyKmipServer kmip;
  private KmipVault vault;
  private ClientEncryption fle4j;
  private ClientEncryption official;
  /** "creator mode", such as "official delegated", to key id. */
  private final Map<String, BsonBinary> keys = new LinkedHashMap<>();

  @BeforeAll
  void createKeys() {
    started = PyKmipServer.startIfInstalled(dir);
    if (started.isEmpty()) {
      return; // every test is then skipped by requireServer
    }
    kmip = started.get();
    vault = new KmipVault(kmip);
    fle4j = vault.fle4j();
    official = vault.official();
    for (String mode : List.of("default", "delegated")) {
      DataKeyOptions options = new DataKeyOptions().masterKey(mode.equals("delegated")
          ? new BsonDocument("delegated", BsonBoolean.TRUE) : new BsonDocument());
      keys.put("fle4j " + mode, fle4j.createDataKey("kmip", options));
      keys.put("official " + mode, official.createDataKey("kmip", options));
    }
  }

  @BeforeEach
  void requireServer() {
    PyKmipServer.orAbort(started);
  }

  @AfterAll
  void stop() throws Exception {
    if (vault != null) {
      vault.close();
    }
    started.ifPresent(PyKmipServer::close);
  }

  Stream<Arguments> keysByCreator() {
    PyKmipServer.orAbort(started); // no keys to list without a server
    List<Arguments> arguments = new ArrayList<>();
    keys.forEach((name, id) -> arguments.add(Arguments.of(name, id, name.startsWith("fle4j"))));
    return arguments.stream();
  }

  private ClientEncryption creator(boolean fle4jMadeIt) {
    return fle4jMadeIt ? fle4j : official;
  }

  private ClientEncryption other(boolean fle4jMadeIt) {
    return fle4jMadeIt ? official : fle4j;
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("keysByCreator")
  void createDataKey_sameMode_sameMasterKeyFieldsAndKeyMaterialLength(
      String name, BsonBinary id, boolean fle4jMadeIt) {
    String mode = name.substring(name.indexOf(' ') + 1);
    BsonDocument mine = vault.rawKey(id);
    BsonDocument theirs = vault.rawKey(keys.get((fle4jMadeIt ? "official " : "fle4j ") + mode));

    assertThat(List.copyOf(mine.getDocument("masterKey").keySet()))
        .isEqualTo(List.copyOf(theirs.getDocument("masterKey").keySet()))
        .isEqualTo(mode.equals("delegated") ? List.of("provider", "delegated", "keyId")
            : List.of("provider", "keyId"));
    assertThat(mine.getBinary("keyMaterial").getData())
        .hasSize(theirs.getBinary("keyMaterial").getData().length)
        .hasSize(mode.equals("delegated") ? 128 : 160);
    assertThat(List.copyOf(mine.keySet())).isEqualTo(List.copyOf(theirs.keySet()));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("keysByCreator")
  void encrypt_otherSideWithTheKey_creatorDecryptsAndDeterministicBytesMatch(
      String name, BsonBinary id, boolean fle4jMadeIt) {
    BsonValue value = new BsonString("secret under " + name);

    BsonBinary deterministic = other(fle4jMadeIt).encrypt(value,
        new EncryptOptions(DETERMINISTIC).keyId(id));
    BsonBinary random = other(fle4jMadeIt).encrypt(value, new EncryptOptions(RANDOM).keyId(id));

    assertThat(creator(fle4jMadeIt).decrypt(deterministic)).isEqualTo(value);
    assertThat(creator(fle4jMadeIt).decrypt(random)).isEqualTo(value);
    assertThat(creator(fle4jMadeIt).encrypt(value, new EncryptOptions(DETERMINISTIC).keyId(id)))
        .isEqualTo(deterministic);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("keysByCreator")
  void decrypt_creatorsCiphertext_otherSideDecrypts(
      String name, BsonBinary id, boolean fle4jMadeIt) {
    BsonValue value = new BsonInt64(name.hashCode());

    BsonBinary ciphertext =
        creator(fle4jMadeIt).encrypt(value, new EncryptOptions(RANDOM).keyId(id));

    assertThat(other(fle4jMadeIt).decrypt(ciphertext)).isEqualTo(value);
  }

  Stream<Arguments> masterKeyOptions() {
    return Stream.of(
        Arguments.of("{}", new BsonDocument()),
        Arguments.of("{delegated: true}", new BsonDocument("delegated", BsonBoolean.TRUE)),
        Arguments.of("{delegated: false}", new BsonDocument("delegated", BsonBoolean.FALSE)),
        Arguments.of("{endpoint}", new BsonDocument("endpoint", new BsonString("ENDPOINT"))),
        Arguments.of("{keyId, endpoint, delegated: true}",
            new BsonDocument("keyId", new BsonString("DELEGATED_KEY"))
                .append("endpoint", new BsonString("ENDPOINT"))
                .append("delegated", BsonBoolean.TRUE)),
        Arguments.of("{delegated: true, endpoint, keyId, provider}",
            new BsonDocument("delegated", BsonBoolean.TRUE)
                .append("endpoint", new BsonString("ENDPOINT"))
                .append("keyId", new BsonString("DELEGATED_KEY"))
                .append("provider", new BsonString("kmip"))),
        Arguments.of("{keyId}", new BsonDocument("keyId", new BsonString("DEFAULT_KEY"))),
        Arguments.of("{endpoint with scheme and path}",
            new BsonDocument("endpoint", new BsonString("kmip://ENDPOINT/ignored?x=1"))));
  }

  /**
   * The stored master key, for the same options on both sides: the same fields in the same order
   * (libmongocrypt writes provider, endpoint, delegated, keyId), and the same values except for
   * keyIds of objects each side made on the server.
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("masterKeyOptions")
  void createDataKey_sameOptions_bothSidesStoreTheSameMasterKeyDocument(
      String label, BsonDocument template) {
    BsonDocument options = resolve(template);

    BsonBinary mineId = fle4j.createDataKey("kmip", new DataKeyOptions().masterKey(options.clone()));
    BsonBinary theirsId =
        official.createDataKey("kmip", new DataKeyOptions().masterKey(options.clone()));
    BsonDocument mine = vault.rawKey(mineId).getDocument("masterKey");
    BsonDocument theirs = vault.rawKey(theirsId).getDocument("masterKey");

    assertThat(List.copyOf(mine.keySet())).as("field order").isEqualTo(List.copyOf(theirs.keySet()));
    if (label.contains("delegated: true") && label.contains("endpoint")) {
      assertThat(theirs.keySet()).as("libmongocrypt's order")
          .containsExactly("provider", "endpoint", "delegated", "keyId");
    }
    if (options.containsKey("endpoint")) {
      assertThat(theirs.getString("endpoint").getValue()).isEqualTo(kmip.endpoint());
    }
    if (options.containsKey("keyId")) {
      assertThat(mine).isEqualTo(theirs);
    } else {
      BsonDocument mineWithoutId = mine.clone();
      BsonDocument theirsWithoutId = theirs.clone();
      mineWithoutId.remove("keyId");
      theirsWithoutId.remove("keyId");
      assertThat(mineWithoutId).isEqualTo(theirsWithoutId);
      assertThat(mine.getString("keyId").getValue()).isNotEqualTo(theirs.getString("keyId").getValue());
    }
    BsonValue value = new BsonString(label);
    assertThat(official.decrypt(fle4j.encrypt(value, new EncryptOptions(RANDOM).keyId(mineId))))
        .isEqualTo(value);
    assertThat(fle4j.decrypt(official.encrypt(value, new EncryptOptions(RANDOM).keyId(theirsId))))
        .isEqualTo(value);
  }

  @Test
  void rewrapManyDataKey_eachSideRewrapsTheOthersKeysAcrossModes_bothStillRead() {
    BsonBinary fle4jKey = fle4j.createDataKey("kmip");
    BsonBinary officialKey = official.createDataKey("kmip",
        new DataKeyOptions().masterKey(new BsonDocument("delegated", BsonBoolean.TRUE)));
    BsonValue value = new BsonString("rewrapped across drivers");
    BsonBinary underFle4jKey = fle4j.encrypt(value, new EncryptOptions(DETERMINISTIC).keyId(fle4jKey));
    BsonBinary underOfficialKey =
        official.encrypt(value, new EncryptOptions(DETERMINISTIC).keyId(officialKey));

    official.rewrapManyDataKey(Filters.eq("_id", fle4jKey), new RewrapManyDataKeyOptions()
        .provider("kmip").masterKey(new BsonDocument("delegated", BsonBoolean.TRUE)));
    fle4j.rewrapManyDataKey(Filters.eq("_id", officialKey), new RewrapManyDataKeyOptions()
        .provider("kmip").masterKey(new BsonDocument()));

    assertThat(vault.rawKey(fle4jKey).getDocument("masterKey").keySet())
        .containsExactly("provider", "delegated", "keyId");
    assertThat(vault.rawKey(officialKey).getDocument("masterKey").keySet())
        .containsExactly("provider", "keyId");
    for (ClientEncryption reader : List.of(vault.fle4j(), vault.official())) {
      assertThat(reader.decrypt(underFle4jKey)).isEqualTo(value);
      assertThat(reader.decrypt(underOfficialKey)).isEqualTo(value);
    }
  }

  /** Fills in the server's endpoint and keyIds of objects made for this test. */
  private BsonDocument resolve(BsonDocument template) {
    BsonDocument options = new BsonDocument();
    for (Map.Entry<String, BsonValue> field : template.entrySet()) {
      BsonValue value = field.getValue();
      if (value.isString()) {
        value = switch (value.asString().getValue()) {
          case "ENDPOINT" -> new BsonString(kmip.endpoint());
          case "kmip://ENDPOINT/ignored?x=1" ->
              new BsonString("kmip://" + kmip.endpoint() + "/ignored?x=1");
          case "DEFAULT_KEY" -> keyIdOf(keys.get("official default"));
          case "DELEGATED_KEY" -> keyIdOf(keys.get("fle4j delegated"));
          default -> value;
        };
      }
      options.append(field.getKey(), value);
    }
    return options;
  }

  private BsonString keyIdOf(BsonBinary dataKeyId) {
    return vault.rawKey(dataKeyId).getDocument("masterKey").getString("keyId");
  }
}
