package io.fle4j.testkit.kms.aws;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * AWS Signature Version 4, as a server checks it: parse the {@code Authorization} header, rebuild
 * the canonical request from what was received (so a {@code Host} header without the port, as
 * libmongocrypt's Encrypt sends, verifies as long as it was signed that way), and compare
 * signatures in constant time. Errors carry the {@code __type} and wording AWS uses.
 */
final class AwsSigV4 {
  static final String ALGORITHM = "AWS4-HMAC-SHA256";
  static final DateTimeFormatter AMZ_DATE =
      DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);
  private static final Pattern SPACES = Pattern.compile("\\s+");
  private static final Pattern REGION = Pattern.compile("[a-z0-9][a-z0-9-]*");
  private static final HexFormat HEX = HexFormat.of();

  private AwsSigV4() {}

  /** The parts of an {@code Authorization: AWS4-HMAC-SHA256 ...} header. */
  record Authorization(String accessKeyId, String scopeDate, String region, String service,
      String terminator, List<String> signedHeaders, String signature) {
    String scope() {
      return scopeDate + "/" + region + "/" + service + "/" + terminator;
    }
  }

  /** A received request, as far as signing is concerned. Header names are lower-case. */
  record Request(String method, String rawPath, String rawQuery, Map<String, List<String>> headers,
      byte[] body) {
    String header(String lowerCaseName) {
      List<String> values = headers.get(lowerCaseName);
      return values == null || values.isEmpty() ? null : values.get(0);
    }
  }

  static Authorization parseAuthorization(String header) {
    if (header == null || header.isBlank()) {
      throw AwsKmsError.badRequest("MissingAuthenticationTokenException",
          "Missing Authentication Token");
    }
    String trimmed = header.trim();
    int space = trimmed.indexOf(' ');
    String algorithm = space < 0 ? trimmed : trimmed.substring(0, space);
    if (!algorithm.equals(ALGORITHM)) {
      throw AwsKmsError.badRequest("IncompleteSignatureException",
          "Unsupported AWS 'algorithm': '" + algorithm + "'");
    }
    Map<String, String> parts = new LinkedHashMap<>();
    for (String part : trimmed.substring(space + 1).split(",")) {
      int eq = part.indexOf('=');
      if (eq > 0) {
        parts.put(part.substring(0, eq).trim(), part.substring(eq + 1).trim());
      }
    }
    StringBuilder missing = new StringBuilder();
    for (String required : List.of("Credential", "Signature", "SignedHeaders")) {
      if (!parts.containsKey(required) || parts.get(required).isEmpty()) {
        missing.append("Authorization header requires '").append(required)
            .append("' parameter. ");
      }
    }
    if (missing.length() > 0) {
      throw AwsKmsError.badRequest("IncompleteSignatureException", missing.toString().trim());
    }
    String[] credential = parts.get("Credential").split("/", -1);
    if (credential.length != 5) {
      throw AwsKmsError.badRequest("IncompleteSignatureException",
          "Credential must have exactly 5 slash-delimited elements, e.g. "
              + "keyid/date/region/service/term, got '" + credential.length + "' elements");
    }
    List<String> signed = Arrays.asList(parts.get("SignedHeaders").split(";"));
    return new Authorization(credential[0], credential[1], credential[2], credential[3],
        credential[4], signed, parts.get("Signature"));
  }

  /**
   * Checks everything but the secret: the date header, its distance from {@code now}, and the
   * credential scope. Returns the request time.
   */
  static Instant checkScopeAndDate(Authorization auth, Request request, Instant now,
      Duration maxSkew, String expectedService) {
    String amzDate = request.header("x-amz-date");
    if (amzDate == null) {
      throw AwsKmsError.badRequest("IncompleteSignatureException",
          "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.");
    }
    Instant time;
    try {
      time = LocalDateTime.parse(amzDate, AMZ_DATE).toInstant(ZoneOffset.UTC);
    } catch (DateTimeParseException e) {
      throw AwsKmsError.badRequest("IncompleteSignatureException",
          "Date must be in ISO-8601 'basic format'. Got '" + amzDate + "'.");
    }
    if (!auth.scopeDate().equals(amzDate.substring(0, 8))) {
      throw AwsKmsError.badRequest("InvalidSignatureException",
          "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from"
              + " HTTP: '" + auth.scopeDate() + "' != '" + amzDate.substring(0, 8) + "', from '"
              + amzDate + "'.");
    }
    if (time.isBefore(now.minus(maxSkew))) {
      throw AwsKmsError.badRequest("InvalidSignatureException",
          "Signature expired: " + amzDate + " is now earlier than "
              + AMZ_DATE.format(now.minus(maxSkew)) + " (" + AMZ_DATE.format(now) + " - "
              + maxSkew.toMinutes() + " min.)");
    }
    if (time.isAfter(now.plus(maxSkew))) {
      throw AwsKmsError.badRequest("InvalidSignatureException",
          "Signature not yet current: " + amzDate + " is still later than "
              + AMZ_DATE.format(now.plus(maxSkew)) + " (" + AMZ_DATE.format(now) + " + "
              + maxSkew.toMinutes() + " min.)");
    }
    if (!REGION.matcher(auth.region()).matches()) {
      throw AwsKmsError.badRequest("InvalidSignatureException",
          "Credential should be scoped to a valid region, not '" + auth.region() + "'. ");
    }
    if (!auth.service().equals(expectedService)) {
      throw AwsKmsError.badRequest("InvalidSignatureException",
          "Credential should be scoped to correct service: '" + expectedService + "'. ");
    }
    if (!auth.terminator().equals("aws4_request")) {
      throw AwsKmsError.badRequest("InvalidSignatureException",
          "Credential should be scoped with a valid terminator: 'aws4_request', not '"
              + auth.terminator() + "'. ");
    }
    if (!auth.signedHeaders().contains("host")) {
      throw AwsKmsError.badRequest("InvalidSignatureException",
          "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.");
    }
    for (String name : auth.signedHeaders()) {
      if (!request.headers().containsKey(name)) {
        throw AwsKmsError.badRequest("InvalidSignatureException",
            "The request signature we calculated does not match the signature you provided."
                + " Signed header '" + name + "' is not in the request.");
      }
    }
    return time;
  }

  /** Whether {@code auth.signature} is right for this request and secret. */
  static boolean signatureMatches(Authorization auth, Request request, String secretAccessKey) {
    String expected = signature(secretAccessKey, request.header("x-amz-date"), auth.scopeDate(),
        auth.region(), auth.service(), canonicalRequest(request, auth.signedHeaders()));
    return MessageDigest.isEqual(expected.getBytes(StandardCharsets.US_ASCII),
        auth.signature().toLowerCase(Locale.ROOT).getBytes(StandardCharsets.US_ASCII));
  }

  /** The canonical request (SigV4 task 1), lines joined with {@code \n}. */
  static String canonicalRequest(Request request, List<String> signedHeaders) {
    StringBuilder out = new StringBuilder();
    out.append(request.method()).append('\n');
    out.append(canonicalUri(request.rawPath())).append('\n');
    out.append(canonicalQuery(request.rawQuery())).append('\n');
    for (String name : signedHeaders) {
      List<String> values = request.headers().getOrDefault(name, List.of());
      List<String> trimmed = new ArrayList<>();
      for (String value : values) {
        trimmed.add(SPACES.matcher(value.trim()).replaceAll(" "));
      }
      out.append(name).append(':').append(String.join(",", trimmed)).append('\n');
    }
    out.append('\n');
    out.append(String.join(";", signedHeaders)).append('\n');
    out.append(hex(sha256(request.body())));
    return out.toString();
  }

  /** The signature (SigV4 tasks 2 and 3) of a canonical request. */
  static String signature(String secretAccessKey, String amzDate, String scopeDate, String region,
      String service, String canonicalRequest) {
    String stringToSign = ALGORITHM + "\n" + amzDate + "\n" + scopeDate + "/" + region + "/"
        + service + "/aws4_request\n" + hex(sha256(canonicalRequest.getBytes(StandardCharsets.UTF_8)));
    byte[] key = hmac(("AWS4" + secretAccessKey).getBytes(StandardCharsets.UTF_8), scopeDate);
    key = hmac(key, region);
    key = hmac(key, service);
    key = hmac(key, "aws4_request");
    return hex(hmac(key, stringToSign));
  }

  private static String canonicalUri(String rawPath) {
    if (rawPath == null || rawPath.isEmpty()) {
      return "/";
    }
    // Services other than S3 encode the (already encoded) path segments once more.
    StringBuilder out = new StringBuilder();
    String[] segments = rawPath.split("/", -1);
    for (int i = 0; i < segments.length; i++) {
      if (i > 0) {
        out.append('/');
      }
      out.append(uriEncode(segments[i]));
    }
    return out.toString();
  }

  private static String canonicalQuery(String rawQuery) {
    if (rawQuery == null || rawQuery.isEmpty()) {
      return "";
    }
    TreeMap<String, List<String>> sorted = new TreeMap<>();
    for (String pair : rawQuery.split("&")) {
      if (pair.isEmpty()) {
        continue;
      }
      int eq = pair.indexOf('=');
      String name = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
      String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
      sorted.computeIfAbsent(uriEncode(name), k -> new ArrayList<>()).add(uriEncode(value));
    }
    List<String> pairs = new ArrayList<>();
    sorted.forEach((name, values) -> values.stream().sorted()
        .forEach(value -> pairs.add(name + "=" + value)));
    return String.join("&", pairs);
  }

  /** RFC 3986 unreserved characters stay, everything else is %XX (upper-case hex). */
  static String uriEncode(String text) {
    StringBuilder out = new StringBuilder();
    for (byte b : text.getBytes(StandardCharsets.UTF_8)) {
      char c = (char) (b & 0xff);
      if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')
          || c == '-' || c == '_' || c == '.' || c == '~') {
        out.append(c);
      } else {
        out.append('%').append(HEX.withUpperCase().toHexDigits(b));
      }
    }
    return out.toString();
  }

  static byte[] sha256(byte[] data) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(data);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  static String hex(byte[] bytes) {
    return HEX.formatHex(bytes);
  }

  private static byte[] hmac(byte[] key, String data) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      return mac.doFinal(data.getBytes(StandardCharsets.UTF_8));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }
}
