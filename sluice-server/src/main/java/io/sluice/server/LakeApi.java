package io.sluice.server;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.sluice.core.InvalidInputException;
import io.sluice.core.Json;
import io.sluice.core.Problem;
import io.sluice.lake.CsvWriter;
import io.sluice.lake.Lake;
import io.sluice.lake.QueryException;
import io.sluice.lake.RowSink;
import io.sluice.lake.TableInfo;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * SQL over the lake and its catalog.
 *
 * <ul>
 *   <li>{@code POST /query} {@code {"sql":"SELECT …","maxRows":N,"timeoutMs":N}} → {@code
 *       {"columns":[…],"types":[…],"rows":[[…]],"rowCount":n,"truncated":false}}; {@code Accept:
 *       text/csv} gives CSV with a header row, {@code application/x-ndjson} one object per row.
 *       Rows are streamed as DuckDB produces them. Refused statements: 403 ({@code NotReadOnly},
 *       {@code Forbidden}); SQL errors 400 ({@code SqlError}) with {@code position}; timeout 408;
 *       every query slot and the queue taken 429 ({@code TooManyQueries}, with Retry-After).
 *       Queries run on the lake's own threads, so they never hold up ingest, health or metrics.
 *   <li>{@code GET /lake/tables}, {@code GET /lake/tables/{table}}: the catalog.
 *   <li>{@code POST /lake/tables/{table}/compact}: compact now (admin).
 * </ul>
 */
final class LakeApi implements Api {

  /** Row values, written without the per-value flush (a system call each) of the default. */
  private static final com.fasterxml.jackson.databind.ObjectWriter VALUES =
      Json.MAPPER
          .writer()
          .without(com.fasterxml.jackson.databind.SerializationFeature.FLUSH_AFTER_WRITE_VALUE);

  private final Lake lake;
  private final ApiKeys keys;

  LakeApi(Lake lake, ApiKeys keys) {
    this.lake = lake;
    this.keys = keys;
  }

  @Override
  public void mount(RoutesConfig routes) {
    routes.post("/query", this::query);
    routes.get("/lake/tables", this::tables);
    routes.get("/lake/tables/{table}", this::table);
    routes.post("/lake/tables/{table}/compact", this::compact);
  }

  void query(Context ctx) throws IOException {
    keys.require(ctx, "read");
    JsonNode body = AdminApi.body(ctx);
    JsonNode sql = body.get("sql");
    if (sql == null || !sql.isTextual()) {
      throw new InvalidInputException(
          InvalidInputException.INVALID_ARGUMENT,
          Problem.of(
              "/sql", "is required: a SELECT statement as a string, got " + Json.describe(sql)));
    }
    long maxRows = positive(body, "maxRows", Long.MAX_VALUE);
    long timeoutMs = positive(body, "timeoutMs", Long.MAX_VALUE);
    String accept = ctx.header("Accept") == null ? "" : ctx.header("Accept");
    Format format =
        accept.contains("text/csv")
            ? Format.CSV
            : accept.contains("application/x-ndjson") ? Format.NDJSON : Format.JSON;
    Sink sink = new Sink(ctx, format);
    try {
      lake.query(sql.asText(), maxRows, Duration.ofMillis(timeoutMs), sink);
    } catch (QueryException e) {
      if (sink.started) {
        // the status and part of the rows are sent: do not end the body normally (a client
        // would take a cut result for a whole one); failing here makes Jetty abort the response
        throw new IOException("query failed after its result started: " + e.getMessage(), e);
      }
      writeError(ctx, e, sql.asText());
      return;
    }
    sink.close();
  }

  private static long positive(JsonNode body, String field, long def) {
    JsonNode n = body.get(field);
    if (n == null || n.isNull()) {
      return def;
    }
    if (!n.canConvertToLong() || n.asLong() < 1) {
      throw new InvalidInputException(
          InvalidInputException.INVALID_ARGUMENT,
          Problem.of("/" + field, "expected a positive integer, got " + Json.describe(n)));
    }
    return n.asLong();
  }

  private static void writeError(Context ctx, QueryException e, String sql) throws IOException {
    com.fasterxml.jackson.core.util.ByteArrayBuilder out =
        new com.fasterxml.jackson.core.util.ByteArrayBuilder(256);
    try (JsonGenerator g = Json.MAPPER.getFactory().createGenerator(out)) {
      g.writeStartObject();
      g.writeStringField("code", e.code());
      g.writeStringField("message", e.getMessage());
      if (e.position() >= 0) {
        g.writeNumberField("position", e.position());
      }
      HttpErrors.writeProblems(g, List.of(Problem.of("/sql", e.getMessage(), Problem.render(sql))));
      g.writeEndObject();
    }
    if (e.status() == 429) {
      ctx.header("Retry-After", HttpErrors.RETRY_AFTER_SECONDS);
    }
    HttpErrors.writeJson(ctx, e.status(), out.toByteArray());
  }

