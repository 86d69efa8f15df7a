package io.sluice.functions;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sluice.core.Json;
import io.sluice.core.functions.InvocationResult;
import io.sluice.core.functions.InvocationResult.Failure;
import io.sluice.log.AtomicFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Asynchronous invocations of one function (Lambda's {@code InvocationType: Event}), durable: an
 * invocation is a file, fsynced before it is acknowledged, so none accepted is lost in a crash. One
 * drainer thread per function runs them in the order they came, at least once: a failure that can
 * succeed later is tried {@value #ATTEMPTS} times in all (after {@link #BACKOFF} and twice that, as
 * Lambda retries twice), then the invocation is set aside with its error.
 *
 * <p>Layout: {@code <work>/async/<time>-<uuid>.json} (the payload) waiting; {@code
 * <work>/async-failed/<same name>} as {@code {"requestPayload","errorType","errorMessage",
 * "stackTrace"}} when every attempt failed. Files left by a crash are run at start.
 *
 * <p>Thread-safe.
 */
final class AsyncInvocations implements AutoCloseable {

  static final int ATTEMPTS = 3;
  static final Duration BACKOFF = Duration.ofSeconds(1);

  /** How long a throttled invocation keeps being tried (Lambda's maximum event age). */
  static final Duration MAX_EVENT_AGE = Duration.ofHours(6);

  /** How long an invocation that could not be handled waits before it is tried again. */
  static final Duration REQUEUE = Duration.ofSeconds(10);

  private static final Logger LOG = LoggerFactory.getLogger(AsyncInvocations.class);

  /** Runs one invocation for the drainer. */
  interface Invoker {
    InvocationResult invoke(byte[] payload);
  }

  private final String function;
  private final Path pending;
  private final Path failed;
  private final Invoker invoker;
  private final LinkedBlockingQueue<Path> queue = new LinkedBlockingQueue<>();
  private final Thread drainer;
  private volatile boolean closed;

  AsyncInvocations(String function, Path work, Invoker invoker) {
    this.function = function;
    this.pending = work.resolve("async");
    this.failed = work.resolve("async-failed");
    this.invoker = invoker;
    try {
      Files.createDirectories(pending);
      Files.createDirectories(failed);
      try (Stream<Path> s = Files.list(pending)) {
        s.filter(p -> p.getFileName().toString().endsWith(".json")).sorted().forEach(queue::add);
      }
      try (Stream<Path> s = Files.list(pending)) {
        for (Path p : s.filter(p -> p.getFileName().toString().endsWith(".tmp")).toList()) {
          Files.deleteIfExists(p); // never acknowledged
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot open " + pending, e);
    }
    this.drainer = Thread.ofVirtual().name("sluice-function-async-" + function).start(this::drain);
  }

  /** Stores one invocation durably; returns its request id once it is on disk. */
  String submit(byte[] payload) throws IOException {
    String id = UUID.randomUUID().toString();
    Path file = pending.resolve(String.format("%020d-%s.json", System.currentTimeMillis(), id));
    AtomicFiles.write(file, payload);
    queue.add(file);
    return id;
  }

  /** Invocations waiting or running. */
  int waiting() {
    return queue.size();
  }

  private void drain() {
    while (!closed) {
      Path file;
      try {
        file = queue.poll(1, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        return;
      }
      if (file == null) {
        continue;
      }
      try {
        run(file);
      } catch (InterruptedException e) {
        return; // closing: the file stays and runs at the next start
      } catch (Throwable t) { // the drainer never stops: the invocation is tried again later
        LOG.error(
            "function {}: an asynchronous invocation in {} could not be handled; it is tried"
                + " again in {} s",
            function,
            file,
            REQUEUE.toSeconds(),
            t);
        Thread.ofVirtual()
            .start(
                () -> {
                  try {
                    Thread.sleep(REQUEUE.toMillis()); // a delay before the retry, not a wait
                    if (!closed) {
                      queue.add(file);
                    }
                  } catch (InterruptedException e) {
                    // closing: the file stays and runs at the next start
                  }
                });
      }
    }
  }

  private void run(Path file) throws IOException, InterruptedException {
    byte[] payload = Files.readAllBytes(file);
    Failure last = null;
    long firstTry = System.currentTimeMillis();
    for (int attempt = 1; attempt <= ATTEMPTS; attempt++) {
      InvocationResult r = invoker.invoke(payload);
      if (!(r instanceof Failure f)) {
        Files.deleteIfExists(file);
        AtomicFiles.fsyncDirectory(pending);
        return;
      }
      last = f;
      if (f.kind() == InvocationResult.Kind.THROTTLED
          && !closed
          && System.currentTimeMillis() - firstTry < MAX_EVENT_AGE.toMillis()) {
        attempt--; // busy workers are not the invocation's failure: as Lambda, wait and try again
        Thread.sleep(BACKOFF.toMillis());
        continue;
      }
      if (!f.isRetryable() || attempt == ATTEMPTS || closed) {
        break;
      }
      Thread.sleep(BACKOFF.toMillis() << (attempt - 1)); // Lambda's retry delay, shortened
    }
    if (closed && last.isRetryable()) {
      return; // runs again at the next start
    }
    ObjectNode out = Json.MAPPER.createObjectNode();
    try {
      out.set("requestPayload", Json.MAPPER.readTree(payload));
    } catch (IOException notJson) {
      out.put("requestPayload", new String(payload, java.nio.charset.StandardCharsets.UTF_8));
    }
    out.put("errorType", last.errorType());
    out.put("errorMessage", last.errorMessage());
    var trace = out.putArray("stackTrace");
    List.copyOf(last.stackTrace()).forEach(trace::add);
    Path target = failed.resolve(file.getFileName());
    AtomicFiles.write(target, out.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
    Files.deleteIfExists(file);
    AtomicFiles.fsyncDirectory(pending);
    LOG.warn(
        "function {}: an asynchronous invocation failed {}: {}; set aside in {}",
        function,
        last.isRetryable() ? "every attempt" : "for good",
        last.describe(),
        target);
  }

  @Override
  public void close() {
    closed = true;
    drainer.interrupt();
    try {
      drainer.join(10_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
