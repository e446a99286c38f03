package io.fle4j.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.mongodb.AutoEncryptionSettings;
import com.mongodb.MongoClientSettings;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.vault.DataKeyOptions;
import com.mongodb.client.model.vault.EncryptOptions;
import com.mongodb.client.model.vault.RewrapManyDataKeyOptions;
import com.mongodb.client.vault.ClientEncryption;
import io.fle4j.CiphertextException;
import io.fle4j.EncryptedFieldOperationException;
import io.fle4j.EncryptionEvent;
import io.fle4j.EncryptionEvent.CacheActivity;
import io.fle4j.EncryptionEvent.KeyAction;
import io.fle4j.EncryptionEvent.KmsOperation;
import io.fle4j.EncryptionEvent.Outcome;
import io.fle4j.EncryptionEventListener;
import io.fle4j.Fle4jMongoClients;
import io.fle4j.Fle4jSettings;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.bson.BsonBinary;
import org.bson.BsonDocument;
import org.bson.BsonString;
import org.bson.Document;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What an {@link EncryptionEventListener} hears from a ClientEncryption and from an
 * automatically encrypting client: KMS calls, cache activity, key changes, refusals and
 * decryption failures, each once, and never key material.
 */
class EncryptionEventsTest {
  private static final String DET = "AEAD_AES_256_CBC_HMAC_SHA_512-Deterministic";
  private final byte[] masterKey = KeyVaultFixture.randomMasterKey();
  private final byte[] otherMasterKey = KeyVaultFixture.randomMasterKey();
  private final Recorder events = new Recorder();
  private KeyVaultFixture vault;
  private ClientEncryption encryption;

  /** Records every event, in order. */
  static final class Recorder implements EncryptionEventListener {
    final List<EncryptionEvent> all = new CopyOnWriteArrayList<>();

    @Override
    public void kmsRequestStarted(EncryptionEvent.KmsRequestStarted event) {
      all.add(event);
    }

    @Override
    public void kmsRequest(EncryptionEvent.KmsRequest event) {
      all.add(event);
    }

    @Override
    public void dataKeyCache(EncryptionEvent.DataKeyCache event) {
      all.add(event);
    }

    @Override
    public void keyLifecycle(EncryptionEvent.KeyLifecycle event) {
      all.add(event);
    }

    @Override
    public void refusal(EncryptionEvent.Refusal event) {
      all.add(event);
    }

    @Override
    public void decryptionFailure(EncryptionEvent.DecryptionFailure event) {
      all.add(event);
    }

    <T extends EncryptionEvent> List<T> of(Class<T> type) {
      List<T> found = new ArrayList<>();
      for (EncryptionEvent event : all) {
        if (type.isInstance(event)) {
          found.add(type.cast(event));
        }
      }
      return found;
    }

    List<CacheActivity> cache() {
      return of(EncryptionEvent.DataKeyCache.class).stream()
          .map(EncryptionEvent.DataKeyCache::activity).toList();
    }
  }

  @BeforeEach
  void open() {
    vault = new KeyVaultFixture();
    encryption = vault.fle4j(Map.of("local", Map.of("key", masterKey),
        "local:other", Map.of("key", otherMasterKey)),
        Fle4jSettings.builder().eventListener(events).build());
  }

  @AfterEach
  void close() throws Exception {
    vault.close();
  }

