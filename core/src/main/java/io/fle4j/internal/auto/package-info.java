/**
 * Automatic encryption: the engine between the driver's commands and the server, with analysis,
 * schema, decryption and driver plumbing in subpackages. Internal: not API, and not exported by
 * {@code module-info}; it may change in any release.
 */
package io.fle4j.internal.auto;
