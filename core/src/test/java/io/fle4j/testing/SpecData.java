package io.fle4j.testing;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Optional;
import org.bson.BsonDocument;
import org.bson.BsonValue;
import org.junit.jupiter.api.Assumptions;

/**
 * The MongoDB test corpus and vectors in {@code ../shared/spec-data}, beside the repository. Its
 * licence forbids copying it into the repository, so tests read it in place. When it is absent (a
 * plain clone), tests that need it are skipped with a message, except in CI ({@code CI=true}),
 * where its absence is a failure.
 */
public final class SpecData {
  private static final String PROPERTY = "fle4j.specData";
  private static final String ENV = "FLE4J_SPEC_DATA";

  private SpecData() {}

  /** The spec-data folder; skips the calling test (fails it in CI) when it is absent. */
  public static Path root() {
    Optional<Path> root = find();
    if (root.isEmpty()) {
      String message = "spec-data not found: set -D" + PROPERTY + " or " + ENV
          + ", or keep ../shared/spec-data beside the repository";
      if ("true".equalsIgnoreCase(System.getenv("CI"))) {
        fail(message + " (required in CI)");
      }
      Assumptions.abort(message);
    }
    return root.get();
  }

  /** Reads a file under spec-data as extended JSON; a top-level array comes back under "items". */
  public static BsonDocument json(String relativePath) {
    String text = text(relativePath).trim();
    if (text.startsWith("[")) {
      return BsonDocument.parse("{\"items\": " + text + "}");
    }
    return BsonDocument.parse(text);
  }

  /** A top-level array file's elements. */
  public static java.util.List<BsonValue> jsonArray(String relativePath) {
    return json(relativePath).getArray("items").getValues();
  }

  public static String text(String relativePath) {
    try {
      return Files.readString(root().resolve(relativePath), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static Optional<Path> find() {
    String configured = System.getProperty(PROPERTY, System.getenv(ENV));
    if (configured != null && !configured.isBlank()) {
      Path path = Paths.get(configured);
      return Files.isDirectory(path) ? Optional.of(path) : Optional.empty();
    }
    // Walk up from the module folder: <dir>/shared/spec-data sits beside the repository.
    for (Path dir = Paths.get("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
      Path candidate = dir.resolve("shared").resolve("spec-data");
      if (Files.isDirectory(candidate)) {
        return Optional.of(candidate);
      }
    }
    return Optional.empty();
  }
}
