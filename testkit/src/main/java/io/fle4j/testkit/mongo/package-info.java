/**
 * MongoDB for tests: {@link io.fle4j.testkit.mongo.EmbeddedMongo}, an in-process stand-in
 * (mongo-java-server behind a small wire relay that lets it store BSON binary subtype 6 and honour
 * partial unique indexes), and {@link io.fle4j.testkit.mongo.MongoTestTarget}, which picks
 * {@code FLE4J_MONGODB_URI} or the stand-in.
 */
package io.fle4j.testkit.mongo;
