package io.sluice.notify;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.github.mustachejava.DefaultMustacheFactory;
import com.github.mustachejava.Mustache;
import com.github.mustachejava.MustacheException;
import io.sluice.core.Json;
import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The one template engine of Sluice: Mustache (mustache.java). Email subjects and bodies, report
 * titles and every other text a user writes with {@code {{placeholders}}} go through here, so a
 * template means the same thing everywhere. A template is checked when it is compiled (config is
 * read), not when it is first used.
 *
 * <p>Values come from a scope of maps and lists (an event's JSON tree is turned into one, so {@code
 * {{detail.amount}}} reads a field); a name that is not there renders as nothing, as in Mustache.
 * {@link #text} leaves values as they are (subjects, plain-text bodies, Slack texts); {@link #html}
 * escapes them for HTML.
 */
public final class Templates {

  private static final AtomicInteger NAMES = new AtomicInteger();

  private static final DefaultMustacheFactory TEXT =
      new DefaultMustacheFactory() {
        @Override
        public void encode(String value, Writer writer) {
          try {
            writer.write(value);
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
        }
      };

  private static final DefaultMustacheFactory HTML = new DefaultMustacheFactory();

  private Templates() {}

  /** A compiled template. */
  public static final class Template {
    private final String source;
    private final Mustache mustache;

    private Template(String source, Mustache mustache) {
      this.source = source;
      this.mustache = mustache;
    }

    /** The template as written. */
    public String source() {
      return source;
    }

    /**
     * The template over {@code scope}: a {@code Map}, or a {@link JsonNode} (turned into maps and
     * lists first).
     */
    public String render(Object scope) {
      Object s = scope instanceof JsonNode n ? toScope(n) : scope;
      StringWriter out = new StringWriter();
      mustache.execute(out, s);
      return out.toString();
    }
  }

  /** A template whose values are written as they are. */
  public static Template text(String source) {
    return compile(TEXT, source);
  }

  /** A template whose values are escaped for HTML. */
  public static Template html(String source) {
    return compile(HTML, source);
  }

  /**
   * The problem with {@code source} as a template, or null when it compiles: for config readers,
   * which record it with the field's path.
   */
  public static String problem(String source) {
    try {
      text(source);
      return null;
    } catch (IllegalArgumentException e) {
      return e.getMessage();
    }
  }

  private static Template compile(DefaultMustacheFactory factory, String source) {
    try {
      return new Template(
          source, factory.compile(new StringReader(source), "template-" + NAMES.incrementAndGet()));
    } catch (MustacheException e) {
      throw new IllegalArgumentException(
          "not a valid Mustache template (" + cause(e) + "): " + source, e);
    }
  }

  private static String cause(MustacheException e) {
    String m = e.getMessage() == null ? e.toString() : e.getMessage();
    // mustache.java names its own generated template; the field's path says where it is
    return m.replaceAll("template-\\d+:?", "")
        .replaceAll("\\s*@\\[:?(\\d+)]", " on line $1")
        .trim();
  }

  /** An event's (or any) JSON tree as maps, lists and plain values. */
  public static Object toScope(JsonNode node) {
    return Json.MAPPER.convertValue(node, new TypeReference<Object>() {});
  }
}
