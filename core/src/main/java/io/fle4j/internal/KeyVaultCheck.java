package io.fle4j.internal;

import com.mongodb.client.model.Filters;
import com.mongodb.client.model.Sorts;
import io.fle4j.ConfigurationException;
import io.fle4j.Fle4jException;
import io.fle4j.KeyVaultIndexes;
import io.fle4j.KeyVaultVerifier.KeyStatus;
import io.fle4j.KeyVaultVerifier.ProviderStatus;
import io.fle4j.KeyVaultVerifier.Reachability;
import io.fle4j.KeyVaultVerifier.Readability;
import io.fle4j.KeyVaultVerifier.Report;
import io.fle4j.internal.kms.KmsProviderRegistry;
import io.fle4j.internal.vault.DataKeys;
import io.fle4j.internal.vault.KeyDocument;
import io.fle4j.internal.vault.KeyVault;
import io.fle4j.kms.KmsProvider;
import io.fle4j.kms.KmsProviderName;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.bson.BsonDocument;
import org.bson.BsonValue;
import org.bson.conversions.Bson;

/** What {@link io.fle4j.KeyVaultVerifier} does, with the internals it needs. */
public final class KeyVaultCheck {
  private final KeyVault keyVault;
  private final KmsProviderRegistry kms;

  KeyVaultCheck(KeyVault keyVault, KmsProviderRegistry kms) {
    this.keyVault = keyVault;
    this.kms = kms;
  }

  public Report verify(Bson filter, int parallelism) {
    List<BsonDocument> docs = keyVault.find(filter).into(new ArrayList<>());
    List<KeyStatus> keys = KmsCalls.inParallel(docs, this::check, parallelism);
    return new Report(keys, indexProblem(), sharedAltNames(docs));
  }

  public Map<String, ProviderStatus> probeProviders() {
    Map<String, ProviderStatus> out = new TreeMap<>();
    for (KmsProviderName name : kms.names()) {
      out.put(name.toString(), probe(name.toString()));
    }
    return out;
  }

  /** Keys a probe tries, newest first, before it gives up on finding a well formed one. */
  private static final int PROBE_CANDIDATES = 3;

  private ProviderStatus probe(String provider) {
    // A malformed newest key says nothing about the KMS: the next well formed one is tried.
    for (BsonDocument candidate : keyVault.find(Filters.eq("masterKey.provider", provider))
        .sort(Sorts.descending("updateDate")).limit(PROBE_CANDIDATES)) {
      long start = System.nanoTime();
      KeyStatus status = check(candidate);
      Duration took = Duration.ofNanos(System.nanoTime() - start);
      if (status.readability() != Readability.MALFORMED) {
        return new ProviderStatus(provider, status.readability() == Readability.READABLE
            ? Reachability.REACHABLE : Reachability.UNREACHABLE, status.id(), status.detail(),
            Instant.now(), took);
      }
    }
    return new ProviderStatus(provider, Reachability.NO_KEY, null,
        "no well formed data key in " + keyVault.namespace() + " uses this provider",
        Instant.now(), Duration.ZERO);
  }

  /** Shape first (no KMS call for a document the KMS could not be asked about), then unwrap. */
  private KeyStatus check(BsonDocument doc) {
    String id = describeId(doc.get("_id"));
    List<String> altNames = altNames(doc);
    BsonValue providerValue = doc.isDocument("masterKey")
        ? doc.getDocument("masterKey").get("provider") : null;
    String providerName = providerValue != null && providerValue.isString()
        ? providerValue.asString().getValue() : null;
    KeyDocument key;
    try {
      key = KeyDocument.parse(doc);
    } catch (ConfigurationException e) {
      return new KeyStatus(id, altNames, providerName, Readability.MALFORMED, e.getMessage());
    }
    KmsProvider provider;
    try {
      provider = kms.get(key.provider().toString(), "masterKey.provider");
    } catch (ConfigurationException e) {
      // Well formed, but this client cannot ask its KMS.
      return new KeyStatus(id, altNames, providerName, Readability.UNREADABLE, e.getMessage());
    }
    try {
      // Not provider.masterKey(): for some providers (KMIP without keyId) that creates a key.
      // decryptDataKey parses the stored master key strictly and says so with a
      // ConfigurationException before any KMS call.
      byte[] material = DataKeys.checkedLength(key,
          provider.decryptDataKey(key.masterKey(), key.keyMaterial()));
      Arrays.fill(material, (byte) 0);
      return new KeyStatus(id, altNames, providerName, Readability.READABLE, null);
    } catch (ConfigurationException e) {
      return new KeyStatus(id, altNames, providerName, Readability.MALFORMED, e.getMessage());
    } catch (Fle4jException e) {
      // fle4j's exceptions keep secrets out of their messages.
      return new KeyStatus(id, altNames, providerName, Readability.UNREADABLE,
          e.getClass().getSimpleName() + ": " + e.getMessage());
    } catch (RuntimeException e) {
      // Anything else is a provider bug; its message is not vetted, so only its type is shown.
      return new KeyStatus(id, altNames, providerName, Readability.UNREADABLE,
          e.getClass().getName() + " (message withheld: not a fle4j exception)");
    }
  }

  /** Null when the index is as KeyVaultIndexes makes it. */
  private String indexProblem() {
    for (BsonDocument index : keyVault.collection().listIndexes(BsonDocument.class)) {
      BsonDocument keyPattern = index.getDocument("key", new BsonDocument());
      if (keyPattern.size() != 1 || !keyPattern.containsKey("keyAltNames")) {
        continue;
      }
      if (!index.getBoolean("unique", org.bson.BsonBoolean.FALSE).getValue()) {
        return "index " + index.getString("name", new org.bson.BsonString("?")).getValue()
            + " on keyAltNames is not unique";
      }
      BsonDocument partial = index.getDocument("partialFilterExpression", new BsonDocument());
      if (!partial.containsKey("keyAltNames")) {
        return "index on keyAltNames has no partial filter {keyAltNames: {$exists: true}}, so"
            + " at most one key can be without alternate names";
      }
      return null;
    }
    return "no unique index on keyAltNames (" + KeyVaultIndexes.KEY_ALT_NAMES_INDEX
        + "): two keys can come to share an alternate name; create it with fle4j keyvault init"
        + " or KeyVaultIndexes.ensureKeyAltNamesIndex";
  }

  private static Map<String, List<String>> sharedAltNames(List<BsonDocument> docs) {
    Map<String, List<String>> byName = new LinkedHashMap<>();
    for (BsonDocument doc : docs) {
      for (String name : altNames(doc)) {
        byName.computeIfAbsent(name, n -> new ArrayList<>()).add(describeId(doc.get("_id")));
      }
    }
    byName.values().removeIf(ids -> ids.size() < 2);
    return byName;
  }

  private static List<String> altNames(BsonDocument doc) {
    BsonValue names = doc.get("keyAltNames");
    if (names == null || !names.isArray()) {
      return List.of();
    }
    List<String> out = new ArrayList<>();
    for (BsonValue name : names.asArray()) {
      if (name.isString()) {
        out.add(name.asString().getValue());
      }
    }
    return out;
  }

  private static String describeId(BsonValue id) {
    if (id == null) {
      return "(no _id)";
    }
    if (id.isBinary() && id.asBinary().getType() == 4 && id.asBinary().getData().length == 16) {
      return id.asBinary().asUuid().toString();
    }
    return new BsonDocument("_id", id).toJson().replaceFirst("^\\{\"_id\": ", "")
        .replaceFirst("}$", "");
  }
}
