/**
 * The key vault collection, key documents and the data-key cache. Internal: not API, and not
 * exported by {@code module-info}; it may change in any release.
 */
package io.fle4j.internal.vault;
