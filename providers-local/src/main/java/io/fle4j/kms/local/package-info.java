/**
 * The {@code local} KMS provider for fle4j: a 96-byte master key held in memory, for development
 * and tests ({@link io.fle4j.kms.local.LocalKmsProvider}), and its
 * {@link io.fle4j.kms.local.LocalKmsProviderFactory} for {@code kmsProviders.local} entries.
 */
package io.fle4j.kms.local;
