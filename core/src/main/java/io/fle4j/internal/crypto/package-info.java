/**
 * The AEAD of CSFLE (AES-256-CBC with HMAC-SHA-512), pooled cipher and HMAC workers per data key,
 * and the byte helpers both encryption forms share. Internal: not API, and not exported by {@code
 * module-info}; it may change in any release.
 */
package io.fle4j.internal.crypto;
