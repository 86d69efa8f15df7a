package io.sluice.functions.wasm;

import com.dylibso.chicory.runtime.HostFunction;
import com.dylibso.chicory.wasi.WasiPreview1;
import com.dylibso.chicory.wasm.ChicoryException;
import com.dylibso.chicory.wasm.Parser;
import com.dylibso.chicory.wasm.WasmModule;
import com.dylibso.chicory.wasm.types.Export;
import com.dylibso.chicory.wasm.types.ExternalType;
import com.dylibso.chicory.wasm.types.FunctionImport;
import com.dylibso.chicory.wasm.types.FunctionType;
import com.dylibso.chicory.wasm.types.Import;
import com.dylibso.chicory.wasm.types.MemoryLimits;
import com.dylibso.chicory.wasm.types.ValType;
import io.sluice.core.Problem;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * A WebAssembly module file checked against Sluice's function ABI: a WASI preview 1 module (imports
 * from {@code wasi_snapshot_preview1} only, its own memory) that is either a <em>reactor</em>,
 * exporting the handler {@code () -> ()} or {@code () -> i32} (and optionally {@code _initialize},
 * run once per instance), or a <em>command</em>, exporting {@code _start}.
 *
 * <p>Config reading and {@link WasmRuntime} both load it, so a file changed between the two is
 * checked again.
 *
 * @param module the parsed module
 * @param handler the export to call
 * @param entry reactor or command
 * @param minPages the pages of memory the module asks for at start
 * @param maxPages the most pages the module declares it may grow to ({@value
 *     MemoryLimits#MAX_PAGES} when it declares no maximum)
 */
record WasmCode(WasmModule module, String handler, Entry entry, int minPages, int maxPages) {

  /** How a module's code is entered. */
  enum Entry {
    /** The handler export is called once per invocation on an instance kept by its worker. */
    REACTOR,
    /** {@code _start} runs once per invocation on a new instance. */
    COMMAND
  }

  static final String DEFAULT_HANDLER = "handle";
  static final String START = "_start";
  static final String INITIALIZE = "_initialize";
  static final String WASI = "wasi_snapshot_preview1";
  static final int PAGE_BYTES = 65536;

  /** The functions Chicory's WASI implements, which a module may import. */
  private static final Set<String> WASI_FUNCTIONS = wasiFunctions();

  /**
   * Why a module file does not fit, and which setting to blame ({@code code} or {@code handler}).
   */
  static final class Invalid extends Exception {
    private static final long serialVersionUID = 1L;
    final String field;

    Invalid(String field, String message) {
      super(message, null, false, false);
      this.field = field;
    }
  }

  /**
   * Reads and checks {@code file}.
   *
   * @param handler the configured handler, or {@code null} for {@code handle} when exported, else
   *     {@code _start}
   * @throws Invalid with a message that names the file
   */
  static WasmCode load(Path file, String handler) throws Invalid {
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      throw new Invalid("code", "no file at " + file);
    } catch (IOException e) {
      throw new Invalid("code", "cannot read " + file + ": " + e);
    }
    if (bytes.length < 4
        || bytes[0] != 0
        || bytes[1] != 'a'
        || bytes[2] != 's'
        || bytes[3] != 'm') {
      throw new Invalid(
          "code",
          file
              + " is not a WebAssembly module: it does not start with \\0asm (first bytes "
              + hex(bytes)
              + ")");
    }
    WasmModule module;
    try {
      module = Parser.parse(bytes);
    } catch (ChicoryException | IllegalArgumentException e) {
      throw new Invalid("code", file + " is not a valid WebAssembly module: " + e.getMessage());
    }
    List<String> refused = new ArrayList<>();
    for (int i = 0; i < module.importSection().importCount(); i++) {
      Import imp = module.importSection().getImport(i);
      String name = imp.module() + "." + imp.name();
      if (imp.importType() == ExternalType.MEMORY) {
        refused.add(name + " (a memory: the module must define its own)");
      } else if (!imp.module().equals(WASI)
          || imp.importType() != ExternalType.FUNCTION
          || !WASI_FUNCTIONS.contains(imp.name())) {
        refused.add(name);
      }
    }
    if (!refused.isEmpty()) {
      throw new Invalid(
          "code",
          file
              + " imports "
              + String.join(", ", refused)
              + "; a function may import only the functions of "
              + WASI
              + " (WASI preview 1)");
    }
    if (module.memorySection().isEmpty() || module.memorySection().get().memoryCount() == 0) {
      throw new Invalid(
          "code", file + " defines no memory; a WASI module needs one to exchange data");
    }
    MemoryLimits limits = module.memorySection().get().getMemory(0).limits();
    String entryName = handler;
    if (entryName == null) {
      entryName = exportedFunction(module, DEFAULT_HANDLER) != null ? DEFAULT_HANDLER : START;
      if (exportedFunction(module, entryName) == null) {
        throw new Invalid(
            "code",
            file
                + " exports neither "
                + DEFAULT_HANDLER
                + " nor "
                + START
                + "; set handler: to the function to call (it exports "
                + describeFunctions(module)
                + ")");
      }
    }
    Export export = exportedFunction(module, entryName);
    if (export == null) {
      throw new Invalid(
          "handler",
          file
              + " exports no function "
              + Problem.render(entryName)
              + " (it exports "
              + describeFunctions(module)
              + ")");
    }
    Entry entry = entryName.equals(START) ? Entry.COMMAND : Entry.REACTOR;
    FunctionType type = functionType(module, export.index());
    boolean fits =
        type.params().isEmpty()
            && (type.returns().isEmpty()
                || (entry == Entry.REACTOR
                    && type.returns().size() == 1
                    && type.returns().get(0).equals(ValType.I32)));
    if (!fits) {
      throw new Invalid(
          "handler",
          file
              + " exports "
              + entryName
              + " as "
              + describe(type)
              + "; expected "
              + (entry == Entry.COMMAND ? "() -> ()" : "() -> () or () -> i32"));
    }
    return new WasmCode(module, entryName, entry, limits.initialPages(), limits.maximumPages());
  }

  /** The module's function export {@code name}, or {@code null}. */
  static Export exportedFunction(WasmModule module, String name) {
    for (int i = 0; i < module.exportSection().exportCount(); i++) {
      Export e = module.exportSection().getExport(i);
      if (e.exportType() == ExternalType.FUNCTION && e.name().equals(name)) {
        return e;
      }
    }
    return null;
  }

  private static String describeFunctions(WasmModule module) {
    Set<String> names = new TreeSet<>();
    for (int i = 0; i < module.exportSection().exportCount(); i++) {
      Export e = module.exportSection().getExport(i);
      if (e.exportType() == ExternalType.FUNCTION) {
        names.add(e.name());
      }
    }
    return names.isEmpty() ? "no functions" : String.join(", ", names);
  }

  private static FunctionType functionType(WasmModule module, int index) {
    int imported = 0;
    for (int i = 0; i < module.importSection().importCount(); i++) {
      Import imp = module.importSection().getImport(i);
      if (imp instanceof FunctionImport f) {
        if (imported == index) {
          return module.typeSection().getType(f.typeIndex());
        }
        imported++;
      }
    }
    return module.typeSection().getType(module.functionSection().getFunctionType(index - imported));
  }

  private static String describe(FunctionType type) {
    return "("
        + String.join(", ", type.params().stream().map(WasmCode::name).toList())
        + ") -> "
        + (type.returns().size() == 1
            ? name(type.returns().get(0))
            : "(" + String.join(", ", type.returns().stream().map(WasmCode::name).toList()) + ")");
  }

  private static String name(ValType t) {
    return t.toString().toLowerCase(java.util.Locale.ROOT);
  }

  private static String hex(byte[] bytes) {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < Math.min(4, bytes.length); i++) {
      b.append(i == 0 ? "" : " ").append(String.format("%02x", bytes[i] & 0xff));
    }
    return b.isEmpty() ? "none: the file is empty" : b.toString();
  }

  private static Set<String> wasiFunctions() {
    Set<String> names = new HashSet<>();
    try (WasiPreview1 wasi = WasiPreview1.builder().withLogger(WasmWorker.QUIET).build()) {
      for (HostFunction f : wasi.toHostFunctions()) {
        names.add(f.name());
      }
    }
    return Set.copyOf(names);
  }

  @Override
  public String toString() {
    return "WasmCode[" + handler + ", " + entry + ", pages " + minPages + ".." + maxPages + "]";
  }
}
