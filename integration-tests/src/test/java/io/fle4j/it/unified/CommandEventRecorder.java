package io.fle4j.it.unified;

import com.mongodb.event.CommandFailedEvent;
import com.mongodb.event.CommandListener;
import com.mongodb.event.CommandStartedEvent;
import com.mongodb.event.CommandSucceededEvent;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.bson.BsonDocument;
import org.bson.RawBsonDocument;
import org.bson.codecs.BsonDocumentCodec;

/**
 * The command monitoring events of one client entity, as {@code observeEvents} asks: only the
 * listed event kinds, never the commands in {@code ignoreCommandMonitoringEvents}, {@code
 * configureFailPoint} or security-sensitive commands. Registered on the entity's {@code
 * MongoClientSettings}, so it sees what fle4j really sends (encrypted commands, key-vault reads,
 * {@code listCollections} for remote schemas). Thread-safe; recording stops with {@link #stop()}.
 */
final class CommandEventRecorder implements CommandListener {

  /** One observed event, its command or reply copied out of the driver's buffers. */
  record ObservedEvent(String kind, String commandName, String databaseName, BsonDocument document,
      String failure) {

    @Override
    public String toString() {
      return kind + " " + commandName + " on " + databaseName
          + (document != null ? " " + document.toJson() : "")
          + (failure != null ? " failure: " + failure : "");
    }
  }

  static final String STARTED = "commandStartedEvent";
  static final String SUCCEEDED = "commandSucceededEvent";
  static final String FAILED = "commandFailedEvent";

  /** Command Logging and Monitoring spec, "Security". */
  private static final Set<String> SENSITIVE_COMMANDS = Set.of("authenticate", "saslstart",
      "saslcontinue", "getnonce", "createuser", "updateuser", "copydbgetnonce", "copydbsaslstart",
      "copydb");

  private final Set<String> observedKinds;
  private final Set<String> ignoredCommands;
  private final boolean observeSensitiveCommands;
  private final List<ObservedEvent> events = new ArrayList<>();
  private volatile boolean recording = true;

  CommandEventRecorder(Set<String> observedKinds, Set<String> ignoredCommands,
      boolean observeSensitiveCommands) {
    this.observedKinds = Set.copyOf(observedKinds);
    this.ignoredCommands = Set.copyOf(ignoredCommands);
    this.observeSensitiveCommands = observeSensitiveCommands;
  }

  @Override
  public void commandStarted(CommandStartedEvent event) {
    record(STARTED, event.getCommandName(), event.getDatabaseName(), copy(event.getCommand()),
        null);
  }

  @Override
  public void commandSucceeded(CommandSucceededEvent event) {
    record(SUCCEEDED, event.getCommandName(), event.getDatabaseName(), copy(event.getResponse()),
        null);
  }

  @Override
  public void commandFailed(CommandFailedEvent event) {
    record(FAILED, event.getCommandName(), event.getDatabaseName(), null,
        String.valueOf(event.getThrowable()));
  }

  /** Stops recording; events after this are dropped (cleanup, closing clients). */
  void stop() {
    recording = false;
  }

  /** The events recorded so far, in order. */
  synchronized List<ObservedEvent> events() {
    return List.copyOf(events);
  }

  private synchronized void record(String kind, String commandName, String databaseName,
      BsonDocument document, String failure) {
    if (!recording || !observedKinds.contains(kind) || ignoredCommands.contains(commandName)
        || commandName.equals("configureFailPoint")) {
      return;
    }
    String lower = commandName.toLowerCase(Locale.ROOT);
    if (!observeSensitiveCommands && (SENSITIVE_COMMANDS.contains(lower)
        || ((lower.equals("hello") || lower.equals("ismaster")) && document != null
            && (document.isEmpty() || document.containsKey("speculativeAuthenticate"))))) {
      return;
    }
    events.add(new ObservedEvent(kind, commandName, databaseName, document, failure));
  }

  /** The driver's event documents may be backed by pooled buffers: copy them now. */
  private static BsonDocument copy(BsonDocument document) {
    if (document == null) {
      return null;
    }
    return new RawBsonDocument(document, new BsonDocumentCodec()).decode(new BsonDocumentCodec());
  }
}
