package io.sluice.core.kinds;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sluice.core.config.ConfigNode;
import io.sluice.core.config.TargetConfig.TargetSpec;
import io.sluice.core.targets.Sender;

/**
 * A kind of target, declared once in the module that implements it and registered in {@link Kinds}:
 * its name (the key that selects it in a target: {@code http: {url: …}}), how its settings are
 * read, their JSON Schema, and how a running node delivers to it.
 *
 * <pre>{@code
 * public final class KafkaTargetKind implements TargetKind<KafkaTarget> {
 *   public String name() { return "kafka"; }
 *   public Class<KafkaTarget> specType() { return KafkaTarget.class; }
 *   public KafkaTarget read(ConfigNode n, ReadContext ctx) { … n.field("topic").requiredString(…) … }
 *   public ObjectNode schema() { return Schemas.resource(KafkaTargetKind.class, "kafka.schema.json"); }
 *   public Sender sender(KafkaTarget spec, TargetContext ctx) { return new KafkaSender(spec, ctx); }
 * }
 * }</pre>
 *
 * <p>Implementations are immutable and thread-safe.
 *
 * @param <S> the settings this kind reads
 */
public interface TargetKind<S extends TargetSpec> {

  /** The key that selects this kind in a target mapping, in config, API and docs. */
  String name();

  /** The type of the settings {@link #read} returns. */
  Class<S> specType();

  /**
   * Reads the value under the kind's key. Every problem is recorded on {@code settings} (with its
   * path), as {@link ConfigNode} does; returns {@code null} or a partial spec when there was one.
   */
  S read(ConfigNode settings, ReadContext context);

  /** The JSON Schema of the value under the kind's key, for editors and {@code --schema}. */
  ObjectNode schema();

  /**
   * Whether a target of this kind may set {@code batch} (several events per delivery); only kinds
   * whose sender takes a list at once say so.
   */
  default boolean batches() {
    return false;
  }

  /**
   * Why {@code ordered}, {@code concurrency} and {@code rateLimit} do not apply to this kind (it
   * delivers each bus partition in order with one writer), or {@code null} when they do. A kind
   * that says so is delivered with concurrency 1.
   */
  default String singleWriter() {
    return null;
  }

  /**
   * The top-level config section this kind needs (email targets: {@code smtp}), or {@code null}. A
   * config with a target of this kind but without the section has a problem on the target.
   */
  default String requires() {
    return null;
  }

  /**
   * The sender for one target of a running node. Called when the target starts and again on every
   * rule change that keeps it (the kind decides whether that is the same writer).
   *
   * @throws IllegalStateException when the part this kind delivers to is not running in this
   *     process (for example a lake target in an engine started without the lake)
   */
  Sender sender(S spec, TargetContext context);
}
