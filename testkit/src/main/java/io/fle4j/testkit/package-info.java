/**
 * Test support for fle4j: {@link io.fle4j.testkit.EmbeddedMongo}, an in-process MongoDB stand-in
 * that can store encrypted (subtype 6) values, and {@link io.fle4j.testkit.MongoTestTarget}, which
 * picks a real MongoDB or the stand-in for every test.
 */
package io.fle4j.testkit;
