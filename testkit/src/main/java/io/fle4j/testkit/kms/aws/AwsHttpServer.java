package io.fle4j.testkit.kms.aws;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.AbstractMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLContext;

/**
 * A minimal HTTP/1.1 server over TLS on {@code 127.0.0.1}, for the AWS KMS emulator.
 *
 * <p>Why not the JDK's {@code com.sun.net.httpserver.HttpsServer}: it rewrites every response
 * header name to "first letter upper case, the rest lower case", so {@code Content-Length} goes
 * out as {@code Content-length}. libmongocrypt's KMS response parser (kms-message, {@code
 * kms_response_parser.c}) finds the body length with a case-sensitive {@code strcmp(name,
 * "Content-Length")}, so against the JDK server it reads a 200 with an empty body and fails with
 * "Error parsing JSON in KMS response 'Empty JSON string'". Real AWS writes {@code
 * Content-Length}; so does this server. It also reads requests exactly as sent (header names
 * and values as written, {@code Name:value} without a space, {@code Connection:close}).
 *
 * <p>Persistent connections are kept until the client closes them, asks {@code Connection:
 * close}, or is idle for 30 s. Request bodies may use {@code Content-Length} or chunked
 * encoding.
 */
final class AwsHttpServer implements AutoCloseable {
  private static final int MAX_LINE = 64 * 1024;
  private static final int MAX_BODY = 1024 * 1024;
  private static final DateTimeFormatter HTTP_DATE = DateTimeFormatter.RFC_1123_DATE_TIME;

  /** A request as received. Header names keep their case; lookups ignore it. */
  record Request(String method, String rawPath, String rawQuery,
      List<Map.Entry<String, String>> headers, byte[] body) {
    String header(String name) {
      for (Map.Entry<String, String> header : headers) {
        if (header.getKey().equalsIgnoreCase(name)) {
          return header.getValue();
        }
      }
      return null;
    }
  }

  /** A reply, or {@link #DROP}: close the connection without answering. */
  record Response(int status, byte[] body) {
    static final Response DROP = new Response(0, new byte[0]);
  }

  /** Turns a request into a response. Runs on the connection's thread. */
  interface Handler {
    Response handle(Request request);
  }

  private final ServerSocket server;
  private final ExecutorService pool;
  private final Handler handler;
  private final Set<Socket> open = ConcurrentHashMap.newKeySet();
  private volatile boolean closed;

  AwsHttpServer(SSLContext tls, Handler handler) {
    this.handler = handler;
    try {
      server = tls.getServerSocketFactory()
          .createServerSocket(0, 64, InetAddress.getByName("127.0.0.1"));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot bind the AWS KMS emulator on 127.0.0.1", e);
    }
    AtomicInteger threads = new AtomicInteger();
    pool = Executors.newCachedThreadPool(runnable -> {
      Thread thread = new Thread(runnable, "aws-kms-emulator-" + threads.incrementAndGet());
      thread.setDaemon(true);
      return thread;
    });
    pool.execute(this::acceptLoop);
  }

  int port() {
    return server.getLocalPort();
  }

  private void acceptLoop() {
    while (!closed) {
      try {
        Socket socket = server.accept();
        open.add(socket);
        pool.execute(() -> serve(socket));
      } catch (IOException e) {
        if (closed) {
          return;
        }
      } catch (java.util.concurrent.RejectedExecutionException e) {
        return; // closing
      }
    }
  }

  private void serve(Socket socket) {
    try (socket) {
      socket.setSoTimeout(30_000);
      InputStream in = new BufferedInputStream(socket.getInputStream());
      OutputStream out = new BufferedOutputStream(socket.getOutputStream());
      while (!closed) {
        Request request = read(in);
        if (request == null) {
          return; // the client closed the connection
        }
        Response response = handler.handle(request);
        if (response == Response.DROP) {
          return;
        }
        String connection = request.header("Connection");
        boolean close = connection != null && connection.equalsIgnoreCase("close");
        write(out, response, close);
        if (close) {
          return;
        }
      }
    } catch (IOException | RuntimeException e) {
      // A failed handshake, a reset or a malformed request: the connection just ends.
    } finally {
      open.remove(socket);
    }
  }

