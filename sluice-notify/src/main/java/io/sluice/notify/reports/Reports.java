package io.sluice.notify.reports;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sluice.core.InvalidInputException;
import io.sluice.core.Json;
import io.sluice.core.Problem;
import io.sluice.core.config.ReportConfig;
import io.sluice.core.config.ReportConfig.Section;
import io.sluice.core.functions.Functions;
import io.sluice.core.functions.InvocationResult;
import io.sluice.core.kinds.EventSink;
import io.sluice.lake.Lake;
import io.sluice.lake.QueryException;
import io.sluice.lake.RowSink;
import io.sluice.notify.Mailer;
import io.sluice.notify.Templates;
import io.sluice.objects.ObjectStore;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jfree.chart.JFreeChart;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the node's reports: each section's SQL through the lake's query path (its sandbox, row
 * limit, timeout and query slots, as {@code POST /query}), function sections through the node's
 * {@link Functions}, then stores the report as objects, mails it when it has {@code email} and the
 * node has a {@link Mailer}, and puts a {@code Report Generated} (or {@code Report Failed}) event
 * on the report's bus.
 *
 * <p>Objects, in the report's bucket: {@code reports/<name>/<yyyy-MM-dd>/<HHmmss>Z/report.html},
 * {@code report.json} and one CSV per table section ({@code 01-summary.csv}, {@code
 * 02-heart-rate-by-ward.csv}: position and title). The time is the triggering schedule's {@code
 * detail.scheduledTime} when there is one (a retried delivery of the same run overwrites the same
 * keys), else the run's own time, in UTC: hourly runs never overwrite each other.
 *
 * <p>A section whose SQL fails (refused by the sandbox, a syntax error, a timeout) or whose
 * function fails becomes an error section; the report is still stored and its status is {@code
 * partial}. So is a mail that could not be sent. Only a report that could not be stored is {@code
 * failed}.
 *
 * <p>Thread-safe: a run holds its state on its own stack.
 */
public final class Reports {

  private static final Logger LOG = LoggerFactory.getLogger(Reports.class);

  public static final String SOURCE = "sluice.reports";
  public static final String GENERATED = "Report Generated";
  public static final String FAILED = "Report Failed";

  /** How long a function section waits for a busy function's worker. */
  static final Duration FUNCTION_WAIT = Duration.ofSeconds(30);

  private static final DateTimeFormatter DATE =
      DateTimeFormatter.ofPattern("yyyy-MM-dd").withZone(ZoneOffset.UTC);
  private static final DateTimeFormatter TIME =
      DateTimeFormatter.ofPattern("HHmmss").withZone(ZoneOffset.UTC);

  private final Map<String, ReportConfig> reports = new LinkedHashMap<>();
  private final Lake lake;
  private final ObjectStore store;
  private final Functions functions;
  private final Mailer mailer;
  private final EventSink events;
  private final Clock clock;
  private final Map<String, Templates.Template> titles = new LinkedHashMap<>();

  /**
   * @param functions the node's functions (null: function sections fail)
   * @param mailer the node's mailer, or null when it has no {@code smtp} (a report with {@code
   *     email} is then partial, saying so)
   * @param events where the report events go (the engine's ingest)
   */
  public Reports(
      List<ReportConfig> configs,
      Lake lake,
      ObjectStore store,
      Functions functions,
      Mailer mailer,
      EventSink events,
      Clock clock) {
    for (ReportConfig c : configs) {
      reports.put(c.name(), c);
      titles.put(c.name(), Templates.text(c.title()));
    }
    this.lake = lake;
    this.store = store;
    this.functions = functions;
    this.mailer = mailer;
    this.events = events;
    this.clock = clock;
  }

  /** Every report, in config order. */
  public List<ReportConfig> list() {
    return List.copyOf(reports.values());
  }

  public Optional<ReportConfig> get(String name) {
    return Optional.ofNullable(reports.get(name));
  }

  /**
   * The report named {@code name}.
   *
   * @throws InvalidInputException {@code NOT_FOUND} when there is no such report
   */
  public ReportConfig require(String name) {
    ReportConfig c = reports.get(name);
    if (c == null) {
      throw new InvalidInputException(
          InvalidInputException.NOT_FOUND,
          Problem.of(
              "/name",
              "no report named "
                  + Problem.render(name)
                  + (reports.isEmpty()
                      ? " (the config has no reports section)"
                      : " (reports: " + String.join(", ", reports.keySet()) + ")"),
              Problem.render(name)));
    }
    return c;
  }

