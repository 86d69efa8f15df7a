package io.sluice.engine.schedules;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.sluice.core.Event;
import io.sluice.core.EventCodec;
import io.sluice.core.EventIds;
import io.sluice.core.InvalidInputException;
import io.sluice.core.Json;
import io.sluice.core.Problem;
import io.sluice.core.StateFile;
import io.sluice.core.TransientException;
import io.sluice.core.config.ScheduleConfig;
import io.sluice.core.config.ScheduleConfig.CatchUp;
import io.sluice.core.config.ScheduleExpression;
import io.sluice.engine.Health;
import io.sluice.engine.Ingest;
import io.sluice.engine.Supervised;
import io.sluice.log.AtomicFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the configured schedules (EventBridge Scheduler semantics): every slot of a schedule puts
 * one event on its bus through the engine's normal ingest, so rules route it like any event.
 *
 * <pre>{@code
 * {"version":"0","id":"<UUID v3 of schedule:NAME:slotEpochMillis>","detail-type":"Scheduled Event",
 *  "source":"sluice.scheduler","account":"000000000000","time":"<slot>","region":"local",
 *  "resources":["sluice:schedules:::NAME"],
 *  "detail":{"schedule":"NAME","scheduledTime":"<slot, ISO-8601 UTC>", …the config's detail}}
 * }</pre>
 *
 * <p><b>Once per slot.</b> The event id is derived from the schedule's name and the slot, so a fire
 * repeated after a crash (stored, then killed before the state was saved) is the same event. The
 * state, {@code <dataDir>/schedules/state.json}, holds per schedule the time up to which every slot
 * is done ({@code after}: fired or counted missed) and whether it was enabled ({@code "enabled":
 * false} only when not; format 1 files without it read as enabled), and is written
 * temp→fsync→rename after every fire. A schedule seen for the first time starts from then (an
 * {@code at} in the past from just before it, so catch-up decides about it). While a schedule is
 * disabled its {@code after} follows the clock, and one enabled again across a restart starts from
 * then: enabled again, it has no backlog.
 *
 * <p><b>Catch-up.</b> The slots that became due while the server was down (after {@code after}, due
 * by the start: slot + its flexible offset) are handled once at start by the schedule's {@link
 * CatchUp}: {@code none} counts them missed, {@code latest} fires the most recent one, {@code all}
 * fires the most recent {@code maxCatchUp} in order; every slot not fired is counted missed. While
 * running, every slot fires when it is due, late if the loop was held up.
 *
 * <p><b>Flexible window.</b> A slot is due at slot + an offset in [0, window), the same offset for
 * the same (schedule, slot) after a restart; the event's {@code time} and {@code scheduledTime}
 * stay the slot.
 *
 * <p><b>Metrics</b> per schedule: {@code sluice_schedule_fired_total}, {@code
 * sluice_schedule_missed_total}, {@code sluice_schedule_manual_fires_total} and {@code
 * sluice_schedule_late_seconds} (due time to fire time). The loop reports to {@link Health} as
 * component {@value #COMPONENT}; an unexpected error (a bus that cannot take the event) is counted,
 * logged once and retried with backoff.
 *
 * <p>Thread-safe: the loop and the API's {@link #fire} and {@link #list} share one lock.
 */
public final class Scheduler implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(Scheduler.class);

  public static final String COMPONENT = "scheduler";
  public static final String SOURCE = "sluice.scheduler";

  static final int FORMAT = 1;

  /** How long the loop waits at most before it reads the clock again. */
  static final Duration MAX_WAIT = Duration.ofSeconds(1);

  /** One schedule as {@code GET /schedules} shows it. */
  public record Info(
      String name,
      String expression,
      String timezone,
      String bus,
      String state,
      Instant nextSlot,
      Instant nextFire,
      Instant lastSlot,
      Instant lastFiredAt,
      long fired,
      long missed) {}

  /** What a manual fire stored. */
  public record Fired(String id, int partition, long offset, Instant time) {}

  /** The durable state of one schedule. */
  private static final class State {
    Instant after;
    Instant lastSlot;
    Instant lastFiredAt;
    long fired;
    long missed;

    /**
     * Whether the schedule was enabled when the state was last saved (missing in older files:
     * enabled), so that one enabled again across a restart goes on from then.
     */
    boolean enabled = true;
  }

  private final Map<String, ScheduleConfig> schedules = new LinkedHashMap<>();
  private final Map<String, State> states = new LinkedHashMap<>();
  private final Path file;
  private final Ingest ingest;
  private final Clock clock;
  private final MeterRegistry meters;
  private final Health health;
  private final Object wakeup = new Object();
  private volatile boolean stopped;
  private Thread thread;
  private boolean caughtUp;

  /** A disabled schedule's {@code after} followed the clock and is not saved yet. */
  private boolean dirty;

  private Scheduler(
      List<ScheduleConfig> configs,
      Path file,
      Ingest ingest,
      Clock clock,
      MeterRegistry meters,
      Health health) {
    this.file = file;
    this.ingest = ingest;
    this.clock = clock;
    this.meters = meters;
    this.health = health;
    configs.forEach(s -> schedules.put(s.name(), s));
  }

  /**
   * Reads the state in {@code dir} (creating it for new schedules); nothing fires before {@link
   * #catchUp} or {@link #start}.
   */
  public static Scheduler open(
      List<ScheduleConfig> schedules,
      Path dir,
      Ingest ingest,
      Clock clock,
      MeterRegistry meters,
      Health health) {
    Scheduler s =
        new Scheduler(schedules, dir.resolve("state.json"), ingest, clock, meters, health);
    s.load();
    return s;
  }

  private synchronized void load() {
    try {
      JsonNode root =
          StateFile.read(
              file,
              "the schedules' state",
              FORMAT,
              "restore it from a backup, or remove it: every schedule then starts from now"
                  + " (slots missed while the server was down are not caught up)");
      root.path("schedules")
          .properties()
          .forEach(
              e -> {
                State st = new State();
                JsonNode n = e.getValue();
                st.after = Instant.ofEpochMilli(n.path("after").asLong());
                st.lastSlot = instant(n.path("lastSlot"));
                st.lastFiredAt = instant(n.path("lastFiredAt"));
                st.fired = n.path("fired").asLong();
                st.missed = n.path("missed").asLong();
                st.enabled = n.path("enabled").asBoolean(true);
                states.put(e.getKey(), st);
              });
    } catch (NoSuchFileException e) {
      // first start
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
    }
    Instant now = clock.instant();
    boolean changed = false;
    for (ScheduleConfig s : schedules.values()) {
      State st = states.get(s.name());
      if (st == null) {
        st = new State();
        st.after = now;
        if (s.expression() instanceof ScheduleExpression.At at && !at.instant().isAfter(now)) {
          st.after = at.instant().minusMillis(1); // never fired: catch-up decides
        }
        st.enabled = s.enabled();
        states.put(s.name(), st);
        changed = true;
      } else if (!s.enabled() || !st.enabled) {
        // disabled now, or when the server last ran (the slots since then passed while it was
        // disabled): no backlog; enabled again, it goes on from then
        st.after = max(st.after, now);
        st.enabled = s.enabled();
        changed = true;
      }
    }
    if (changed) {
      save();
    }
  }

  private static Instant instant(JsonNode n) {
    return n.isIntegralNumber() ? Instant.ofEpochMilli(n.asLong()) : null;
  }

  private static Instant max(Instant a, Instant b) {
    return a.isAfter(b) ? a : b;
  }

  /** Starts the loop: catch-up of the slots missed while down, then every slot when due. */
  public synchronized void start() {
    if (thread != null) {
      return;
    }
    thread = Thread.ofPlatform().name("sluice-scheduler").daemon().unstarted(this::loop);
    thread.start();
  }

  private void loop() {
    Supervised.run(
        COMPONENT,
        health,
        () -> stopped,
        () -> "schedules " + String.join(", ", schedules.keySet()),
        () -> {
          while (!stopped) {
            if (!caughtUp) {
              catchUp();
            }
            Instant wake = runDue();
            health.ok(COMPONENT);
            long waitMs = MAX_WAIT.toMillis();
            if (wake != null) {
              waitMs =
                  Math.max(1, Math.min(waitMs, Duration.between(clock.instant(), wake).toMillis()));
            }
            synchronized (wakeup) {
              if (!stopped) {
                wakeup.wait(waitMs);
              }
            }
          }
        });
  }

  /**
   * Handles the slots that passed while the server was down, by each schedule's catch-up policy.
   * Runs once (the loop runs it first); later calls do nothing.
   */
  public synchronized void catchUp() {
    if (caughtUp || stopped) {
      return;
    }
    Instant now = clock.instant();
    for (ScheduleConfig s : schedules.values()) {
      if (s.enabled()) {
        catchUp(s, states.get(s.name()), now);
      }
    }
    caughtUp = true;
  }

  private void catchUp(ScheduleConfig s, State st, Instant now) {
    int keep =
        switch (s.catchUp()) {
          case NONE -> 0;
          case LATEST -> 1;
          case ALL -> s.maxCatchUp();
        };
    ArrayDeque<Instant> recent = new ArrayDeque<>();
    long count = 0;
    Instant last = null;
    if (s.expression() instanceof ScheduleExpression.Rate r) {
      long p = r.period().toMillis();
      long first = Math.floorDiv(st.after.toEpochMilli(), p) + 1;
      long lastIndex = Math.floorDiv(now.toEpochMilli(), p);
      // a slot not due yet (slot + its flexible offset after now) is no catch-up slot: runDue
      // fires it when due. Every slot up to now - window is due; check the ones after it.
      long window = s.flexibleWindow().toMillis();
      for (long i = Math.max(first, Math.floorDiv(now.toEpochMilli() - window, p));
          i <= lastIndex;
          i++) {
        if (isDueAfter(s, Instant.ofEpochMilli(i * p), now)) {
          lastIndex = i - 1;
          break;
        }
      }
      count = Math.max(0, lastIndex - first + 1);
      for (long i = Math.max(first, lastIndex - keep + 1); i <= lastIndex; i++) {
        recent.add(Instant.ofEpochMilli(i * p));
      }
      last = count > 0 ? Instant.ofEpochMilli(lastIndex * p) : null;
    } else {
      for (Instant t = s.expression().next(st.after);
          t != null && !t.isAfter(now) && !isDueAfter(s, t, now);
          t = s.expression().next(t)) {
        count++;
        last = t;
        if (keep > 0) {
          if (recent.size() == keep) {
            recent.removeFirst();
          }
          recent.addLast(t);
        }
      }
    }
    if (count == 0) {
      return;
    }
    long missed = count - recent.size();
    if (s.expression() instanceof ScheduleExpression.At) {
      LOG.info(
          "schedule {}: its at {} has passed and it has not fired; catchUp {} {}",
          s.name(),
          last,
          s.catchUp().text(),
          recent.isEmpty() ? "counts it missed" : "fires it now");
    } else {
      LOG.info(
          "schedule {}: {} slot(s) passed while the server was down (up to {}); catchUp {} fires"
              + " {}",
          s.name(),
          count,
          last,
          s.catchUp().text(),
          recent.size());
    }
    if (missed > 0) {
      st.missed += missed;
      missedCounter(s.name()).increment(missed);
    }
    if (recent.isEmpty()) {
      st.after = last;
      save();
      return;
    }
    if (missed > 0) {
      st.after = recent.getFirst().minusMillis(1);
      save();
    }
    for (Instant slot : recent) {
      fireSlot(s, st, slot, now, slot);
    }
  }

  /**
   * Whether {@code slot} of {@code s} is due (slot + its flexible offset) only after {@code now}.
   */
  private static boolean isDueAfter(ScheduleConfig s, Instant slot, Instant now) {
    return slot.plus(offset(s, slot)).isAfter(now);
  }

  /**
   * Fires every slot that is due now, in order; returns when the next one is due ({@code null}:
   * none). A disabled schedule's slots pass by: its {@code after} follows the clock (saved with the
   * next save, at the latest on {@link #close}), so enabled again it has no backlog.
   */
  public synchronized Instant runDue() {
    Instant now = clock.instant();
    Instant wake = null;
    for (ScheduleConfig s : schedules.values()) {
      State st = states.get(s.name());
      if (!s.enabled()) {
        if (now.isAfter(st.after)) {
          st.after = now;
          dirty = true;
        }
        continue;
      }
      while (!stopped) {
        Instant slot = s.expression().next(st.after);
        if (slot == null) {
          break;
        }
        Instant due = slot.plus(offset(s, slot));
        if (due.isAfter(now)) {
          wake = wake == null || due.isBefore(wake) ? due : wake;
          break;
        }
        fireSlot(s, st, slot, now, due);
      }
    }
    return wake;
  }

  /** The event id of a schedule's slot: a name-based UUID of {@code schedule:NAME:slotMillis}. */
  public static String eventId(String schedule, Instant slot) {
    return UUID.nameUUIDFromBytes(
            ("schedule:" + schedule + ":" + slot.toEpochMilli()).getBytes(StandardCharsets.UTF_8))
        .toString();
  }

  /** Where in the flexible window a slot is due: the same for the same schedule and slot. */
  static Duration offset(ScheduleConfig s, Instant slot) {
    long window = s.flexibleWindow().toMillis();
    if (window <= 0) {
      return Duration.ZERO;
    }
    UUID id = UUID.fromString(eventId(s.name(), slot));
    long seed = id.getMostSignificantBits() ^ id.getLeastSignificantBits();
    return Duration.ofMillis(new SplittableRandom(seed).nextLong(window));
  }

  private void fireSlot(ScheduleConfig s, State st, Instant slot, Instant now, Instant due) {
    Ingest.Stored stored = store(s, eventId(s.name(), slot), slot);
    st.after = slot;
    st.lastSlot = slot;
    st.lastFiredAt = now;
    st.fired++;
    save();
    Counter.builder("sluice.schedule.fired")
        .description("Slots a schedule fired")
        .tag("schedule", s.name())
        .register(meters)
        .increment();
    Timer.builder("sluice.schedule.late")
        .description("From when a slot was due to when it fired")
        .tag("schedule", s.name())
        .register(meters)
        .record(
            Duration.between(due, now).isNegative() ? Duration.ZERO : Duration.between(due, now));
    LOG.debug("schedule {} fired slot {} as {}", s.name(), slot, stored.id());
  }

  private Counter missedCounter(String schedule) {
    return Counter.builder("sluice.schedule.missed")
        .description("Slots a schedule did not fire (downtime beyond its catch-up policy)")
        .tag("schedule", schedule)
        .register(meters);
  }

  /**
   * Fires a schedule now, for a test: an event with its own id and {@code scheduledTime} now; it
   * does not consume a slot.
   *
   * @throws InvalidInputException {@code NOT_FOUND} for an unknown schedule
   */
  public Fired fire(String name) {
    ScheduleConfig s;
    synchronized (this) {
      s = schedules.get(name);
    }
    if (s == null) {
      throw notFound(name);
    }
    Instant now = clock.instant();
    Ingest.Stored stored = store(s, EventIds.next(clock), now);
    Counter.builder("sluice.schedule.manual.fires")
        .description("Fires by hand (sluice schedules fire, POST /schedules/{name}/fire)")
        .tag("schedule", name)
        .register(meters)
        .increment();
    return new Fired(stored.id(), stored.partition(), stored.offset(), now);
  }

  public InvalidInputException notFound(String name) {
    return new InvalidInputException(
        InvalidInputException.NOT_FOUND,
        Problem.of(
            "/schedule",
            "no schedule named "
                + Problem.render(name)
                + (schedules.isEmpty()
                    ? " (none is configured)"
                    : " (schedules: " + String.join(", ", schedules.keySet()) + ")"),
            Problem.render(name)));
  }

  /** The event of {@code s} for {@code slot}. */
  static Event event(ScheduleConfig s, String id, Instant slot) {
    ObjectNode detail = Json.MAPPER.createObjectNode();
    detail.put("schedule", s.name());
    detail.put("scheduledTime", slot.toString());
    detail.setAll(s.detail());
    return new Event(
        "0",
        id,
        s.detailType(),
        SOURCE,
        EventCodec.DEFAULT_ACCOUNT,
        slot,
        EventCodec.DEFAULT_REGION,
        List.of("sluice:schedules:::" + s.name()),
        detail,
        Map.of());
  }

  private Ingest.Stored store(ScheduleConfig s, String id, Instant slot) {
    Ingest.Entry entry = ingest.prepare(event(s, id, slot), "");
    Ingest.Outcome out = ingest.store(s.bus(), List.of(entry)).join().get(0);
    if (out instanceof Ingest.Stored stored) {
      return stored;
    }
    throw new TransientException(
        "schedule " + s.name() + " could not put its event on bus " + s.bus() + ": " + out);
  }

  /** Every schedule with its next and last fire. */
  public synchronized List<Info> list() {
    List<Info> out = new ArrayList<>();
    for (ScheduleConfig s : schedules.values()) {
      State st = states.get(s.name());
      Instant next = s.enabled() ? s.expression().next(st.after) : null;
      out.add(
          new Info(
              s.name(),
              s.expression().text(),
              s.zone().getId(),
              s.bus(),
              !s.enabled() ? "DISABLED" : next == null ? "COMPLETED" : "ENABLED",
              next,
              next == null ? null : next.plus(offset(s, next)),
              st.lastSlot,
              st.lastFiredAt,
              st.fired,
              st.missed));
    }
    return out;
  }

  private void save() {
    ObjectNode root = Json.MAPPER.createObjectNode();
    root.put("format", FORMAT);
    ObjectNode all = root.putObject("schedules");
    states.forEach(
        (name, st) -> {
          ObjectNode n = all.putObject(name);
          n.put("after", st.after.toEpochMilli());
          if (st.lastSlot != null) {
            n.put("lastSlot", st.lastSlot.toEpochMilli());
          }
          if (st.lastFiredAt != null) {
            n.put("lastFiredAt", st.lastFiredAt.toEpochMilli());
          }
          n.put("fired", st.fired);
          n.put("missed", st.missed);
          if (!st.enabled) {
            n.put("enabled", false);
          }
        });
    try {
      Files.createDirectories(file.getParent());
      AtomicFiles.write(file, Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsBytes(root));
      dirty = false;
    } catch (IOException e) {
      throw new TransientException("cannot save " + file + ": " + e.getMessage(), e);
    }
  }

  /**
   * Stops the loop and waits for it; saves what is not saved yet (a disabled schedule's {@code
   * after}).
   */
  @Override
  public void close() {
    stopped = true;
    synchronized (wakeup) {
      wakeup.notifyAll();
    }
    Thread t;
    synchronized (this) {
      t = thread;
      if (t != null) {
        // under the lock the loop is not firing (catchUp and runDue hold it), so the interrupt
        // ends a wait or a backoff sleep, never a store or a save half-way
        t.interrupt();
      }
    }
    if (t != null) {
      try {
        t.join(10_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    synchronized (this) {
      if (dirty) {
        try {
          save();
        } catch (TransientException e) {
          LOG.warn("schedules: {}", e.getMessage());
        }
      }
    }
  }
}
