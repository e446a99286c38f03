/**
 * The {@code kmip} KMS provider for fle4j: {@link io.fle4j.kms.kmip.KmipKmsProvider} (the typed
 * path, with its exceptions) and {@link io.fle4j.kms.kmip.KmipKmsProviderFactory}, registered for
 * {@link java.util.ServiceLoader}. The TTLV codec, the requests and the connection pool are
 * package-private: libmongocrypt's wire form of KMIP 1.0 and 1.2, and nothing else.
 */
package io.fle4j.kms.kmip;