  /**
   * Runs report {@code name}; {@code event} is the triggering event (a schedule's, a rule's) or
   * {@code {}} for a run on request, and fills the title's template ({@code {{detail.x}}}).
   *
   * @throws InvalidInputException {@code NOT_FOUND} when there is no such report
   */
  public ReportRun run(String name, JsonNode event) {
    ReportConfig c = require(name);
    JsonNode ev = event == null || !event.isObject() ? Json.MAPPER.createObjectNode() : event;
    Instant now = clock.instant();
    Instant scheduled = scheduledTime(ev);
    Instant time = scheduled == null ? now : scheduled;
    String title = titles.get(name).render(scope(c, ev, now, scheduled, time));
    List<SectionResult> sections = new ArrayList<>();
    for (Section s : c.sections()) {
      sections.add(section(c, s));
    }
    List<String> errors = new ArrayList<>();
    for (SectionResult s : sections) {
      if (s.error() != null) {
        errors.add("section " + Problem.render(s.title()) + ": " + s.error());
      }
    }
    ReportRun run =
        new ReportRun(
            name,
            title,
            time,
            errors.isEmpty() ? ReportRun.OK : ReportRun.PARTIAL,
            c.bucket(),
            List.of(),
            sections,
            errors);
    Map<Integer, JFreeChart> charts = new LinkedHashMap<>();
    for (int i = 0; i < sections.size(); i++) {
      if (sections.get(i).hasChart()) {
        charts.put(i, ReportCharts.chart(sections.get(i)));
      }
    }
    String prefix = "reports/" + name + "/" + DATE.format(time) + "/" + TIME.format(time) + "Z/";
    List<String> keys = new ArrayList<>();
    try {
      for (String f : c.formats()) {
        switch (f) {
          case "html" -> {
            String html = ReportRenderer.html(run, i -> ReportCharts.svg(charts.get(i)));
            keys.add(put(c, prefix + "report.html", html.getBytes(StandardCharsets.UTF_8)));
          }
          case "json" -> keys.add(put(c, prefix + "report.json", json(run)));
          default -> {
            for (int i = 0; i < sections.size(); i++) {
              if (sections.get(i).isTable()) {
                String csv = ReportRenderer.csv(sections.get(i));
                keys.add(
                    put(
                        c,
                        prefix + ReportRenderer.csvName(i, sections.get(i)),
                        csv.getBytes(StandardCharsets.UTF_8)));
              }
            }
          }
        }
      }
    } catch (IOException | RuntimeException e) {
      errors.add(
          "store: the report could not be stored in bucket " + c.bucket() + ": " + e.getMessage());
      ReportRun failed =
          new ReportRun(name, title, time, ReportRun.FAILED, c.bucket(), keys, sections, errors);
      emit(c, failed, errors);
      return failed;
    }
    if (c.email() != null) {
      if (mailer == null) {
        errors.add("email: not sent, this node has no mailer (configure the smtp section)");
      } else {
        try {
          mailer.send(ReportMail.message(c, run, charts));
        } catch (Exception e) {
          errors.add(
              "email: not sent to " + String.join(", ", c.email().to()) + ": " + e.getMessage());
        }
      }
    }
    ReportRun done =
        new ReportRun(
            name,
            title,
            time,
            errors.isEmpty() ? ReportRun.OK : ReportRun.PARTIAL,
            c.bucket(),
            keys,
            sections,
            errors);
    try {
      emit(c, done, errors);
    } catch (RuntimeException e) {
      // stored and mailed: running it again would mail it twice, so the run stands, partial,
      // with the event's failure among its errors (and in the log)
      LOG.warn("{}", e.getMessage());
      List<String> more = new ArrayList<>(errors);
      more.add("event: " + e.getMessage());
      return new ReportRun(name, title, time, ReportRun.PARTIAL, c.bucket(), keys, sections, more);
    }
    return done;
  }

  private static Instant scheduledTime(JsonNode event) {
    JsonNode t = event.path("detail").path("scheduledTime");
    if (!t.isTextual()) {
      return null;
    }
    try {
      return Instant.parse(t.asText());
    } catch (DateTimeParseException e) {
      return null;
    }
  }

  /** The title's values: the event's fields, and date, time, report, schedule. */
  private static Object scope(
      ReportConfig c, JsonNode event, Instant now, Instant scheduled, Instant time) {
    @SuppressWarnings("unchecked")
    Map<String, Object> scope = new LinkedHashMap<>((Map<String, Object>) Templates.toScope(event));
    scope.put("date", DATE.format(time));
    scope.put("time", time.toString());
    scope.put("now", now.toString());
    scope.put("report", c.name());
    Map<String, Object> schedule = new LinkedHashMap<>();
    schedule.put("name", event.path("detail").path("schedule").asText(c.schedule()));
    schedule.put("time", scheduled == null ? null : scheduled.toString());
    scope.put("schedule", schedule);
    return scope;
  }

