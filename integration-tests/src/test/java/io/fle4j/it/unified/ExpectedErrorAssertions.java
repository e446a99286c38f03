package io.fle4j.it.unified;

import com.mongodb.MongoBulkWriteException;
import com.mongodb.MongoCommandException;
import com.mongodb.MongoException;
import com.mongodb.MongoOperationTimeoutException;
import com.mongodb.MongoServerException;
import com.mongodb.MongoWriteException;
import java.util.Locale;
import org.bson.BsonDocument;
import org.bson.BsonValue;

/**
 * Checks a raised error against an {@code expectError} document (unified test format,
 * "expectedError"). Unknown assertion keys fail: an expectation the runner cannot evaluate must
 * never pass silently.
 */
final class ExpectedErrorAssertions {
  private ExpectedErrorAssertions() {}

  static void check(BsonDocument expectError, Throwable error, ValueMatcher matcher) {
    for (String key : expectError.keySet()) {
      BsonValue expected = expectError.get(key);
      switch (key) {
        case "isError" -> { } // an error was raised: nothing more to check
        case "isClientError" -> {
          boolean client = isClientError(error);
          if (client != expected.asBoolean().getValue()) {
            throw new AssertionError("expected " + (client ? "a server" : "a client")
                + " error but got " + describe(error));
          }
        }
        case "isTimeoutError" -> {
          boolean timeout = error instanceof MongoOperationTimeoutException;
          if (timeout != expected.asBoolean().getValue()) {
            throw new AssertionError("expected isTimeoutError=" + expected + " but got "
                + describe(error));
          }
        }
        case "errorContains" -> {
          String wanted = expected.asString().getValue();
          String message = String.valueOf(error.getMessage());
          if (!message.toLowerCase(Locale.ROOT).contains(wanted.toLowerCase(Locale.ROOT))) {
            throw new AssertionError("expected the error message to contain \"" + wanted
                + "\" but got " + describe(error));
          }
        }
        case "errorCode" -> {
          Integer code = serverCode(error);
          if (code == null || code != expected.asNumber().intValue()) {
            throw new AssertionError("expected server error code " + expected + " but got "
                + describe(error));
          }
        }
        case "errorCodeName" -> {
          String codeName = serverCodeName(error);
          if (codeName == null || !codeName.equalsIgnoreCase(expected.asString().getValue())) {
            throw new AssertionError("expected server error code name " + expected + " but got "
                + describe(error));
          }
        }
        case "errorLabelsContain" -> expected.asArray().forEach(label -> {
          if (!(error instanceof MongoException e) || !e.hasErrorLabel(label.asString().getValue())) {
            throw new AssertionError("expected error label " + label + " on " + describe(error));
          }
        });
        case "errorLabelsOmit" -> expected.asArray().forEach(label -> {
          if (error instanceof MongoException e && e.hasErrorLabel(label.asString().getValue())) {
            throw new AssertionError("unexpected error label " + label + " on " + describe(error));
          }
        });
        case "errorResponse" -> {
          if (!(error instanceof MongoCommandException e)) {
            throw new AssertionError("expected a server error response but got "
                + describe(error));
          }
          matcher.assertMatches(expected, e.getResponse());
        }
        default -> throw new RunnerException("expectError." + key
            + " is not supported by the runner");
      }
    }
  }

  /** Not derived from a server response: anything but a {@link MongoServerException}. */
  static boolean isClientError(Throwable error) {
    return !(error instanceof MongoServerException);
  }

  private static Integer serverCode(Throwable error) {
    if (error instanceof MongoBulkWriteException bulk) {
      return bulk.getWriteErrors().isEmpty() ? null : bulk.getWriteErrors().get(0).getCode();
    }
    if (error instanceof MongoWriteException write) {
      return write.getError().getCode();
    }
    return error instanceof MongoServerException server ? server.getCode() : null;
  }

  private static String serverCodeName(Throwable error) {
    if (error instanceof MongoCommandException command) {
      return command.getErrorCodeName();
    }
    if (error instanceof MongoServerException server) {
      return server.getErrorCodeName();
    }
    return null;
  }

  /** Class, message and causes, for failure messages. */
  static String describe(Throwable error) {
    StringBuilder out = new StringBuilder();
    for (Throwable t = error; t != null; t = t.getCause()) {
      if (t != error) {
        out.append(" <- caused by ");
      }
      out.append(t.getClass().getName()).append(": ").append(t.getMessage());
      if (t.getCause() == t) {
        break;
      }
    }
    return out.toString();
  }
}
