/**
 * The driver wrappers: MongoClient, MongoCluster, MongoDatabase, MongoCollection and their
 * iterables, which route every call through command analysis and every reply through decryption.
 */
package io.fle4j.internal.auto.driver;
