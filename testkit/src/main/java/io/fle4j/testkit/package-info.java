/**
 * Test support for fle4j, by what it emulates: {@code mongo} (an in-process MongoDB stand-in
 * that stores encrypted values, and the choice between it and a real MongoDB), {@code kms.aws},
 * {@code kms.azure} and {@code kms.gcp} (KMS emulators that both fle4j and the official driver
 * accept), {@code kms.kmip} (a real PyKMIP server), {@code kms.http} (the HTTPS server, TLS and
 * JWT plumbing the Azure and GCP emulators share); and {@link io.fle4j.testkit.MutableClock}.
 */
package io.fle4j.testkit;
