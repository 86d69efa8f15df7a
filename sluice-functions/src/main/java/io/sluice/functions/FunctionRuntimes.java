package io.sluice.functions;

import io.sluice.core.functions.RuntimeKind;
import io.sluice.functions.process.ProcessRuntimeKind;
import java.util.List;

/**
 * The function runtime kinds this module implements, in the order the docs list them. A new runtime
 * is registered here.
 */
public final class FunctionRuntimes {

  private FunctionRuntimes() {}

  public static List<RuntimeKind<?>> kinds() {
    return List.of(
        ProcessRuntimeKind.python3(),
        ProcessRuntimeKind.nodejs(),
        ProcessRuntimeKind.java(),
        ProcessRuntimeKind.provided(),
        new io.sluice.functions.wasm.WasmRuntimeKind(),
        new io.sluice.functions.llm.LlmRuntimeKind());
  }
}
