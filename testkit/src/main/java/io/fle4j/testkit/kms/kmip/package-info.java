/**
 * {@link io.fle4j.testkit.kms.kmip.PyKmipServer}: a real KMIP server (Debian's PyKMIP) with
 * certificates made per run ({@link io.fle4j.testkit.kms.kmip.PyKmipCertificates}).
 */
package io.fle4j.testkit.kms.kmip;
