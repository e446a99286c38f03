package io.fle4j.spring;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * fle4j's settings under {@code fle4j.*}:
 *
 * <pre>
 * fle4j.key-vault-namespace=encryption.__keyVault
 * fle4j.kms-providers.local.key=${LOCAL_MASTER_KEY}          # base64, 96 bytes
 * fle4j.kms-providers.[aws:prod].access-key-id=...           # named providers in brackets
 * fle4j.auto-encryption.enabled=true
 * fle4j.auto-encryption.schema-map.[app.people]=classpath:people-schema.json
 * </pre>
 *
 * <p>Secrets come from any Spring property source (environment variables, a vault integration);
 * none is ever printed.
 */
@ConfigurationProperties("fle4j")
public class Fle4jProperties {
  /** The key vault collection, {@code database.collection}. */
  private String keyVaultNamespace = "encryption.__keyVault";

  /** A separate MongoDB for the key vault; by default the application's own (spring.mongodb). */
  private String keyVaultUri;

  /**
   * KMS providers by name ({@code local}, {@code aws}, {@code aws:prod}...), each with the
   * fields its {@code kmsProviders} entry takes in the driver ({@code key}, {@code
   * accessKeyId}...). Kebab-case names are accepted ({@code access-key-id}).
   */
  private Map<String, Map<String, String>> kmsProviders = new LinkedHashMap<>();

  /**
   * TLS for KMS providers, by provider name: the name of a Spring Boot SSL bundle
   * ({@code spring.ssl.bundle.*}), for example the client certificate and CA of a KMIP server.
   */
  private Map<String, String> kmsTls = new LinkedHashMap<>();

  /** How long an unwrapped data key stays cached; 0 keeps it until the client closes. */
  private Duration keyExpiration;

  /** Helper threads for decrypting large result batches; by default up to 4. */
  private Integer decryptionThreads;

  /**
   * Read-only mode: the ClientEncryption bean refuses every key-vault write (create, delete,
   * rename, rewrap), for applications that only use keys.
   */
  private boolean readOnly;

  private final AutoEncryption autoEncryption = new AutoEncryption();

  private final Health health = new Health();

  /** The {@code fle4j} health indicator (with Spring Boot Actuator). */
  public static class Health {
    /**
     * Whether health checks prove each KMS provider by unwrapping its newest data key (one KMS
     * request per provider per interval). Off: only the application's last call is shown.
     */
    private boolean probeKms = true;

    /** Probes are KMS requests: never more than one per provider per this. */
    static final Duration MIN_PROBE_INTERVAL = Duration.ofSeconds(10);

    /** How long a probe's result is reused before the next health check probes again. */
    private Duration probeInterval = Duration.ofMinutes(5);

    public boolean isProbeKms() {
      return probeKms;
    }

    public void setProbeKms(boolean probeKms) {
      this.probeKms = probeKms;
    }

    public Duration getProbeInterval() {
      return probeInterval;
    }

    public void setProbeInterval(Duration probeInterval) {
      if (probeInterval == null || probeInterval.compareTo(MIN_PROBE_INTERVAL) < 0) {
        throw new IllegalArgumentException("fle4j.health.probe-interval must be at least "
            + MIN_PROBE_INTERVAL.toSeconds() + "s (each probe is a KMS request per provider),"
            + " got " + probeInterval);
      }
      this.probeInterval = probeInterval;
    }
  }

  /** Automatic encryption of the application's MongoClient. */
  public static class AutoEncryption {
    /** Makes Boot's MongoClient encrypt and decrypt automatically (CSFLE schemas). */
    private boolean enabled;

    /** JSON schemas by namespace: inline JSON, or a resource location such as classpath:... */
    private Map<String, String> schemaMap = new LinkedHashMap<>();

    /** Decrypt replies but encrypt nothing (the driver's bypassAutoEncryption). */
    private boolean bypassAutoEncryption;

    /** Skip the analysis of commands (the driver's bypassQueryAnalysis). */
    private boolean bypassQueryAnalysis;

    public boolean isEnabled() {
      return enabled;
    }

    public void setEnabled(boolean enabled) {
      this.enabled = enabled;
    }

    public Map<String, String> getSchemaMap() {
      return schemaMap;
    }

    public void setSchemaMap(Map<String, String> schemaMap) {
      this.schemaMap = schemaMap;
    }

    public boolean isBypassAutoEncryption() {
      return bypassAutoEncryption;
    }

    public void setBypassAutoEncryption(boolean bypassAutoEncryption) {
      this.bypassAutoEncryption = bypassAutoEncryption;
    }

    public boolean isBypassQueryAnalysis() {
      return bypassQueryAnalysis;
    }

    public void setBypassQueryAnalysis(boolean bypassQueryAnalysis) {
      this.bypassQueryAnalysis = bypassQueryAnalysis;
    }
  }

  public String getKeyVaultNamespace() {
    return keyVaultNamespace;
  }

  public void setKeyVaultNamespace(String keyVaultNamespace) {
    this.keyVaultNamespace = keyVaultNamespace;
  }

  public String getKeyVaultUri() {
    return keyVaultUri;
  }

  public void setKeyVaultUri(String keyVaultUri) {
    this.keyVaultUri = keyVaultUri;
  }

  public Map<String, Map<String, String>> getKmsProviders() {
    return kmsProviders;
  }

  public void setKmsProviders(Map<String, Map<String, String>> kmsProviders) {
    this.kmsProviders = kmsProviders;
  }

  public Map<String, String> getKmsTls() {
    return kmsTls;
  }

  public void setKmsTls(Map<String, String> kmsTls) {
    this.kmsTls = kmsTls;
  }

  public Duration getKeyExpiration() {
    return keyExpiration;
  }

  public void setKeyExpiration(Duration keyExpiration) {
    this.keyExpiration = keyExpiration;
  }

  public Integer getDecryptionThreads() {
    return decryptionThreads;
  }

  public void setDecryptionThreads(Integer decryptionThreads) {
    this.decryptionThreads = decryptionThreads;
  }

  public boolean isReadOnly() {
    return readOnly;
  }

  public void setReadOnly(boolean readOnly) {
    this.readOnly = readOnly;
  }

  public AutoEncryption getAutoEncryption() {
    return autoEncryption;
  }

  public Health getHealth() {
    return health;
  }

  @Override
  public String toString() {
    return "Fle4jProperties{keyVaultNamespace=" + keyVaultNamespace + ", kmsProviders="
        + kmsProviders.keySet() + ", autoEncryption=" + autoEncryption.enabled + "}";
  }
}
