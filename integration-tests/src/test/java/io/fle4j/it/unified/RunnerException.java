package io.fle4j.it.unified;

/**
 * A problem of the runner or of the test file (an unsupported operation, argument or operator),
 * as opposed to an error raised by the operation under test. It always fails the case and can
 * never satisfy an {@code expectError}.
 */
final class RunnerException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  RunnerException(String message) {
    super(message);
  }

  RunnerException(String message, Throwable cause) {
    super(message, cause);
  }
}
