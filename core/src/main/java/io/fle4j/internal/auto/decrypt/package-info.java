/**
 * Reply decryption: finds CSFLE ciphertexts in whatever the server sends back (raw bytes or
 * decoded documents, single replies or whole cursor batches) and decrypts them.
 */
package io.fle4j.internal.auto.decrypt;
