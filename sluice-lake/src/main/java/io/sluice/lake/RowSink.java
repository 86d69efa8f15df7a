package io.sluice.lake;

import java.io.IOException;
import java.util.List;

/** Receives a query's result as it streams. */
public interface RowSink {

  void start(List<String> columns, List<String> types) throws IOException;

  /**
   * One row; values are String, Long, Integer, Double, Boolean, BigDecimal, BigInteger, List, Map
   * or null.
   */
  void row(Object[] values) throws IOException;

  /** After the last row; {@code truncated} when the row limit stopped the result. */
  void end(long rows, boolean truncated) throws IOException;
}
