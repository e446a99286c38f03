/**
 * {@link io.fle4j.testkit.kms.aws.AwsKmsEmulator}: AWS KMS on loopback HTTPS, with SigV4 checks,
 * real authenticated ciphertext, keys, aliases, rotation and fault knobs.
 */
package io.fle4j.testkit.kms.aws;
