/**
 * {@link io.fle4j.testkit.kms.gcp.GcpKmsEmulator}: Cloud KMS plus an OAuth token endpoint on
 * loopback HTTPS.
 */
package io.fle4j.testkit.kms.gcp;
