package io.sluice.functions.wasm;

import com.dylibso.chicory.wabt.Wat2Wasm;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Test modules written in the WebAssembly text format and assembled with wabt's wat2wasm (itself
 * run on Chicory). Each is a WASI reactor unless it says otherwise; {@link #PRELUDE}'s helpers read
 * stdin into memory at 1024 ({@code $read} returns its length) and write bytes to a file descriptor
 * ({@code $write fd ptr len}).
 */
final class Wat {

  private Wat() {}

  static final String PRELUDE =
      """
        (memory (export "memory") 1)
        (func $read (result i32)
          (i32.store (i32.const 0) (i32.const 1024))
          (i32.store (i32.const 4) (i32.const 32768))
          (drop (call $fd_read (i32.const 0) (i32.const 0) (i32.const 1) (i32.const 8)))
          (i32.load (i32.const 8)))
        (func $write (param $fd i32) (param $ptr i32) (param $len i32)
          (i32.store (i32.const 16) (local.get $ptr))
          (i32.store (i32.const 20) (local.get $len))
          (drop (call $fd_write (local.get $fd) (i32.const 16) (i32.const 1) (i32.const 24))))
      """;

  /** A module of the prelude, {@code imports} (more WASI imports) and {@code body}. */
  static String module(String imports, String body) {
    return """
        (module
          (import "wasi_snapshot_preview1" "fd_read"
            (func $fd_read (param i32 i32 i32 i32) (result i32)))
          (import "wasi_snapshot_preview1" "fd_write"
            (func $fd_write (param i32 i32 i32 i32) (result i32)))
        """
        + imports
        + PRELUDE
        + body
        + ")";
  }

  static String module(String body) {
    return module("", body);
  }

  /** Writes stdin to stdout. */
  static final String ECHO =
      module(
          """
          (func (export "handle") (call $write (i32.const 1) (i32.const 1024) (call $read)))
          """);

  /**
   * Counts its invocations and writes the count (one digit); loops forever when the event is {@code
   * 1}.
   */
  static final String COUNTER_OR_LOOP =
      module(
          """
          (global $n (mut i32) (i32.const 0))
          (func (export "handle")
            (global.set $n (i32.add (global.get $n) (i32.const 1)))
            (drop (call $read))
            (if (i32.eq (i32.load8_u (i32.const 1024)) (i32.const 49))
              (then (loop $forever (br $forever))))
            (i32.store8 (i32.const 200) (i32.add (global.get $n) (i32.const 48)))
            (call $write (i32.const 1) (i32.const 200) (i32.const 1)))
          """);

  /** Grows its memory 1 MiB at a time until it cannot, then traps. */
  static final String MEMORY_HOG =
      module(
          """
          (func (export "handle")
            (loop $more
              (if (i32.eq (memory.grow (i32.const 16)) (i32.const -1)) (then unreachable))
              (br $more)))
          """);

  /** Writes {@code hello}, which is not JSON. */
  static final String NOT_JSON =
      module(
          """
          (data (i32.const 300) "hello")
          (func (export "handle") (call $write (i32.const 1) (i32.const 300) (i32.const 5)))
          """);

  /** Traps in {@code _initialize}, before any invocation. */
  static final String BROKEN_INIT =
      module(
          """
          (func (export "_initialize") unreachable)
          (func (export "handle"))
          """);

  /** Writes 64 KiB to stdout again and again. */
  static final String FLOOD =
      module(
          """
          (func (export "handle")
            (loop $more (call $write (i32.const 1) (i32.const 0) (i32.const 65536)) (br $more)))
          """);

  /** Writes two stderr lines, then echoes. */
  static final String LOGS =
      module(
          """
          (data (i32.const 300) "starting\\nhalf a line")
          (func (export "handle")
            (call $write (i32.const 2) (i32.const 300) (i32.const 20))
            (call $write (i32.const 1) (i32.const 1024) (call $read)))
          """);

  /** Divides by zero. */
  static final String TRAP =
      module(
          """
          (func (export "handle") (result i32)
            (i32.div_s (i32.const 1) (i32.mul (call $read) (i32.const 0))))
          """);

  /** Fails with Lambda's error shape and a non-zero result. */
  static final String PERMANENT_ERROR =
      module(
          """
          (data (i32.const 300) "{\\"errorType\\":\\"OrderPermanentError\\",\\"errorMessage\\":\\"no such order\\"}")
          (func (export "handle") (result i32)
            (call $write (i32.const 1) (i32.const 300) (i32.const 66))
            (i32.const 1))
          """);

  /** A command: echoes stdin, then exits with the event's first digit as its code. */
  static final String COMMAND =
      module(
          """
          (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
          """,
          """
          (global $n (mut i32) (i32.const 0))
          (func (export "_start")
            (local $len i32)
            (global.set $n (i32.add (global.get $n) (i32.const 1)))
            (local.set $len (call $read))
            (call $write (i32.const 1) (i32.const 1024) (local.get $len))
            (call $exit (i32.sub (i32.load8_u (i32.const 1024)) (i32.const 48))))
          """);

  /**
   * Opens {@code secret.json} in its first preopened directory and writes it out, or writes {@code
   * "errno NN"} when it cannot.
   */
  static final String READS_A_FILE =
      module(
          """
          (import "wasi_snapshot_preview1" "path_open"
            (func $open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
          """,
          """
          (data (i32.const 300) "secret.json")
          (data (i32.const 400) "\\"errno 00\\"")
          (func (export "handle") (local $e i32)
            (local.set $e
              (call $open (i32.const 3) (i32.const 0) (i32.const 300) (i32.const 11) (i32.const 0)
                (i64.const -1) (i64.const -1) (i32.const 0) (i32.const 40)))
            (if (i32.eqz (local.get $e))
              (then
                (i32.store (i32.const 0) (i32.const 1024))
                (i32.store (i32.const 4) (i32.const 4096))
                (drop (call $fd_read (i32.load (i32.const 40)) (i32.const 0) (i32.const 1)
                  (i32.const 8)))
                (call $write (i32.const 1) (i32.const 1024) (i32.load (i32.const 8))))
              (else
                (i32.store8 (i32.const 407)
                  (i32.add (i32.const 48) (i32.div_u (local.get $e) (i32.const 10))))
                (i32.store8 (i32.const 408)
                  (i32.add (i32.const 48) (i32.rem_u (local.get $e) (i32.const 10))))
                (call $write (i32.const 1) (i32.const 400) (i32.const 10)))))
          """);

  /**
   * A handler {@code $big} too large for one JVM method: {@code steps} additions, then it writes
   * {@code "big"}; it loops forever (with {@code br_if}) when the event is {@code 1}.
   */
  static String big(int steps) {
    StringBuilder b = new StringBuilder();
    b.append(
        """
        (data (i32.const 300) "\\"big\\"")
        (func $big (export "handle") (local $x i32)
          (drop (call $read))
          (if (i32.eq (i32.load8_u (i32.const 1024)) (i32.const 49))
            (then (loop $forever (br_if $forever (i32.const 1)))))
        """);
    for (int i = 0; i < steps; i++) {
      b.append("  (local.set $x (i32.add (local.get $x) (i32.const ").append(i).append(")))\n");
    }
    b.append("  (call $write (i32.const 1) (i32.const 300) (i32.const 5)))\n");
    return module(b.toString());
  }

  /** {@code wat} assembled into {@code file}; returns it. */
  static Path write(Path file, String wat) {
    try {
      Files.createDirectories(file.getParent());
      Files.write(file, Wat2Wasm.parse(wat));
      return file;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
