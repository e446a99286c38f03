/**
 * The {@code fle4j} command ({@link io.fle4j.cli.Fle4jCommand}): key management, key vault
 * verification, master-key rotation and re-encryption of existing data. Its interface is the
 * command line and the configuration file; the classes are not API.
 */
package io.fle4j.cli;
