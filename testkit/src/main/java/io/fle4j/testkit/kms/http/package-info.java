/**
 * What the HTTPS-speaking emulators share: one small HTTP/1.1 server ({@link
 * io.fle4j.testkit.kms.http.EmulatorHttpsServer}, which writes header names exactly, as
 * libmongocrypt reads Content-Length case-sensitively), its TLS ({@link
 * io.fle4j.testkit.kms.http.EmulatorTls}), JWT helpers ({@link io.fle4j.testkit.kms.http.Jwts})
 * and the record of requests ({@link io.fle4j.testkit.kms.http.RecordedHttpRequest}). Public for
 * the emulator packages; tests use the emulators.
 */
package io.fle4j.testkit.kms.http;
