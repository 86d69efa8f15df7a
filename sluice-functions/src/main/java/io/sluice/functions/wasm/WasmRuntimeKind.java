package io.sluice.functions.wasm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sluice.core.Problem;
import io.sluice.core.config.ByteSizes;
import io.sluice.core.config.ConfigNode;
import io.sluice.core.config.FunctionConfig;
import io.sluice.core.functions.FunctionRuntime;
import io.sluice.core.functions.RuntimeContext;
import io.sluice.core.functions.RuntimeKind;
import io.sluice.core.kinds.ReadContext;
import io.sluice.core.kinds.Schemas;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code runtime: wasm}: a WebAssembly (WASI preview 1) module run in the node's JVM with Chicory,
 * compiled to JVM bytecode.
 *
 * <pre>{@code
 * functions:
 *   - name: enrich
 *     runtime: wasm
 *     code: functions/enrich.wasm   # relative to this file
 *     handler: handle               # the default; a command module runs _start instead
 *     memory: 64MB                  # caps the module's memory: 1024 pages of 64 KiB
 *     directories: {/data: data}    # none unless given: no file system
 * }</pre>
 *
 * <p>The ABI: the event is the module's stdin, the result is what it writes to stdout (JSON),
 * stderr lines are the function's log. See {@link WasmRuntime} for the details.
 */
public final class WasmRuntimeKind implements RuntimeKind<WasmFunction> {

  static final String NAME = "wasm";

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public Class<WasmFunction> specType() {
    return WasmFunction.class;
  }

  @Override
  public List<String> keys() {
    return List.of("code", "handler", "directories");
  }

  @Override
  public WasmFunction read(ConfigNode function, ReadContext context) {
    ConfigNode codeNode = function.field("code");
    String code = codeNode.requiredString("the module file (.wasm), relative to this file");
    ConfigNode handlerNode = function.field("handler");
    String handler =
        handlerNode.isMissing() ? null : handlerNode.requiredString("the export to call");
    Map<String, Path> directories = directories(function.field("directories"), context);
    if (code == null || (!handlerNode.isMissing() && handler == null)) {
      return null;
    }
    Path file = context.base().resolve(code).normalize();
    WasmCode loaded;
    try {
      loaded = WasmCode.load(file, handler);
    } catch (WasmCode.Invalid e) {
      (e.field.equals("handler") && !handlerNode.isMissing() ? handlerNode : codeNode)
          .problem(e.getMessage());
      return null;
    }
    long memory = memoryBytes(function.field("memory"));
    long pages = memory / WasmCode.PAGE_BYTES;
    if (loaded.minPages() > pages) {
      function
          .field("memory")
          .problem(
              "the module asks for "
                  + loaded.minPages()
                  + " pages ("
                  + ByteSizes.format((long) loaded.minPages() * WasmCode.PAGE_BYTES)
                  + ") at start, more than memory: "
                  + ByteSizes.format(memory)
                  + " allows ("
                  + pages
                  + " pages)");
      return null;
    }
    return new WasmFunction(file, loaded.handler(), loaded.entry(), directories);
  }

  /** The function's {@code memory} as the common reader takes it; its problems are its own. */
  private static long memoryBytes(ConfigNode n) {
    JsonNode raw = n.raw();
    long b =
        raw.isIntegralNumber()
            ? raw.asLong()
            : raw.isTextual() ? ByteSizes.parse(raw.asText()) : FunctionConfig.DEFAULT_MEMORY_BYTES;
    return b < 0 ? FunctionConfig.DEFAULT_MEMORY_BYTES : b;
  }

  private static Map<String, Path> directories(ConfigNode n, ReadContext context) {
    Map<String, Path> out = new LinkedHashMap<>();
    if (!n.isObject(false, "a mapping of the paths the module sees to host directories")) {
      return out;
    }
    n.raw()
        .properties()
        .forEach(
            e -> {
              ConfigNode v = n.field(e.getKey());
              if (!e.getKey().startsWith("/")) {
                v.problem(
                    "expected an absolute path as the module sees it (like /data), got "
                        + Problem.render(e.getKey()));
                return;
              }
              String dir = v.requiredString("a host directory, relative to this file");
              if (dir == null) {
                return;
              }
              Path host = context.base().resolve(dir).normalize();
              if (!Files.isDirectory(host)) {
                v.problem("no directory at " + host);
                return;
              }
              out.put(e.getKey(), host);
            });
    return out;
  }

  @Override
  public ObjectNode schema() {
    return Schemas.resource(WasmRuntimeKind.class, "wasm.schema.json");
  }

  @Override
  public FunctionRuntime start(FunctionConfig function, WasmFunction spec, RuntimeContext context) {
    return WasmRuntime.start(function, spec, context);
  }
}
