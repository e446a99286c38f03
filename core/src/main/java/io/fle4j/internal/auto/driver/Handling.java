package io.fle4j.internal.auto.driver;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * How a method of a driver interface is handled by the auto-encrypting wrappers. Every method of
 * every driver interface fle4j wraps carries exactly one of these, and a test checks that against
 * the driver on the classpath, so a driver upgrade that adds a method cannot open a path for
 * plaintext silently: it is unclassified until someone decides.
 */
public final class Handling {
  private Handling() {}

  /**
   * The call's user data (documents, filters, updates, pipelines, projections, validators,
   * partial filters) goes through the command analysis before anything is sent: encrypted,
   * passed, or refused, as the schema says.
   */
  @Documented
  @Retention(RetentionPolicy.RUNTIME)
  @Target(ElementType.METHOD)
  public @interface Analysed {}

  /**
   * The call carries nothing a schema could mark (names, namespaces, index keys, options,
   * sessions, settings), so it is forwarded unchanged; what it returns needs no decryption or is
   * wrapped to decrypt.
   */
  @Documented
  @Retention(RetentionPolicy.RUNTIME)
  @Target(ElementType.METHOD)
  public @interface NoUserData {}

  /** Automatic encryption refuses the call outright (as libmongocrypt does), before sending. */
  @Documented
  @Retention(RetentionPolicy.RUNTIME)
  @Target(ElementType.METHOD)
  public @interface Refused {}
}
