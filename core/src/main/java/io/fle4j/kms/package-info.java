/**
 * The KMS provider SPI: {@link io.fle4j.kms.KmsProvider} (wrap and unwrap data keys under a
 * master key), {@link io.fle4j.kms.KmsProviderFactory} (build one from a {@code kmsProviders}
 * entry, found with {@link java.util.ServiceLoader}) and what both need: {@link
 * io.fle4j.kms.KmsProviderConfig} with its shared readers, {@link io.fle4j.kms.SecretBytes},
 * {@link io.fle4j.kms.KmsProviderException}, {@link io.fle4j.kms.KmsAttempts}. Provider modules
 * depend on this package and on {@code io.fle4j}'s exceptions, never on {@code io.fle4j.internal}.
 */
package io.fle4j.kms;
