package io.fle4j.testkit.kms.http;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.util.Base64;
import org.bson.BsonDocument;
import org.bson.json.JsonParseException;

/**
 * Compact JWS (RS256) and base64 helpers for the Azure and GCP emulators. Decoding is lenient
 * the way the real services are: base64url with or without {@code =} padding (libmongocrypt keeps
 * the padding, the vendor SDKs drop it) and the standard alphabet are all accepted.
 */
public final class Jwts {
  private Jwts() {}

  /** A parsed token: header, claims, the bytes that were signed, the signature. */
  public static final class Parsed {
    public final BsonDocument header;
    public final BsonDocument claims;
    public final byte[] signingInput;
    public final byte[] signature;

    public Parsed(BsonDocument header, BsonDocument claims, byte[] signingInput, byte[] signature) {
      this.header = header;
      this.claims = claims;
      this.signingInput = signingInput;
      this.signature = signature;
    }

    public boolean verifiedBy(PublicKey key) {
      if (!"RS256".equals(header.getString("alg", new org.bson.BsonString("")).getValue())) {
        return false;
      }
      try {
        Signature verifier = Signature.getInstance("SHA256withRSA");
        verifier.initVerify(key);
        verifier.update(signingInput);
        return verifier.verify(signature);
      } catch (GeneralSecurityException e) {
        return false;
      }
    }

    /** A numeric claim (seconds since the epoch), or {@code Long.MIN_VALUE} when absent. */
    public long seconds(String claim) {
      var value = claims.get(claim);
      return value != null && value.isNumber() ? value.asNumber().longValue() : Long.MIN_VALUE;
    }

    public String string(String claim) {
      var value = claims.get(claim);
      return value != null && value.isString() ? value.asString().getValue() : null;
    }
  }

  /** Signs {@code claims} with RS256 and returns the compact form (unpadded base64url). */
  public static String sign(BsonDocument header, BsonDocument claims, PrivateKey key) {
    String input = base64Url(header.toJson().getBytes(StandardCharsets.UTF_8)) + "."
        + base64Url(claims.toJson().getBytes(StandardCharsets.UTF_8));
    try {
      Signature signer = Signature.getInstance("SHA256withRSA");
      signer.initSign(key);
      signer.update(input.getBytes(StandardCharsets.US_ASCII));
      return input + "." + base64Url(signer.sign());
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot sign a token", e);
    }
  }

  /**
   * Parses a compact JWS.
   *
   * @throws IllegalArgumentException when it is not three base64url parts with JSON in the first
   *     two
   */
  public static Parsed parse(String token) {
    if (token == null) {
      throw new IllegalArgumentException("no token");
    }
    String[] parts = token.trim().split("\\.", -1);
    if (parts.length != 3) {
      throw new IllegalArgumentException("a JWT has three dot-separated parts, got " + parts.length);
    }
    try {
      BsonDocument header = BsonDocument.parse(new String(decode(parts[0]), StandardCharsets.UTF_8));
      BsonDocument claims = BsonDocument.parse(new String(decode(parts[1]), StandardCharsets.UTF_8));
      byte[] input = (parts[0] + "." + parts[1]).getBytes(StandardCharsets.US_ASCII);
      return new Parsed(header, claims, input, decode(parts[2]));
    } catch (JsonParseException | org.bson.BsonInvalidOperationException e) {
      throw new IllegalArgumentException("the JWT header or claims are not JSON");
    }
  }

  /** Unpadded base64url. */
  public static String base64Url(byte[] bytes) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  /**
   * Decodes base64 or base64url, padded or not.
   *
   * @throws IllegalArgumentException when it is neither
   */
  public static byte[] decode(String text) {
    String cleaned = text.trim().replace('-', '+').replace('_', '/');
    int end = cleaned.length();
    while (end > 0 && cleaned.charAt(end - 1) == '=') {
      end--;
    }
    return Base64.getDecoder().decode(cleaned.substring(0, end));
  }
}