  @Test
  void createEncryptDecrypt_reportKmsCallsAndCacheActivityOnce() {
    BsonBinary keyId = encryption.createDataKey("local");
    UUID id = keyId.asUuid();
    assertThat(events.of(EncryptionEvent.KeyLifecycle.class)).containsExactly(
        new EncryptionEvent.KeyLifecycle(KeyAction.CREATED, id, null, "local", null));
    List<EncryptionEvent.KmsRequest> kms = events.of(EncryptionEvent.KmsRequest.class);
    assertThat(kms).singleElement().satisfies(call -> {
      assertThat(call.provider()).isEqualTo("local");
      assertThat(call.operation()).isEqualTo(KmsOperation.ENCRYPT);
      assertThat(call.outcome()).isEqualTo(Outcome.SUCCESS);
      assertThat(call.duration()).isPositive();
    });
    assertThat(events.of(EncryptionEvent.KmsRequestStarted.class)).singleElement()
        .satisfies(start -> assertThat(start.id()).isEqualTo(kms.get(0).id()));

    events.all.clear();
    EncryptOptions options = new EncryptOptions(DET).keyId(keyId);
    BsonBinary first = encryption.encrypt(new BsonString("a"), options);
    encryption.encrypt(new BsonString("b"), options);
    encryption.decrypt(first);
    assertThat(events.cache()).containsExactly(CacheActivity.MISS, CacheActivity.LOAD,
        CacheActivity.HIT, CacheActivity.HIT);
    assertThat(events.of(EncryptionEvent.DataKeyCache.class).get(1)).satisfies(load -> {
      assertThat(load.keyId()).isEqualTo(id);
      assertThat(load.outcome()).isEqualTo(Outcome.SUCCESS);
      assertThat(load.cacheSize()).isEqualTo(1);
    });
    assertThat(events.of(EncryptionEvent.KmsRequest.class)).singleElement()
        .satisfies(call -> assertThat(call.operation()).isEqualTo(KmsOperation.DECRYPT));
  }

  @Test
  void keyChanges_areReportedWithProvidersAndNames() {
    BsonBinary keyId = encryption.createDataKey("local");
    UUID id = keyId.asUuid();
    encryption.addKeyAltName(keyId, "payroll");
    encryption.removeKeyAltName(keyId, "payroll");
    encryption.rewrapManyDataKey(new BsonDocument(),
        new RewrapManyDataKeyOptions().provider("local:other"));
    encryption.deleteKey(keyId);
    encryption.deleteKey(keyId); // nothing left to delete: no event
    assertThat(events.of(EncryptionEvent.KeyLifecycle.class)).containsExactly(
        new EncryptionEvent.KeyLifecycle(KeyAction.CREATED, id, null, "local", null),
        new EncryptionEvent.KeyLifecycle(KeyAction.ALT_NAME_ADDED, id, null, null, "payroll"),
        new EncryptionEvent.KeyLifecycle(KeyAction.ALT_NAME_REMOVED, id, null, null, "payroll"),
        new EncryptionEvent.KeyLifecycle(KeyAction.REWRAPPED, id, "local", "local:other", null),
        new EncryptionEvent.KeyLifecycle(KeyAction.DELETED, id, null, null, null));
  }

  @Test
  void failures_areReported_andAListenerThatThrowsChangesNothing() {
    BsonBinary keyId = encryption.createDataKey("local");
    BsonBinary ciphertext = encryption.encrypt(new BsonString("x"),
        new EncryptOptions(DET).keyId(keyId));
    byte[] altered = ciphertext.getData().clone();
    altered[altered.length - 1] ^= 1;
    assertThatThrownBy(() -> encryption.decrypt(new BsonBinary((byte) 6, altered)))
        .isInstanceOf(CiphertextException.class);
    assertThat(events.of(EncryptionEvent.DecryptionFailure.class)).containsExactly(
        new EncryptionEvent.DecryptionFailure(keyId.asUuid(), "AUTHENTICATION_FAILED"));

    // A key whose master key this client does not have: the load fails at the KMS.
    ClientEncryption stranger = vault.fle4j(Map.of("local", Map.of("key", otherMasterKey)),
        Fle4jSettings.builder().eventListener(new EncryptionEventListener() {
          @Override
          public void kmsRequest(EncryptionEvent.KmsRequest event) {
            events.kmsRequest(event);
            throw new IllegalStateException("a broken listener");
          }

          @Override
          public void dataKeyCache(EncryptionEvent.DataKeyCache event) {
            events.dataKeyCache(event);
          }
        }).build());
    events.all.clear();
    assertThatThrownBy(() -> stranger.decrypt(ciphertext))
        .isNotInstanceOf(IllegalStateException.class);
    assertThat(events.of(EncryptionEvent.KmsRequest.class)).singleElement()
        .satisfies(call -> {
          assertThat(call.outcome()).isEqualTo(Outcome.FAILURE);
          assertThat(call.failure()).isNotBlank();
        });
    assertThat(events.of(EncryptionEvent.DataKeyCache.class)).extracting(
        EncryptionEvent.DataKeyCache::activity, EncryptionEvent.DataKeyCache::outcome)
        .containsExactly(org.assertj.core.groups.Tuple.tuple(CacheActivity.MISS, Outcome.SUCCESS),
            org.assertj.core.groups.Tuple.tuple(CacheActivity.LOAD, Outcome.FAILURE));
    // The broken listener did not stop a good call either.
    BsonBinary otherKey = stranger.createDataKey("local");
    assertThat(stranger.decrypt(stranger.encrypt(new BsonString("y"),
        new EncryptOptions(DET).keyId(otherKey)))).isEqualTo(new BsonString("y"));
  }

