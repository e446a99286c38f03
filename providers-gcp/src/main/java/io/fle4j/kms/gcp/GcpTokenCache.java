package io.fle4j.kms.gcp;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Access tokens by scope, kept until shortly before they expire: a token is reused until
 * {@code expiry - min(margin, lifetime / 2)}, so a long-lived token is refreshed {@code margin}
 * early and a very short-lived one half-way through its life. One fetch per scope at a time,
 * however many threads ask.
 */
final class GcpTokenCache {
  /** Where tokens come from. */
  interface Source {
    Token fetch(String scope);
  }

  /** A bearer token and when it expires. Deliberately not a record: its toString is redacted. */
  static final class Token {
    final String value;
    final Instant fetchedAt;
    final Instant expiresAt;

    Token(String value, Instant fetchedAt, Instant expiresAt) {
      this.value = value;
      this.fetchedAt = fetchedAt;
      this.expiresAt = expiresAt;
    }

    @Override
    public String toString() {
      return "Token[redacted, expires " + expiresAt + "]";
    }
  }

  private final Source source;
  private final Clock clock;
  private final Duration margin;
  private final Map<String, Token> tokens = new ConcurrentHashMap<>();
  private final Map<String, Object> locks = new ConcurrentHashMap<>();

  GcpTokenCache(Source source, Clock clock, Duration margin) {
    this.source = source;
    this.clock = clock;
    this.margin = margin;
  }

  Token get(String scope) {
    Token token = tokens.get(scope);
    if (token != null && fresh(token)) {
      return token;
    }
    synchronized (locks.computeIfAbsent(scope, k -> new Object())) {
      token = tokens.get(scope);
      if (token != null && fresh(token)) {
        return token;
      }
      token = source.fetch(scope);
      tokens.put(scope, token);
      return token;
    }
  }

  /** Forgets {@code token} (the service refused it), unless a newer one replaced it already. */
  void invalidate(String scope, Token token) {
    tokens.remove(scope, token);
  }

  private boolean fresh(Token token) {
    Duration lifetime = Duration.between(token.fetchedAt, token.expiresAt);
    Duration early = lifetime.dividedBy(2).compareTo(margin) < 0 ? lifetime.dividedBy(2) : margin;
    return clock.instant().isBefore(token.expiresAt.minus(early));
  }
}
