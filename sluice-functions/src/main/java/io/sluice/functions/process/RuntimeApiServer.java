package io.sluice.functions.process;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A small HTTP/1.1 server on a loopback port for one worker's Lambda Runtime API: keep-alive,
 * {@code Content-Length} and chunked request bodies, {@code Expect: 100-continue} (curl-based
 * clients such as AWS's runtime interface clients send it), one virtual thread per connection, so a
 * runtime's long-polling {@code GET …/next} costs no platform thread.
 *
 * <p>Request bodies are kept up to {@link #MAX_BODY_BYTES} (Lambda's 6 MB response limit); a larger
 * body is read and dropped, and the handler sees {@link Request#tooLarge}. Only the headers the
 * Runtime API uses are kept.
 *
 * <p>Thread-safe; {@link #close} stops accepting, closes every connection and interrupts handlers
 * blocked in {@code next}.
 */
final class RuntimeApiServer implements AutoCloseable {

  /** Lambda's limit on a synchronous response: 6 MB as Lambda counts it. */
  static final int MAX_BODY_BYTES = 6_291_556;

  /** A request line or header longer than this closes the connection. */
  private static final int MAX_LINE = 16 * 1024;

  /** Bodies past the limit are read and dropped up to this much, then the connection is closed. */
  private static final long MAX_DRAIN_BYTES = 256L << 20;

  /** One request: only what the Runtime API looks at. */
  record Request(
      String method,
      String path,
      String errorType,
      byte[] body,
      boolean tooLarge,
      long declaredLength) {}

  /** One answer: status, JSON body (may be empty) and the extra headers, name-value pairs. */
  record Response(int status, byte[] body, String... headers) {
    static Response json(int status, String json) {
      return new Response(status, json.getBytes(StandardCharsets.UTF_8));
    }
  }

  /** Answers requests; may block (a {@code next} waits for an invocation). */
  @FunctionalInterface
  interface Handler {
    Response handle(Request request) throws InterruptedException;
  }

  private final ServerSocket socket;
  private final Handler handler;
  private final Set<Socket> connections = ConcurrentHashMap.newKeySet();
  private final Set<Thread> threads = ConcurrentHashMap.newKeySet();
  private final Thread acceptor;
  private volatile boolean closed;

  RuntimeApiServer(Handler handler, String name) throws IOException {
    this.handler = handler;
    this.socket = new ServerSocket(0, 8, InetAddress.getLoopbackAddress());
    this.acceptor = Thread.ofVirtual().name(name + "-accept").start(this::accept);
  }

  /** {@code 127.0.0.1:port}, the value of {@code AWS_LAMBDA_RUNTIME_API}. */
  String address() {
    return socket.getInetAddress().getHostAddress() + ":" + socket.getLocalPort();
  }

  private void accept() {
    while (!closed) {
      Socket s;
      try {
        s = socket.accept();
      } catch (IOException e) {
        return; // closed
      }
      if (closed) {
        closeQuietly(s);
        return;
      }
      connections.add(s);
      Thread t = Thread.ofVirtual().unstarted(() -> serve(s));
      threads.add(t);
      t.start();
    }
  }

  private void serve(Socket s) {
    try (s) {
      s.setTcpNoDelay(true);
      InputStream in = new BufferedInputStream(s.getInputStream(), 8192);
      OutputStream out = new BufferedOutputStream(s.getOutputStream(), 8192);
      StringBuilder line = new StringBuilder(128);
      while (!closed) {
        if (!serveOne(in, out, line)) {
          return;
        }
      }
    } catch (IOException | InterruptedException e) {
      // the runtime closed its connection, or the server is closing
    } finally {
      connections.remove(s);
      threads.remove(Thread.currentThread());
    }
  }

  /** Reads one request and answers it; false when the connection is to be closed. */
  private boolean serveOne(InputStream in, OutputStream out, StringBuilder line)
      throws IOException, InterruptedException {
    String requestLine = readLine(in, line);
    if (requestLine == null) {
      return false;
    }
    if (requestLine.isEmpty()) {
      return true; // a stray CRLF between requests
    }
    int sp1 = requestLine.indexOf(' ');
    int sp2 = requestLine.indexOf(' ', sp1 + 1);
    if (sp1 <= 0 || sp2 <= sp1) {
      write(out, Response.json(400, "{\"errorMessage\":\"malformed request line\"}"), true);
      return false;
    }
    String method = requestLine.substring(0, sp1);
    String path = requestLine.substring(sp1 + 1, sp2);
    boolean http10 = requestLine.endsWith("HTTP/1.0");
    long length = -1;
    boolean chunked = false;
    boolean expectContinue = false;
    boolean close = http10;
    String errorType = null;
    for (String h = readLine(in, line); ; h = readLine(in, line)) {
      if (h == null) {
        return false;
      }
      if (h.isEmpty()) {
        break;
      }
      int colon = h.indexOf(':');
      if (colon <= 0) {
        continue;
      }
      String name = h.substring(0, colon).trim();
      String value = h.substring(colon + 1).trim();
      if (name.equalsIgnoreCase("content-length")) {
        try {
          length = Long.parseLong(value);
        } catch (NumberFormatException e) {
          write(out, Response.json(400, "{\"errorMessage\":\"bad Content-Length\"}"), true);
          return false;
        }
      } else if (name.equalsIgnoreCase("transfer-encoding")) {
        chunked = value.toLowerCase(java.util.Locale.ROOT).contains("chunked");
      } else if (name.equalsIgnoreCase("expect")) {
        expectContinue = value.equalsIgnoreCase("100-continue");
      } else if (name.equalsIgnoreCase("connection")) {
        close =
            value.equalsIgnoreCase("close") || (http10 && !value.equalsIgnoreCase("keep-alive"));
      } else if (name.equalsIgnoreCase("lambda-runtime-function-error-type")) {
        errorType = value;
      }
    }
    if (expectContinue && (chunked || length > 0)) {
      out.write("HTTP/1.1 100 Continue\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
      out.flush();
    }
    Body body = chunked ? readChunked(in, line) : readFixed(in, Math.max(0, length));
    if (body == null) {
      return false;
    }
    Response r =
        handler.handle(
            new Request(method, path, errorType, body.bytes, body.tooLarge, body.length));
    write(out, r, close);
    return !close;
  }

  private record Body(byte[] bytes, boolean tooLarge, long length) {}

  private static final byte[] EMPTY = new byte[0];

  private static Body readFixed(InputStream in, long length) throws IOException {
    if (length == 0) {
      return new Body(EMPTY, false, 0);
    }
    if (length > MAX_BODY_BYTES) {
      if (length > MAX_DRAIN_BYTES) {
        return null;
      }
      in.skipNBytes(length);
      return new Body(EMPTY, true, length);
    }
    byte[] b = in.readNBytes((int) length);
    return b.length == length ? new Body(b, false, length) : null;
  }

  private static Body readChunked(InputStream in, StringBuilder line) throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream(1024);
    long total = 0;
    while (true) {
      String size = readLine(in, line);
      if (size == null) {
        return null;
      }
      int semi = size.indexOf(';');
      long n;
      try {
        n = Long.parseLong((semi >= 0 ? size.substring(0, semi) : size).trim(), 16);
      } catch (NumberFormatException e) {
        return null;
      }
      if (n == 0) {
        for (String t = readLine(in, line); t != null && !t.isEmpty(); t = readLine(in, line)) {
          // trailers are dropped
        }
        break;
      }
      total += n;
      if (total > MAX_DRAIN_BYTES) {
        return null;
      }
      if (total <= MAX_BODY_BYTES) {
        byte[] chunk = in.readNBytes((int) n);
        if (chunk.length != n) {
          return null;
        }
        b.write(chunk);
      } else {
        in.skipNBytes(n);
      }
      readLine(in, line); // the CRLF after the chunk
    }
    return total > MAX_BODY_BYTES
        ? new Body(EMPTY, true, total)
        : new Body(b.toByteArray(), false, total);
  }

  /** A line without its CRLF, or null at the end of the stream or past {@link #MAX_LINE}. */
  private static String readLine(InputStream in, StringBuilder line) throws IOException {
    line.setLength(0);
    while (true) {
      int c = in.read();
      if (c < 0) {
        return null;
      }
      if (c == '\n') {
        int n = line.length();
        if (n > 0 && line.charAt(n - 1) == '\r') {
          line.setLength(n - 1);
        }
        return line.toString();
      }
      if (line.length() >= MAX_LINE) {
        return null;
      }
      line.append((char) c);
    }
  }

  private static void write(OutputStream out, Response r, boolean close) throws IOException {
    StringBuilder h = new StringBuilder(256);
    h.append("HTTP/1.1 ").append(r.status()).append(' ').append(reason(r.status())).append("\r\n");
    h.append("Content-Type: application/json\r\n");
    h.append("Content-Length: ").append(r.body().length).append("\r\n");
    String[] extra = r.headers();
    for (int i = 0; i + 1 < extra.length; i += 2) {
      h.append(extra[i]).append(": ").append(extra[i + 1]).append("\r\n");
    }
    if (close) {
      h.append("Connection: close\r\n");
    }
    h.append("\r\n");
    out.write(h.toString().getBytes(StandardCharsets.UTF_8));
    out.write(r.body());
    out.flush();
  }

  private static String reason(int status) {
    return switch (status) {
      case 200 -> "OK";
      case 202 -> "Accepted";
      case 400 -> "Bad Request";
      case 403 -> "Forbidden";
      case 404 -> "Not Found";
      case 413 -> "Payload Too Large";
      case 500 -> "Internal Server Error";
      default -> "Status";
    };
  }

  @Override
  public void close() {
    closed = true;
    closeQuietly(socket);
    for (Socket s : connections) {
      closeQuietly(s);
    }
    for (Thread t : threads) {
      t.interrupt();
    }
    acceptor.interrupt();
  }

  private static void closeQuietly(java.io.Closeable c) {
    try {
      c.close();
    } catch (SocketException e) {
      // already closed
    } catch (IOException e) {
      // nothing to do: closing
    }
  }
}
