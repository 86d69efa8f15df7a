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
 * all requests being processed together may use at most {@code memoryBudget} of heap (503 with
 * Retry-After), so memory stays bounded whatever the load. A request is counted as {@value
 * #EXPANSION} times its body: parsing it to a tree and serializing its events copies it, and that
 * is what a request really costs. Also counts requests in progress, for graceful shutdown.
 *
 * <p>A request refused for the budget or its size has its body read to the end (and thrown away)
 * before the answer, up to {@value #MAX_DRAIN_FACTOR} times {@code maxBodyBytes}: answering early
 * and closing a connection whose client is still sending makes the client's system reset it, and
 * the client sees a broken connection instead of the 503 that tells it to retry.
 */
final class RequestBodies {

  private static final int CHUNK = 64 * 1024;

  /** Heap a request takes per byte of body: the bytes, their tree, the serialized events. */
  static final int EXPANSION = 4;

  /** Bodies larger than this many times maxBodyBytes are not drained: the connection closes. */
  static final int MAX_DRAIN_FACTOR = 4;

  private final long maxBodyBytes;
  private final long memoryBudget;
  private final AtomicLong inflightBytes = new AtomicLong();
  private final AtomicInteger inflightRequests = new AtomicInteger();

  RequestBodies(long maxBodyBytes, long memoryBudget) {
    this.maxBodyBytes = maxBodyBytes;
    this.memoryBudget = memoryBudget;
  }

  /** A read body; closing it returns its bytes to the in-flight budget. */
  final class Body implements AutoCloseable {
    byte[] bytes = new byte[0];
    int length;
    private long reserved;
    private boolean closed;

    private void reserve(long bodyBytes) {
      long n = bodyBytes * EXPANSION;
      long now = inflightBytes.addAndGet(n);
      reserved += n;
      if (now > memoryBudget && now != reserved) {
        throw new TransientException(
            "server busy: requests in progress hold "
                + (now - n)
                + " bytes of memory, and this one would take it over the budget of "
                + memoryBudget
                + " bytes (server.limits.memoryBudget); retry shortly");
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
      drainOrClose(ctx, declared);
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
    } catch (TransientException | InvalidInputException e) {
      body.close();
      body.bytes = null;
      drainOrClose(ctx, declared);
      throw e;
    } catch (RuntimeException e) {
      body.close();
      throw e;
    }
  }

  /**
   * Reads what is left of a refused request's body and throws it away (a small buffer, no memory
   * kept), so the answer reaches a client that is still sending; a body too large to be worth it
   * gets {@code Connection: close} instead.
   */
  private void drainOrClose(Context ctx, long declared) {
    long limit = MAX_DRAIN_FACTOR * maxBodyBytes;
    if (declared > limit) {
      ctx.header("Connection", "close");
      return;
    }
    byte[] scratch = new byte[8192];
    long seen = 0;
    try {
      InputStream in = ctx.req().getInputStream();
      int n;
      while ((n = in.read(scratch)) >= 0) {
        seen += n;
        if (seen > limit) {
          ctx.header("Connection", "close");
          return;
        }
      }
    } catch (IOException | RuntimeException gone) {
      // the client stopped: nothing to answer on
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
