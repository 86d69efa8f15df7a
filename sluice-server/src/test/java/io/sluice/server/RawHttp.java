package io.sluice.server;

import com.fasterxml.jackson.databind.JsonNode;
import io.sluice.core.Json;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * HTTP/1.1 written by hand on a socket, for the requests {@link java.net.http.HttpClient} will not
 * send (a bad request line, an illegal header, a URI Jetty refuses). Reads one answer: to its
 * Content-Length, or to the end of the connection.
 */
final class RawHttp {

  private RawHttp() {}

  /** One answer: the status, the head (status line and headers) and the body. */
  record Response(int status, String head, String body) {
    JsonNode json() {
      try {
        return Json.MAPPER.readTree(body);
      } catch (IOException e) {
        throw new UncheckedIOException("not JSON (status " + status + "): " + body, e);
      }
    }

    /** The first value of a header, or null. */
    String header(String name) {
      for (String line : head.split("\r\n")) {
        int colon = line.indexOf(':');
        if (colon > 0 && line.substring(0, colon).trim().equalsIgnoreCase(name)) {
          return line.substring(colon + 1).trim();
        }
      }
      return null;
    }
  }

  /** Sends {@code request} (ISO-8859-1, as written) to 127.0.0.1:{@code port}. */
  static Response send(int port, String request) {
    try (Socket socket = new Socket("127.0.0.1", port)) {
      socket.setSoTimeout(20_000);
      OutputStream out = socket.getOutputStream();
      out.write(request.getBytes(StandardCharsets.ISO_8859_1));
      out.flush();
      InputStream in = socket.getInputStream();
      ByteArrayOutputStream all = new ByteArrayOutputStream();
      byte[] buf = new byte[8192];
      boolean head = request.startsWith("HEAD ");
      int n;
      try {
        while ((n = in.read(buf)) > 0) {
          all.write(buf, 0, n);
          String text = all.toString(StandardCharsets.ISO_8859_1);
          int split = text.indexOf("\r\n\r\n");
          if (split < 0) {
            continue;
          }
          int cl = text.substring(0, split).toLowerCase(Locale.ROOT).indexOf("content-length:");
          if (cl >= 0) {
            int eol = text.indexOf("\r\n", cl);
            int len = head ? 0 : Integer.parseInt(text.substring(cl + 15, eol).trim());
            if (all.size() >= split + 4 + len) {
              break;
            }
          }
        }
      } catch (java.net.SocketException reset) {
        // the server may reset the connection after its answer: keep what came
      }
      String text = all.toString(StandardCharsets.UTF_8);
      int split = text.indexOf("\r\n\r\n");
      if (split < 0) {
        throw new AssertionError("no complete answer to " + firstLine(request) + ": " + text);
      }
      return new Response(
          Integer.parseInt(text.substring(9, 12)),
          text.substring(0, split),
          text.substring(split + 4));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static String firstLine(String request) {
    int eol = request.indexOf("\r\n");
    return eol < 0 ? request : request.substring(0, eol);
  }
}
