package io.sluice.lake;

/**
 * The column types of a lake table, as DuckDB and Parquet know them. Objects and arrays are stored
 * as {@link #JSON} text (query them with DuckDB's JSON functions: {@code col->>'$.a'}). {@link
 * #TIMESTAMPTZ} is a UTC instant in microseconds (Parquet {@code TIMESTAMP(isAdjustedToUTC=true,
 * MICROS)}, which pyarrow reads as {@code timestamp[us, tz=UTC]}); {@link #DATE} a calendar day
 * (Parquet {@code DATE}, pyarrow {@code date32}). {@link #INTEGER} is only the envelope's {@code
 * partition}.
 */
public enum ColumnType {
  VARCHAR,
  BIGINT,
  INTEGER,
  DOUBLE,
  BOOLEAN,
  TIMESTAMPTZ,
  JSON,
  /** Since manifest format 2. */
  DATE;

  /** The DuckDB type name. */
  public String sql() {
    return this == TIMESTAMPTZ ? "TIMESTAMP WITH TIME ZONE" : name();
  }
}
