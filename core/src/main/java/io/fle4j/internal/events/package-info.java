/**
 * Delivery of {@link io.fle4j.EncryptionEvent}s to the user's listener. Internal: not API.
 */
package io.fle4j.internal.events;
