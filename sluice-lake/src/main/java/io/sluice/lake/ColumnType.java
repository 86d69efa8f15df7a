package io.sluice.lake;

/**
 * The column types of a lake table, as DuckDB and Parquet know them. Objects and arrays are stored
 * as {@link #JSON} text (query them with DuckDB's JSON functions: {@code col->>'$.a'}).
 */
public enum ColumnType {
  VARCHAR,
  BIGINT,
  INTEGER,
  DOUBLE,
  BOOLEAN,
  TIMESTAMPTZ,
  JSON;

  /** The DuckDB type name. */
  public String sql() {
    return this == TIMESTAMPTZ ? "TIMESTAMP WITH TIME ZONE" : name();
  }
}
