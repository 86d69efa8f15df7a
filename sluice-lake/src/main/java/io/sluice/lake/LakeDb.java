package io.sluice.lake;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import org.duckdb.DuckDBConnection;

/**
 * The embedded DuckDB that writes the lake's Parquet files and answers SQL over them: one in-memory
 * database whose views are the lake tables. It is sandboxed when it opens, for every connection: no
 * file outside the lake directory can be read or written ({@code allowed_directories}, {@code
 * enable_external_access = false}), no extension is installed or loaded, and the configuration is
 * locked so SQL cannot undo any of it.
 */
final class LakeDb implements AutoCloseable {

  private final DuckDBConnection root;
  private final Path dir;

  LakeDb(Path lakeDir, int threads, String memoryLimit, java.time.Clock clock) throws SQLException {
    this.dir = lakeDir.toAbsolutePath().normalize();
    java.util.Properties p = new java.util.Properties();
    p.setProperty("threads", Integer.toString(threads));
    p.setProperty("memory_limit", memoryLimit);
    this.root = (DuckDBConnection) DriverManager.getConnection("jdbc:duckdb:", p);
    NativeLibraryFiles.removeExtracted(clock);
    try (Statement s = root.createStatement()) {
      s.execute("SET temp_directory = " + literal(dir.resolve("_tmp").resolve("duckdb") + "/"));
      s.execute("SET allowed_directories = [" + literal(dir + "/") + "]");
      s.execute("SET autoinstall_known_extensions = false");
      s.execute("SET autoload_known_extensions = false");
      s.execute("SET enable_external_access = false");
      s.execute("SET lock_configuration = true");
    } catch (SQLException e) {
      root.close();
      throw e;
    }
  }

  Path dir() {
    return dir;
  }

  /** A new connection to the same database (cheap); close it after use. */
  Connection connect() throws SQLException {
    return root.duplicate();
  }

  /** A SQL string literal. */
  static String literal(String s) {
    return "'" + s.replace("'", "''") + "'";
  }

  /** A quoted SQL identifier. */
  static String ident(String s) {
    return "\"" + s.replace("\"", "\"\"") + "\"";
  }

  @Override
  public void close() {
    try {
      root.close();
    } catch (SQLException ignored) {
      // closing
    }
  }
}
