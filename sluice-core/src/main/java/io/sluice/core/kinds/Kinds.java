package io.sluice.core.kinds;

import io.sluice.core.config.TargetConfig;
import io.sluice.core.functions.RuntimeKind;
import io.sluice.core.targets.Sender;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The kinds a node knows, in registration order: target kinds and function runtime kinds (later
 * also source kinds, storage backends). The config loader, {@code sluice validate}, the JSON Schema
 * and the router find kinds here; each module offers its own, and the composition root puts them
 * together.
 *
 * <pre>{@code
 * Kinds kinds = Kinds.of(EngineTargets.kinds(), LakeTargets.kinds(lake));
 * }</pre>
 *
 * <p>Immutable and thread-safe.
 */
public final class Kinds {

  private final Map<String, TargetKind<?>> targets;
  private final Map<String, RuntimeKind<?>> runtimes;
  private final java.util.function.Function<String, String> templates;

  private Kinds(
      Map<String, TargetKind<?>> targets,
      Map<String, RuntimeKind<?>> runtimes,
      java.util.function.Function<String, String> templates) {
    this.targets = Collections.unmodifiableMap(targets);
    this.runtimes = Collections.unmodifiableMap(runtimes);
    this.templates = templates;
  }

  /**
   * These kinds with the template engine's check ({@code io.sluice.notify.Templates::problem}: the
   * problem with a template, or null when it compiles), so config readers in core check templates
   * ({@code reports[].title}) when config is read, with the engine they are rendered with.
   */
  public Kinds withTemplates(java.util.function.Function<String, String> problem) {
    return new Kinds(new LinkedHashMap<>(targets), new LinkedHashMap<>(runtimes), problem);
  }

  /**
   * The problem with {@code template}, or null when it compiles or no template engine is registered
   * (then it is checked when the part that renders it starts).
   */
  public String templateProblem(String template) {
    return templates == null || template == null ? null : templates.apply(template);
  }

  /**
   * The kinds of all {@code lists}, in order.
   *
   * @throws IllegalArgumentException when two kinds have one name
   */
  @SafeVarargs
  public static Kinds of(List<? extends TargetKind<?>>... lists) {
    Map<String, TargetKind<?>> m = new LinkedHashMap<>();
    for (List<? extends TargetKind<?>> list : lists) {
      for (TargetKind<?> k : list) {
        TargetKind<?> before = m.putIfAbsent(k.name(), k);
        if (before != null) {
          throw new IllegalArgumentException(
              "two target kinds are named "
                  + k.name()
                  + ": "
                  + before.getClass().getName()
                  + " and "
                  + k.getClass().getName());
        }
      }
    }
    return new Kinds(m, Map.of(), null);
  }

  /**
   * These kinds and the function runtime kinds of {@code lists}, in order.
   *
   * @throws IllegalArgumentException when two runtime kinds have one name
   */
  @SafeVarargs
  public final Kinds withRuntimes(List<? extends RuntimeKind<?>>... lists) {
    Map<String, RuntimeKind<?>> m = new LinkedHashMap<>(runtimes);
    for (List<? extends RuntimeKind<?>> list : lists) {
      for (RuntimeKind<?> k : list) {
        RuntimeKind<?> before = m.putIfAbsent(k.name(), k);
        if (before != null) {
          throw new IllegalArgumentException(
              "two runtime kinds are named "
                  + k.name()
                  + ": "
                  + before.getClass().getName()
                  + " and "
                  + k.getClass().getName());
        }
      }
    }
    return new Kinds(new LinkedHashMap<>(targets), m, templates);
  }

  /** The function runtime kinds, in registration order. */
  public List<RuntimeKind<?>> runtimes() {
    return List.copyOf(runtimes.values());
  }

  /** The runtime kind named {@code name}, or {@code null}. */
  public RuntimeKind<?> runtime(String name) {
    return runtimes.get(name);
  }

  /** The runtime kinds' names, in registration order. */
  public List<String> runtimeNames() {
    return new ArrayList<>(runtimes.keySet());
  }

  /** The target kinds, in registration order. */
  public List<TargetKind<?>> targets() {
    return List.copyOf(targets.values());
  }

  /** The target kind named {@code name}, or {@code null}. */
  public TargetKind<?> target(String name) {
    return targets.get(name);
  }

  /** The target kinds' names, in registration order. */
  public List<String> targetNames() {
    return new ArrayList<>(targets.keySet());
  }

  /**
   * The sender for {@code context}'s target, from the kind its settings belong to.
   *
   * @throws IllegalStateException when no registered kind reads these settings
   */
  public Sender sender(TargetContext context) {
    TargetConfig.TargetSpec spec = context.target().spec();
    TargetKind<?> kind = targets.get(spec.kind());
    if (kind == null || !kind.specType().isInstance(spec)) {
      throw new IllegalStateException(
          "rule "
              + context.rule()
              + " target "
              + context.target().id()
              + ": no target kind "
              + spec.kind()
              + " is registered in this process (kinds: "
              + String.join(", ", targets.keySet())
              + ")");
    }
    return senderOf(kind, spec, context);
  }

  private static <S extends TargetConfig.TargetSpec> Sender senderOf(
      TargetKind<S> kind, TargetConfig.TargetSpec spec, TargetContext context) {
    return kind.sender(kind.specType().cast(spec), context);
  }
}
