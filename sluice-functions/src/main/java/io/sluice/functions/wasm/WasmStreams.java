package io.sluice.functions.wasm;

import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The standard streams a worker's WASI sees, refilled for each invocation: stdin is the event,
 * stdout collects the result (at most {@link #MAX_STDOUT_BYTES}), stderr collects log lines (at
 * most {@link #MAX_STDERR_BYTES}, the rest counted). Used by one invocation at a time.
 */
final class WasmStreams {

  /** Lambda's limit for a synchronous response. */
  static final int MAX_STDOUT_BYTES = 6 << 20;

  static final int MAX_STDERR_BYTES = 256 << 10;

  /** Thrown from a write to stdout past {@link #MAX_STDOUT_BYTES}; stops the handler. */
  static final class ResponseTooLarge extends RuntimeException {
    private static final long serialVersionUID = 1L;

    ResponseTooLarge() {
      super(
          "the handler wrote more than " + MAX_STDOUT_BYTES + " bytes to stdout",
          null,
          false,
          false);
    }
  }

  final Stdin stdin = new Stdin();
  final Buffer stdout = new Buffer(MAX_STDOUT_BYTES, true);
  final Buffer stderr = new Buffer(MAX_STDERR_BYTES, false);

  void reset(byte[] event) {
    stdin.data = event;
    stdin.pos = 0;
    stdout.reset();
    stderr.reset();
  }

  /** What stderr got, as lines without their line ends, and a note on what did not fit. */
  List<String> stderrLines() {
    List<String> lines = new ArrayList<>();
    byte[] b = stderr.bytes;
    int start = 0;
    for (int i = 0; i < stderr.size; i++) {
      if (b[i] == '\n') {
        lines.add(line(b, start, i));
        start = i + 1;
      }
    }
    if (start < stderr.size) {
      lines.add(line(b, start, stderr.size));
    }
    if (stderr.dropped > 0) {
      lines.add(
          "("
              + stderr.dropped
              + " more bytes of stderr were dropped: at most "
              + MAX_STDERR_BYTES
              + " bytes are kept per invocation)");
    }
    return lines;
  }

  private static String line(byte[] b, int from, int to) {
    int end = to > from && b[to - 1] == '\r' ? to - 1 : to;
    return new String(b, from, end - from, StandardCharsets.UTF_8);
  }

  /** The event, then end of file. */
  static final class Stdin extends InputStream {
    private byte[] data = new byte[0];
    private int pos;

    @Override
    public int read() {
      return pos < data.length ? data[pos++] & 0xff : -1;
    }

    @Override
    public int read(byte[] b, int off, int len) {
      if (len == 0) {
        return 0;
      }
      if (pos >= data.length) {
        return -1;
      }
      int n = Math.min(len, data.length - pos);
      System.arraycopy(data, pos, b, off, n);
      pos += n;
      return n;
    }

    @Override
    public int available() {
      return data.length - pos;
    }
  }

  /** Bytes up to a limit; past it a write fails ({@code stdout}) or is counted ({@code stderr}). */
  static final class Buffer extends OutputStream {
    private final int limit;
    private final boolean failPastLimit;
    private byte[] bytes = new byte[256];
    private int size;
    private long dropped;

    Buffer(int limit, boolean failPastLimit) {
      this.limit = limit;
      this.failPastLimit = failPastLimit;
    }

    void reset() {
      size = 0;
      dropped = 0;
      if (bytes.length > 64 << 10) {
        bytes = new byte[256]; // do not keep a large buffer for one large response
      }
    }

    int size() {
      return size;
    }

    byte[] array() {
      return bytes;
    }

    @Override
    public void write(int b) {
      write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) {
      int room = limit - size;
      if (len > room) {
        if (failPastLimit) {
          throw new ResponseTooLarge();
        }
        dropped += len - Math.max(room, 0);
        len = Math.max(room, 0);
      }
      if (size + len > bytes.length) {
        bytes = Arrays.copyOf(bytes, Math.min(limit, Math.max(size + len, bytes.length * 2)));
      }
      System.arraycopy(b, off, bytes, size, len);
      size += len;
    }
  }
}
