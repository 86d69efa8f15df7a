package io.sluice.core.config;

import io.sluice.core.Problem;
import io.sluice.core.kinds.ReadContext;
import java.time.Duration;
import java.util.regex.Pattern;

/** Reads the {@code smtp:} section; every problem is recorded with its path. */
final class SmtpReader {

  /** An address, optionally with a display name: {@code a@b.c} or {@code Name <a@b.c>}. */
  static final Pattern ADDRESS =
      Pattern.compile("([^<>@]*<\\s*[^\\s<>@]+@[^\\s<>@]+\\s*>|[^\\s<>@]+@[^\\s<>@]+)");

  private static final Pattern HOST =
      Pattern.compile("[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?|\\[[0-9A-Fa-f:.]+]");

  private SmtpReader() {}

  /** The section, or null when it is not there (or too broken to use). */
  static SmtpConfig read(ConfigNode n, ReadContext context) {
    if (!n.isObject(false, "a mapping with host, port, tls, username, password, from, timeout")) {
      return null;
    }
    n.allowOnly("host", "port", "tls", "username", "password", "from", "timeout");
    String host = n.field("host").requiredString("the SMTP server's host name");
    if (host != null && !HOST.matcher(host).matches()) {
      n.field("host")
          .problem("expected a host name such as smtp.example.com, got " + Problem.render(host));
      host = null;
    }
    String tlsName = n.field("tls").oneOf("starttls", "starttls", "implicit", "none");
    SmtpConfig.Tls tls = SmtpConfig.Tls.valueOf(tlsName.toUpperCase(java.util.Locale.ROOT));
    int port = n.field("port").integer(tls.defaultPort(), 1, 65_535);
    String username = n.field("username").string(null);
    if (username != null && username.isEmpty()) {
      n.field("username")
          .problem("expected a user name, got \"\" (leave username out for no login)");
      username = null;
    }
    ConfigNode pw = n.field("password");
    String password = context.resolveEnv(pw, pw.string(null));
    if (username != null && pw.isMissing()) {
      pw.problem("is required with username: the password, e.g. ${env:SMTP_PASSWORD}");
    } else if (username == null && !pw.isMissing()) {
      // the value is not repeated: it may be a password written out
      pw.problems()
          .add(
              Problem.of(
                  pw.path(), "is set without username: a server that needs a login needs both"));
    }
    String from =
        n.field("from").requiredString("the sender address, e.g. Sluice <sluice@example.com>");
    if (from != null && !ADDRESS.matcher(from.trim()).matches()) {
      n.field("from")
          .problem(
              "expected an address like sluice@example.com or \"Sluice <sluice@example.com>\", got "
                  + Problem.render(from));
    }
    Duration timeout = n.field("timeout").duration(SmtpConfig.DEFAULT_TIMEOUT);
    if (timeout.isZero() || timeout.isNegative() || timeout.compareTo(Duration.ofMinutes(10)) > 0) {
      n.field("timeout")
          .problem("expected a duration above 0 and at most 10m, got " + Durations.format(timeout));
      timeout = SmtpConfig.DEFAULT_TIMEOUT;
    }
    if (host == null || from == null) {
      return null;
    }
    return new SmtpConfig(host, port, tls, username, password, from.trim(), timeout);
  }
}
