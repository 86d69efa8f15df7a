package io.sluice.notify.targets.email;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sluice.core.Problem;
import io.sluice.core.config.ConfigNode;
import io.sluice.core.kinds.ReadContext;
import io.sluice.core.kinds.Schemas;
import io.sluice.core.kinds.TargetContext;
import io.sluice.core.kinds.TargetKind;
import io.sluice.core.targets.Sender;
import io.sluice.notify.Mailer;
import io.sluice.notify.Templates;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * {@code email: {to, cc, subject, body | bodyTemplate, html}}: one mail per event through the
 * node's {@link Mailer}. Needs {@code smtp:} in the config. Built with a null mailer, it only reads
 * config.
 */
public final class EmailTargetKind implements TargetKind<EmailTarget> {

  static final String NAME = "email";

  /** A literal address: {@code a@b.c} or {@code Name <a@b.c>}. */
  private static final Pattern ADDRESS =
      Pattern.compile("([^<>@]*<\\s*[^\\s<>@]+@[^\\s<>@]+\\s*>|[^\\s<>@,]+@[^\\s<>@,]+)");

  private final Mailer mailer;

  /**
   * @param mailer the node's mailer, or null for a kind that only reads config
   */
  public EmailTargetKind(Mailer mailer) {
    this.mailer = mailer;
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public Class<EmailTarget> specType() {
    return EmailTarget.class;
  }

  @Override
  public String requires() {
    return "smtp";
  }

  @Override
  public EmailTarget read(ConfigNode n, ReadContext context) {
    if (!n.isObject(true, "a mapping with to, cc, subject, body or bodyTemplate, html")) {
      return null;
    }
    n.allowOnly("to", "cc", "subject", "body", "bodyTemplate", "html");
    List<String> to = addresses(n.field("to"), true);
    List<String> cc = addresses(n.field("cc"), false);
    String subject = template(n.field("subject"), EmailTarget.DEFAULT_SUBJECT);
    boolean html = n.field("html").bool(false);
    String body = null;
    String file = null;
    ConfigNode b = n.field("body");
    ConfigNode bt = n.field("bodyTemplate");
    if (!b.isMissing() && !bt.isMissing()) {
      bt.problem(
          "is set with body: give the body inline (body) or in a file (bodyTemplate), not both");
    } else if (!b.isMissing()) {
      body = template(b, null);
    } else if (!bt.isMissing()) {
      file = bt.requiredString("a template file, relative to the config file");
      if (file != null) {
        Path p = context.base() == null ? Path.of(file) : context.base().resolve(file);
        try {
          body = Files.readString(p, StandardCharsets.UTF_8);
          String problem = Templates.problem(body);
          if (problem != null) {
            bt.problem(problem);
            body = null;
          }
        } catch (IOException e) {
          bt.problem("cannot read the template file " + p + ": " + e.getClass().getSimpleName());
        }
      }
    }
    if (to.isEmpty()) {
      return null;
    }
    return new EmailTarget(to, cc, subject, body, file, html);
  }

  /** A string or a list of strings: literal addresses (checked) or templates. */
  private static List<String> addresses(ConfigNode n, boolean required) {
    List<String> out = new ArrayList<>();
    List<ConfigNode> items;
    if (n.isMissing()) {
      if (required) {
        n.problem("is required: an address or a list of addresses (templates allowed)");
      }
      return out;
    }
    if (n.raw().isTextual()) {
      items = List.of(n);
    } else {
      items = n.list(required, "an address or a list of addresses");
      if (required && n.raw().isArray() && items.isEmpty()) {
        n.problem("expected at least one address, got []");
      }
    }
    for (ConfigNode i : items) {
      String s = i.requiredString("an address such as ops@example.com, or a template");
      if (s == null) {
        continue;
      }
      if (s.contains("{{")) {
        String problem = Templates.problem(s);
        if (problem != null) {
          i.problem(problem);
          continue;
        }
      } else {
        boolean ok = true;
        for (String a : s.split(",")) {
          ok &= ADDRESS.matcher(a.trim()).matches();
        }
        if (!ok) {
          i.problem(
              "expected an address such as ops@example.com (or a {{template}}), got "
                  + Problem.render(s));
          continue;
        }
      }
      out.add(s);
    }
    return out;
  }

  private static String template(ConfigNode n, String def) {
    String s = n.string(def);
    if (s != null && !n.isMissing()) {
      String problem = Templates.problem(s);
      if (problem != null) {
        n.problem(problem);
        return def;
      }
    }
    return s;
  }

  @Override
  public ObjectNode schema() {
    return Schemas.resource(EmailTargetKind.class, "email.schema.json");
  }

  @Override
  public Sender sender(EmailTarget spec, TargetContext context) {
    return new EmailSender(spec, context.require(mailer, "the node's mail server (smtp:)"));
  }
}
