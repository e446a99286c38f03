package io.fle4j.kms.kmip;

import io.fle4j.kms.KmsProviderException;
import io.fle4j.kms.KmsProviderName;
import io.fle4j.kms.SecretBytes;
import java.util.Arrays;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * The KMIP operations libmongocrypt uses, each one request and one response, with every failure
 * turned into an exception that names the operation, the server and the key. Secrets that pass
 * through (request and response buffers, decoded key material) are wiped once used.
 */
final class KmipClient implements AutoCloseable {
  /** Size of the IV libmongocrypt stores in front of a delegated key's ciphertext. */
  static final int IV_LENGTH = 16;
  private static final int MAX_SERVER_MESSAGE = 300;
  /** How KMIP 1.x servers word a refusal due to the object's lifecycle state. */
  private static final Pattern STATE_WORDS = Pattern.compile(
      "\\b(state|active|pre-active|activated|deactivated|revoked|compromised|destroyed)\\b",
      Pattern.CASE_INSENSITIVE);

  private final KmsProviderName provider;
  private final KmipTransport transport;

  KmipClient(KmsProviderName provider, KmipTransport transport) {
    this.provider = provider;
    this.transport = transport;
  }

  /** Registers a SecretData holding {@code secret}; returns its unique identifier. */
  String register(KmipEndpoint endpoint, byte[] secret) {
    return call(endpoint, KmipOperation.REGISTER, null, KmipRequests.register(secret),
        KmipClient::uniqueIdentifier);
  }

  /** Moves an object from Pre-Active to Active. */
  void activate(KmipEndpoint endpoint, String keyId) {
    call(endpoint, KmipOperation.ACTIVATE, keyId, KmipRequests.activate(keyId), payload -> null);
  }

  /** Creates an AES-256 key usable for Encrypt and Decrypt; returns its unique identifier. */
  String create(KmipEndpoint endpoint) {
    return call(endpoint, KmipOperation.CREATE, null, KmipRequests.create(),
        KmipClient::uniqueIdentifier);
  }

  /** Revokes an object (cessation of operation), leaving it Deactivated. */
  void revoke(KmipEndpoint endpoint, String keyId) {
    call(endpoint, KmipOperation.REVOKE, keyId, KmipRequests.revoke(keyId), payload -> null);
  }

  /** Destroys an object (it must have been revoked, or never activated). */
  void destroy(KmipEndpoint endpoint, String keyId) {
    call(endpoint, KmipOperation.DESTROY, keyId, KmipRequests.destroy(keyId), payload -> null);
  }

  /**
   * Gets a SecretData's bytes.
   *
   * @throws KmsProviderException when the object is not a SecretData (a key made for delegated
   *     mode, say)
   */
  SecretBytes getSecretData(KmipEndpoint endpoint, String keyId) {
    return call(endpoint, KmipOperation.GET, keyId, KmipRequests.get(keyId), payload -> {
      Optional<Ttlv> objectType = payload.optional(KmipTag.OBJECT_TYPE, TtlvType.ENUMERATION);
      int type = objectType.map(Ttlv::intValue).orElse(KmipRequests.OBJECT_TYPE_SECRET_DATA);
      boolean symmetric = type == KmipRequests.OBJECT_TYPE_SYMMETRIC_KEY
          || payload.child(KmipTag.SYMMETRIC_KEY).isPresent();
      if (symmetric) {
        throw new KmsProviderException(provider, false, "KMIP object '" + keyId + "' at "
            + endpoint + " is a SymmetricKey, not a SecretData: it is used on the server, so its"
            + " master key needs 'delegated: true'");
      }
      if (type != KmipRequests.OBJECT_TYPE_SECRET_DATA) {
        throw new KmsProviderException(provider, false, "KMIP object '" + keyId + "' at "
            + endpoint + " has object type " + type + ", not SecretData (7)");
      }
      byte[] material = payload.required(KmipTag.SECRET_DATA, TtlvType.STRUCTURE)
          .required(KmipTag.KEY_BLOCK, TtlvType.STRUCTURE)
          .required(KmipTag.KEY_VALUE, TtlvType.STRUCTURE)
          .required(KmipTag.KEY_MATERIAL, TtlvType.BYTE_STRING)
          .bytesValue();
      return SecretBytes.copyOf(material); // the response tree is wiped after this returns
    });
  }

