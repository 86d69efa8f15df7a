package io.sluice.engine.targets.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.ConnectException;
import org.junit.jupiter.api.Test;

/** A dead letter's error says what went wrong in words, never "null" or a Java class name. */
class HttpSenderReasonTest {

  @Test
  void aConnectExceptionWithoutAMessageSaysConnectionRefused() {
    assertThat(HttpSender.reason(new ConnectException(), "connection refused"))
        .isEqualTo("connection refused");
  }

  @Test
  void theFirstMessageInTheCauseChainIsUsedWithoutTheClassNameItWasWrappedIn() {
    IOException wrapped = new IOException(new ConnectException("Connection refused"));
    assertThat(wrapped.getMessage()).isEqualTo("java.net.ConnectException: Connection refused");
    assertThat(HttpSender.reason(wrapped, "x")).isEqualTo("Connection refused");
    assertThat(HttpSender.reason(new IOException(new IOException()), "the connection failed"))
        .isEqualTo("the connection failed");
  }

  @Test
  void aPlainMessageIsKept() {
    assertThat(HttpSender.reason(new IOException("HTTP/1.1 header parser received no bytes"), "x"))
        .isEqualTo("HTTP/1.1 header parser received no bytes");
  }
}
