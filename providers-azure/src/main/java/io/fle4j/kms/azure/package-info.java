/**
 * The {@code azure} KMS provider: Azure Key Vault {@code wrapkey}/{@code unwrapkey} with
 * RSA-OAEP-256, credentials from azure-identity. Start at {@link
 * io.fle4j.kms.azure.AzureKmsProvider}.
 */
package io.fle4j.kms.azure;