  @Test
  void automaticEncryption_reportsRefusalsAndFailuresOfStoredValues() {
    BsonBinary keyId = encryption.createDataKey("local");
    String db = vault.database;
    BsonDocument schema = BsonDocument.parse("{bsonType: 'object', properties: {ssn: {encrypt:"
        + " {bsonType: 'string', algorithm: '" + DET + "', keyId: [UUID('" + keyId.asUuid()
        + "')]}}}}");
    MongoClientSettings settings = MongoClientSettings.builder(vault.clientSettings)
        .autoEncryptionSettings(AutoEncryptionSettings.builder().keyVaultNamespace(vault.namespace)
            .kmsProviders(Map.of("local", Map.of("key", masterKey)))
            .schemaMap(Map.of(db + ".people", schema)).build()).build();
    events.all.clear();
    try (MongoClient client = Fle4jMongoClients.create(settings,
        Fle4jSettings.builder().eventListener(events).build())) {
      MongoCollection<Document> people = client.getDatabase(db).getCollection("people");
      people.insertOne(new Document("_id", 1).append("ssn", "123-45-6789"));
      assertThatThrownBy(() -> people.find(Filters.regex("ssn", "^123")).first())
          .isInstanceOf(EncryptedFieldOperationException.class);
      assertThat(events.of(EncryptionEvent.Refusal.class)).singleElement().satisfies(refusal -> {
        assertThat(refusal.namespace()).isEqualTo(db + ".people");
        assertThat(refusal.field()).isEqualTo("ssn");
        assertThat(refusal.rule()).isNotBlank();
      });
      // A stored value altered behind the client's back: the read fails and is reported.
      MongoCollection<BsonDocument> raw = vault.client.getDatabase(db)
          .getCollection("people", BsonDocument.class);
      byte[] stored = raw.find().first().getBinary("ssn").getData().clone();
      stored[stored.length - 1] ^= 1;
      raw.updateOne(Filters.eq("_id", 1), new Document("$set",
          new Document("ssn", new BsonBinary((byte) 6, stored))));
      assertThatThrownBy(() -> people.find().first()).isInstanceOf(CiphertextException.class);
      assertThat(events.of(EncryptionEvent.DecryptionFailure.class)).singleElement()
          .isEqualTo(new EncryptionEvent.DecryptionFailure(keyId.asUuid(),
              "AUTHENTICATION_FAILED"));
    }
  }

  @Test
  void noEventCarriesKeyMaterial() {
    byte[] dataKey = KeyVaultFixture.randomMasterKey(); // 96 random bytes, as a data key too
    BsonBinary keyId = encryption.createDataKey("local",
        new DataKeyOptions().keyMaterial(dataKey));
    encryption.encrypt(new BsonString("secret plaintext"), new EncryptOptions(DET).keyId(keyId));
    BsonDocument key = vault.keys.find().first();
    List<String> secrets = List.of(
        Base64.getEncoder().encodeToString(masterKey), HexFormat.of().formatHex(masterKey),
        Base64.getEncoder().encodeToString(key.getBinary("keyMaterial").getData()),
        Base64.getEncoder().encodeToString(dataKey), HexFormat.of().formatHex(dataKey),
        "secret plaintext");
    assertThat(events.all).isNotEmpty();
    for (EncryptionEvent event : events.all) {
      for (String secret : secrets) {
        assertThat(event.toString()).doesNotContain(secret);
      }
    }
  }
}
