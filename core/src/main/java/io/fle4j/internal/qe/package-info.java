/**
 * Queryable Encryption (protocol v2): tokens, payloads, range encoding and edges, explicit
 * encryption and query expressions, decryption of every stored form. Internal: not API, and not
 * exported by {@code module-info}; it may change in any release.
 */
package io.fle4j.internal.qe;