  /**
   * Encrypts on the server with AES-CBC, PKCS#5 padding and a server-chosen IV.
   *
   * @return the IV (16 bytes) followed by the ciphertext, as libmongocrypt stores it
   */
  byte[] encrypt(KmipEndpoint endpoint, String keyId, byte[] data) {
    return call(endpoint, KmipOperation.ENCRYPT, keyId, KmipRequests.encrypt(keyId, data),
        payload -> {
          byte[] ciphertext = payload.required(KmipTag.DATA, TtlvType.BYTE_STRING).bytesValue();
          byte[] iv = payload.optional(KmipTag.IV_COUNTER_NONCE, TtlvType.BYTE_STRING)
              .orElseThrow(() -> new TtlvException("the Encrypt response has no IVCounterNonce"))
              .bytesValue();
          if (iv.length != IV_LENGTH) {
            throw new TtlvException("the Encrypt response's IVCounterNonce is " + iv.length
                + " bytes, expected " + IV_LENGTH);
          }
          byte[] out = new byte[IV_LENGTH + ciphertext.length];
          System.arraycopy(iv, 0, out, 0, IV_LENGTH);
          System.arraycopy(ciphertext, 0, out, IV_LENGTH, ciphertext.length);
          return out;
        });
  }

  /** Decrypts AES-CBC/PKCS#5 {@code data} under {@code iv} on the server. */
  byte[] decrypt(KmipEndpoint endpoint, String keyId, byte[] iv, byte[] data) {
    return call(endpoint, KmipOperation.DECRYPT, keyId, KmipRequests.decrypt(keyId, iv, data),
        payload -> payload.required(KmipTag.DATA, TtlvType.BYTE_STRING).bytesValue().clone());
  }

  private <T> T call(KmipEndpoint endpoint, KmipOperation operation, String keyId, Ttlv request,
      Function<Ttlv, T> readPayload) {
    byte[] requestBytes = TtlvCodec.encode(request);
    byte[] responseBytes;
    try {
      responseBytes = transport.exchange(endpoint, requestBytes, operation.idempotent);
    } catch (KmipTransportException e) {
      throw transportFailure(e, endpoint, operation, keyId);
    } finally {
      Arrays.fill(requestBytes, (byte) 0);
    }
    Ttlv response = null;
    try {
      response = TtlvCodec.decode(responseBytes);
      KmipResponse parsed = KmipResponse.parse(response, operation);
      if (!parsed.isSuccess()) {
        throw serverFailure(parsed, endpoint, operation, keyId);
      }
      return readPayload.apply(parsed.payload());
    } catch (TtlvException e) {
      throw new KmsProviderException(provider, false, "malformed KMIP response from " + endpoint
          + " to the " + what(operation, keyId) + ": " + e.getMessage());
    } finally {
      Arrays.fill(responseBytes, (byte) 0);
      if (response != null) {
        response.wipe();
      }
    }
  }

  private KmsProviderException serverFailure(KmipResponse response, KmipEndpoint endpoint,
      KmipOperation operation, String keyId) {
    KmipResultReason reason = KmipResultReason.ofCode(response.resultReason());
    String reasonText = reason == KmipResultReason.UNRECOGNIZED
        ? String.format("0x%X", response.resultReason()) : reason.name();
    String serverMessage = sanitize(response.resultMessage());
    String detail = KmipResponse.statusName(response.resultStatus()) + ", " + reasonText
        + (serverMessage == null ? "" : ": " + serverMessage);
    String op = operation.displayName;
    if (keyId != null && (reason == KmipResultReason.ITEM_NOT_FOUND
        || reason == KmipResultReason.OBJECT_NOT_FOUND)) {
      return new KmipKeyNotFoundException(provider, "KMIP server " + endpoint
          + " has no object with keyId '" + keyId + "' (" + op + " failed: " + detail
          + "); check masterKey.keyId and masterKey.endpoint, and that the object belongs to"
          + " this client certificate", endpoint.toString(), op, keyId,
          response.resultStatus(), response.resultReason(), serverMessage);
    }
    if (keyId != null && isStateRefusal(reason, serverMessage)) {
      return new KmipKeyStateException(provider, "KMIP key '" + keyId + "' at " + endpoint
          + " is not in a state that allows " + op + " (" + detail + "): it was never activated,"
          + " or it was deactivated, revoked or destroyed; rewrap its data keys under an active"
          + " key", endpoint.toString(), op, keyId, response.resultStatus(),
          response.resultReason(), serverMessage);
    }
    String hint = reason == KmipResultReason.AUTHENTICATION_NOT_SUCCESSFUL
        ? "; the server did not accept this client's certificate (KMIP servers want one with the"
            + " clientAuth extended key usage, from a CA they trust)" : "";
    return new KmipServerException(provider, "KMIP " + what(operation, keyId) + " at "
        + endpoint + " failed: " + detail + hint, endpoint.toString(), op, keyId,
        response.resultStatus(), response.resultReason(), serverMessage);
  }

