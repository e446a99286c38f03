package io.fle4j.cli;

import io.fle4j.kms.SecretBytes;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.EnumSet;
import java.util.Set;

/**
 * A local master key kept in a file as base64, readable by its owner only. Created with mode 0600
 * from the start (never created readable and then narrowed), and refused when others can read it.
 */
final class LocalMasterKeyFile {
  private static final Set<PosixFilePermission> OTHERS_OR_GROUP = EnumSet.of(
      PosixFilePermission.GROUP_READ, PosixFilePermission.GROUP_WRITE,
      PosixFilePermission.OTHERS_READ, PosixFilePermission.OTHERS_WRITE);

  private LocalMasterKeyFile() {}

  /** The outcome: the key, and whether this call created the file. */
  record Loaded(SecretBytes key, boolean created) {
    @Override
    public String toString() {
      return "Loaded{key=redacted, created=" + created + "}";
    }
  }

  static Loaded loadOrCreate(Path file) throws IOException {
    if (!Files.exists(file)) {
      byte[] key = new byte[96];
      new SecureRandom().nextBytes(key);
      try {
        Files.createDirectories(file.toAbsolutePath().getParent());
        Path created = Files.createFile(file, PosixFilePermissions.asFileAttribute(
            EnumSet.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE)));
        Files.writeString(created, Base64.getEncoder().encodeToString(key) + "\n",
            StandardCharsets.US_ASCII);
        return new Loaded(SecretBytes.copyOf(key), true);
      } catch (FileAlreadyExistsException raced) {
        // another process created it first: fall through and read theirs
      } finally {
        java.util.Arrays.fill(key, (byte) 0);
      }
    }
    return load(file);
  }

  /** Reads an existing key file, refusing one that others can read. */
  static Loaded load(Path file) throws IOException {
    if (!Files.exists(file)) {
      throw new IllegalArgumentException("the master key file " + file + " does not exist");
    }
    Set<PosixFilePermission> permissions = Files.getPosixFilePermissions(file);
    if (permissions.stream().anyMatch(OTHERS_OR_GROUP::contains)) {
      throw new IllegalArgumentException("the master key file " + file + " can be read or written"
          + " by other users (mode " + PosixFilePermissions.toString(permissions) + "); make it"
          + " private with: chmod 600 " + file);
    }
    String text = Files.readString(file, StandardCharsets.US_ASCII).trim();
    SecretBytes key;
    try {
      key = SecretBytes.fromBase64(text);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("the master key file " + file + " does not hold base64");
    }
    if (key.length() != 96) {
      throw new IllegalArgumentException("the master key file " + file + " holds "
          + key.length() + " bytes; a local master key is 96 bytes");
    }
    return new Loaded(key, false);
  }
}
