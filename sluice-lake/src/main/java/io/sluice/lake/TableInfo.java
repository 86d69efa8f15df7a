package io.sluice.lake;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A table as the catalog shows it.
 *
 * @param partitions per partition (its key values): files, rows, bytes
 * @param schemas every schema version, oldest first
 */
public record TableInfo(
    String name,
    long rows,
    int fileCount,
    long bytes,
    int schemaVersion,
    List<Column> columns,
    List<String> partitionKeys,
    List<Partition> partitions,
    List<Manifest.DataFile> files,
    List<TableSchema> schemas,
    long errorRows,
    long version) {

  /** One partition of a table. */
  public record Partition(Map<String, String> values, int files, long rows, long bytes) {}

  static TableInfo of(Manifest m) {
    Map<Map<String, String>, long[]> parts = new LinkedHashMap<>();
    long bytes = 0;
    for (Manifest.DataFile f : m.files()) {
      long[] a = parts.computeIfAbsent(f.partition(), k -> new long[3]);
      a[0]++;
      a[1] += f.rows();
      a[2] += f.bytes();
      bytes += f.bytes();
    }
    List<Partition> ps = new ArrayList<>();
    parts.forEach((k, a) -> ps.add(new Partition(k, (int) a[0], a[1], a[2])));
    return new TableInfo(
        m.table(),
        m.rows(),
        m.files().size(),
        bytes,
        m.schema().version(),
        m.schema().columns(),
        m.partitionKeys(),
        ps,
        m.files(),
        m.schemas(),
        m.errorRows(),
        m.version());
  }
}
