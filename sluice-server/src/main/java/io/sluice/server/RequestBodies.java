package io.sluice.server;

import io.javalin.http.Context;
import io.sluice.core.InvalidInputException;
import io.sluice.core.Problem;
import io.sluice.core.TransientException;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Reads request bodies within two limits: one body may be at most {@code maxBodyBytes} (413), and
 * all bodies being processed together at most {@code maxInflightBytes} (503 with Retry-After), so
 * memory stays bounded whatever the load. Also counts requests in progress, for graceful shutdown.
 */
final class RequestBodies {

  private static final int CHUNK = 64 * 1024;

  private final long maxBodyBytes;
  private final long maxInflightBytes;
  private final AtomicLong inflightBytes = new AtomicLong();
  private final AtomicInteger inflightRequests = new AtomicInteger();

  RequestBodies(long maxBodyBytes, long maxInflightBytes) {
    this.maxBodyBytes = maxBodyBytes;
    this.maxInflightBytes = maxInflightBytes;
  }

  /** A read body; closing it returns its bytes to the in-flight budget. */
  final class Body implements AutoCloseable {
    byte[] bytes = new byte[0];
    int length;
    private long reserved;
    private boolean closed;

    private void reserve(long n) {
      long now = inflightBytes.addAndGet(n);
      reserved += n;
      if (now > maxInflightBytes && now != reserved) {
        throw new TransientException(
            "server busy: "
                + (now - n)
                + " bytes of requests in progress, over the limit of "
                + maxInflightBytes
                + " bytes; retry shortly");
      }
    }

    @Override
    public void close() {
      if (!closed) {
        closed = true;
        inflightBytes.addAndGet(-reserved);
        inflightRequests.decrementAndGet();
      }
    }
  }

  Body read(Context ctx) {
    long declared = ctx.req().getContentLengthLong();
    if (declared > maxBodyBytes) {
      throw tooLarge(declared);
    }
    Body body = new Body();
    inflightRequests.incrementAndGet();
    try {
      if (declared >= 0) {
        body.reserve(declared);
        body.bytes = new byte[(int) declared];
      } else {
        body.reserve(CHUNK);
        body.bytes = new byte[CHUNK];
      }
      try (InputStream in = ctx.req().getInputStream()) {
        while (true) {
          if (body.length == body.bytes.length) {
            if (declared >= 0) {
              if (in.read() >= 0) {
                throw tooLarge(declared + 1);
              }
              break;
            }
            if (body.length >= maxBodyBytes) {
              if (in.read() >= 0) {
                throw tooLarge(-1);
              }
              break;
            }
            int grow = (int) Math.min(body.bytes.length, maxBodyBytes - body.length);
            body.reserve(grow);
            body.bytes = Arrays.copyOf(body.bytes, body.bytes.length + grow);
          }
          int n = in.read(body.bytes, body.length, body.bytes.length - body.length);
          if (n < 0) {
            break;
          }
          body.length += n;
        }
      }
      return body;
    } catch (IOException e) {
      body.close();
      throw clientFailed(e, body.length, declared);
    } catch (RuntimeException e) {
      body.close();
      throw e;
    }
  }

  /**
   * What a failed read of a request body means for the client: its body ended before its
   * Content-Length (400 {@code INCOMPLETE_BODY}), or it stopped sending for longer than the server
   * waits (408 {@code REQUEST_TIMEOUT}). Either way the request was not taken; nothing of it is
   * kept.
   */
  static InvalidInputException clientFailed(IOException e, long received, long declared) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof java.util.concurrent.TimeoutException) {
        return new InvalidInputException(
            InvalidInputException.REQUEST_TIMEOUT,
            Problem.of(
                "",
                "the client stopped sending the request body after "
                    + received
                    + (declared >= 0 ? " of " + declared : "")
                    + " bytes and the server stopped waiting ("
                    + t.getMessage()
                    + ")"));
      }
    }
    return new InvalidInputException(
        InvalidInputException.INCOMPLETE_BODY,
        Problem.of(
            "",
            declared >= 0
                ? "the request body ended after "
                    + received
                    + " of the "
                    + declared
                    + " bytes its Content-Length announced"
                : "the request body was cut off after " + received + " bytes (" + e + ")"));
  }

  /**
   * The request body as a stream for handlers that stream it elsewhere (object uploads): a client
   * that ends early or stops sending is told so (400/408), as {@link #read} does, and never looks
   * like a failure of the server.
   */
  static InputStream stream(Context ctx) throws IOException {
    long declared = ctx.req().getContentLengthLong();
    InputStream in = ctx.req().getInputStream();
    return new java.io.FilterInputStream(in) {
      private long received;

      @Override
      public int read() throws IOException {
        try {
          int b = super.read();
          if (b >= 0) {
            received++;
          }
          return b;
        } catch (IOException e) {
          throw clientFailed(e, received, declared);
        }
      }

      @Override
      public int read(byte[] b, int off, int len) throws IOException {
        try {
          int n = super.read(b, off, len);
          if (n > 0) {
            received += n;
          }
          return n;
        } catch (IOException e) {
          throw clientFailed(e, received, declared);
        }
      }
    };
  }

  private InvalidInputException tooLarge(long size) {
    return new InvalidInputException(
        InvalidInputException.TOO_LARGE,
        Problem.of(
            "",
            (size < 0 ? "request body is" : "request body is " + size + " bytes,")
                + " over the limit of "
                + maxBodyBytes
                + " bytes (server.limits.maxBodyBytes)"));
  }

  int inflightRequests() {
    return inflightRequests.get();
  }
}
