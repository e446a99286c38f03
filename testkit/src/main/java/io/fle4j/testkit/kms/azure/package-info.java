/**
 * {@link io.fle4j.testkit.kms.azure.AzureKeyVaultEmulator}: Azure Key Vault plus the identity
 * platform on loopback HTTPS.
 */
package io.fle4j.testkit.kms.azure;