  private static boolean isStateRefusal(KmipResultReason reason, String serverMessage) {
    if (reason == KmipResultReason.WRONG_KEY_LIFECYCLE_STATE
        || reason == KmipResultReason.OBJECT_DESTROYED) {
      return true;
    }
    return (reason == KmipResultReason.PERMISSION_DENIED
        || reason == KmipResultReason.ILLEGAL_OPERATION)
        && serverMessage != null && STATE_WORDS.matcher(serverMessage).find();
  }

  private KmsProviderException transportFailure(KmipTransportException e, KmipEndpoint endpoint,
      KmipOperation operation, String keyId) {
    String what = what(operation, keyId);
    switch (e.kind()) {
      case TLS -> {
        String advice = switch (e.tlsFailure()) {
          case SERVER_CERTIFICATE_UNTRUSTED -> "this client does not trust the server's"
              + " certificate; trust the CA that issued it (trustedCaPem, or the trust store of"
              + " the SSLContext given in kmsProviderSslContextMap)";
          case SERVER_HOSTNAME_MISMATCH -> "the server's certificate is not issued for '"
              + endpoint.host() + "'; connect with a host name or IP address its"
              + " subjectAltName lists";
          case CLIENT_CERTIFICATE_REFUSED -> "the server refused this client; KMIP servers"
              + " require a client certificate they trust (clientCertificatePem and"
              + " clientKeyPem, or a key manager in the SSLContext given in"
              + " kmsProviderSslContextMap)";
          case HANDSHAKE_FAILED -> "no TLS 1.2 or 1.3 session could be agreed (is a KMIP"
              + " server listening there?)";
        };
        return new KmipTlsException(provider, "TLS handshake with KMIP server " + endpoint
            + " failed before the " + what + " was sent: " + advice + " (" + e.getMessage()
            + ")", endpoint.toString(), e.tlsFailure(), e.getCause());
      }
      case UNKNOWN_HOST -> {
        return new KmsProviderException(provider, false, "cannot reach KMIP server " + endpoint
            + " for the " + what + ": " + e.getMessage(), e.getCause());
      }
      case CONNECT -> {
        return new KmsProviderException(provider, true, "cannot connect to KMIP server "
            + endpoint + " for the " + what + " (" + e.attempts() + " attempt"
            + (e.attempts() == 1 ? "" : "s") + "): " + e.getMessage(), e.getCause());
      }
      case LOST_AFTER_SEND -> {
        return new KmsProviderException(provider, true, "the connection to KMIP server "
            + endpoint + " broke during the " + what + "; the server may or may not have"
            + " processed it" + (operation.idempotent ? "" : ", so it was not sent again")
            + " (" + e.getMessage() + ")", e.getCause());
      }
      case TIMEOUT_AFTER_SEND -> {
        return new KmsProviderException(provider, true, "KMIP server " + endpoint
            + " did not answer the " + what + ": " + e.getMessage(), e.getCause());
      }
      case MALFORMED_RESPONSE -> {
        return new KmsProviderException(provider, false, "malformed KMIP response from "
            + endpoint + " to the " + what + ": " + e.getMessage());
      }
      case INTERRUPTED -> {
        return KmsProviderException.interrupted(provider, "connecting to KMIP server " + endpoint
            + " for the " + what, e.getCause() instanceof InterruptedException interrupted
                ? interrupted : new InterruptedException());
      }
      default -> throw new IllegalStateException(e.kind().toString());
    }
  }

  private static String uniqueIdentifier(Ttlv payload) {
    String id = payload.required(KmipTag.UNIQUE_IDENTIFIER, TtlvType.TEXT_STRING).textValue();
    if (id.isEmpty()) {
      throw new TtlvException("the UniqueIdentifier is empty");
    }
    return id;
  }

  private static String what(KmipOperation operation, String keyId) {
    return operation.displayName + (keyId == null ? "" : " of key '" + keyId + "'");
  }

  /** A server's text, shortened and without control characters, fit for a message. */
  static String sanitize(String text) {
    if (text == null) {
      return null;
    }
    StringBuilder out = new StringBuilder();
    text.codePoints().limit(MAX_SERVER_MESSAGE).forEach(c ->
        out.appendCodePoint(Character.isISOControl(c) ? ' ' : c));
    if (text.codePointCount(0, text.length()) > MAX_SERVER_MESSAGE) {
      out.append("...");
    }
    return out.toString().strip();
  }

  @Override
  public void close() {
    transport.close();
  }

  @Override
  public String toString() {
    return "KmipClient{" + provider + "}";
  }
}
