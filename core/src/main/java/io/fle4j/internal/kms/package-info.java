/**
 * The registry of configured KMS providers, providers built on demand from credential suppliers,
 * and the observing wrapper that reports KMS calls as events. Internal: not API, and not exported
 * by {@code module-info}; it may change in any release.
 */
package io.fle4j.internal.kms;
