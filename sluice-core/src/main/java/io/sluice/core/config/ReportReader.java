package io.sluice.core.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sluice.core.Json;
import io.sluice.core.Problem;
import io.sluice.core.config.ReportConfig.Chart;
import io.sluice.core.config.ReportConfig.Email;
import io.sluice.core.config.ReportConfig.Section;
import io.sluice.core.kinds.Kinds;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Reads the {@code reports} section (see {@link ReportConfig}), every problem with its path, and
 * makes the implicit rule of each {@code on: {schedule: NAME}}: on the schedule's bus, pattern
 * {@code {source: [sluice.scheduler], detail: {schedule: [NAME]}}}, one target {@code report:
 * {name}}, named {@code report-<name>}.
 */
final class ReportReader {

  /** Report names: they are part of object keys and rule names. */
  static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_-]{0,56}");

  private static final Pattern BUCKET = Pattern.compile("[a-z0-9][a-z0-9-]{1,62}");
  private static final Pattern ADDRESS = Pattern.compile("[^@\\s<>]+@[^@\\s<>]+");

  private final Kinds kinds;
  private final Set<String> buses;
  private final Set<String> functions;
  private final Map<String, String> schedules;

  /** The implicit rules of {@code on: {schedule}}, each with the path of its {@code on}. */
  final Map<String, JsonNode> implicitRules = new java.util.LinkedHashMap<>();

  /**
   * @param schedules each declared schedule's bus by schedule name; {@code null} when this build
   *     reads no {@code schedules} section: then any schedule name is taken, and its events are
   *     expected on the {@code default} bus
   */
  ReportReader(
      Kinds kinds, Set<String> buses, Set<String> functions, Map<String, String> schedules) {
    this.kinds = kinds;
    this.buses = buses;
    this.functions = functions;
    this.schedules = schedules;
  }

  List<ReportConfig> readAll(ConfigNode list) {
    List<ReportConfig> out = new ArrayList<>();
    Map<String, String> seen = new HashMap<>();
    for (ConfigNode n : list.list(false, "a list of reports")) {
      ReportConfig r = read(n);
      if (r == null) {
        continue;
      }
      String before = seen.putIfAbsent(r.name(), n.path());
      if (before != null) {
        n.field("name")
            .problem(
                "duplicate report name " + Problem.render(r.name()) + " (first at " + before + ")");
        continue;
      }
      out.add(r);
    }
    return out;
  }

  private ReportConfig read(ConfigNode n) {
    int before = n.problems().size();
    if (!n.isObject(true, "a report mapping with name, title, sections")) {
      return null;
    }
    n.allowOnly("name", "on", "title", "sections", "formats", "bucket", "bus", "email");
    String name =
        n.field("name").matching(null, NAME, "a report name of 1-57 characters A-Z a-z 0-9 - _");
    if (name == null && n.field("name").isMissing()) {
      n.field("name").problem("is required: a report name");
    }
    String schedule = schedule(n.field("on"));
    String title = template(n.field("title"), name == null ? "Report" : name);
    List<Section> sections = new ArrayList<>();
    List<ConfigNode> items = n.field("sections").list(true, "a list of sections");
    if (items.isEmpty() && n.field("sections").raw().isArray()) {
      n.field("sections").problem("expected at least one section, got an empty list");
    }
    for (ConfigNode s : items) {
      Section section = section(s);
      if (section != null) {
        sections.add(section);
      }
    }
    List<String> formats = formats(n.field("formats"), List.of("html"));
    String bucket =
        n.field("bucket")
            .matching(
                ReportConfig.DEFAULT_BUCKET, BUCKET, "a bucket name of 2-63 characters a-z 0-9 -");
    String bus = n.field("bus").string(buses.contains("default") ? "default" : null);
    if (bus == null && n.field("bus").isMissing()) {
      n.field("bus")
          .problem(
              "is required: the bus of the report's events (there is no bus named default; buses: "
                  + String.join(", ", buses)
                  + ")");
    } else {
      io.sluice.core.kinds.ReadContext.checkBus(buses, n.field("bus"), bus);
    }
    Email email = email(n.field("email"));
    if (n.problems().size() > before) {
      return null;
    }
    if (schedule != null) {
      implicitRules.put(n.field("on").path(), implicitRule(name, schedule));
    }
    return new ReportConfig(name, schedule, title, sections, formats, bucket, bus, email);
  }

  private String schedule(ConfigNode on) {
    if (!on.isObject(false, "a mapping {schedule: NAME}")) {
      return null;
    }
    on.allowOnly("schedule");
    ConfigNode s = on.field("schedule");
    String schedule = s.requiredString("the name of a schedule");
    if (schedule != null && schedules != null && !schedules.containsKey(schedule)) {
      s.problem(
          "names schedule "
              + Problem.render(schedule)
              + ", which is not declared"
              + (schedules.isEmpty()
                  ? " (there is no schedules section)"
                  : " (schedules: " + String.join(", ", schedules.keySet()) + ")"));
    }
    if (schedule != null && schedules == null && !buses.contains("default")) {
      s.problem("the schedule's events go to the bus named default, which is not configured");
    }
    return schedule;
  }

  private JsonNode implicitRule(String report, String schedule) {
    ObjectNode rule = Json.MAPPER.createObjectNode();
    rule.put("name", "report-" + report);
    rule.put("bus", schedules == null ? "default" : schedules.get(schedule));
    rule.put("description", "runs report " + report + " on schedule " + schedule);
    ObjectNode pattern = rule.putObject("pattern");
    pattern.putArray("source").add("sluice.scheduler");
    pattern.putObject("detail").putArray("schedule").add(schedule);
    ObjectNode target = rule.putArray("targets").addObject();
    target.put("id", "report");
    target.putObject("report").put("name", report);
    return rule;
  }

  private String template(ConfigNode n, String def) {
    String t = n.string(def);
    String problem = n.isMissing() ? null : kinds.templateProblem(t);
    if (problem != null) {
      n.problem(problem);
    }
    return t;
  }

  private Section section(ConfigNode s) {
    int before = s.problems().size();
    if (!s.isObject(true, "a section mapping with title and sql, or title and function")) {
      return null;
    }
    s.allowOnly("title", "sql", "chart", "limit", "function", "input");
    String title = s.field("title").string("");
    int limit = s.field("limit").integer(ReportConfig.DEFAULT_ROW_LIMIT, 1, 10_000);
    ConfigNode fn = s.field("function");
    String sql;
    String function = null;
    if (!fn.isMissing()) {
      function = fn.requiredString("a function of the functions section");
      if (function != null && !functions.contains(function)) {
        fn.problem(
            "names function "
                + Problem.render(function)
                + ", which is not declared"
                + (functions.isEmpty()
                    ? " (there is no functions section)"
                    : " (functions: " + String.join(", ", functions) + ")"));
      }
      if (!s.field("sql").isMissing()) {
        s.field("sql").problem("a function section takes its SQL as input: {sql: …}");
      }
      if (!s.field("chart").isMissing()) {
        s.field("chart").problem("a function section has no chart: its function returns text");
      }
      sql = null;
      ConfigNode input = s.field("input");
      if (input.isObject(false, "a mapping {sql: SELECT …}")) {
        input.allowOnly("sql");
        sql = input.field("sql").requiredString("a SELECT statement whose rows the function gets");
      }
    } else {
      if (!s.field("input").isMissing()) {
        s.field("input").problem("is for function sections (function: NAME, input: {sql})");
      }
      sql = s.field("sql").requiredString("a SELECT statement (or function: NAME)");
    }
    Chart chart = chart(s.field("chart"));
    if (s.problems().size() > before) {
      return null;
    }
    return new Section(title, sql, chart, function, limit);
  }

  private static Chart chart(ConfigNode c) {
    if (!c.isObject(false, "a chart mapping with type, x, y")) {
      return null;
    }
    c.allowOnly("type", "x", "y");
    String type = c.field("type").string(null);
    if (type == null && c.field("type").isMissing()) {
      c.field("type")
          .problem(
              "is required: a chart type, one of " + String.join(", ", ReportConfig.CHART_TYPES));
    } else if (type != null && !ReportConfig.CHART_TYPES.contains(type)) {
      c.field("type")
          .problem(
              "expected one of "
                  + String.join(", ", ReportConfig.CHART_TYPES)
                  + ", got "
                  + Problem.render(type));
    }
    String x = c.field("x").requiredString("the column of the x axis (or the pie's labels)");
    List<String> y = new ArrayList<>();
    ConfigNode yn = c.field("y");
    if (yn.isMissing()) {
      yn.problem("is required: the column (or list of columns) of the y axis");
    } else if (yn.raw().isTextual()) {
      String one = yn.requiredString("a column");
      if (one != null) {
        y.add(one);
      }
    } else {
      List<ConfigNode> ys = yn.list(true, "a column or a list of columns");
      if (ys.isEmpty() && yn.raw().isArray()) {
        yn.problem("expected at least one column, got an empty list");
      }
      for (ConfigNode one : ys) {
        String col = one.requiredString("a column");
        if (col != null) {
          y.add(col);
        }
      }
    }
    return new Chart(type, x, y);
  }

  private static List<String> formats(ConfigNode n, List<String> def) {
    if (n.isMissing()) {
      return def;
    }
    List<String> out = new ArrayList<>();
    for (ConfigNode f : n.list(false, "a list of formats: html, csv, json")) {
      String s = f.oneOf(null, ReportConfig.FORMATS.toArray(String[]::new));
      if (s != null && !out.contains(s)) {
        out.add(s);
      }
    }
    if (out.isEmpty() && n.raw().isArray() && n.raw().isEmpty()) {
      n.problem("expected at least one format of html, csv, json, got an empty list");
    }
    return out;
  }

  private Email email(ConfigNode e) {
    if (!e.isObject(false, "a mapping with to, cc, attach")) {
      return null;
    }
    e.allowOnly("to", "cc", "attach");
    List<String> to = addresses(e.field("to"), true);
    List<String> cc = addresses(e.field("cc"), false);
    if (e.field("to").raw().isArray() && e.field("to").raw().isEmpty()) {
      e.field("to").problem("expected at least one address, got an empty list");
    }
    List<String> attach =
        e.field("attach").isMissing() ? List.of() : formats(e.field("attach"), List.of());
    return new Email(to, cc, attach);
  }

  private static List<String> addresses(ConfigNode n, boolean required) {
    List<String> out = new ArrayList<>();
    for (ConfigNode a : n.list(required, "a list of email addresses")) {
      String s = a.requiredString("an email address");
      if (s != null && !ADDRESS.matcher(s).matches()) {
        a.problem("expected an email address like oncall@example.com, got " + Problem.render(s));
      } else if (s != null) {
        out.add(s);
      }
    }
    return out;
  }
}
