/**
 * The {@code gcp} KMS provider: Google Cloud KMS {@code encrypt}/{@code decrypt} over REST with
 * CRC32C integrity checks, credentials from google-auth-library. Start at {@link
 * io.fle4j.kms.gcp.GcpKmsProvider}.
 */
package io.fle4j.kms.gcp;
