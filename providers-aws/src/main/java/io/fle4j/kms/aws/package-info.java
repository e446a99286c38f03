/**
 * The {@code aws} KMS provider for fle4j: {@link io.fle4j.kms.aws.AwsKmsProvider} (the typed
 * path) and {@link io.fle4j.kms.aws.AwsKmsProviderFactory}, which turns {@code kmsProviders.aws}
 * map entries into providers and is registered for {@link java.util.ServiceLoader}.
 */
package io.fle4j.kms.aws;
