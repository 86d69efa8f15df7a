package io.sluice.lake;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sluice.core.InvalidInputException;
import io.sluice.lake.objects.ObjectStore;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class ObjectStoreTest {

  @TempDir Path dir;

  static ByteArrayInputStream bytes(String s) {
    return new ByteArrayInputStream(s.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void putGetHeadListDelete() throws Exception {
    ObjectStore s = new ObjectStore(dir.resolve("objects"), 1 << 20);
    var info = s.put("health", "raw/2026/a.csv", bytes("hello"));
    assertThat(info.size()).isEqualTo(5);
    assertThat(info.sha256())
        .isEqualTo("2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824");
    try (var in = s.open("health", "raw/2026/a.csv").orElseThrow()) {
      assertThat(new String(in.readAllBytes(), StandardCharsets.UTF_8)).isEqualTo("hello");
    }
    s.put("health", "raw/b.csv", bytes("b"));
    s.put("health", "processed/a.csv", bytes("p"));
    s.put("health", "raw/2026/a.csv", bytes("hello again")); // replaces
    assertThat(s.head("health", "raw/2026/a.csv").orElseThrow().size()).isEqualTo(11);
    var page = s.list("health", "raw/", null, 1);
    assertThat(page.objects())
        .extracting(ObjectStore.ObjectInfo::key)
        .containsExactly("raw/2026/a.csv");
    var rest = s.list("health", "raw/", page.next(), 10);
    assertThat(rest.objects()).extracting(ObjectStore.ObjectInfo::key).containsExactly("raw/b.csv");
    assertThat(rest.next()).isNull();
    assertThat(s.delete("health", "raw/2026/a.csv")).isTrue();
    assertThat(s.delete("health", "raw/2026/a.csv")).isFalse();
    assertThat(s.head("health", "raw/2026/a.csv")).isEmpty();
    assertThat(s.list("other", null, null, 10).objects()).isEmpty();
  }

  @Test
  void factsLeftOverFromAnOlderVersionAreNotTrusted() throws Exception {
    ObjectStore s = new ObjectStore(dir.resolve("objects"), 1 << 20);
    s.put("b1", "k", bytes("aaaa"));
    // as if a crash left new data (same size) beside the old facts
    Path data = dir.resolve("objects/b1/data/k");
    Files.writeString(data, "bbbb");
    Files.setLastModifiedTime(
        data, java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis() + 5000));
    assertThat(s.head("b1", "k").orElseThrow().sha256())
        .isEqualTo("81cc5b17018674b401b42f35ba07bb79e211239c23bffe658da1577e3e646877");
  }

  static Stream<Arguments> badKeys() {
    return Stream.of(
        Arguments.of("../escape", "/key: expected no . or .. segment in a key, got \"../escape\""),
        Arguments.of(
            "a/../../escape", "/key: expected no . or .. segment in a key, got \"a/../../escape\""),
        Arguments.of("a/./b", "/key: expected no . or .. segment in a key, got \"a/./b\""),
        Arguments.of(
            "/etc/passwd", "/key: expected a relative key, got the absolute \"/etc/passwd\""),
        Arguments.of("a//b", "/key: expected no empty path segment (//) in a key, got \"a//b\""),
        Arguments.of(
            "%2e%2e/x",
            "/key: expected no percent-encoded dot, slash, backslash or NUL in a key, got \"%2e%2e/x\""),
        Arguments.of(
            "a%2F..%2Fb",
            "/key: expected no percent-encoded dot, slash, backslash or NUL in a key, got \"a%2F..%2Fb\""),
        Arguments.of("..\\..\\x", "/key: expected no backslash in a key, got \"..\\\\..\\\\x\""),
        Arguments.of(
            "a\u0001b",
            "/key: expected no control characters in a key, got U+0001 at 1 in \"a\\u0001b\""),
        Arguments.of(
            "a\nb", "/key: expected no control characters in a key, got U+000A at 1 in \"a\\nb\""),
        Arguments.of("dir/", "/key: expected a key that does not end with /, got \"dir/\""),
        Arguments.of("", "/key: expected an object key, got nothing"),
        Arguments.of("k".repeat(1025), "/key: expected a key of at most 1024 bytes, got 1025"));
  }

  @ParameterizedTest
  @MethodSource("badKeys")
  void everyTraversalFormIsRefusedAndNothingIsWritten(String key, String message) throws Exception {
    ObjectStore s = new ObjectStore(dir.resolve("objects"), 1 << 20);
    assertThatThrownBy(() -> s.put("b1", key, bytes("x")))
        .isInstanceOf(InvalidInputException.class)
        .hasMessage(message);
    try (Stream<Path> all = Files.walk(dir)) {
      assertThat(all.filter(Files::isRegularFile).toList()).isEmpty();
    }
  }

  @Test
  void badBucketsLimitsAndConflicts() throws Exception {
    ObjectStore s = new ObjectStore(dir.resolve("objects"), 10);
    for (String b : List.of("..", "A", "a", "a/b", "a.b", "-x")) {
      assertThatThrownBy(() -> s.put(b, "k", bytes("x")))
          .as(b)
          .hasMessageStartingWith("/bucket: expected a bucket name of 2-63 characters");
    }
    assertThatThrownBy(() -> s.put("b1", "big", bytes("01234567890")))
        .isInstanceOf(InvalidInputException.class)
        .hasMessage(
            "/body: the object is larger than the limit of 10 bytes (objects.maxObjectBytes)")
        .extracting(e -> ((InvalidInputException) e).code())
        .isEqualTo(InvalidInputException.TOO_LARGE);
    assertThat(s.head("b1", "big")).isEmpty();
    s.put("b1", "a", bytes("x"));
    assertThatThrownBy(() -> s.put("b1", "a/b", bytes("y")))
        .hasMessage("/key: a prefix of this key is already an object: \"a/b\"");
    s.put("b1", "c/d", bytes("y"));
    assertThatThrownBy(() -> s.put("b1", "c", bytes("z")))
        .hasMessage("/key: other objects already use this key as a prefix: \"c\"");
    try (Stream<Path> tmp = Files.list(dir.resolve("objects/b1/tmp"))) {
      assertThat(tmp.toList()).isEmpty();
    }
  }
}
