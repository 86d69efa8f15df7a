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
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A tiny real SMTP server that answers what a test chooses, for the failures GreenMail does not
 * produce: by default it greets, accepts the sender and answers every RCPT TO with {@code reply}
 * (e.g. {@code 550 5.1.1 no such mailbox}). {@link #greeting} greets with another reply, {@link
 * #data} answers the end of DATA with a chosen reply, {@link #resetAtQuit} accepts the mail and
 * then resets the connection at QUIT instead of answering it.
 */
public final class SmtpRefuser implements AutoCloseable {

  private final ServerSocket socket;
  private final String greeting;
  private final String rcptReply;
  private final String dataReply;
  private final boolean resetAtQuit;
  private final AtomicInteger accepted = new AtomicInteger();

  private SmtpRefuser(String greeting, String rcptReply, String dataReply, boolean resetAtQuit)
      throws IOException {
    this.greeting = greeting;
    this.rcptReply = rcptReply;
    this.dataReply = dataReply;
    this.resetAtQuit = resetAtQuit;
    this.socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    Thread.ofPlatform().daemon().name("smtp-refuser").start(this::serve);
  }

  /** Answers every RCPT TO with {@code rcptReply}. */
  public static SmtpRefuser start(String rcptReply) throws IOException {
    return new SmtpRefuser("220 refuser ESMTP", rcptReply, "250 2.0.0 ok", false);
  }

  /** Greets with {@code greeting} (e.g. {@code 554 5.7.1 go away}) instead of 220. */
  public static SmtpRefuser greeting(String greeting) throws IOException {
    return new SmtpRefuser(greeting, "250 2.1.5 ok", "250 2.0.0 ok", false);
  }

  /** Accepts the sender and recipients, and answers the end of the mail data with {@code reply}. */
  public static SmtpRefuser data(String reply) throws IOException {
    return new SmtpRefuser("220 refuser ESMTP", "250 2.1.5 ok", reply, false);
  }

  /** Accepts the mail (250 after DATA), then resets the connection when the client sends QUIT. */
  public static SmtpRefuser resetAtQuit() throws IOException {
    return new SmtpRefuser("220 refuser ESMTP", "250 2.1.5 ok", "250 2.0.0 queued", true);
  }

  public int port() {
    return socket.getLocalPort();
  }

  /** How many mails were accepted (a 2xx answer to their data). */
  public int accepted() {
    return accepted.get();
  }

  private void serve() {
    while (!socket.isClosed()) {
      try (Socket s = socket.accept()) {
        BufferedReader in =
            new BufferedReader(
                new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII));
        Writer out = new OutputStreamWriter(s.getOutputStream(), StandardCharsets.US_ASCII);
        line(out, greeting);
        for (String l; (l = in.readLine()) != null; ) {
          String cmd = l.toUpperCase(Locale.ROOT);
          if (cmd.startsWith("EHLO") || cmd.startsWith("HELO")) {
            line(out, "250 refuser");
          } else if (cmd.startsWith("MAIL FROM")) {
            line(out, "250 2.1.0 ok");
          } else if (cmd.startsWith("RCPT TO")) {
            line(out, rcptReply);
          } else if (cmd.equals("DATA")) {
            line(out, "354 end with <CRLF>.<CRLF>");
            for (String d; (d = in.readLine()) != null && !d.equals("."); ) {
              // the mail
            }
            if (dataReply.startsWith("2")) {
              accepted.incrementAndGet();
            }
            line(out, dataReply);
          } else if (cmd.startsWith("RSET") || cmd.startsWith("NOOP")) {
            line(out, "250 ok");
          } else if (cmd.startsWith("QUIT")) {
            if (resetAtQuit) {
              s.setSoLinger(true, 0); // close with RST: the client's read of the reply fails
            } else {
              line(out, "221 bye");
            }
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
