package io.sluice.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PortOwnerTest {

  @TempDir Path proc;

  static final String HEADER =
      "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout"
          + " inode\n";

  @Test
  void theProcessHoldingTheListeningSocketIsFoundFromProc() throws Exception {
    Files.createDirectories(proc.resolve("net"));
    // port 7070 = 1B9E: one connection (state 01) and one listener (0A, inode 555) in tcp6
    Files.writeString(
        proc.resolve("net/tcp"),
        HEADER
            + "   0: 0100007F:1B9E 0100007F:D431 01 00000000:00000000 00:00000000 00000000  1000"
            + "        0 444 1 0000000000000000 20 4 30 10 -1\n");
    Files.writeString(
        proc.resolve("net/tcp6"),
        HEADER
            + "   0: 00000000000000000000000000000000:1B9E 00000000000000000000000000000000:0000 0A"
            + " 00000000:00000000 00:00000000 00000000  1000        0 555 1 0000000000000000 100 0"
            + " 0 10 0\n");
    Files.createDirectories(proc.resolve("12/fd"));
    Files.createSymbolicLink(proc.resolve("12/fd/3"), Path.of("socket:[444]"));
    Files.createDirectories(proc.resolve("4242/fd"));
    Files.createSymbolicLink(proc.resolve("4242/fd/0"), Path.of("/dev/null"));
    Files.createSymbolicLink(proc.resolve("4242/fd/7"), Path.of("socket:[555]"));
    Files.createDirectories(proc.resolve("self")); // not a pid

    assertThat(PortOwner.pid(proc, 7070)).hasValue(4242);
    assertThat(PortOwner.pid(proc, 7071)).as("nothing listens there").isEmpty();
    assertThat(PortOwner.pid(proc.resolve("missing"), 7070)).as("no /proc").isEmpty();
  }

  @Test
  void aSocketOfThisProcessIsFoundInTheRealProc() throws Exception {
    assumeTrue(Files.isReadable(Path.of("/proc/net/tcp")), "Linux /proc");
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      assertThat(PortOwner.pid(taken.getLocalPort())).hasValue(ProcessHandle.current().pid());
    }
  }
}
