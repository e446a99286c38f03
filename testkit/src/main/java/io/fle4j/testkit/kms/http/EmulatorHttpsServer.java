package io.fle4j.testkit.kms.http;

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
import java.net.SocketException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLContext;

/**
 * The HTTP(S) plumbing shared by {@link io.fle4j.testkit.kms.azure.AzureKeyVaultEmulator} and {@link io.fle4j.testkit.kms.gcp.GcpKmsEmulator}: a JDK
 * server on {@code 127.0.0.1:0}, request parsing tolerant of both vendor SDKs and libmongocrypt
 * ({@code Name:value} headers, {@code Connection:close}, its own JSON spacing), the fault knobs
 * (latency, planned failures, dropped connections, a failure rate, a rate limit) and the request
 * counters. What a request means is the emulator's {@link Handler}.
 *
 * <p>It is a small HTTP/1.1 server of its own over a (TLS) server socket rather than the JDK's
 * {@code com.sun.net.httpserver}: that server writes header names as {@code Content-length}, and
 * the KMS response parser in the libmongocrypt shipped with mongodb-crypt 5.6.5 looks for {@code
 * Content-Length} case-sensitively (kms-message {@code kms_response_parser.c}), so it read every
 * reply as an empty body ("Empty KMS response"). Here replies always carry {@code
 * Content-Length} spelled so, requests are read with their header names as sent, and
 * connections are kept alive for the SDKs until the client sends {@code Connection: close}.
 */
public final class EmulatorHttpsServer implements AutoCloseable {
  private static final int MAX_RECORDED = 10_000;

  /** Turns a request into a reply; throws {@link EmulatorError} for an error reply. */
  public interface Handler {
    /** A short operation name for counters and planned faults, such as {@code wrapkey}. */
    public String operation(Request request);

    public Reply handle(Request request);

    /** The body of an error reply in the service's own error format. */
    public String errorBody(int status, String code, String message);

    /**
     * Who sent the request, for the record (an access key id, a client id), read from the
     * request whether or not it authenticates; {@code null} when unknown.
     */
    default String principal(Request request) {
      return null;
    }

    /** Adds what the service puts on every reply, errors and faults included (a request id). */
    default void decorate(Reply reply) {}
  }

  private static final DateTimeFormatter HTTP_DATE = DateTimeFormatter.RFC_1123_DATE_TIME;
  private static final int MAX_HEAD = 64 * 1024;
  private static final int MAX_BODY = 4 * 1024 * 1024;

  private final ServerSocket server;
  private final ExecutorService executor;
  private final java.util.Set<Socket> connections = ConcurrentHashMap.newKeySet();
  private volatile boolean closed;
  private final Handler handler;
  private final Clock clock;
  private final Random faultRandom;

  private final AtomicInteger epoch = new AtomicInteger();
  private final AtomicInteger total = new AtomicInteger();
  private final Map<String, AtomicInteger> perOperation = new ConcurrentHashMap<>();
  private final List<RecordedHttpRequest> recorded = Collections.synchronizedList(new ArrayList<>());

  private final Object faultLock = new Object();
  private final Deque<Fault> planned = new ArrayDeque<>();
  private volatile Duration latency = Duration.ZERO;
  private double failureRate;
  private Fault randomFault;
  private int rateLimit;
  private long rateWindow;
  private int rateCount;
  private String throttleCode = "Throttled";
  private String throttleMessage = "Too many requests";
  private int throttleStatus = 429;
  private Duration throttleRetryAfter = Duration.ofSeconds(1);

  private EmulatorHttpsServer(ServerSocket server, String threadName, Handler handler,
      Clock clock, long seed) {
    this.server = server;
    this.handler = handler;
    this.clock = clock;
    this.faultRandom = new Random(seed);
    AtomicInteger threads = new AtomicInteger();
    this.executor = Executors.newCachedThreadPool(runnable -> {
      Thread thread = new Thread(runnable, threadName + "-" + threads.incrementAndGet());
      thread.setDaemon(true);
      return thread;
    });
    executor.execute(this::acceptLoop);
  }

  /** An HTTPS service on 127.0.0.1 with an ephemeral port. */
  public static EmulatorHttpsServer https(SSLContext tls, String threadName, Handler handler, Clock clock,
      long seed) {
    try {
      ServerSocket socket = tls.getServerSocketFactory().createServerSocket(0, 64,
          InetAddress.getByName("127.0.0.1"));
      return new EmulatorHttpsServer(socket, threadName, handler, clock, seed);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot listen on 127.0.0.1", e);
    }
  }

