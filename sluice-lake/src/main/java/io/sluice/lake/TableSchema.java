package io.sluice.lake;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * One version of a table's schema: the envelope columns, then data columns in the order they
 * appeared. Versions only grow: a column is added or widened (BIGINT to DOUBLE), never removed.
 *
 * @param createdAtMs when this version was first committed
 */
public record TableSchema(int version, List<Column> columns, long createdAtMs) {

  /** Envelope columns every table starts with, in this order; {@code _extra} is last of them. */
  public static final List<Column> ENVELOPE =
      List.of(
          new Column("id", ColumnType.VARCHAR),
          new Column("source", ColumnType.VARCHAR),
          new Column("detail_type", ColumnType.VARCHAR),
          new Column("time", ColumnType.TIMESTAMPTZ),
          new Column("ingestion_time", ColumnType.TIMESTAMPTZ),
          new Column("bus", ColumnType.VARCHAR),
          new Column("partition", ColumnType.INTEGER),
          new Column("offset", ColumnType.BIGINT),
          new Column("replay_name", ColumnType.VARCHAR),
          new Column("_extra", ColumnType.JSON));

  public TableSchema {
    columns = List.copyOf(columns);
  }

  static TableSchema initial(long nowMs) {
    return new TableSchema(1, ENVELOPE, nowMs);
  }

  public Column column(String name) {
    for (Column c : columns) {
      if (c.name().equals(name)) {
        return c;
      }
    }
    return null;
  }

  /** A column whose name equals {@code name} ignoring case (DuckDB's rule), or null. */
  Column columnIgnoringCase(String name) {
    String lower = name.toLowerCase(Locale.ROOT);
    for (Column c : columns) {
      if (c.name().toLowerCase(Locale.ROOT).equals(lower)) {
        return c;
      }
    }
    return null;
  }

  /** Data columns: those after the envelope. */
  public List<Column> dataColumns() {
    return columns.subList(ENVELOPE.size(), columns.size());
  }

  TableSchema with(List<Column> newColumns, long nowMs) {
    return new TableSchema(version + 1, new ArrayList<>(newColumns), nowMs);
  }
}
