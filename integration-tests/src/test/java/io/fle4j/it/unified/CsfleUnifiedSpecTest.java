package io.fle4j.it.unified;

import static org.junit.jupiter.api.Assertions.fail;

import io.fle4j.testing.SpecData;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.stream.Stream;
import org.bson.BsonDocument;
import org.bson.BsonValue;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * MongoDB's CSFLE specification tests in the unified test format, run against fle4j: every file
 * of {@code specifications/tests/unified} in {@code ../shared/spec-data} except the Queryable
 * Encryption ones ({@code fle2v2-*}, {@code QE-*}, {@code client-bulkWrite-qe*}), one container per
 * file and one dynamic test per case.
 *
 * <p>The files are read in place (their licence, CC BY-NC-SA, forbids copying them into the
 * repository). When spec-data is absent the factory is skipped with a message; with {@code
 * CI=true} it fails instead. Results are also written to {@code
 * target/unified-csfle-results.tsv}.
 */
class CsfleUnifiedSpecTest {
  private static final List<String> QUERYABLE_ENCRYPTION_PREFIXES =
      List.of("fle2v2-", "QE-", "client-bulkWrite-qe");
  /** Schema versions whose features the runner knows; newer minor versions fail loudly. */
  private static final String MAX_SCHEMA_VERSION = "1.28";

  @TestFactory
  Stream<DynamicNode> csfleUnifiedSpecTests() {
    Path directory = SpecData.root().resolve("specifications").resolve("tests")
        .resolve("unified");
    List<Path> files;
    try (Stream<Path> listing = Files.list(directory)) {
      files = listing.filter(p -> p.getFileName().toString().endsWith(".json"))
          .filter(p -> QUERYABLE_ENCRYPTION_PREFIXES.stream()
              .noneMatch(prefix -> p.getFileName().toString().startsWith(prefix)))
          .sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    if (files.isEmpty()) {
      fail("no CSFLE unified test files in " + directory);
    }
    return files.stream().map(CsfleUnifiedSpecTest::container);
  }

  @AfterAll
  static void writeResults() {
    UnifiedResultsLog.write(Paths.get("target", "unified-csfle-results.tsv"));
  }

  private static DynamicNode container(Path path) {
    String fileName = path.getFileName().toString();
    BsonDocument file;
    try {
      file = BsonDocument.parse(Files.readString(path, StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    String schemaVersion = file.getString("schemaVersion").getValue();
    Stream<DynamicTest> tests = file.getArray("tests").stream().map(BsonValue::asDocument)
        .map(testCase -> {
          String description = testCase.getString("description").getValue();
          return DynamicTest.dynamicTest(description, path.toUri(), () -> {
            Throwable outcome = null;
            try {
              if (!schemaVersion.startsWith("1.")
                  || ServerProfile.compareVersions(schemaVersion, MAX_SCHEMA_VERSION) > 0) {
                throw new RunnerException("schemaVersion " + schemaVersion
                    + " is newer than the runner supports (" + MAX_SCHEMA_VERSION + ")");
              }
              new UnifiedTestCaseRunner(fileName, file, testCase, RunnerEnvironment.get()).run();
            } catch (Throwable t) {
              outcome = t;
              throw t;
            } finally {
              UnifiedResultsLog.record(fileName, description, outcome);
            }
          });
        });
    return DynamicContainer.dynamicContainer(fileName, path.toUri(), tests);
  }
}
