package io.sluice.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sluice.core.InvalidInputException;
import io.sluice.core.config.ConfigLoader;
import io.sluice.core.config.SluiceConfig;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A server that cannot listen says why and what to change, and leaves its data free. */
class ListenFailuresTest {

  @TempDir Path dir;

  SluiceConfig config(String host, int port) {
    SluiceConfig c =
        ConfigLoader.parse("buses: [{name: default}]", "t.yaml", dir, SluiceKinds.forReading());
    return c.withServer(c.server().withHost(host).withPort(port)).withDataDir(dir.resolve("data"));
  }

  @Test
  void aPortInUseIsNamedWithTheProcessHoldingIt() throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      int port = taken.getLocalPort();
      String by =
          Files.isReadable(Path.of("/proc/net/tcp"))
              ? " (by pid " + ProcessHandle.current().pid() + ")"
              : "";
      assertThatThrownBy(
              () -> SluiceServer.start(config("127.0.0.1", port), SluiceServer.Options.DEFAULTS))
          .isInstanceOf(InvalidInputException.class)
          .hasMessage(
              "/server/port: port " + port + " is in use" + by + "; choose another with --port")
          .extracting(e -> ((InvalidInputException) e).code())
          .isEqualTo(InvalidInputException.INVALID_CONFIG);
    }
    // the failed start closed the node: its data opens again
    try (SluiceServer s =
        SluiceServer.start(config("127.0.0.1", 0), SluiceServer.Options.DEFAULTS)) {
      assertThat(s.port()).isPositive();
    }
  }

  @Test
  void aHostThatIsNotAnAddressOfThisMachineIsNamed() {
    // 192.0.2.1 is TEST-NET-1 (RFC 5737): never an address of this machine
    assertThatThrownBy(
            () ->
                SluiceServer.start(
                    config("192.0.2.1", 0), SluiceServer.Options.DEFAULTS.withInsecure(true)))
        .isInstanceOf(InvalidInputException.class)
        .hasMessage(
            "/server/host: host \"192.0.2.1\" is not an address of this machine; choose another"
                + " with --host");
  }

  @Test
  void aHostThatDoesNotResolveIsNamed() {
    assertThatThrownBy(
            () ->
                SluiceServer.start(
                    config("no-such-host.invalid", 0),
                    SluiceServer.Options.DEFAULTS.withInsecure(true)))
        .isInstanceOf(InvalidInputException.class)
        .hasMessage(
            "/server/host: host \"no-such-host.invalid\" does not resolve to an address; choose"
                + " another with --host");
  }
}
