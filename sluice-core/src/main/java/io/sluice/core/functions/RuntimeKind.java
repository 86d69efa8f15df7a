package io.sluice.core.functions;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sluice.core.config.ConfigNode;
import io.sluice.core.config.FunctionConfig;
import io.sluice.core.config.FunctionConfig.RuntimeSpec;
import io.sluice.core.kinds.ReadContext;
import java.util.List;

/**
 * A kind of function runtime ({@code python3}, {@code nodejs}, {@code provided}, {@code java},
 * {@code wasm}, {@code llm}), declared in the module that implements it and registered in {@link
 * io.sluice.core.kinds.Kinds}. A function mapping has common keys (name, runtime, timeout, memory,
 * concurrency, environment, description) and the kind's own ({@link #keys}: {@code handler}, {@code
 * code}; {@code endpoint}, {@code prompt} …).
 *
 * <p>Implementations are immutable and thread-safe.
 *
 * @param <S> the settings this kind reads
 */
public interface RuntimeKind<S extends RuntimeSpec> {

  /** The value of {@code runtime:} that selects this kind. */
  String name();

  /** The type of the settings {@link #read} returns. */
  Class<S> specType();

  /** This kind's own keys in a function mapping, for the unknown-key check and the docs. */
  List<String> keys();

  /**
   * Reads this kind's keys of the function mapping {@code function} (the common keys are read
   * already). Records every problem on the node with its path, including what can be checked
   * without starting anything (a missing handler file, a code directory that does not exist);
   * returns {@code null} or a partial spec when there was one.
   */
  S read(ConfigNode function, ReadContext context);

  /**
   * The JSON Schema {@code properties} of this kind's keys, for editors and {@code --schema}; the
   * schema of a function is the common properties and, for each runtime, its own.
   */
  ObjectNode schema();

  /**
   * Starts the function: prepares its workers (a runtime may start them lazily, on the first
   * invocation, or at once). An init error found here is not thrown: the runtime answers every
   * invocation with an {@code INIT} failure naming it, so one bad function never stops a node.
   */
  FunctionRuntime start(FunctionConfig function, S spec, RuntimeContext context);
}
