package io.fle4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import io.fle4j.testkit.mongo.EmbeddedMongo;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.Socket;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.bson.BsonDocument;
import org.bson.BsonInt32;
import org.bson.BsonString;
import org.bson.RawBsonDocument;
import org.bson.codecs.BsonDocumentCodec;
import org.junit.jupiter.api.Test;

/**
 * Issue 13, item 17: when a client of the embedded store hangs up abruptly (a command that
 * fails and exits, Ctrl-C), the stand-in behind the relay must not print stack traces on the
 * user's terminal: the command's own one-line error is all they should see.
 */
class EmbeddedStoreQuietTest {

  @Test
  void clientResettingMidReply_printsNothingOnStderr() throws Exception {
    PrintStream realErr = System.err;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    // The relay logs through java.util.logging, whose console handler may have bound System.err
    // before this test swapped it: its records are captured directly as well.
    java.util.logging.Logger root = java.util.logging.Logger.getLogger("");
    List<String> logged = new java.util.concurrent.CopyOnWriteArrayList<>();
    java.util.logging.Handler capture = new java.util.logging.Handler() {
      @Override
      public void publish(java.util.logging.LogRecord record) {
        if (record.getLevel().intValue() >= java.util.logging.Level.INFO.intValue()) {
          logged.add(record.getLevel() + " " + record.getLoggerName() + ": " + record.getMessage());
        }
      }

      @Override
      public void flush() {}

      @Override
      public void close() {}
    };
    root.addHandler(capture);
    try (EmbeddedMongo mongo = EmbeddedMongo.startInMemory()) {
      try (MongoClient client = MongoClients.create(mongo.connectionString())) {
        List<BsonDocument> docs = new ArrayList<>();
        for (int i = 0; i < 2_000; i++) {
          docs.add(new BsonDocument("_id", new BsonInt32(i))
              .append("text", new BsonString("x".repeat(2_000))));
        }
        client.getDatabase("quiet").getCollection("c", BsonDocument.class).insertMany(docs);
      }
      System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
      URI address = URI.create(mongo.connectionString());
      for (int round = 0; round < 20; round++) {
        // A find whose 4 MB reply is still on its way when the client resets the connection.
        try (Socket socket = new Socket(address.getHost(), address.getPort())) {
          OutputStream out = socket.getOutputStream();
          out.write(opMsg(new BsonDocument("find", new BsonString("c"))
              .append("batchSize", new BsonInt32(100_000))
              .append("$db", new BsonString("quiet"))));
          out.flush();
          Thread.sleep(round % 4);
          socket.setSoLinger(true, 0); // close with a reset, like a killed process
        }
      }
      Thread.sleep(500); // let the relay and the server notice
    } finally {
      System.setErr(realErr);
      root.removeHandler(capture);
    }
    assertThat(captured.toString(StandardCharsets.UTF_8)).isEmpty();
    assertThat(logged).isEmpty();
  }

  private static byte[] opMsg(BsonDocument command) {
    RawBsonDocument body = new RawBsonDocument(command, new BsonDocumentCodec());
    ByteBuffer bodyBytes = body.getByteBuffer().asNIO();
    int length = 16 + 4 + 1 + bodyBytes.remaining();
    ByteBuffer message = ByteBuffer.allocate(length).order(ByteOrder.LITTLE_ENDIAN);
    message.putInt(length).putInt(1).putInt(0).putInt(2013); // header: OP_MSG
    message.putInt(0).put((byte) 0).put(bodyBytes); // no flags; section kind 0
    return message.array();
  }
}
