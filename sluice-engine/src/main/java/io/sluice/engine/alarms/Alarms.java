package io.sluice.engine.alarms;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.micrometer.core.instrument.MeterRegistry;
import io.sluice.core.Json;
import io.sluice.core.StateFile;
import io.sluice.core.TransientException;
import io.sluice.core.config.AlarmConfig;
import io.sluice.core.config.Durations;
import io.sluice.core.kinds.EventSink;
import io.sluice.engine.Health;
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
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's alarms (config section {@code alarms}), evaluated on its own Micrometer meters as
 * CloudWatch evaluates metric alarms.
 *
 * <p>A loop thread calls {@link #evaluate} with the node's clock every {@link #tick} (a tenth of
 * the shortest period, 1s to 10s): each call samples every alarm's series (counter deltas, gauge
 * samples) and, for each alarm whose period has ended, makes one datapoint over that period and
 * derives the state from the last N datapoints. A state change emits one {@code Alarm State Change}
 * event (source {@code sluice.alarms}) on the alarm's bus through the engine's ingest and is
 * committed only once the event is stored, so a failed emission is retried at the next call and an
 * unchanged state emits nothing. Tests call {@link #evaluate} directly on a {@code MutableClock}.
 *
 * <p>State lives in {@code <dataDir>/alarms/state.json} ({@code format} 1, written temp → fsync →
 * rename after each call that changed something, and on close): per alarm its state, the last N
 * datapoints, the period being accumulated, and the last value of each counter series (see {@link
 * Alarm} for how a restart's counters at 0 are told from a reset). An error is reported to {@link
 * Health} as component {@code alarms} (counted, logged once) and the loop goes on. Thread-safe.
 */
public final class Alarms implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(Alarms.class);

  public static final String SOURCE = "sluice.alarms";
  public static final String DETAIL_TYPE = "Alarm State Change";
  static final int FORMAT = 1;
  static final String COMPONENT = "alarms";

  /** What {@code GET /alarms} shows of one alarm. */
  public record Info(
      AlarmConfig config, AlarmState state, Instant lastEvaluation, Double observed) {}

  private final Map<String, Alarm> alarms = new LinkedHashMap<>();
  private final MeterRegistry meters;
  private final EventSink sink;
  private final Path file;
  private final Clock clock;
  private final Health health;
  private final Duration tick;
  private final Object lock = new Object();
  private volatile boolean stopped;
  private Thread loop;

  /**
   * Loads the saved state of {@code configs} from {@code dir} (alarms no longer configured are
   * dropped from it); {@link #start} runs the loop.
   *
   * @throws io.sluice.core.CorruptDataException when the state file is damaged
   */
  public Alarms(
      List<AlarmConfig> configs,
      MeterRegistry meters,
      EventSink sink,
      Path dir,
      Clock clock,
      Health health) {
    this.meters = meters;
    this.sink = sink;
    this.file = dir.resolve("state.json");
    this.clock = clock;
    this.health = health;
    Instant now = clock.instant();
    Duration shortest = Duration.ofSeconds(100);
    for (AlarmConfig c : configs) {
      alarms.put(c.name(), new Alarm(c, now));
      if (c.period().compareTo(shortest) < 0) {
        shortest = c.period();
      }
    }
    Duration t = shortest.dividedBy(10);
    this.tick = t.compareTo(Duration.ofSeconds(1)) < 0 ? Duration.ofSeconds(1) : t;
    try {
      Files.createDirectories(dir);
      JsonNode saved =
          StateFile.read(
              file,
              "the alarms' state",
              FORMAT,
              "delete it to start every alarm afresh as INSUFFICIENT_DATA");
      saved
          .path("alarms")
          .properties()
          .forEach(
              e -> {
                Alarm a = alarms.get(e.getKey());
                if (a != null) {
                  a.restore(e.getValue());
                }
              });
    } catch (NoSuchFileException e) {
      // the first run with alarms
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
    }
  }

  /** How often the loop evaluates. */
  public Duration tick() {
    return tick;
  }

  /** Starts the loop thread (none when there is no alarm). */
  public Alarms start() {
    if (alarms.isEmpty()) {
      return this;
    }
    loop =
        Thread.ofPlatform()
            .name("sluice-alarms")
            .daemon()
            .start(
                () ->
                    Supervised.run(
                        COMPONENT,
                        health,
                        () -> stopped,
                        () -> "evaluating alarms at " + clock.instant(),
                        this::runLoop));
    return this;
  }

  private void runLoop() throws InterruptedException {
    while (!stopped) {
      evaluate(clock.instant());
      health.ok(COMPONENT);
      synchronized (this) {
        if (!stopped) {
          wait(tick.toMillis());
        }
      }
    }
  }

  /**
   * Samples every alarm's series at {@code now}, closes the periods that ended, and emits and
   * commits the state changes; saves the state when anything changed.
   *
   * @throws RuntimeException when an event could not be stored or the state not saved (the other
   *     alarms were still evaluated; the next call tries again)
   */
  public void evaluate(Instant now) {
    synchronized (lock) {
      List<MetricSeries> all = MetricSeries.read(meters);
      boolean dirty = false;
      List<String> errors = new ArrayList<>();
      RuntimeException first = null;
      for (Alarm a : alarms.values()) {
        dirty |= a.sample(all, now);
        if (a.isDue(now)) {
          a.closeWindow(now);
          dirty = true;
        }
        AlarmState next = a.desired(now);
        if (next == null || next.value() == a.state.value()) {
          continue;
        }
        try {
          emit(a, next);
          LOG.info(
              "alarm {}: {} -> {}: {}",
              a.config.name(),
              a.state.value(),
              next.value(),
              next.reason());
          a.state = next;
          dirty = true;
        } catch (RuntimeException e) {
          errors.add(a.config.name() + ": " + e.getMessage());
          first = first == null ? e : first;
        }
      }
      if (dirty) {
        save();
      }
      if (first != null) {
        throw new TransientException(
            "cannot emit Alarm State Change events (retried at the next evaluation): "
                + String.join("; ", errors),
            first);
      }
    }
  }

  /** Every alarm, in config order. */
  public List<Info> list() {
    synchronized (lock) {
      List<Info> out = new ArrayList<>();
      for (Alarm a : alarms.values()) {
        out.add(new Info(a.config, a.state, a.lastEvaluation(), a.lastObserved()));
      }
      return out;
    }
  }

  private void emit(Alarm a, AlarmState next) {
    AlarmConfig c = a.config;
    ObjectNode event = Json.MAPPER.createObjectNode();
    // the same id when a crash between storing the event and saving the state repeats it
    event.put(
        "id",
        UUID.nameUUIDFromBytes(
                (c.name() + "/" + a.state.timestamp() + "/" + next.value())
                    .getBytes(StandardCharsets.UTF_8))
            .toString());
    event.put("source", SOURCE);
    event.put("detail-type", DETAIL_TYPE);
    event.put("time", next.timestamp().toString());
    event.putArray("resources").add("sluice:alarms:::" + c.name());
    ObjectNode d = event.putObject("detail");
    d.put("alarmName", c.name());
    if (!c.description().isEmpty()) {
      d.put("alarmDescription", c.description());
    }
    d.set("state", Alarm.stateJson(next));
    d.set("previousState", Alarm.stateJson(a.state));
    d.put("metric", c.metric());
    ObjectNode labels = d.putObject("labels");
    new java.util.TreeMap<>(c.labels()).forEach(labels::put);
    d.put("statistic", c.statistic().key());
    d.put("period", Durations.format(c.period()));
    d.set("threshold", threshold(c));
    d.put("evaluationPeriods", c.evaluationPeriods());
    d.put("datapointsToAlarm", c.datapointsToAlarm());
    if (a.lastObserved() == null) {
      d.putNull("observed");
    } else {
      d.put("observed", a.lastObserved());
    }
    List<EventSink.Result> out;
    try {
      out = sink.put(c.bus(), List.of(event)).get(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new TransientException("interrupted while storing the event", e);
    } catch (TimeoutException e) {
      throw new TransientException("bus " + c.bus() + " did not store the event in 30s", e);
    } catch (java.util.concurrent.ExecutionException e) {
      throw new TransientException("bus " + c.bus() + ": " + e.getCause(), e.getCause());
    }
    if (!out.get(0).stored()) {
      throw new TransientException("bus " + c.bus() + " refused the event: " + out.get(0).error());
    }
  }

  /** {@code {">": 0}}: the threshold as it was written (an integral number without a fraction). */
  public static ObjectNode threshold(AlarmConfig c) {
    ObjectNode t = Json.MAPPER.createObjectNode();
    double v = c.threshold();
    if (v == Math.rint(v) && Math.abs(v) < 1e15) {
      t.put(c.comparison().symbol(), (long) v);
    } else {
      t.put(c.comparison().symbol(), v);
    }
    return t;
  }

  private void save() {
    ObjectNode root = Json.MAPPER.createObjectNode();
    root.put("format", FORMAT);
    ObjectNode all = root.putObject("alarms");
    alarms.forEach((name, a) -> all.set(name, a.toJson()));
    try {
      AtomicFiles.write(file, Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsBytes(root));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot save the alarms' state to " + file + ": " + e, e);
    }
  }

  /** Stops the loop and saves the state. */
  @Override
  public void close() {
    stopped = true;
    synchronized (this) {
      notifyAll();
    }
    if (loop != null) {
      try {
        loop.join(10_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    synchronized (lock) {
      if (!alarms.isEmpty()) {
        try {
          save();
        } catch (RuntimeException e) {
          LOG.warn("{}", e.getMessage());
        }
      }
    }
  }
}
