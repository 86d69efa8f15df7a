package io.sluice.cli;

/**
 * Which standard streams a person is looking at. The launcher tests each stream ({@code [ -t 2 ]})
 * and passes the answer as {@code -Dsluice.terminal=stdin,stdout,stderr}; without the launcher
 * (plain {@code java -jar}), a stream counts as a terminal only when the JVM has a console on a
 * terminal. Progress bars are drawn and questions asked only on a terminal, so logs and pipes get
 * no {@code \r} noise and scripts never wait for an answer.
 */
enum Terminal {
  STDIN,
  STDOUT,
  STDERR;

  static final String PROPERTY = "sluice.terminal";

  boolean isTerminal() {
    String told = System.getProperty(PROPERTY);
    if (told != null) {
      for (String s : told.split(",")) {
        if (s.trim().equalsIgnoreCase(name())) {
          return true;
        }
      }
      return false;
    }
    return hasInteractiveConsole();
  }

  /** {@code System.console()} on a terminal ({@code Console.isTerminal()} from Java 22 on). */
  private static boolean hasInteractiveConsole() {
    java.io.Console c = System.console();
    if (c == null) {
      return false;
    }
    try {
      return (Boolean) java.io.Console.class.getMethod("isTerminal").invoke(c);
    } catch (ReflectiveOperationException e) {
      return true; // Java 21: console() is null unless stdin and stdout are a terminal
    }
  }
}
