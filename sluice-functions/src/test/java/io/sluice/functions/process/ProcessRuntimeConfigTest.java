package io.sluice.functions.process;

import static io.sluice.functions.process.FunctionFixture.KINDS;
import static io.sluice.functions.process.FunctionFixture.executable;
import static io.sluice.functions.process.FunctionFixture.write;
import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.core.InvalidInputException;
import io.sluice.core.Problem;
import io.sluice.core.config.ConfigLoader;
import io.sluice.core.config.FunctionConfig;
import io.sluice.core.config.SluiceConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What {@code sluice validate} says about process runtime functions: everything that can be checked
 * without starting a process.
 */
class ProcessRuntimeConfigTest {

  @TempDir Path dir;

  List<String> problems(String functions) {
    try {
      ConfigLoader.parse("functions:\n" + functions, "t.yaml", dir, KINDS);
      return List.of();
    } catch (InvalidInputException e) {
      return e.problems().stream().map(Problem::toString).toList();
    }
  }

  @Test
  void aValidFunctionIsReadWithItsHandlerAndAbsoluteCodePath() {
    write(dir.resolve("functions/enrich/app.py"), "def handler(e, c):\n  return e\n");
    SluiceConfig c =
        ConfigLoader.parse(
            """
            functions:
              - name: enrich
                runtime: python3
                handler: app.handler
                code: functions/enrich
                timeout: 30s
                memory: 256MB
                concurrency: 4
                environment: {TABLE: vitals}
            """,
            "t.yaml",
            dir,
            KINDS);
    FunctionConfig f = c.functions().get(0);
    assertThat(f.spec())
        .isEqualTo(new ProcessSpec("python3", "app.handler", dir.resolve("functions/enrich")));
    assertThat(f.timeout()).isEqualTo(Duration.ofSeconds(30));
    assertThat(f.memoryBytes()).isEqualTo(256L << 20);
    assertThat(f.concurrency()).isEqualTo(4);
    assertThat(f.environment()).isEqualTo(Map.of("TABLE", "vitals"));
  }

  @Test
  void anUnknownRuntimeNamesTheKnownOnes() {
    assertThat(problems("  - {name: f, runtime: cobol, handler: a.b, code: x}\n"))
        .containsExactly(
            "/functions/0/runtime: expected one of python3, nodejs, java, provided, wasm, llm, got"
                + " \"cobol\"");
  }

  @Test
  void handlerAndCodeAreRequired() {
    assertThat(problems("  - {name: f, runtime: python3}\n"))
        .containsExactly(
            "/functions/0/handler: is required: a handler module.function, as Lambda's:"
                + " app.handler for def handler in app.py",
            "/functions/0/code: is required: the function's code: a directory or a .zip, relative"
                + " to the config file");
  }

  @Test
  void aCodeDirectoryThatDoesNotExistIsNamed() {
    assertThat(problems("  - {name: f, runtime: nodejs, handler: index.handler, code: nowhere}\n"))
        .containsExactly(
            "/functions/0/code: directory "
                + dir.resolve("nowhere")
                + " does not exist (code is a directory or a .zip, relative to the config file)");
    assertThat(problems("  - {name: f, runtime: python3, handler: app.handler, code: f.zip}\n"))
        .containsExactly(
            "/functions/0/code: .zip file " + dir.resolve("f.zip") + " does not exist");
  }

  @Test
  void aPythonHandlerMustBeModuleDotFunctionOfAFileThatExists() {
    write(dir.resolve("fn/app.py"), "");
    assertThat(problems("  - {name: f, runtime: python3, handler: handler, code: fn}\n"))
        .containsExactly(
            "/functions/0/handler: expected module.function as Lambda's (app.handler for def"
                + " handler in app.py), got \"handler\"");
    assertThat(problems("  - {name: f, runtime: python3, handler: lib.app.handler, code: fn}\n"))
        .containsExactly(
            "/functions/0/handler: module lib.app has no file lib/app.py (or lib/app/__init__.py)"
                + " in "
                + dir.resolve("fn"));
  }

  @Test
  void aNodeHandlerMustBeFileDotExportOfAFileThatExists() {
    write(dir.resolve("fn/index.mjs"), "");
    assertThat(problems("  - {name: f, runtime: nodejs, handler: index.handler, code: fn}\n"))
        .isEmpty();
    assertThat(problems("  - {name: f, runtime: nodejs, handler: ../index.handler, code: fn}\n"))
        .containsExactly(
            "/functions/0/handler: expected file.export as Lambda's (index.handler for"
                + " exports.handler in index.js), got \"../index.handler\"");
    assertThat(problems("  - {name: f, runtime: nodejs, handler: app.handler, code: fn}\n"))
        .containsExactly(
            "/functions/0/handler: module app has no file app.js, app.mjs or app.cjs in "
                + dir.resolve("fn"));
  }

  @Test
  void aProvidedRuntimeNeedsAnExecutableBootstrap() {
    write(dir.resolve("fn/handler.sh"), "");
    assertThat(problems("  - {name: f, runtime: provided, code: fn}\n"))
        .containsExactly(
            "/functions/0/code: has no bootstrap file in "
                + dir.resolve("fn")
                + ": a provided runtime starts the executable bootstrap there (a script with #!, a"
                + " binary)");
    write(dir.resolve("fn/bootstrap"), "#!/bin/sh\n");
    assertThat(problems("  - {name: f, runtime: provided, code: fn}\n"))
        .containsExactly(
            "/functions/0/code: "
                + dir.resolve("fn/bootstrap")
                + " is not executable (chmod +x it): a provided runtime starts it");
    executable(dir.resolve("fn/bootstrap"), "#!/bin/sh\n");
    assertThat(problems("  - {name: f, runtime: provided, code: fn}\n")).isEmpty();
  }
}
