package io.sluice.lake;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** A RowSink that keeps everything, for tests. */
final class Rows implements RowSink {
  List<String> columns;
  List<String> types;
  final List<List<Object>> rows = new ArrayList<>();
  boolean truncated;

  @Override
  public void start(List<String> columns, List<String> types) {
    this.columns = columns;
    this.types = types;
  }

  @Override
  public void row(Object[] values) {
    rows.add(Arrays.asList(values));
  }

  @Override
  public void end(long rows, boolean truncated) {
    this.truncated = truncated;
  }

  /** The only value of a one-row, one-column result. */
  Object single() {
    if (rows.size() != 1 || rows.get(0).size() != 1) {
      throw new AssertionError("expected one value, got " + rows);
    }
    return rows.get(0).get(0);
  }

  List<Object> column(int i) {
    List<Object> out = new ArrayList<>();
    for (List<Object> r : rows) {
      out.add(r.get(i));
    }
    return out;
  }
}
