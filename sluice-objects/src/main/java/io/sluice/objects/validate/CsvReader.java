package io.sluice.objects.validate;

import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.MalformedInputException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A streaming RFC 4180 reader: commas, double-quoted fields with {@code ""} escapes and line breaks
 * inside, CRLF, LF or CR line ends, a UTF-8 byte-order mark. Strict UTF-8: a malformed byte
 * sequence is an {@link InvalidEncodingException}. A record that is malformed on its own (a
 * character after a closing quote, a line longer than the limit) comes back with {@code error} set
 * and the reader goes on at the next line; a quote left open at the end of the file is an error
 * record too. Memory stays within the line limit, whatever the file size.
 */
final class CsvReader implements AutoCloseable {

  /** One record: its fields, the line it started on (1-based), or why it is malformed. */
  record Record(List<String> fields, long line, String error) {}

  /** The input is not UTF-8. */
  static final class InvalidEncodingException extends IOException {
    private static final long serialVersionUID = 1L;

    InvalidEncodingException(String message, Throwable cause) {
      super(message, cause);
    }
  }

  private final Reader in;
  private final long maxRecordChars;
  private final char[] buf = new char[1 << 16];
  private int pos;
  private int len;
  private long line = 1;
  private boolean started;
  private boolean eof;

  CsvReader(InputStream input, long maxRecordChars) {
    CharsetDecoder d =
        StandardCharsets.UTF_8
            .newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT);
    this.in = new InputStreamReader(input, d);
    this.maxRecordChars = maxRecordChars;
  }

  private int read() throws IOException {
    if (pos == len) {
      if (eof) {
        return -1;
      }
      try {
        len = in.read(buf, 0, buf.length);
      } catch (MalformedInputException e) {
        throw new InvalidEncodingException(
            "the file is not valid UTF-8 (a malformed byte sequence near line " + line + ")", e);
      }
      pos = 0;
      if (len <= 0) {
        eof = true;
        len = 0;
        return -1;
      }
    }
    return buf[pos++];
  }

  private int peek() throws IOException {
    int c = read();
    if (c >= 0) {
      pos--;
    }
    return c;
  }

  /** The next record, or null at the end of the input. */
  Record next() throws IOException {
    if (!started) {
      started = true;
      if (peek() == '\uFEFF') {
        read();
      }
    }
    int c = peek();
    if (c < 0) {
      return null;
    }
    long startLine = line;
    List<String> fields = new ArrayList<>();
    StringBuilder field = new StringBuilder();
    long chars = 0;
    String error = null;
    boolean quoted = false;
    boolean afterQuote = false;
    boolean fieldStart = true;
    while (true) {
      c = read();
      if (c < 0) {
        if (quoted) {
          error =
              "unterminated quoted field (the quote opened on line " + startLine + " never closes)";
        }
        fields.add(field.toString());
        return new Record(fields, startLine, error);
      }
      if (++chars > maxRecordChars && error == null) {
        error = "the record is longer than the limit of " + maxRecordChars + " characters";
        field.setLength(0);
      }
      if (quoted) {
        if (c == '"') {
          if (peek() == '"') {
            read();
            append(field, '"', error);
          } else {
            quoted = false;
            afterQuote = true;
          }
        } else {
          if (c == '\n' || (c == '\r' && peek() != '\n')) {
            line++;
          }
          append(field, (char) c, error);
        }
        continue;
      }
      if (c == ',') {
        fields.add(error == null ? field.toString() : "");
        field.setLength(0);
        afterQuote = false;
        fieldStart = true;
        continue;
      }
      if (c == '\r' || c == '\n') {
        if (c == '\r' && peek() == '\n') {
          read();
        }
        line++;
        fields.add(error == null ? field.toString() : "");
        return new Record(fields, startLine, error);
      }
      if (afterQuote) {
        if (error == null) {
          error =
              "unexpected character "
                  + io.sluice.core.Problem.render(String.valueOf((char) c))
                  + " after a closing quote";
        }
        continue;
      }
      if (c == '"' && fieldStart) {
        quoted = true;
        fieldStart = false;
        continue;
      }
      fieldStart = false;
      append(field, (char) c, error);
    }
  }

  private static void append(StringBuilder field, char c, String error) {
    if (error == null) {
      field.append(c);
    }
  }

  @Override
  public void close() throws IOException {
    in.close();
  }
}
