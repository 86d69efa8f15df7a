package io.sluice.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.eclipse.jetty.server.ServerConnector;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Clients that connect faster than the server accepts them wait in the kernel's accept queue: a
 * queue of {@link SluiceServer#ACCEPT_QUEUE_SIZE}, not the JDK's 50, so that hundreds connecting at
 * once to a busy server are neither stalled for seconds nor reset.
 */
class AcceptQueueTest {

  @TempDir Path dir;

  @Test
  void theConnectorListensWithALongAcceptQueueOnTheConfiguredHostAndPort() {
    try (ServerFixture f = ServerFixture.start(dir, "buses: [{name: default}]")) {
      ServerConnector c = f.server.connector();
      assertThat(c.getAcceptQueueSize()).isEqualTo(SluiceServer.ACCEPT_QUEUE_SIZE).isEqualTo(1024);
      assertThat(c.getHost()).isEqualTo(f.server.url().getHost());
      assertThat(c.getLocalPort()).isPositive().isEqualTo(f.server.port());
      assertThat(f.get("/health/live").status()).isEqualTo(200);
    }
  }

  /**
   * With the acceptor paused (as a loaded machine or a pause of the JVM holds it), 300 clients
   * connect at once: each handshake completes within 2 s, and each connection, once the acceptor
   * runs again, is answered. With the JDK's backlog of 50 the kernel drops the SYNs beyond the
   * 51st, and their connects wait for retransmissions (1 s, 3 s, ...) until the queue has room.
   */
  @Test
  void hundredsConnectingAtOnceToAServerSlowToAcceptAreQueuedNotDropped() throws Exception {
    // the kernel caps the queue at net.core.somaxconn; where that is lower, ask for fewer clients
    Path somaxconn = Path.of("/proc/sys/net/core/somaxconn");
    assumeTrue(Files.isReadable(somaxconn), "Linux's net.core.somaxconn");
    int clients = Math.min(300, Integer.parseInt(Files.readAllLines(somaxconn).get(0).trim()));
    assumeTrue(clients > 100, "net.core.somaxconn is " + clients + ", too few to tell from 50");
    try (ServerFixture f = ServerFixture.start(dir, "buses: [{name: default}]");
        ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
      ServerConnector connector = f.server.connector();
      InetSocketAddress at =
          new InetSocketAddress(InetAddress.getLoopbackAddress(), f.server.port());
      connector.setAccepting(false);
      List<Future<Socket>> connecting = new ArrayList<>();
      for (int i = 0; i < clients; i++) {
        connecting.add(
            pool.submit(
                () -> {
                  Socket socket = new Socket();
                  try {
                    socket.connect(at, 2_000);
                    return socket;
                  } catch (IOException e) {
                    socket.close();
                    throw e;
                  }
                }));
      }
      Map<String, Integer> outcomes = new TreeMap<>();
      List<Socket> connected = new ArrayList<>();
      for (Future<Socket> c : connecting) {
        try {
          connected.add(c.get());
        } catch (java.util.concurrent.ExecutionException e) {
          outcomes.merge("connect failed: " + e.getCause(), 1, Integer::sum);
        }
      }
      connector.setAccepting(true);
      List<Future<String>> answers = new ArrayList<>();
      for (Socket socket : connected) {
        answers.add(pool.submit(() -> statusOfAHealthCheck(socket)));
      }
      for (Future<String> a : answers) {
        outcomes.merge(a.get(), 1, Integer::sum);
      }
      assertThat(outcomes).as("outcomes of %d clients", clients).isEqualTo(Map.of("200", clients));
    }
  }

  /** The status a GET /health/live on {@code socket} is answered with, or what went wrong. */
  private static String statusOfAHealthCheck(Socket socket) {
    try (socket) {
      socket.setSoTimeout(20_000);
      socket
          .getOutputStream()
          .write(
              "GET /health/live HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
                  .getBytes(StandardCharsets.US_ASCII));
      InputStream in = socket.getInputStream();
      byte[] status = in.readNBytes(12); // HTTP/1.1 200
      return status.length < 12
          ? "no answer"
          : new String(status, StandardCharsets.US_ASCII).substring(9);
    } catch (IOException e) {
      return "failed: " + e;
    }
  }
}
