package io.sluice.functions.wasm;

import io.sluice.core.config.FunctionConfig.RuntimeSpec;
import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;

/**
 * The settings of a {@code runtime: wasm} function, as read from config.
 *
 * @param code the module file, absolute
 * @param handler the export an invocation calls: a reactor's handler ({@code handle} unless
 *     configured) or a command's {@code _start}
 * @param entry whether the module is a reactor (one instance per worker, reused) or a command (a
 *     new instance per invocation)
 * @param directories host directories the module may use, by the path it sees them at, in config
 *     order; empty (the default) means no file system at all
 */
public record WasmFunction(
    Path code, String handler, WasmCode.Entry entry, Map<String, Path> directories)
    implements RuntimeSpec {

  public WasmFunction {
    Objects.requireNonNull(code, "code");
    Objects.requireNonNull(handler, "handler");
    Objects.requireNonNull(entry, "entry");
    directories = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(directories));
  }

  @Override
  public String runtime() {
    return WasmRuntimeKind.NAME;
  }
}
