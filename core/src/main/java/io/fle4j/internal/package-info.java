/**
 * fle4j's implementation of the driver's ClientEncryption, with the key-vault checks and bounded
 * parallel KMS calls it uses. Internal: not API, and not exported by {@code module-info}; it may
 * change in any release.
 */
package io.fle4j.internal;
