package io.fle4j.it.unified;

import io.fle4j.kms.KmsProvider;
import io.fle4j.kms.KmsProviderName;
import io.fle4j.testing.SpecData;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.net.ssl.SSLContext;
import org.bson.BsonDocument;
import org.bson.BsonValue;

/**
 * Turns a test file's {@code kmsProviders} document into fle4j configuration, filling {@code
 * $$placeholder} fields as the CSFLE tests README says:
 *
 * <ul>
 *   <li>{@code local} (and {@code local:*}): {@code key} is LOCAL_MASTERKEY (spec-data
 *       {@code derived/offline-vectors.json}); an explicit key is passed on as written.
 *   <li>{@code kmip} (and {@code kmip:*}): {@code endpoint} is the {@link SpecKmipServer}, and the
 *       provider gets that server's client TLS context in {@code kmsProviderSslContextMap}.
 *   <li>{@code aws}, {@code azure}, {@code gcp} (and named): with real credentials in the
 *       environment (the variables of drivers-evergreen-tools' csfle scripts, see {@link
 *       #CREDENTIAL_VARIABLES}), the placeholders are filled and the entry goes through the map
 *       path. Without them, a {@link CloudKmsStandIn} is given as a typed provider (Fle4jSettings)
 *       instead, and the entry is left out of the map.
 * </ul>
 *
 * Fields the file leaves out stay out; explicit values are passed on unchanged.
 */
final class SpecKmsProviders {

  /** What to give fle4j: the driver-style maps and the typed providers. */
  record Configuration(Map<String, Map<String, Object>> kmsProviders,
      Map<String, SSLContext> sslContexts, List<KmsProvider> typedProviders) {}

  /**
   * Environment variables holding real credentials, per {@code type.field} ({@code
   * type:name2.field} for the second AWS account). Names follow drivers-evergreen-tools.
   */
  static final Map<String, String> CREDENTIAL_VARIABLES = Map.ofEntries(
      Map.entry("aws.accessKeyId", "FLE_AWS_KEY"),
      Map.entry("aws.secretAccessKey", "FLE_AWS_SECRET"),
      Map.entry("aws:name2.accessKeyId", "FLE_AWS_KEY2"),
      Map.entry("aws:name2.secretAccessKey", "FLE_AWS_SECRET2"),
      Map.entry("awsTemporary.accessKeyId", "CSFLE_AWS_TEMP_ACCESS_KEY_ID"),
      Map.entry("awsTemporary.secretAccessKey", "CSFLE_AWS_TEMP_SECRET_ACCESS_KEY"),
      Map.entry("awsTemporary.sessionToken", "CSFLE_AWS_TEMP_SESSION_TOKEN"),
      Map.entry("azure.tenantId", "FLE_AZURE_TENANTID"),
      Map.entry("azure.clientId", "FLE_AZURE_CLIENTID"),
      Map.entry("azure.clientSecret", "FLE_AZURE_CLIENTSECRET"),
      Map.entry("azure.accessToken", "FLE_AZURE_ACCESS_TOKEN"),
      Map.entry("gcp.email", "FLE_GCP_EMAIL"),
      Map.entry("gcp.privateKey", "FLE_GCP_PRIVATEKEY"),
      Map.entry("gcp.accessToken", "FLE_GCP_ACCESS_TOKEN"));

  private SpecKmsProviders() {}

  static Configuration configure(BsonDocument spec, StandInKmsCalls standInCalls) {
    Map<String, Map<String, Object>> map = new LinkedHashMap<>();
    Map<String, SSLContext> ssl = new LinkedHashMap<>();
    List<KmsProvider> typed = new ArrayList<>();
    for (Map.Entry<String, BsonValue> entry : spec.entrySet()) {
      String providerName = entry.getKey();
      BsonDocument fields = entry.getValue().asDocument();
      KmsProviderName name = KmsProviderName.parse(providerName);
      switch (name.type()) {
        case "local" -> map.put(providerName, fill(fields, field -> {
          if (!field.equals("key")) {
            throw new RunnerException("no placeholder value for local." + field);
          }
          return localMasterKey();
        }));
        case "kmip" -> {
          map.put(providerName, fill(fields, field -> {
            if (!field.equals("endpoint")) {
              throw new RunnerException("no placeholder value for kmip." + field);
            }
            return SpecKmipServer.endpoint();
          }));
          ssl.put(providerName, SpecKmipServer.clientSslContext());
        }
        case "aws", "azure", "gcp" -> {
          String credentialSet = credentialSet(name, fields);
          if (hasCredentials(credentialSet, fields)) {
            map.put(providerName, fill(fields, field -> System.getenv(
                CREDENTIAL_VARIABLES.get(credentialSet + "." + field))));
          } else {
            typed.add(new CloudKmsStandIn(name, standInCalls));
          }
        }
        default -> map.put(providerName, fill(fields, field -> {
          throw new RunnerException("no placeholder value for " + providerName + "."
              + field);
        }));
      }
    }
    return new Configuration(map, ssl, typed);
  }

  /** The 96-byte LOCAL_MASTERKEY of the CSFLE tests. */
  static byte[] localMasterKey() {
    BsonDocument vectors = SpecData.json("derived/offline-vectors.json");
    return Base64.getDecoder().decode(
        vectors.getDocument("localMasterKey").getString("base64").getValue());
  }

  /** Which environment credentials an entry needs: its type, the second AWS account, or STS. */
  private static String credentialSet(KmsProviderName name, BsonDocument fields) {
    if (name.type().equals("aws") && fields.containsKey("sessionToken")) {
      return "awsTemporary";
    }
    if (name.toString().equals("aws:name2")) {
      return "aws:name2";
    }
    return name.type();
  }

  /** Whether the environment holds every credential of the set (not only the placeholders). */
  private static boolean hasCredentials(String credentialSet, BsonDocument fields) {
    boolean any = false;
    for (Map.Entry<String, String> variable : CREDENTIAL_VARIABLES.entrySet()) {
      if (!variable.getKey().startsWith(credentialSet + ".")) {
        continue;
      }
      String field = variable.getKey().substring(credentialSet.length() + 1);
      boolean placeholder = fields.containsKey(field) && isPlaceholder(fields.get(field));
      String value = System.getenv(variable.getValue());
      if (placeholder && (value == null || value.isBlank())) {
        return false;
      }
      any |= value != null && !value.isBlank();
    }
    return any;
  }

  private interface PlaceholderValues {
    Object valueFor(String field);
  }

  private static Map<String, Object> fill(BsonDocument fields, PlaceholderValues values) {
    Map<String, Object> out = new LinkedHashMap<>();
    for (Map.Entry<String, BsonValue> field : fields.entrySet()) {
      out.put(field.getKey(), isPlaceholder(field.getValue())
          ? values.valueFor(field.getKey()) : BsonJava.toJava(field.getValue()));
    }
    return out;
  }

  static boolean isPlaceholder(BsonValue value) {
    return value.isDocument() && value.asDocument().size() == 1
        && value.asDocument().containsKey("$$placeholder");
  }
}