  /** A plain-HTTP service on 127.0.0.1 (metadata endpoints are plain HTTP in the clouds too). */
  public static EmulatorHttpsServer http(int port, String threadName, Handler handler, Clock clock) {
    try {
      ServerSocket socket = new ServerSocket(port, 64, InetAddress.getByName("127.0.0.1"));
      return new EmulatorHttpsServer(socket, threadName, handler, clock, 0);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot listen on 127.0.0.1:" + port, e);
    }
  }

  public int port() {
    return server.getLocalPort();
  }

  // ------------------------------------------------------------------------------ knobs

  public void latency(Duration delay) {
    if (delay == null || delay.isNegative()) {
      throw new IllegalArgumentException("latency must be zero or positive, got " + delay);
    }
    this.latency = delay;
  }

  public void failNext(String operation, int count, int status, String code, String message,
      Duration retryAfter) {
    requireCount(count);
    synchronized (faultLock) {
      for (int i = 0; i < count; i++) {
        planned.add(new Fault(operation, false, status, code, message, retryAfter));
      }
    }
  }

  public void dropNext(String operation, int count) {
    requireCount(count);
    synchronized (faultLock) {
      for (int i = 0; i < count; i++) {
        planned.add(new Fault(operation, true, 0, null, null, null));
      }
    }
  }

  public void failureRate(double rate, int status, String code, String message) {
    if (!(rate >= 0 && rate <= 1)) {
      throw new IllegalArgumentException("rate must be in [0, 1], got " + rate);
    }
    synchronized (faultLock) {
      failureRate = rate;
      randomFault = new Fault(null, false, status, code, message, null);
    }
  }

  /** Above {@code requestsPerSecond}, 429 with this code and message and Retry-After: 1. */
  public void rateLimit(int requestsPerSecond, String code, String message) {
    rateLimit(requestsPerSecond, 429, code, message, Duration.ofSeconds(1));
  }

  /**
   * Above {@code requestsPerSecond} (0: no limit), requests get this error, as each service
   * words it (AWS KMS: 400 ThrottlingException, no Retry-After).
   */
  public void rateLimit(int requestsPerSecond, int status, String code, String message,
      Duration retryAfter) {
    if (requestsPerSecond < 0) {
      throw new IllegalArgumentException("requestsPerSecond must be >= 0");
    }
    synchronized (faultLock) {
      rateLimit = requestsPerSecond;
      rateCount = 0;
      throttleStatus = status;
      throttleCode = code;
      throttleMessage = message;
      throttleRetryAfter = retryAfter;
    }
  }

  public void clearFaults() {
    synchronized (faultLock) {
      planned.clear();
      failureRate = 0;
      randomFault = null;
      rateLimit = 0;
    }
    latency = Duration.ZERO;
  }

  // --------------------------------------------------------------------------- counters

  public int requestCount() {
    return total.get();
  }

  public int requestCount(String operation) {
    AtomicInteger count = perOperation.get(operation);
    return count == null ? 0 : count.get();
  }

  public void resetCounters() {
    synchronized (recorded) {
      epoch.incrementAndGet();
      total.set(0);
      perOperation.clear();
      recorded.clear();
    }
  }

  public List<RecordedHttpRequest> requests() {
    synchronized (recorded) {
      return List.copyOf(recorded);
    }
  }

  @Override
  public void close() {
    closed = true;
    try {
      server.close();
    } catch (IOException e) {
      // closing anyway
    }
    // Kept-alive connections would otherwise hold their threads until the read timeout.
    connections.forEach(EmulatorHttpsServer::closeQuietly);
    executor.shutdownNow();
  }

  // ---------------------------------------------------------------------------- serving

  private void acceptLoop() {
    while (!closed) {
      Socket socket;
      try {
        socket = server.accept();
      } catch (IOException e) {
        if (closed) {
          return;
        }
        continue;
      }
      try {
        executor.execute(() -> serveConnection(socket));
      } catch (java.util.concurrent.RejectedExecutionException e) {
        closeQuietly(socket);
        return;
      }
    }
  }

  private void serveConnection(Socket socket) {
    connections.add(socket);
    try (socket) {
      socket.setSoTimeout(30_000);
      InputStream in = new BufferedInputStream(socket.getInputStream());
      OutputStream out = new BufferedOutputStream(socket.getOutputStream());
      while (!closed) {
        Request request = Request.read(in);
        if (request == null) {
          return; // the client closed the connection
        }
        Reply reply = serve(request);
        if (reply == null) {
          return; // drop the connection without a reply, as asked
        }
        boolean close = request.wantsClose();
        write(out, reply, close);
        if (close) {
          return;
        }
      }
    } catch (IOException | RuntimeException e) {
      // a broken or timed-out connection, or a malformed request: just close it
    } finally {
      connections.remove(socket);
    }
  }

