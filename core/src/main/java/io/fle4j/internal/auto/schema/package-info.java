/**
 * Encryption schemas: the CSFLE dialect of MongoDB's JSON schema (from {@code schemaMap}, a
 * collection's {@code $jsonSchema} validator, or {@code @Encrypted} annotations), parsed by
 * mongocryptd's rules into a tree that answers "what is this dotted path?".
 */
package io.fle4j.internal.auto.schema;
