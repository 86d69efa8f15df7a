package io.sluice.testkit;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * A tiny real SMTP server that greets, accepts the sender and answers every RCPT TO with {@code
 * reply} (e.g. {@code 550 5.1.1 no such mailbox}): for a refused mail, which GreenMail does not do.
 */
public final class SmtpRefuser implements AutoCloseable {

  private final ServerSocket socket;
  private final String reply;
  private final Thread thread;

  private SmtpRefuser(String reply) throws IOException {
    this.reply = reply;
    this.socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    this.thread = Thread.ofPlatform().daemon().name("smtp-refuser").start(this::serve);
  }

  public static SmtpRefuser start(String rcptReply) throws IOException {
    return new SmtpRefuser(rcptReply);
  }

  public int port() {
    return socket.getLocalPort();
  }

  private void serve() {
    while (!socket.isClosed()) {
      try (Socket s = socket.accept()) {
        BufferedReader in =
            new BufferedReader(
                new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII));
        Writer out = new OutputStreamWriter(s.getOutputStream(), StandardCharsets.US_ASCII);
        line(out, "220 refuser ESMTP");
        for (String l; (l = in.readLine()) != null; ) {
          String cmd = l.toUpperCase(Locale.ROOT);
          if (cmd.startsWith("EHLO") || cmd.startsWith("HELO")) {
            line(out, "250 refuser");
          } else if (cmd.startsWith("MAIL FROM")) {
            line(out, "250 2.1.0 ok");
          } else if (cmd.startsWith("RCPT TO")) {
            line(out, reply);
          } else if (cmd.startsWith("RSET") || cmd.startsWith("NOOP")) {
            line(out, "250 ok");
          } else if (cmd.startsWith("QUIT")) {
            line(out, "221 bye");
            break;
          } else {
            line(out, "503 5.5.1 bad sequence");
          }
        }
      } catch (IOException e) {
        // the next connection, or closed
      }
    }
  }

  private static void line(Writer out, String s) throws IOException {
    out.write(s + "\r\n");
    out.flush();
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
