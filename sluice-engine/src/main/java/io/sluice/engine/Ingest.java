package io.sluice.engine;

import com.fasterxml.jackson.databind.JsonNode;
import io.sluice.core.Event;
import io.sluice.core.EventCodec;
import io.sluice.core.EventIds;
import io.sluice.core.InvalidInputException;
import io.sluice.core.Problem;
import io.sluice.core.kinds.EventSink;
import io.sluice.log.AppendResult;
import io.sluice.log.LogOverloadedException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * The protocol-independent half of ingestion: turns parsed input into prepared entries (defaults
 * assigned, serialized, size-checked) and stores the valid ones, reporting one outcome per entry in
 * request order. Every protocol (native, CloudEvents, PutEvents) goes through here, so every
 * protocol applies the same rules and limits.
 */
public final class Ingest implements EventSink {

  /** Outcome code for an entry the log could not take right now (retry). */
  public static final String UNAVAILABLE = "UNAVAILABLE";

  /** One entry of a request after validation. */
  public sealed interface Entry permits Valid, Invalid {}

  /** A valid event with its stored bytes. */
  public record Valid(Event event, byte[] json) implements Entry {}

  /** A rejected entry: a stable code and every problem found. */
  public record Invalid(String code, List<Problem> problems) implements Entry {
    public Invalid {
      problems = List.copyOf(problems);
    }

    public String message() {
      return InvalidInputException.summary(problems);
    }

    public static Invalid of(InvalidInputException e) {
      return new Invalid(e.code(), e.problems());
    }
  }

  /** What happened to one entry. */
  public sealed interface Outcome permits Stored, Failed {}

  public record Stored(String id, int partition, long offset) implements Outcome {}

  /**
   * @param retryable true when the entry was valid but could not be stored now (overload, disk)
   */
  public record Failed(String code, String message, List<Problem> problems, boolean retryable)
      implements Outcome {}

  private final Buses buses;
  private final Clock clock;

  public Ingest(Buses buses, Clock clock) {
    this.buses = buses;
    this.clock = clock;
  }

  public EventCodec codec() {
    return buses.codec();
  }

  /** Validates an event tree from a request ({@code path} locates it, e.g. "/3"). */
  public Entry prepare(JsonNode node, String path) {
    return prepare(buses.codec(), node, path, () -> EventIds.next(clock), clock.instant());
  }

  /** Assigns id and time where missing, serializes, checks the size. */
  public Entry prepare(Event event, String path) {
    return prepare(buses.codec(), event, path, () -> EventIds.next(clock), clock.instant());
  }

  /**
   * Validates an event tree as every protocol's ingest does, with the same problems, giving an
   * event without {@code id} the one {@code newId} makes and one without {@code time} {@code now}.
   * {@code sluice test} prepares its sample events here, with ids and a time of its own.
   */
  public static Entry prepare(
      EventCodec codec, JsonNode node, String path, Supplier<String> newId, Instant now) {
    List<Problem> problems = new ArrayList<>();
    Event e = codec.fromTree(node, path, problems);
    if (e == null) {
      return new Invalid(EventCodec.codeFor(problems), problems);
    }
    return prepare(codec, e, path, newId, now);
  }

  private static Entry prepare(
      EventCodec codec, Event event, String path, Supplier<String> newId, Instant now) {
    Event e = event.withDefaults(event.id() == null ? newId.get() : null, now);
    byte[] json = codec.toBytes(e);
    Problem size = codec.checkSize(json, path);
    if (size != null) {
      return new Invalid(InvalidInputException.TOO_LARGE, List.of(size));
    }
    return new Valid(e, json);
  }

  /** As {@link EventSink}: validates and stores events a target puts on {@code bus}. */
  @Override
  public CompletableFuture<List<EventSink.Result>> put(String bus, List<JsonNode> events) {
    List<Entry> entries = new ArrayList<>(events.size());
    for (JsonNode e : events) {
      entries.add(prepare(e, ""));
    }
    return store(bus, entries)
        .thenApply(
            outcomes ->
                outcomes.stream()
                    .map(
                        o ->
                            o instanceof Failed f
                                ? new EventSink.Result(everyProblem(f), f.retryable())
                                : EventSink.Result.STORED)
                    .toList());
  }

  /** A dead letter's error names every problem, not the first and a count. */
  private static String everyProblem(Failed f) {
    return f.problems().size() < 2
        ? f.message()
        : String.join("; ", f.problems().stream().map(Problem::toString).toList());
  }

  /** Stores the valid entries on {@code bus}; one outcome per entry, in order. */
  public CompletableFuture<List<Outcome>> store(String bus, List<Entry> entries) {
    List<Event> events = new ArrayList<>();
    List<byte[]> json = new ArrayList<>();
    for (Entry en : entries) {
      if (en instanceof Valid v) {
        events.add(v.event());
        json.add(v.json());
      }
    }
    CompletableFuture<List<AppendResult>> appended =
        events.isEmpty()
            ? CompletableFuture.completedFuture(List.of())
            : buses.appendSerialized(bus, events, json);
    return appended.thenApply(
        results -> {
          List<Outcome> out = new ArrayList<>(entries.size());
          int k = 0;
          for (Entry en : entries) {
            switch (en) {
              case Invalid inv ->
                  out.add(new Failed(inv.code(), inv.message(), inv.problems(), false));
              case Valid v -> {
                AppendResult r = results.get(k++);
                if (r.isOk()) {
                  out.add(new Stored(v.event().id(), r.partition(), r.offset()));
                } else if (r.error() instanceof InvalidInputException iie) {
                  out.add(new Failed(iie.code(), iie.getMessage(), iie.problems(), false));
                } else {
                  out.add(
                      new Failed(
                          UNAVAILABLE,
                          (r.error() instanceof LogOverloadedException ? "" : "not stored: ")
                              + r.error().getMessage(),
                          List.of(),
                          true));
                }
              }
            }
          }
          return out;
        });
  }
}
