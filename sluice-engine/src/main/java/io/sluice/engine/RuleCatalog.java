package io.sluice.engine;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sluice.core.InvalidInputException;
import io.sluice.core.Json;
import io.sluice.core.Problem;
import io.sluice.core.config.ConfigNode;
import io.sluice.core.config.RuleConfig;
import io.sluice.core.config.RuleReader;
import io.sluice.log.AtomicFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The rules in force: those of the config file, plus those created through the admin API, with
 * enable/disable applied to both. API rules and enable/disable choices are kept in {@code
 * <data>/rules.json} (written atomically), so they survive restarts. Rules of the config file can
 * be enabled and disabled through the API but not changed or deleted there: the file is their
 * source of truth.
 *
 * <p>Every change goes through {@link Routing#apply}, which takes effect without a restart.
 * Thread-safe (synchronized).
 */
public final class RuleCatalog {

  private static final Logger LOG = LoggerFactory.getLogger(RuleCatalog.class);

  /** A rule as the API shows it. {@code origin} is {@code config} or {@code api}. */
  public record RuleView(RuleConfig rule, String origin) {
    /** The rule's JSON: its definition with name, bus, enabled and origin filled in. */
    public ObjectNode json() {
      ObjectNode n = Json.MAPPER.createObjectNode();
      n.put("name", rule.name());
      n.put("bus", rule.bus());
      n.put("enabled", rule.enabled());
      n.put("origin", origin);
      if (rule.description() != null) {
        n.put("description", rule.description());
      }
      n.set("pattern", rule.pattern());
      n.set("targets", rule.definition().path("targets"));
      return n;
    }
  }

  private final Path file;
  private final RuleReader reader;
  private final Buses buses;
  private final Consumer<List<RuleConfig>> apply;
  private final Map<String, RuleConfig> fromConfig = new LinkedHashMap<>();
  private final Map<String, RuleConfig> fromApi = new LinkedHashMap<>();
  private final Map<String, Boolean> enabledOverride = new LinkedHashMap<>();

  /**
   * @param apply makes the effective rules the ones that route (after every change)
   */
  RuleCatalog(
      List<RuleConfig> configRules,
      Path file,
      RuleReader reader,
      Buses buses,
      Consumer<List<RuleConfig>> apply) {
    this.file = file;
    this.reader = reader;
    this.buses = buses;
    this.apply = apply;
    for (RuleConfig r : configRules) {
      fromConfig.put(key(r.bus(), r.name()), r);
    }
  }

  private static String key(String bus, String name) {
    return bus + "/" + name;
  }

  /** Reads the saved API rules and choices; a saved rule that no longer validates is skipped. */
  synchronized void load() {
    JsonNode root;
    try {
      root =
          io.sluice.core.StateFile.read(
              file,
              "the rules saved through the API",
              1,
              "restore it from a backup, or remove it to start without the API's rules (the"
                  + " config file's rules are not in it)");
    } catch (NoSuchFileException e) {
      return;
    } catch (IOException e) {
      throw new java.io.UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
    }
    for (JsonNode r : root.path("rules")) {
      List<Problem> problems = new ArrayList<>();
      RuleConfig rule =
          reader.read(
              new ConfigNode(r.path("definition"), "/rules", problems),
              r.path("name").asText(),
              r.path("bus").asText());
      if (rule == null) {
        LOG.error(
            "saved rule {}/{} no longer validates and is not loaded: {}",
            r.path("bus").asText(),
            r.path("name").asText(),
            problems);
        continue;
      }
      if (fromConfig.containsKey(key(rule.bus(), rule.name()))) {
        LOG.warn(
            "saved API rule {}/{} is shadowed by the config file's rule of the same name",
            rule.bus(),
            rule.name());
        continue;
      }
      fromApi.put(key(rule.bus(), rule.name()), rule);
    }
    root.path("enabled")
        .properties()
        .forEach(e -> enabledOverride.put(e.getKey(), e.getValue().asBoolean()));
  }

  /** The rules in force, with enable/disable applied. */
  synchronized List<RuleConfig> effective() {
    List<RuleConfig> out = new ArrayList<>();
    for (Map<String, RuleConfig> m : List.of(fromConfig, fromApi)) {
      for (Map.Entry<String, RuleConfig> e : m.entrySet()) {
        Boolean en = enabledOverride.get(e.getKey());
        out.add(en == null ? e.getValue() : e.getValue().withEnabled(en));
      }
    }
    return out;
  }

  public synchronized List<RuleView> list(String bus) {
    requireBus(bus);
    List<RuleView> out = new ArrayList<>();
    for (RuleConfig r : effective()) {
      if (r.bus().equals(bus)) {
        out.add(new RuleView(r, fromConfig.containsKey(key(r.bus(), r.name())) ? "config" : "api"));
      }
    }
    return out;
  }

  public synchronized RuleView get(String bus, String name) {
    requireBus(bus);
    for (RuleView v : list(bus)) {
      if (v.rule().name().equals(name)) {
        return v;
      }
    }
    throw notFound(bus, name);
  }

  /** Creates or replaces an API rule; returns it and whether it was created. */
  public synchronized RuleView put(String bus, String name, JsonNode body) {
    requireBus(bus);
    if (!RuleReader.NAME.matcher(name).matches()) {
      throw new InvalidInputException(
          InvalidInputException.INVALID_ARGUMENT,
          Problem.of(
              "/name",
              "expected a rule name of 1-64 characters A-Z a-z 0-9 . _ -, got "
                  + Problem.render(name),
              Problem.render(name)));
    }
    if (fromConfig.containsKey(key(bus, name))) {
      throw new InvalidInputException(
          InvalidInputException.CONFLICT,
          Problem.of(
              "/name",
              "rule "
                  + name
                  + " on bus "
                  + bus
                  + " is defined in the config file; change it there"));
    }
    List<Problem> problems = new ArrayList<>();
    RuleConfig rule = reader.read(new ConfigNode(body, "", problems), name, bus);
    if (rule == null) {
      throw InvalidInputException.of(InvalidInputException.INVALID_ARGUMENT, problems);
    }
    fromApi.put(key(bus, name), rule);
    enabledOverride.remove(key(bus, name));
    saveAndApply();
    return new RuleView(rule, "api");
  }

  public synchronized void delete(String bus, String name) {
    requireBus(bus);
    if (fromConfig.containsKey(key(bus, name))) {
      throw new InvalidInputException(
          InvalidInputException.CONFLICT,
          Problem.of(
              "/name",
              "rule "
                  + name
                  + " on bus "
                  + bus
                  + " is defined in the config file; remove it there (or disable it)"));
    }
    if (fromApi.remove(key(bus, name)) == null) {
      throw notFound(bus, name);
    }
    enabledOverride.remove(key(bus, name));
    saveAndApply();
  }

  public synchronized RuleView setEnabled(String bus, String name, boolean enabled) {
    get(bus, name);
    enabledOverride.put(key(bus, name), enabled);
    saveAndApply();
    return get(bus, name);
  }

  private void saveAndApply() {
    ObjectNode root = Json.MAPPER.createObjectNode();
    root.put("format", 1);
    ArrayNode rules = root.putArray("rules");
    for (RuleConfig r : fromApi.values()) {
      ObjectNode n = rules.addObject();
      n.put("bus", r.bus());
      n.put("name", r.name());
      n.set("definition", r.definition());
    }
    ObjectNode en = root.putObject("enabled");
    enabledOverride.forEach(en::put);
    try {
      Files.createDirectories(file.getParent());
      AtomicFiles.write(file, Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsBytes(root));
    } catch (IOException e) {
      throw new io.sluice.core.TransientException(
          "cannot save rules to " + file + ": " + e.getMessage(), e);
    }
    apply.accept(effective());
  }

  private void requireBus(String bus) {
    if (!buses.exists(bus)) {
      throw Buses.notFound(bus);
    }
  }

  private static InvalidInputException notFound(String bus, String name) {
    return new InvalidInputException(
        InvalidInputException.NOT_FOUND,
        Problem.of(
            "/name",
            "no rule named " + Problem.render(name) + " on bus " + bus,
            Problem.render(name)));
  }
}
