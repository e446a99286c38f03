package io.fle4j.cli;

import io.fle4j.ConfigurationException;
import io.fle4j.kms.KmsProvider;
import io.fle4j.kms.KmsProviderName;
import io.fle4j.kms.kmip.KmipKeyNotFoundException;
import io.fle4j.kms.kmip.KmipKmsProvider;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.bson.BsonArray;
import org.bson.BsonDocument;
import org.bson.BsonString;
import org.bson.BsonValue;

/**
 * {@code keys rewrap --destroy-old}: the KMIP objects keys were wrapped under before a rewrap are
 * revoked and destroyed once no key in the vault uses them; an object still in use is named and
 * kept. Other KMSs keep their master keys (their lifecycle is the KMS's own: disable, schedule
 * deletion).
 */
final class KmipRetirement {
  private KmipRetirement() {}

  /**
   * @param moved the key documents as they were before the rewrap
   * @param targetMasterKey the master key options the rewrap moved them to, or null
   * @param dryRun count the moved keys as gone, destroy nothing
   * @return per object: provider, keyId, what happened
   */
  static List<String[]> retire(CliContext context, List<BsonDocument> moved,
      BsonDocument targetMasterKey, boolean dryRun) {
    Map<String, BsonDocument> objects = new LinkedHashMap<>();
    for (BsonDocument key : moved) {
      BsonDocument masterKey = key.getDocument("masterKey");
      String provider = masterKey.getString("provider").getValue();
      if (KmsProviderName.parse(provider).type().equals("kmip") && masterKey.isString("keyId")) {
        objects.putIfAbsent(masterKey.getString("keyId").getValue(), masterKey);
      }
    }
    BsonValue targetKeyId = targetMasterKey == null ? null : targetMasterKey.get("keyId");
    List<BsonValue> movedIds = moved.stream().map(k -> k.get("_id")).toList();
    List<String[]> out = new ArrayList<>();
    for (BsonDocument masterKey : objects.values()) {
      String provider = masterKey.getString("provider").getValue();
      String keyId = masterKey.getString("keyId").getValue();
      if (new BsonString(keyId).equals(targetKeyId)) {
        out.add(new String[] {provider, keyId, "kept: the rewrap's target"});
        continue;
      }
      // Any key naming this keyId, under any provider name or endpoint spelling, counts as a
      // user: keeping an unused object costs nothing, destroying a used one loses data.
      BsonDocument users = new BsonDocument("masterKey.keyId", new BsonString(keyId));
      if (dryRun) {
        users.append("_id", new BsonDocument("$nin", new BsonArray(movedIds)));
      }
      long stillUsing = context.keyVault().countDocuments(users);
      if (stillUsing > 0) {
        out.add(new String[] {provider, keyId, "kept: still wraps " + stillUsing + " key(s)"});
      } else if (dryRun) {
        out.add(new String[] {provider, keyId, "would be revoked and destroyed"});
      } else {
        out.add(new String[] {provider, keyId, destroy(context, provider, masterKey)});
      }
    }
    return out;
  }

  private static String destroy(CliContext context, String provider, BsonDocument masterKey) {
    KmsProvider kms = context.standaloneProvider(provider, "masterKey.provider");
    if (!(kms instanceof KmipKmsProvider kmip)) {
      throw new ConfigurationException("masterKey.provider", "'" + provider
          + "' is not a KMIP provider built by fle4j-kms-kmip");
    }
    try {
      kmip.destroyObject(masterKey);
      return "revoked and destroyed";
    } catch (KmipKeyNotFoundException e) {
      return "already gone from the server";
    }
  }
}
