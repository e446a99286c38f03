package io.fle4j.it.modules;

import static org.assertj.core.api.Assertions.assertThat;

import io.fle4j.testkit.mongo.MongoTestTarget;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * fle4j on the module path, as an application with a module-info would use it: core is the named
 * module {@code io.fle4j.core}, the local provider an automatic module found through
 * ServiceLoader, encryption works, and {@code io.fle4j.internal} cannot be used.
 */
class ModulePathTest {
  /** The jars an application needs for core and the local provider, by file name. */
  private static final Pattern NEEDED = Pattern.compile(
      "(fle4j-core|fle4j-kms-local|mongodb-driver-sync|mongodb-driver-core|bson|bson-record-codec"
          + "|caffeine)(-[0-9][^/]*)?\\.jar"); // versionless: the newest-driver run's copies

  @TempDir Path dir;

  private List<String> modulePath() {
    List<String> jars = new ArrayList<>();
    for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
      if (NEEDED.matcher(Path.of(entry).getFileName().toString()).matches()) {
        jars.add(entry);
      }
    }
    Assumptions.assumeTrue(jars.stream().anyMatch(j -> j.contains("fle4j-core-"))
        && jars.stream().anyMatch(j -> j.contains("fle4j-kms-local-")),
        "needs fle4j-core and fle4j-kms-local as jars on the test class path (run after"
            + " `package`, as `mvn verify` does); found " + jars);
    return jars;
  }

  private Process java(List<String> modulePath, String source) throws Exception {
    Path file = dir.resolve("Main.java");
    Files.writeString(file, source);
    List<String> command = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "--module-path", String.join(File.pathSeparator, modulePath),
        "--add-modules", "io.fle4j.core,io.fle4j.kms.local", file.toString(),
        MongoTestTarget.connectionString()));
    return new ProcessBuilder(command).redirectErrorStream(true).start();
  }

  private static String run(Process process) throws Exception {
    String output = new String(process.getInputStream().readAllBytes());
    assertThat(process.waitFor(2, TimeUnit.MINUTES)).isTrue();
    return output;
  }

  @Test
  void anApplicationOnTheModulePath_encryptsWithAProviderFoundByServiceLoader() throws Exception {
    Process process = java(modulePath(), """
        import com.mongodb.*;
        import com.mongodb.client.model.vault.*;
        import com.mongodb.client.vault.ClientEncryption;
        import java.util.Map;
        import org.bson.*;

        public class Main {
          public static void main(String[] args) {
            System.out.println("core is " + io.fle4j.ClientEncryptions.class.getModule());
            byte[] key = new byte[96];
            new java.security.SecureRandom().nextBytes(key);
            try (ClientEncryption ce = io.fle4j.ClientEncryptions.create(
                ClientEncryptionSettings.builder()
                    .keyVaultMongoClientSettings(MongoClientSettings.builder()
                        .applyConnectionString(new ConnectionString(args[0]))
                        .uuidRepresentation(UuidRepresentation.STANDARD).build())
                    .keyVaultNamespace("modulepath.keys")
                    .kmsProviders(Map.of("local", Map.of("key", key))).build())) {
              BsonBinary id = ce.createDataKey("local");
              BsonBinary value = ce.encrypt(new BsonString("on the module path"),
                  new EncryptOptions("AEAD_AES_256_CBC_HMAC_SHA_512-Random").keyId(id));
              System.out.println("decrypted: " + ce.decrypt(value).asString().getValue());
              ce.deleteKey(id);
            }
          }
        }
        """);
    String output = run(process);
    assertThat(output).contains("core is module io.fle4j.core")
        .contains("decrypted: on the module path");
    assertThat(process.exitValue()).as(output).isZero();
  }

  @Test
  void internalPackagesAreNotVisible() throws Exception {
    Process process = java(modulePath(), """
        public class Main {
          public static void main(String[] args) {
            System.out.println(io.fle4j.internal.crypto.Aead.class);
          }
        }
        """);
    String output = run(process);
    assertThat(process.exitValue()).isNotZero();
    assertThat(output).contains("io.fle4j.internal.crypto").contains("not visible");
  }
}
