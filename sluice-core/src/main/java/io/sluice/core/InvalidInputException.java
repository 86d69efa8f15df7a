package io.sluice.core;

import java.util.List;

/**
 * The input is wrong and retrying it will not help. Carries a stable {@link #code()} (for example
 * {@code INVALID_EVENT}, {@code LIMIT_EXCEEDED}, {@code NOT_FOUND}) and every {@link Problem}
 * found. HTTP maps the code to a status in one place.
 */
public non-sealed class InvalidInputException extends SluiceException {

  private static final long serialVersionUID = 1L;

  /** Stable error codes shared by the HTTP API, the CLI and the config loader. */
  public static final String INVALID_EVENT = "INVALID_EVENT";

  public static final String MALFORMED_JSON = "MALFORMED_JSON";
  public static final String LIMIT_EXCEEDED = "LIMIT_EXCEEDED";
  public static final String TOO_LARGE = "TOO_LARGE";
  public static final String UNAUTHORIZED = "UNAUTHORIZED";
  public static final String FORBIDDEN = "FORBIDDEN";
  public static final String INVALID_CONFIG = "INVALID_CONFIG";
  public static final String INVALID_ARGUMENT = "INVALID_ARGUMENT";
  public static final String NOT_FOUND = "NOT_FOUND";
  public static final String CONFLICT = "CONFLICT";
  public static final String UNSUPPORTED_MEDIA_TYPE = "UNSUPPORTED_MEDIA_TYPE";

  /** The request body ended before its Content-Length (the client closed early). */
  public static final String INCOMPLETE_BODY = "INCOMPLETE_BODY";

  /** The client stopped sending its request for longer than the server waits. */
  public static final String REQUEST_TIMEOUT = "REQUEST_TIMEOUT";

  private final String code;
  private final transient List<Problem> problems;

  public InvalidInputException(String code, String message, List<Problem> problems) {
    super(message, null);
    this.code = code;
    this.problems = List.copyOf(problems);
  }

  public InvalidInputException(String code, Problem problem) {
    this(code, problem.toString(), List.of(problem));
  }

  /** Builds the exception from problems, using the first one (and a count) as the message. */
  public static InvalidInputException of(String code, List<Problem> problems) {
    if (problems.isEmpty()) {
      throw new IllegalStateException("an InvalidInputException needs at least one problem");
    }
    return new InvalidInputException(code, summary(problems), problems);
  }

  /**
   * One line for a list of problems: the first, and how many more there are ({@code problems} holds
   * them all; the CLI prints them all).
   */
  public static String summary(List<Problem> problems) {
    int more = problems.size() - 1;
    return more == 0
        ? problems.get(0).toString()
        : problems.get(0) + " (and " + more + " more problem" + (more == 1 ? ")" : "s)");
  }

  public String code() {
    return code;
  }

  public List<Problem> problems() {
    return problems;
  }
}
