package io.sluice.analyses;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sluice.core.Json;
import io.sluice.core.config.AnalysisConfig;
import io.sluice.lake.Lake;
import io.sluice.lake.QueryException;
import io.sluice.lake.RowSink;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Runs an analysis's SQL over one window in the lake's sandboxed DuckDB. The window's events are
 * read from its pane files (NDJSON written by the analysis) as the table {@code events}; {@code
 * previous} and the reference tables are common table expressions beside it, and the user's SELECT
 * runs as a subquery over them, so it is one read-only statement under the lake's limits.
 */
final class SqlEvaluator implements Windowing.Evaluator {

  static final Pattern USES_PREVIOUS = Pattern.compile("(?i)\\bprevious\\b");

  /** Supplies reference tables as files under the analysis directory (or lake tables). */
  interface References {
    /** SQL of the relation for reference {@code name}. */
    String relation(String name) throws IOException;
  }

  private final AnalysisConfig config;
  private final Lake lake;
  private final Path dir;
  private final References references;
  private final boolean usesPrevious;
  private List<String> columns = List.of();

  SqlEvaluator(AnalysisConfig config, Lake lake, Path dir, References references) {
    this.config = config;
    this.lake = lake;
    this.dir = dir;
    this.references = references;
    this.usesPrevious = USES_PREVIOUS.matcher(config.sql()).find();
  }

  List<String> columns() {
    return columns;
  }

  void columns(List<String> known) {
    this.columns = List.copyOf(known);
  }

  @Override
  public boolean usesPrevious() {
    return usesPrevious;
  }

  @Override
  public String key(ObjectNode row) {
    if (config.key().isEmpty()) {
      return row.toString();
    }
    ArrayNode k = Json.MAPPER.createArrayNode();
    for (String c : config.key()) {
      k.add(row.get(c) == null ? Json.MAPPER.nullNode() : row.get(c));
    }
    return k.toString();
  }

  Path paneFile(long pane) {
    return dir.resolve("panes").resolve(pane + ".ndjson");
  }

  @Override
  public List<ObjectNode> evaluate(Windowing.Win w, long tick, Windowing state) throws Exception {
    List<Path> files = new ArrayList<>();
    for (long p = state.paneOf(w.start); p <= state.paneOf(w.end - 1); p++) {
      Path f = paneFile(p);
      if (Files.exists(f) && Files.size(f) > 0) {
        files.add(f);
      }
    }
    if (files.isEmpty()) {
      return List.of();
    }
    String prev = usesPrevious ? previous(state.previous(w)) : null;
    String sql = sql(files, w, tick, prev);
    return run(sql);
  }

  /** The statement for one window (public to tests through {@link #sql}). */
  String sql(List<Path> files, Windowing.Win w, long tick, String previous) throws IOException {
    StringBuilder list = new StringBuilder("[");
    for (Path f : files) {
      if (list.length() > 1) {
        list.append(',');
      }
      list.append(literal(f.toAbsolutePath().toString()));
    }
    list.append(']');
    String ws = timestamp(w.start);
    String we = timestamp(w.end);
    StringBuilder s = new StringBuilder("WITH events AS (SELECT ");
    s.append("e.id AS id, e.source AS source, e.\"detail-type\" AS detail_type, ")
        .append(epoch("tm"))
        .append(" AS time, ")
        .append(epoch("et"))
        .append(" AS event_time, ")
        .append(epoch("it"))
        .append(" AS ingestion_time, ")
        .append(literal(config.bus()))
        .append(
            " AS bus, p AS partition, o AS \"offset\", e.account AS account, e.region AS region, ")
        .append("e.resources AS resources, e.detail AS detail, ")
        .append(ws)
        .append(" AS window_start, ")
        .append(we)
        .append(" AS window_end FROM read_json(")
        .append(list)
        .append(", format = 'newline_delimited', sample_size = -1, maximum_object_size = 16777216");
    if (!config.fields().isEmpty()) {
      s.append(", columns = {t: 'BIGINT', et: 'BIGINT', tm: 'BIGINT', it: 'BIGINT', p: 'INTEGER',")
          .append(" o: 'BIGINT', k: 'VARCHAR', e: 'STRUCT(id VARCHAR, source VARCHAR,")
          .append(" \"detail-type\" VARCHAR, account VARCHAR, region VARCHAR, resources VARCHAR[],")
          .append(" detail STRUCT(");
      boolean first = true;
      for (Map.Entry<String, String> f : config.fields().entrySet()) {
        if (!first) {
          s.append(", ");
        }
        first = false;
        s.append(ident(f.getKey()).replace("'", "''")).append(' ').append(f.getValue());
      }
      s.append("))'}");
    }
    s.append(") WHERE t <= ")
        .append(tick)
        .append(" AND et >= ")
        .append(w.start)
        .append(" AND et < ")
        .append(w.end);
    if (w.series != null) {
      s.append(" AND k = ").append(literal(w.series));
    }
    s.append(")");
    if (usesPrevious) {
      s.append(", previous AS (").append(previous).append(")");
    }
    for (String name : config.reference().keySet()) {
      s.append(", ")
          .append(ident(name))
          .append(" AS (")
          .append(references.relation(name))
          .append(")");
    }
    s.append(" SELECT * FROM (\n").append(config.sql()).append("\n)");
    return s.toString();
  }

