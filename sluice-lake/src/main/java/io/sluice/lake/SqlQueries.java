package io.sluice.lake;

import com.fasterxml.jackson.databind.JsonNode;
import io.sluice.core.Json;
import java.io.IOException;
import java.math.BigDecimal;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.temporal.TemporalAccessor;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Runs read-only SQL over the lake. A statement is first parsed by DuckDB ({@code
 * json_serialize_sql}), which serializes exactly one kind of statement, SELECT (with CTEs,
 * FROM-first and set operations): anything else, and more than one statement, is refused before it
 * runs. What runs is sandboxed by {@link LakeDb} (no file outside the lake, no extensions, locked
 * settings), cancelled after the timeout, and cut at the row limit.
 */
final class SqlQueries {

  private static final Pattern CARET_LINE = Pattern.compile("LINE (\\d+): (.*)\\n( *)\\^");
  private static final Pattern FIRST_WORD = Pattern.compile("^\\s*([A-Za-z]+)");

  private final LakeDb db;
  private final ScheduledExecutorService timer;
  private final LakeMetrics metrics;

  /** Statements executing now, so that closing the lake can cancel them. */
  private final java.util.Set<Statement> running =
      java.util.concurrent.ConcurrentHashMap.newKeySet();

  /** Cancels every running statement (the lake is closing). */
  void cancelAll() {
    for (Statement s : running) {
      try {
        s.cancel();
      } catch (SQLException ignored) {
        // finished meanwhile
      }
    }
  }

  SqlQueries(LakeDb db, ScheduledExecutorService timer, LakeMetrics metrics) {
    this.db = db;
    this.timer = timer;
    this.metrics = metrics;
  }

  /** How often a timed-out statement is cancelled again until it returns. */
  static final long CANCEL_REPEAT_MS = 100;

  void run(String sql, long maxRows, Duration timeout, RowSink sink)
      throws QueryException, IOException {
    if (sql == null || sql.isBlank()) {
      throw new QueryException(400, "SqlError", "sql is required: a SELECT statement", -1);
    }
    if (sql.length() > 100_000) {
      throw new QueryException(
          400,
          "SqlError",
          "sql is " + sql.length() + " characters, more than the limit of 100000",
          -1);
    }
    try (Connection c = db.connect()) {
      checkReadOnly(c, sql);
      try (Statement s = c.createStatement()) {
        running.add(s);
        AtomicBoolean timedOut = new AtomicBoolean();
        // DuckDB forgets an interrupt that comes before its execution has begun (a loaded
        // machine can run the timer first), so after the timeout the cancel is repeated until
        // the statement returns; the finally below stops it
        ScheduledFuture<?> cancel =
            timer.scheduleWithFixedDelay(
                () -> {
                  timedOut.set(true);
                  try {
                    s.cancel();
                  } catch (SQLException ignored) {
                    // finished meanwhile
                  }
                },
                timeout.toMillis(),
                CANCEL_REPEAT_MS,
                TimeUnit.MILLISECONDS);
        try (ResultSet rs = s.executeQuery(sql)) {
          stream(rs, maxRows, sink, timedOut, timeout);
        } catch (SQLException e) {
          if (timedOut.get()) {
            throw timeout(timeout);
          }
          throw translate(e, sql);
        } finally {
          cancel.cancel(false);
          running.remove(s);
        }
      }
      metrics.query("ok");
    } catch (QueryException e) {
      metrics.query(e.code());
      throw e;
    } catch (SQLException e) {
      metrics.query("SqlError");
      throw translate(e, sql);
    }
  }

  private static QueryException timeout(Duration timeout) {
    return new QueryException(
        408,
        "QueryTimeout",
        "the query ran longer than the statement timeout of " + timeout.toMillis() + " ms",
        -1);
  }

  private void stream(
      ResultSet rs, long maxRows, RowSink sink, AtomicBoolean timedOut, Duration timeout)
      throws SQLException, IOException, QueryException {
    ResultSetMetaData md = rs.getMetaData();
    int n = md.getColumnCount();
    List<String> names = new ArrayList<>(n);
    List<String> types = new ArrayList<>(n);
    for (int i = 1; i <= n; i++) {
      names.add(md.getColumnLabel(i));
      types.add(md.getColumnTypeName(i));
    }
    long rows = 0;
    boolean truncated = false;
    boolean started = false;
    while (true) {
      boolean more;
      try {
        more = rs.next();
      } catch (SQLException e) {
        if (timedOut.get() && !started) {
          throw timeout(timeout);
        }
        throw e;
      }
      if (!more) {
        break;
      }
      if (!started) {
        sink.start(names, types);
        started = true;
      }
      if (rows >= maxRows) {
        truncated = true;
        break;
      }
      Object[] row = new Object[n];
      for (int i = 0; i < n; i++) {
        row[i] = value(rs.getObject(i + 1));
      }
      sink.row(row);
      rows++;
    }
    if (!started) {
      sink.start(names, types);
    }
    sink.end(rows, truncated);
  }

