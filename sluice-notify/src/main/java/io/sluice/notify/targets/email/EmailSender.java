package io.sluice.notify.targets.email;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.sluice.core.Json;
import io.sluice.core.targets.DeliveryException;
import io.sluice.core.targets.Outbound;
import io.sluice.core.targets.Sender;
import io.sluice.core.transform.TransformOutput;
import io.sluice.notify.MailMessage;
import io.sluice.notify.Mailer;
import io.sluice.notify.Templates;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * One mail per delivery: the templates over the transformed event (the event itself without a
 * transform; a text result is {@code {{text}}} next to the event's fields), then {@link
 * Mailer#send}. Never retries on its own; what the mailer throws goes to the engine.
 */
final class EmailSender implements Sender {

  private static final Pattern TAG = Pattern.compile("<[^>]*>");
  private static final Pattern BLOCK_END =
      Pattern.compile("(?i)<\\s*(br\\s*/?|/p|/div|/h[1-6]|/li|/tr|/table|/pre)\\s*>");

  private final EmailTarget spec;
  private final Mailer mailer;
  private final List<Templates.Template> to;
  private final List<Templates.Template> cc;
  private final Templates.Template subject;
  private final Templates.Template body;

  EmailSender(EmailTarget spec, Mailer mailer) {
    this.spec = spec;
    this.mailer = mailer;
    this.to = spec.to().stream().map(Templates::text).toList();
    this.cc = spec.cc().stream().map(Templates::text).toList();
    this.subject = Templates.text(spec.subject());
    this.body =
        spec.body() == null
            ? null
            : spec.html() ? Templates.html(spec.body()) : Templates.text(spec.body());
  }

  @Override
  public void send(List<Outbound> items) throws DeliveryException {
    for (Outbound o : items) {
      mailer.send(message(o));
    }
  }

  MailMessage message(Outbound o) throws DeliveryException {
    JsonNode tree = o.body() instanceof TransformOutput.Json j ? j.tree() : o.event();
    Object scope = tree == null ? Map.of() : Templates.toScope(tree);
    if (o.body() instanceof TransformOutput.Text t) {
      Map<String, Object> s =
          scope instanceof Map<?, ?> m
              ? new java.util.LinkedHashMap<>(castMap(m))
              : new java.util.LinkedHashMap<>();
      s.put("text", t.text());
      scope = s;
    }
    List<String> toAddresses = render(to, scope);
    if (toAddresses.isEmpty()) {
      throw DeliveryException.permanent(
          "the recipients " + spec.to() + " rendered empty for this event");
    }
    String subj = subject.render(scope).replaceAll("\\s*[\\r\\n]+\\s*", " ").trim();
    String text;
    String html = null;
    if (body == null) {
      String json = pretty(o, tree);
      text = json;
      if (spec.html()) {
        html = "<pre>" + escape(json) + "</pre>";
      }
    } else if (spec.html()) {
      html = body.render(scope);
      text = textOf(html);
    } else {
      text = body.render(scope);
    }
    return new MailMessage(null, toAddresses, render(cc, scope), subj, text, html, null, null);
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> castMap(Map<?, ?> m) {
    return (Map<String, Object>) m;
  }

  private static List<String> render(List<Templates.Template> templates, Object scope) {
    List<String> out = new ArrayList<>();
    for (Templates.Template t : templates) {
      for (String a : t.render(scope).split(",")) {
        if (!a.isBlank()) {
          out.add(a.trim());
        }
      }
    }
    return out;
  }

  private static String pretty(Outbound o, JsonNode tree) {
    if (o.body() instanceof TransformOutput.Text t) {
      return t.text();
    }
    try {
      return tree == null
          ? ""
          : Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(tree);
    } catch (JsonProcessingException e) {
      return tree.toString();
    }
  }

  /** A plain-text rendering of an HTML body, for the text/plain alternative. */
  static String textOf(String html) {
    String s = html.replaceAll("(?is)<(script|style)[^>]*>.*?</\\1\\s*>", "");
    s = BLOCK_END.matcher(s).replaceAll("\n");
    s = TAG.matcher(s).replaceAll("");
    s =
        s.replace("&nbsp;", " ")
            .replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&quot;", "\"")
            .replace("&#39;", "'")
            .replace("&#x27;", "'")
            .replace("&#61;", "=")
            .replace("&#96;", "`")
            .replace("&amp;", "&");
    s = s.replaceAll("[ \\t]+", " ").replaceAll(" *\\n *", "\n").replaceAll("\\n{3,}", "\n\n");
    return s.trim();
  }

  private static String escape(String s) {
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
  }
}