  private Reply serve(Request request) {
    int arrivedInEpoch = epoch.get();
    String operation;
    Reply reply;
    String errorCode = null;
    try {
      operation = handler.operation(request);
    } catch (RuntimeException e) {
      operation = "unknown";
    }
    String principal;
    try {
      principal = handler.principal(request);
    } catch (RuntimeException e) {
      principal = null; // unreadable credentials: the handler's own checks will say so
    }
    total.incrementAndGet();
    perOperation.computeIfAbsent(operation, k -> new AtomicInteger()).incrementAndGet();
    try {
      // Decided on arrival: a slow request must not take a fault planned after it came in.
      Fault fault = nextFault(operation);
      sleep(latency);
      if (fault != null && fault.drop) {
        record(arrivedInEpoch, RecordedHttpRequest.of(operation, request, 0,
            "(connection dropped)", principal));
        return null;
      }
      try {
        if (fault != null) {
          throw new EmulatorError(fault.status, fault.code, fault.message).retryAfter(fault.retryAfter);
        }
        checkRateLimit();
        reply = handler.handle(request);
      } catch (EmulatorError e) {
        errorCode = e.code();
        reply = new Reply(e.status(), handler.errorBody(e.status(), e.code(), e.getMessage()));
        if (e.retryAfter() != null) {
          reply.header("Retry-After", Long.toString(Math.max(0, e.retryAfter().toSeconds())));
        }
        e.headers().forEach(reply::header);
      }
    } catch (RuntimeException e) {
      errorCode = "InternalError";
      reply = new Reply(500, handler.errorBody(500, "InternalError",
          "emulator failure: " + e.getClass().getSimpleName() + ": " + e.getMessage()));
    }
    record(arrivedInEpoch, RecordedHttpRequest.of(operation, request, reply.status, errorCode,
        principal));
    handler.decorate(reply);
    return reply;
  }

  private void write(OutputStream out, Reply reply, boolean close) throws IOException {
    StringBuilder head = new StringBuilder(256)
        .append("HTTP/1.1 ").append(reply.status).append(' ').append(reason(reply.status))
        .append("\r\n");
    head.append("Date: ").append(HTTP_DATE.format(ZonedDateTime.now(ZoneOffset.UTC))).append("\r\n");
    if (!reply.headers.containsKey("Content-Type")) {
      head.append("Content-Type: application/json; charset=utf-8\r\n");
    }
    reply.headers.forEach((name, value) -> head.append(name).append(": ").append(value)
        .append("\r\n"));
    // Spelled exactly so: libmongocrypt 1.x matches this header name case-sensitively.
    head.append("Content-Length: ").append(reply.body.length).append("\r\n");
    if (close) {
      head.append("Connection: close\r\n");
    }
    head.append("\r\n");
    out.write(head.toString().getBytes(StandardCharsets.ISO_8859_1));
    out.write(reply.body);
    out.flush();
  }

  private static String reason(int status) {
    switch (status) {
      case 200: return "OK";
      case 400: return "Bad Request";
      case 401: return "Unauthorized";
      case 403: return "Forbidden";
      case 404: return "Not Found";
      case 405: return "Method Not Allowed";
      case 408: return "Request Timeout";
      case 409: return "Conflict";
      case 429: return "Too Many Requests";
      case 500: return "Internal Server Error";
      case 502: return "Bad Gateway";
      case 503: return "Service Unavailable";
      case 504: return "Gateway Timeout";
      default: return "Status";
    }
  }

  private static void closeQuietly(Socket socket) {
    try {
      socket.close();
    } catch (IOException e) {
      // nothing to do
    }
  }

  private Fault nextFault(String operation) {
    synchronized (faultLock) {
      for (var it = planned.iterator(); it.hasNext(); ) {
        Fault fault = it.next();
        if (fault.operation == null || fault.operation.equals(operation)) {
          it.remove();
          return fault;
        }
      }
      if (randomFault != null && faultRandom.nextDouble() < failureRate) {
        return randomFault;
      }
      return null;
    }
  }