  /** JDBC values as JSON-friendly Java values. */
  static Object value(Object v) throws SQLException {
    if (v == null
        || v instanceof String
        || v instanceof Boolean
        || v instanceof Long
        || v instanceof Integer
        || v instanceof Short
        || v instanceof Byte
        || v instanceof BigDecimal
        || v instanceof java.math.BigInteger) {
      return v;
    }
    if (v instanceof Double d) {
      return d.isNaN() || d.isInfinite() ? d.toString() : d;
    }
    if (v instanceof Float f) {
      return value(f.doubleValue());
    }
    if (v instanceof TemporalAccessor || v instanceof java.util.Date) {
      return v instanceof java.sql.Timestamp t ? t.toInstant().toString() : v.toString();
    }
    if (v instanceof Array a) {
      Object[] items = (Object[]) a.getArray();
      List<Object> out = new ArrayList<>(items.length);
      for (Object o : items) {
        out.add(value(o));
      }
      return out;
    }
    if (v instanceof java.sql.Struct st) {
      Object[] attrs = st.getAttributes();
      List<Object> out = new ArrayList<>(attrs.length);
      for (Object o : attrs) {
        out.add(value(o));
      }
      return out;
    }
    if (v instanceof Map<?, ?> m) {
      Map<String, Object> out = new LinkedHashMap<>();
      for (Map.Entry<?, ?> e : m.entrySet()) {
        out.put(String.valueOf(e.getKey()), value(e.getValue()));
      }
      return out;
    }
    if (v instanceof JsonNode j) {
      return j;
    }
    return v.toString();
  }

  private static void checkReadOnly(Connection c, String sql) throws SQLException, QueryException {
    String serialized;
    try (PreparedStatement p = c.prepareStatement("SELECT json_serialize_sql(?::VARCHAR)")) {
      p.setString(1, sql);
      try (ResultSet rs = p.executeQuery()) {
        rs.next();
        serialized = rs.getString(1);
      }
    }
    JsonNode tree;
    try {
      tree = Json.MAPPER.readTree(serialized);
    } catch (IOException e) {
      throw new QueryException(400, "SqlError", "could not check the statement: " + e, -1);
    }
    if (tree.path("error").asBoolean(false)) {
      String type = tree.path("error_type").asText();
      if ("parser".equals(type)) {
        int pos = tree.path("position").asInt(-1);
        throw new QueryException(
            400,
            "SqlError",
            "Parser Error: " + tree.path("error_message").asText() + at(sql, pos),
            pos);
      }
      Matcher m = FIRST_WORD.matcher(sql);
      String word = m.find() ? m.group(1).toUpperCase(java.util.Locale.ROOT) : "?";
      throw new QueryException(
          403,
          "NotReadOnly",
          "only SELECT queries run on the lake (read-only); this statement is " + word,
          -1);
    }
    int count = tree.path("statements").size();
    if (count != 1) {
      throw new QueryException(
          400, "SqlError", "expected exactly one SELECT statement, got " + count, -1);
    }
  }

  private static String at(String sql, int pos) {
    if (pos < 0 || pos > sql.length()) {
      return "";
    }
    int line = 1;
    int col = 1;
    for (int i = 0; i < pos; i++) {
      if (sql.charAt(i) == '\n') {
        line++;
        col = 1;
      } else {
        col++;
      }
    }
    return " (at line " + line + ", column " + col + ")";
  }

  /** DuckDB's error as a QueryException: 403 for the sandbox, 400 with a position otherwise. */
  static QueryException translate(SQLException e, String sql) {
    String msg = e.getMessage() == null ? e.toString() : e.getMessage().strip();
    int pos = -1;
    Matcher m = CARET_LINE.matcher(msg);
    if (m.find()) {
      int lineNo = Integer.parseInt(m.group(1));
      int caret = m.group(3).length() - ("LINE " + m.group(1) + ": ").length();
      int offset = 0;
      String[] lines = sql.split("\n", -1);
      for (int i = 0; i < lineNo - 1 && i < lines.length; i++) {
        offset += lines[i].length() + 1;
      }
      if (caret >= 0) {
        pos = offset + caret;
      }
    }
    String first = msg.lines().findFirst().orElse(msg);
    if (first.startsWith("Permission Error") || first.contains("disabled by configuration")) {
      return new QueryException(
          403,
          "Forbidden",
          first + " (queries may read only the lake's own tables and files)",
          pos);
    }
    if (first.contains("INTERRUPT") || first.contains("Interrupted")) {
      return new QueryException(408, "QueryTimeout", first, pos);
    }
    return new QueryException(400, "SqlError", first + (pos >= 0 ? at(sql, pos) : ""), pos);
  }
}