  private String previous(List<ObjectNode> rows) throws IOException {
    if (rows.isEmpty()) {
      List<String> cols = columns.isEmpty() ? selectNames() : columns;
      if (cols.isEmpty()) {
        return "SELECT NULL AS _none WHERE false";
      }
      StringBuilder b = new StringBuilder("SELECT ");
      for (int i = 0; i < cols.size(); i++) {
        b.append(i > 0 ? ", " : "").append("NULL AS ").append(ident(cols.get(i)));
      }
      return b.append(" WHERE false").toString();
    }
    Path f = dir.resolve("previous.ndjson");
    try (OutputStream out = Files.newOutputStream(f)) {
      for (ObjectNode r : rows) {
        out.write(Json.MAPPER.writeValueAsBytes(r));
        out.write('\n');
      }
    }
    return "SELECT * FROM read_json("
        + literal(f.toAbsolutePath().toString())
        + ", format = 'newline_delimited', sample_size = -1)";
  }

  /** Output names of the SQL's SELECT list, from DuckDB's parse tree (no binding). */
  private List<String> selectNames() {
    List<String> out = new ArrayList<>();
    try {
      List<ObjectNode> r = run("SELECT json_serialize_sql(" + literal(config.sql()) + ") AS ast");
      JsonNode ast = Json.MAPPER.readTree(r.get(0).path("ast").asText());
      JsonNode node = ast.path("statements").path(0).path("node");
      while (node.has("left")) {
        node = node.path("left");
      }
      for (JsonNode item : node.path("select_list")) {
        String alias = item.path("alias").asText("");
        if (!alias.isEmpty()) {
          out.add(alias);
        } else if (item.has("column_names")) {
          JsonNode names = item.path("column_names");
          out.add(names.get(names.size() - 1).asText());
        }
      }
    } catch (Exception e) {
      return List.of();
    }
    return out;
  }

  List<ObjectNode> run(String sql) throws QueryException, IOException {
    List<ObjectNode> rows = new ArrayList<>();
    lake.query(
        sql,
        new RowSink() {
          List<String> names;

          @Override
          public void start(List<String> cols, List<String> types) {
            names = cols;
          }

          @Override
          public void row(Object[] values) {
            ObjectNode o = Json.MAPPER.createObjectNode();
            for (int i = 0; i < values.length; i++) {
              o.set(names.get(i), Json.MAPPER.valueToTree(values[i]));
            }
            rows.add(o);
          }

          @Override
          public void end(long count, boolean truncated) throws IOException {
            if (truncated) {
              throw new IOException(
                  "the SQL returned more than "
                      + count
                      + " rows for one window (the lake's maxRows)");
            }
            if (!sql.startsWith("SELECT json_serialize_sql") && names != null) {
              columns = List.copyOf(names);
            }
          }
        });
    return rows;
  }

  static String timestamp(long ms) {
    return "TIMESTAMPTZ " + literal(Instant.ofEpochMilli(ms).toString());
  }

  private static String epoch(String column) {
    return "(TIMESTAMPTZ '1970-01-01 00:00:00+00' + to_milliseconds(" + column + "))";
  }

  static String literal(String s) {
    return "'" + s.replace("'", "''") + "'";
  }

  static String ident(String s) {
    return "\"" + s.replace("\"", "\"\"") + "\"";
  }
}