  private SectionResult section(ReportConfig c, Section s) {
    if (!s.isFunction()) {
      try {
        SectionResult r = query(s);
        if (s.chart() != null) {
          ReportCharts.column(r, s.chart().x());
          s.chart().y().forEach(y -> ReportCharts.column(r, y));
        }
        return r;
      } catch (QueryException | IOException | RuntimeException e) {
        return SectionResult.failed(s, message(e));
      }
    }
    try {
      ObjectNode input = Json.MAPPER.createObjectNode();
      input.put("report", c.name());
      input.put("section", s.title());
      if (s.sql() != null) {
        SectionResult rows = query(s);
        ArrayNode cols = input.putArray("columns");
        rows.columns().forEach(cols::add);
        ArrayNode arr = input.putArray("rows");
        for (List<Object> row : rows.rows()) {
          ObjectNode o = arr.addObject();
          for (int i = 0; i < rows.columns().size(); i++) {
            o.set(rows.columns().get(i), Json.MAPPER.valueToTree(row.get(i)));
          }
        }
      }
      if (functions == null) {
        return SectionResult.failed(s, "function " + s.function() + ": no functions run here");
      }
      InvocationResult r =
          functions.invoke(
              s.function(),
              Json.MAPPER.writeValueAsBytes(input),
              "report " + c.name(),
              FUNCTION_WAIT);
      if (r instanceof InvocationResult.Failure f) {
        return SectionResult.failed(s, "function " + s.function() + " failed: " + f.describe());
      }
      JsonNode out = Json.MAPPER.readTree(((InvocationResult.Success) r).payload());
      if (out != null && out.isTextual()) {
        return SectionResult.text(s, out.asText());
      }
      if (out != null && out.path("text").isTextual()) {
        return SectionResult.text(s, out.path("text").asText());
      }
      return SectionResult.failed(
          s,
          "function "
              + s.function()
              + " returned "
              + Json.describe(out)
              + "; a report section takes a string or {\"text\": …}");
    } catch (QueryException | IOException | RuntimeException e) {
      return SectionResult.failed(s, message(e));
    }
  }

  private static String message(Exception e) {
    if (e instanceof InvalidInputException i && !i.problems().isEmpty()) {
      return i.problems().get(0).message();
    }
    return e.getMessage() == null ? e.toString() : e.getMessage();
  }

  private SectionResult query(Section s) throws QueryException, IOException {
    List<String> columns = new ArrayList<>();
    List<List<Object>> rows = new ArrayList<>();
    boolean[] cut = new boolean[1];
    lake.query(
        s.sql(),
        new RowSink() {
          @Override
          public void start(List<String> cols, List<String> types) {
            columns.addAll(cols);
          }

          @Override
          public void row(Object[] values) {
            rows.add(Arrays.asList(values.clone()));
          }

          @Override
          public void end(long n, boolean truncated) {
            cut[0] = truncated;
          }
        });
    return SectionResult.table(s, columns, rows, cut[0]);
  }

  private static byte[] json(ReportRun run) throws IOException {
    return Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsBytes(ReportRenderer.json(run));
  }

  private String put(ReportConfig c, String key, byte[] bytes) throws IOException {
    store.put(c.bucket(), key, new ByteArrayInputStream(bytes), "report " + c.name());
    return key;
  }

  private void emit(ReportConfig c, ReportRun run, List<String> errors) {
    ObjectNode event = Json.MAPPER.createObjectNode();
    event.put("source", SOURCE);
    event.put("detail-type", run.status().equals(ReportRun.FAILED) ? FAILED : GENERATED);
    event.putArray("resources").add("sluice:reports:::" + c.name());
    ObjectNode d = event.putObject("detail");
    d.put("report", c.name());
    d.put("title", run.title());
    d.put("status", run.status());
    d.put("time", run.time().toString());
    d.put("bucket", c.bucket());
    ArrayNode keys = d.putArray("keys");
    run.keys().forEach(keys::add);
    d.put("sections", run.sections().size());
    ArrayNode errs = d.putArray("errors");
    errors.forEach(errs::add);
    List<EventSink.Result> out = events.put(c.bus(), List.of(event)).join();
    if (!out.get(0).stored()) {
      throw new IllegalStateException(
          "report "
              + c.name()
              + " ran ("
              + run.status()
              + ") but its event was not stored on bus "
              + c.bus()
              + ": "
              + out.get(0).error());
    }
  }
}
