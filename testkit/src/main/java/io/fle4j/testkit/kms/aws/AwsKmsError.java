package io.fle4j.testkit.kms.aws;

/**
 * An AWS KMS error reply: HTTP status, the {@code __type} AWS clients switch on, and the message.
 * Thrown inside the emulator and turned into {@code {"__type": ..., "message": ...}}.
 */
final class AwsKmsError extends RuntimeException {
  private static final long serialVersionUID = 1L;
  private final int status;
  private final String type;

  AwsKmsError(int status, String type, String message) {
    super(message, null, false, false);
    this.status = status;
    this.type = type;
  }

  static AwsKmsError badRequest(String type, String message) {
    return new AwsKmsError(400, type, message);
  }

  static AwsKmsError validation(String message) {
    return badRequest("ValidationException", message);
  }

  static AwsKmsError notFound(String message) {
    return badRequest("NotFoundException", message);
  }

  int status() {
    return status;
  }

  String type() {
    return type;
  }
}
