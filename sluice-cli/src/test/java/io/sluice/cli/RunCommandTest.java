package io.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code sluice run} when it cannot start (it blocks until stopped once it has). */
class RunCommandTest {

  @TempDir Path dir;

  @Test
  void aPortInUseSaysWhoHoldsItAndWhatToChangeWithExitCode1() throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      int port = taken.getLocalPort();
      String by =
          Files.isReadable(Path.of("/proc/net/tcp"))
              ? " (by pid " + ProcessHandle.current().pid() + ")"
              : "";
      var root =
          (ch.qos.logback.classic.Logger)
              org.slf4j.LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
      var logged =
          new ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent>();
      logged.start();
      root.addAppender(logged);
      LogCommandTest.Run r;
      try {
        r =
            LogCommandTest.run(
                "run", "--port", Integer.toString(port), "--data", dir.resolve("data").toString());
      } finally {
        root.detachAppender(logged);
      }
      assertThat(logged.list)
          .as("nothing logged above INFO: the one message says it all")
          .noneMatch(e -> e.getLevel().isGreaterOrEqual(ch.qos.logback.classic.Level.WARN));
      assertThat(r.exit()).isEqualTo(1);
      assertThat(r.err())
          .isEqualTo("sluice: port " + port + " is in use" + by + "; choose another with --port\n");
      assertThat(r.out()).isEmpty();
    }
  }

  @Test
  void aPortThatIsNotANumberIsACommandLineError() {
    LogCommandTest.Run r = LogCommandTest.run("run", "--port", "seventy", "--data", dir.toString());
    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.err()).startsWith("Invalid value for option '--port': 'seventy' is not an int\n");
  }

  @Test
  void aPortOutOfRangeIsACommandLineError() {
    LogCommandTest.Run r = LogCommandTest.run("run", "--port", "70000", "--data", dir.toString());
    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.err())
        .isEqualTo("sluice: --port: expected a port 0..65535 (0 picks a free one), got 70000\n");
  }
}