  private void checkRateLimit() {
    synchronized (faultLock) {
      if (rateLimit <= 0) {
        return;
      }
      long second = clock.millis() / 1000;
      if (second != rateWindow) {
        rateWindow = second;
        rateCount = 0;
      }
      if (++rateCount > rateLimit) {
        throw new EmulatorError(throttleStatus, throttleCode, throttleMessage)
            .retryAfter(throttleRetryAfter);
      }
    }
  }

  private void record(int arrivedInEpoch, RecordedHttpRequest request) {
    synchronized (recorded) {
      if (arrivedInEpoch != epoch.get()) {
        return; // arrived before the last resetCounters()
      }
      if (recorded.size() >= MAX_RECORDED) {
        recorded.remove(0);
      }
      recorded.add(request);
    }
  }

  private static void sleep(Duration delay) {
    if (delay.isZero()) {
      return;
    }
    try {
      Thread.sleep(delay.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static void requireCount(int count) {
    if (count < 0) {
      throw new IllegalArgumentException("count must be >= 0, got " + count);
    }
  }

  private static final class Fault {
    public final String operation;
    public final boolean drop;
    public final int status;
    public final String code;
    public final String message;
    public final Duration retryAfter;

    public Fault(String operation, boolean drop, int status, String code, String message,
        Duration retryAfter) {
      this.operation = operation;
      this.drop = drop;
      this.status = status;
      this.code = code;
      this.message = message;
      this.retryAfter = retryAfter;
    }
  }

  // ------------------------------------------------------------------------ request/reply

  /** A parsed request. Header names are looked up case-insensitively. */
  public static final class Request {
    public final String method;
    public final String path;
    public final String rawQuery;
    public final Map<String, String> query;
    public final Map<String, String> headers;
    public final List<String> headerNames;
    public final byte[] body;
    public boolean http10;

    private Request(String method, String path, String rawQuery, Map<String, String> headers,
        List<String> headerNames, byte[] body) {
      this.method = method;
      this.path = path;
      this.rawQuery = rawQuery;
      this.query = form(rawQuery == null ? "" : rawQuery);
      this.headers = headers;
      this.headerNames = headerNames;
      this.body = body;
    }

    /** Reads one request; {@code null} when the connection ends before one starts. */
    public static Request read(InputStream in) throws IOException {
      String requestLine = readLine(in, true);
      while (requestLine != null && requestLine.isEmpty()) {
        requestLine = readLine(in, true); // tolerate stray CRLFs between requests
      }
      if (requestLine == null) {
        return null;
      }
      String[] parts = requestLine.split(" ");
      if (parts.length != 3 || !parts[2].startsWith("HTTP/1.")) {
        throw new IOException("not an HTTP/1.x request line");
      }
      Map<String, String> headers = new LinkedHashMap<>();
      List<String> names = new ArrayList<>();
      int headBytes = requestLine.length();
      for (String line = readLine(in, false); !line.isEmpty(); line = readLine(in, false)) {
        headBytes += line.length();
        if (headBytes > MAX_HEAD) {
          throw new IOException("request head too large");
        }
        int colon = line.indexOf(':');
        if (colon <= 0) {
          throw new IOException("malformed header line");
        }
        // libmongocrypt writes "Name:value"; the SDKs "Name: value". Names kept as sent.
        String name = line.substring(0, colon).trim();
        names.add(name);
        headers.putIfAbsent(name.toLowerCase(Locale.ROOT), line.substring(colon + 1).trim());
      }
      byte[] body;
      String encoding = headers.get("transfer-encoding");
      if (encoding != null && encoding.toLowerCase(Locale.ROOT).contains("chunked")) {
        body = readChunked(in);
      } else {
        String length = headers.get("content-length");
        int n = length == null ? 0 : Integer.parseInt(length.trim());
        if (n < 0 || n > MAX_BODY) {
          throw new IOException("unacceptable Content-Length");
        }
        body = in.readNBytes(n);
        if (body.length != n) {
          throw new IOException("body shorter than Content-Length");
        }
      }
      String target = parts[1];
      int question = target.indexOf('?');
      String path = question < 0 ? target : target.substring(0, question);
      String query = question < 0 ? null : target.substring(question + 1);
      if (path.startsWith("http://") || path.startsWith("https://")) {
        int slash = path.indexOf('/', path.indexOf("//") + 2);
        path = slash < 0 ? "/" : path.substring(slash);
      }
      Request request = new Request(parts[0], path, query, headers, List.copyOf(names), body);
      request.http10 = parts[2].equals("HTTP/1.0");
      return request;
    }

    public boolean wantsClose() {
      String connection = header("connection");
      if (connection != null) {
        String value = connection.toLowerCase(Locale.ROOT);
        if (value.contains("close")) {
          return true;
        }
        if (value.contains("keep-alive")) {
          return false;
        }
      }
      return http10;
    }

    private static String readLine(InputStream in, boolean eofAllowed) throws IOException {
      ByteArrayOutputStream line = new ByteArrayOutputStream(128);
      while (true) {
        int b = in.read();
        if (b < 0) {
          if (eofAllowed && line.size() == 0) {
            return null;
          }
          throw new IOException("connection closed in the middle of a request");
        }
        if (b == '\n') {
          break;
        }
        if (line.size() > MAX_HEAD) {
          throw new IOException("line too long");
        }
        line.write(b);
      }
      byte[] bytes = line.toByteArray();
      int length = bytes.length > 0 && bytes[bytes.length - 1] == '\r' ? bytes.length - 1
          : bytes.length;
      return new String(bytes, 0, length, StandardCharsets.ISO_8859_1);
    }

    private static byte[] readChunked(InputStream in) throws IOException {
      ByteArrayOutputStream body = new ByteArrayOutputStream();
      while (true) {
        String sizeLine = readLine(in, false);
        int semicolon = sizeLine.indexOf(';');
        int size = Integer.parseInt((semicolon < 0 ? sizeLine : sizeLine.substring(0, semicolon))
            .trim(), 16);
        if (size == 0) {
          for (String trailer = readLine(in, false); !trailer.isEmpty();
              trailer = readLine(in, false)) {
            // trailers are ignored
          }
          return body.toByteArray();
        }
        if (body.size() + size > MAX_BODY) {
          throw new IOException("body too large");
        }
        byte[] chunk = in.readNBytes(size);
        if (chunk.length != size) {
          throw new IOException("chunk shorter than announced");
        }
        body.write(chunk);
        readLine(in, false);
      }
    }

    public String header(String name) {
      return headers.get(name.toLowerCase(Locale.ROOT));
    }

    /** The Host header without a port, or {@code 127.0.0.1}. */
    public String hostName() {
      String host = header("host");
      if (host == null || host.isEmpty()) {
        return "127.0.0.1";
      }
      if (host.startsWith("[")) {
        int end = host.indexOf(']');
        return end > 0 ? host.substring(0, end + 1) : host;
      }
      int colon = host.indexOf(':');
      return colon < 0 ? host : host.substring(0, colon);
    }

    public String bodyText() {
      return new String(body, StandardCharsets.UTF_8);
    }

    /** The body as an {@code application/x-www-form-urlencoded} form. */
    public Map<String, String> form() {
      return form(bodyText());
    }

    public static Map<String, String> form(String text) {
      Map<String, String> values = new LinkedHashMap<>();
      for (String pair : text.split("&")) {
        if (pair.isEmpty()) {
          continue;
        }
        int eq = pair.indexOf('=');
        String name = eq < 0 ? pair : pair.substring(0, eq);
        String value = eq < 0 ? "" : pair.substring(eq + 1);
        values.putIfAbsent(decode(name), decode(value));
      }
      return values;
    }

    private static String decode(String text) {
      try {
        return URLDecoder.decode(text, StandardCharsets.UTF_8);
      } catch (IllegalArgumentException e) {
        return text; // a stray '%' (libmongocrypt does not encode form values): keep it as sent
      }
    }
  }

  /** A reply: status, extra headers, body. */
  public static final class Reply {
    public final int status;
    public final byte[] body;
    public final Map<String, String> headers = new LinkedHashMap<>();

    public Reply(int status, String body) {
      this(status, body.getBytes(StandardCharsets.UTF_8));
    }

    public Reply(int status, byte[] body) {
      this.status = status;
      this.body = body;
    }

    public Reply header(String name, String value) {
      headers.put(name, value);
      return this;
    }
  }

  /** An error reply: status, the service's error code, a message, optional headers. */
  public static final class EmulatorError extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final int status;
    private final String code;
    private Duration retryAfter;
    private final Map<String, String> headers = new LinkedHashMap<>();

    public EmulatorError(int status, String code, String message) {
      super(message, null, false, false);
      this.status = status;
      this.code = code;
    }

    public int status() {
      return status;
    }

    public String code() {
      return code;
    }

    public Duration retryAfter() {
      return retryAfter;
    }

    public EmulatorError retryAfter(Duration delay) {
      this.retryAfter = delay;
      return this;
    }

    public EmulatorError header(String name, String value) {
      headers.put(name, value);
      return this;
    }

    public Map<String, String> headers() {
      return headers;
    }
  }
}