  void tables(Context ctx) {
    keys.require(ctx, "read");
    List<Map<String, Object>> out =
        lake.tables().stream()
            .map(
                t ->
                    Map.<String, Object>of(
                        "name", t.name(),
                        "rows", t.rows(),
                        "files", t.fileCount(),
                        "bytes", t.bytes(),
                        "columns", t.columns().size(),
                        "schemaVersion", t.schemaVersion(),
                        "partitionKeys", t.partitionKeys()))
            .toList();
    ctx.json(Map.of("tables", out));
  }

  void table(Context ctx) {
    keys.require(ctx, "read");
    ctx.json(info(ctx.pathParam("table")));
  }

  private TableInfo info(String name) {
    TableInfo t = lake.table(name);
    if (t == null) {
      throw new InvalidInputException(
          InvalidInputException.NOT_FOUND,
          Problem.of(
              "/table",
              "no lake table named "
                  + Problem.render(name)
                  + " (tables: "
                  + String.join(", ", lake.tables().stream().map(TableInfo::name).toList())
                  + ")"));
    }
    return t;
  }

  void compact(Context ctx) throws Exception {
    keys.require(ctx, "admin");
    String name = ctx.pathParam("table");
    info(name);
    int replaced = lake.compact(name);
    ctx.json(Map.of("table", name, "filesReplaced", replaced));
  }

  private enum Format {
    JSON,
    CSV,
    NDJSON
  }

  /** Streams rows to the response in the asked format. */
  private static final class Sink implements RowSink {
    private final Context ctx;
    private final Format format;
    private OutputStream out;
    private JsonGenerator g;
    private Writer csv;
    private List<String> columns;
    boolean started;

    Sink(Context ctx, Format format) {
      this.ctx = ctx;
      this.format = format;
    }

    @Override
    public void start(List<String> columns, List<String> types) throws IOException {
      started = true;
      this.columns = columns;
      ctx.status(200);
      ctx.contentType(
          switch (format) {
            case CSV -> "text/csv; charset=utf-8";
            case NDJSON -> "application/x-ndjson";
            case JSON -> "application/json";
          });
      out = new BufferedOutputStream(ctx.res().getOutputStream(), 1 << 16);
      if (format == Format.CSV) {
        csv = new OutputStreamWriter(out, StandardCharsets.UTF_8);
        csvRow(columns.toArray());
        return;
      }
      g = Json.MAPPER.getFactory().createGenerator(out);
      g.setRootValueSeparator(null);
      g.disable(JsonGenerator.Feature.AUTO_CLOSE_JSON_CONTENT);
      if (format == Format.JSON) {
        g.writeStartObject();
        g.writeArrayFieldStart("columns");
        for (String c : columns) {
          g.writeString(c);
        }
        g.writeEndArray();
        g.writeArrayFieldStart("types");
        for (String t : types) {
          g.writeString(t);
        }
        g.writeEndArray();
        g.writeArrayFieldStart("rows");
      }
    }

    @Override
    public void row(Object[] values) throws IOException {
      switch (format) {
        case CSV -> csvRow(values);
        case NDJSON -> {
          g.writeStartObject();
          for (int i = 0; i < values.length; i++) {
            g.writeFieldName(columns.get(i));
            VALUES.writeValue(g, values[i]);
          }
          g.writeEndObject();
          g.writeRaw('\n');
        }
        case JSON -> {
          g.writeStartArray();
          for (Object v : values) {
            VALUES.writeValue(g, v);
          }
          g.writeEndArray();
        }
      }
    }

    private void csvRow(Object[] values) throws IOException {
      List<String> cells = new java.util.ArrayList<>(values.length);
      for (Object v : values) {
        cells.add(
            v == null
                ? null
                : v instanceof List<?> || v instanceof Map<?, ?>
                    ? Json.MAPPER.writeValueAsString(v)
                    : v.toString());
      }
      CsvWriter.writeRow(csv, cells);
    }

    @Override
    public void end(long rows, boolean truncated) throws IOException {
      if (format == Format.JSON) {
        g.writeEndArray();
        g.writeNumberField("rowCount", rows);
        g.writeBooleanField("truncated", truncated);
        g.writeEndObject();
      }
    }

    void close() throws IOException {
      if (g != null) {
        g.close();
      }
      if (csv != null) {
        csv.close();
      }
      if (out != null) {
        out.close();
      }
    }
  }
}