  private static Request read(InputStream in) throws IOException {
    String requestLine = line(in);
    while (requestLine != null && requestLine.isEmpty()) {
      requestLine = line(in); // tolerate stray CRLF between requests
    }
    if (requestLine == null) {
      return null;
    }
    String[] parts = requestLine.split(" ");
    if (parts.length != 3 || !parts[2].startsWith("HTTP/1.")) {
      throw new IOException("malformed request line");
    }
    String target = parts[1];
    int question = target.indexOf('?');
    String rawPath = question < 0 ? target : target.substring(0, question);
    String rawQuery = question < 0 ? null : target.substring(question + 1);
    List<Map.Entry<String, String>> headers = new ArrayList<>();
    for (String header = line(in); header != null && !header.isEmpty(); header = line(in)) {
      int colon = header.indexOf(':');
      if (colon <= 0) {
        throw new IOException("malformed header line");
      }
      headers.add(new AbstractMap.SimpleImmutableEntry<>(header.substring(0, colon),
          header.substring(colon + 1).trim()));
    }
    Request head = new Request(parts[0], rawPath, rawQuery, headers, new byte[0]);
    byte[] body;
    String transferEncoding = head.header("Transfer-Encoding");
    String contentLength = head.header("Content-Length");
    if (transferEncoding != null && transferEncoding.equalsIgnoreCase("chunked")) {
      body = chunked(in);
    } else if (contentLength != null) {
      int length = Integer.parseInt(contentLength.trim());
      if (length < 0 || length > MAX_BODY) {
        throw new IOException("unacceptable Content-Length");
      }
      body = in.readNBytes(length);
      if (body.length != length) {
        throw new IOException("body shorter than Content-Length");
      }
    } else {
      body = new byte[0];
    }
    return new Request(parts[0], rawPath, rawQuery, List.copyOf(headers), body);
  }

  private static byte[] chunked(InputStream in) throws IOException {
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    while (true) {
      String sizeLine = line(in);
      if (sizeLine == null) {
        throw new IOException("truncated chunked body");
      }
      int semicolon = sizeLine.indexOf(';');
      int size = Integer.parseInt(
          (semicolon < 0 ? sizeLine : sizeLine.substring(0, semicolon)).trim(), 16);
      if (size == 0) {
        for (String trailer = line(in); trailer != null && !trailer.isEmpty(); trailer = line(in)) {
          // trailers are ignored
        }
        return body.toByteArray();
      }
      if (body.size() + size > MAX_BODY) {
        throw new IOException("body too large");
      }
      body.write(in.readNBytes(size));
      line(in); // the CRLF after the chunk
    }
  }

  /** One line without its CRLF (or bare LF); {@code null} at end of stream before any byte. */
  private static String line(InputStream in) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    int b;
    while ((b = in.read()) != -1) {
      if (b == '\n') {
        byte[] raw = bytes.toByteArray();
        int length = raw.length > 0 && raw[raw.length - 1] == '\r' ? raw.length - 1 : raw.length;
        return new String(raw, 0, length, StandardCharsets.ISO_8859_1);
      }
      if (bytes.size() >= MAX_LINE) {
        throw new IOException("line too long");
      }
      bytes.write(b);
    }
    if (bytes.size() == 0) {
      return null;
    }
    throw new IOException("connection closed mid-line");
  }

  private static void write(OutputStream out, Response response, boolean close)
      throws IOException {
    StringBuilder head = new StringBuilder();
    head.append("HTTP/1.1 ").append(response.status()).append(' ')
        .append(reason(response.status())).append("\r\n");
    head.append("x-amzn-RequestId: ").append(UUID.randomUUID()).append("\r\n");
    head.append("Content-Type: application/x-amz-json-1.1\r\n");
    head.append("Content-Length: ").append(response.body().length).append("\r\n");
    head.append("Date: ").append(HTTP_DATE.format(ZonedDateTime.now(ZoneOffset.UTC))).append("\r\n");
    if (close) {
      head.append("Connection: close\r\n");
    }
    head.append("\r\n");
    out.write(head.toString().getBytes(StandardCharsets.ISO_8859_1));
    out.write(response.body());
    out.flush();
  }

  private static String reason(int status) {
    return switch (status) {
      case 200 -> "OK";
      case 400 -> "Bad Request";
      case 403 -> "Forbidden";
      case 404 -> "Not Found";
      case 408 -> "Request Timeout";
      case 429 -> "Too Many Requests";
      case 500 -> "Internal Server Error";
      case 502 -> "Bad Gateway";
      case 503 -> "Service Unavailable";
      case 504 -> "Gateway Timeout";
      default -> "Status " + status;
    };
  }

  @Override
  public void close() {
    closed = true;
    try {
      server.close();
    } catch (IOException e) {
      // closing anyway
    }
    for (Socket socket : open) {
      try {
        socket.close();
      } catch (IOException e) {
        // closing anyway
      }
    }
    pool.shutdownNow();
  }
}
