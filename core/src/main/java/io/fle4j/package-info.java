/**
 * fle4j's API: {@link io.fle4j.ClientEncryptions} and {@link io.fle4j.Fle4jMongoClients} (the
 * official driver's {@code ClientEncryption} and automatically encrypting {@code MongoClient}, in
 * pure Java), {@link io.fle4j.Fle4jSettings} for what the driver's settings cannot say, {@link
 * io.fle4j.KeyVaultVerifier}, events for observability, and the exceptions. Everything here
 * follows semantic versioning; {@code io.fle4j.internal} and its subpackages do not.
 */
package io.fle4j;
