package io.sluice.functions.wasm;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.core.InvalidInputException;
import io.sluice.core.Problem;
import io.sluice.core.config.ConfigLoader;
import io.sluice.core.config.SluiceConfig;
import io.sluice.core.kinds.Kinds;
import io.sluice.functions.FunctionRuntimes;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reading {@code runtime: wasm} functions: what is checked before anything starts. */
class WasmRuntimeKindTest {

  static final Kinds KINDS = Kinds.of().withRuntimes(FunctionRuntimes.kinds());

  @TempDir Path dir;

  List<String> problems(String yaml) {
    try {
      ConfigLoader.parse(yaml, "t.yaml", dir, KINDS);
    } catch (InvalidInputException e) {
      return e.problems().stream().map(Problem::toString).toList();
    }
    return List.of();
  }

  @Test
  void aModuleIsReadWithItsPathHandlerAndDirectories() throws Exception {
    Wat.write(dir.resolve("fn/echo.wasm"), Wat.ECHO);
    Wat.write(dir.resolve("fn/cmd.wasm"), Wat.COMMAND);
    Files.createDirectories(dir.resolve("data"));

    SluiceConfig c =
        ConfigLoader.parse(
            """
            functions:
              - {name: echo, runtime: wasm, code: fn/echo.wasm, directories: {/data: data}}
              - {name: cmd, runtime: wasm, code: ./fn/../fn/cmd.wasm}
            """,
            "t.yaml",
            dir,
            KINDS);

    assertThat(c.functions().get(0).spec())
        .isEqualTo(
            new WasmFunction(
                dir.resolve("fn/echo.wasm"),
                "handle",
                WasmCode.Entry.REACTOR,
                Map.of("/data", dir.resolve("data"))));
    assertThat(c.functions().get(1).spec())
        .isEqualTo(
            new WasmFunction(
                dir.resolve("fn/cmd.wasm"), "_start", WasmCode.Entry.COMMAND, Map.of()));
  }

  @Test
  void everyProblemOfAModuleIsReportedWithItsPath() throws Exception {
    Files.createDirectories(dir.resolve("fn"));
    Files.writeString(dir.resolve("fn/text.wasm"), "(module)");
    Files.write(dir.resolve("fn/cut.wasm"), new byte[] {0, 'a', 's', 'm', 1, 0, 0, 0, 1, 9});
    Wat.write(dir.resolve("fn/echo.wasm"), Wat.ECHO);
    Wat.write(
        dir.resolve("fn/run.wasm"),
        Wat.module("(func (export \"run\") (result i32) (i32.const 0))"));
    Wat.write(
        dir.resolve("fn/add.wasm"),
        Wat.module("(func (export \"add\") (param i32 i32) (result i32) (local.get 0))"));
    Wat.write(
        dir.resolve("fn/env.wasm"),
        "(module (import \"env\" \"log\" (func (param i32))) (memory 1)"
            + " (func (export \"handle\")))");
    Wat.write(dir.resolve("fn/big.wasm"), "(module (memory 600) (func (export \"handle\")))");
    Wat.write(dir.resolve("fn/nomem.wasm"), "(module (func (export \"handle\")))");

    assertThat(
            problems(
                """
                functions:
                  - {name: a, runtime: wasm, colour: red}
                  - {name: b, runtime: wasm, code: fn/none.wasm}
                  - {name: c, runtime: wasm, code: fn/text.wasm}
                  - {name: d, runtime: wasm, code: fn/cut.wasm}
                  - {name: e, runtime: wasm, code: fn/echo.wasm, handler: nope}
                  - {name: f, runtime: wasm, code: fn/run.wasm}
                  - {name: g, runtime: wasm, code: fn/add.wasm, handler: add}
                  - {name: h, runtime: wasm, code: fn/env.wasm}
                  - {name: i, runtime: wasm, code: fn/big.wasm, memory: 32MB}
                  - {name: j, runtime: wasm, code: fn/nomem.wasm}
                  - {name: k, runtime: wasm, code: fn/echo.wasm, directories: {data: data, /x: missing}}
                """))
        .containsExactly(
            "/functions/0/colour: unknown field; expected one of name, runtime, description,"
                + " timeout, memory, concurrency, environment, code, handler, directories",
            "/functions/0/code: is required: the module file (.wasm), relative to this file",
            "/functions/1/code: no file at " + dir.resolve("fn/none.wasm"),
            "/functions/2/code: "
                + dir.resolve("fn/text.wasm")
                + " is not a WebAssembly module: it does not start with \\0asm (first bytes 28 6d"
                + " 6f 64)",
            "/functions/3/code: "
                + dir.resolve("fn/cut.wasm")
                + " is not a valid WebAssembly module: section size mismatch, unexpected end of section or"
                + " function, length out of bounds for section1",
            "/functions/4/handler: "
                + dir.resolve("fn/echo.wasm")
                + " exports no function \"nope\" (it exports handle)",
            "/functions/5/code: "
                + dir.resolve("fn/run.wasm")
                + " exports neither handle nor _start; set handler: to the function to call (it"
                + " exports run)",
            "/functions/6/handler: "
                + dir.resolve("fn/add.wasm")
                + " exports add as (i32, i32) -> i32; expected () -> () or () -> i32",
            "/functions/7/code: "
                + dir.resolve("fn/env.wasm")
                + " imports env.log; a function may import only the functions of"
                + " wasi_snapshot_preview1 (WASI preview 1)",
            "/functions/8/memory: the module asks for 600 pages (38400KB) at start, more than"
                + " memory: 32MB allows (512 pages)",
            "/functions/9/code: "
                + dir.resolve("fn/nomem.wasm")
                + " defines no memory; a WASI module needs one to exchange data",
            "/functions/10/directories/data: expected an absolute path as the module sees it (like"
                + " /data), got \"data\"",
            "/functions/10/directories/~1x: no directory at " + dir.resolve("missing"));
  }
}
