package io.sluice.objects.validate;

import io.sluice.core.Problem;
import java.util.List;

/**
 * How validation problems read in rejected files, manifests and events: {@code where: what} (the
 * line, record or column, then what is wrong), several joined with {@code "; "}; a problem of the
 * whole file (an empty path) is just its message.
 */
final class Reasons {

  private Reasons() {}

  static String text(Problem p) {
    return p.path().isEmpty() ? p.message() : p.path() + ": " + p.message();
  }

  static String text(List<Problem> problems) {
    if (problems.size() == 1) {
      return text(problems.get(0));
    }
    StringBuilder b = new StringBuilder();
    for (Problem p : problems) {
      if (!b.isEmpty()) {
        b.append("; ");
      }
      b.append(text(p));
    }
    return b.toString();
  }

  /** A problem of the whole file: nothing of it is kept. */
  static Problem ofFile(String message) {
    return Problem.of("", message);
  }
}
