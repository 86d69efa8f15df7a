package io.sluice.lake;

/**
 * A query that was refused or failed: {@code status} is the HTTP status to answer with, {@code
 * code} a stable word ({@code SqlError}, {@code Forbidden}, {@code NotReadOnly}, {@code
 * QueryTimeout}, {@code TooManyQueries}), {@code position} the 0-based character offset in the SQL
 * where known, else -1. A 429 (no query slot free) is answered with {@code Retry-After}.
 */
public final class QueryException extends Exception {

  private static final long serialVersionUID = 1L;

  private final int status;
  private final String code;
  private final int position;

  public QueryException(int status, String code, String message, int position) {
    super(message);
    this.status = status;
    this.code = code;
    this.position = position;
  }

  public int status() {
    return status;
  }

  public String code() {
    return code;
  }

  public int position() {
    return position;
  }
}
