package io.sluice.objects;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sluice.core.InvalidInputException;
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

  /** The events the store emitted, as "type bucket/key". */
  final List<String> emitted = new java.util.concurrent.CopyOnWriteArrayList<>();

  final io.sluice.objects.ObjectEvents events =
      (type, detail) ->
          emitted.add(
              type
                  + " "
                  + detail.get("bucket").get("name").asText()
                  + "/"
                  + detail.get("object").get("key").asText());

  static ByteArrayInputStream bytes(String s) {
    return new ByteArrayInputStream(s.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void putGetHeadListDelete() throws Exception {
    ObjectStore s =
        new ObjectStore(dir.resolve("objects"), 1 << 20, events, java.time.Clock.systemUTC());
    var info = s.put("health", "raw/2026/a.csv", bytes("hello"), "PutObject");
    assertThat(info.size()).isEqualTo(5);
    assertThat(info.sha256())
        .isEqualTo("2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824");
    try (var in = s.open("health", "raw/2026/a.csv").orElseThrow()) {
      assertThat(new String(in.readAllBytes(), StandardCharsets.UTF_8)).isEqualTo("hello");
    }
    s.put("health", "raw/b.csv", bytes("b"), "PutObject");
    s.put("health", "processed/a.csv", bytes("p"), "PutObject");
    s.put("health", "raw/2026/a.csv", bytes("hello again"), "PutObject"); // replaces
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
    assertThat(emitted)
        .containsExactly(
            "Object Created health/raw/2026/a.csv",
            "Object Created health/raw/b.csv",
            "Object Created health/processed/a.csv",
            "Object Created health/raw/2026/a.csv",
            "Object Deleted health/raw/2026/a.csv");
  }

  @Test
  void keysDoNotDependOnFileSystemNamesOrDirectoryRules() throws Exception {
    ObjectStore s =
        new ObjectStore(dir.resolve("objects"), 1 << 20, events, java.time.Clock.systemUTC());
    String longSegment = "s".repeat(300) + "/" + "é".repeat(300); // 300 and 600 bytes
    String longKey = "k/".repeat(300) + "end"; // 603 bytes, 301 segments
    for (String key : List.of(longSegment, longKey, "mc/a", "mc/a.json/x", "mc/a/b", "mc/a.json")) {
      assertThat(s.put("b1", key, bytes(key), "PutObject").key()).isEqualTo(key);
    }
    for (String key : List.of(longSegment, longKey, "mc/a", "mc/a.json/x", "mc/a/b", "mc/a.json")) {
      try (var in = s.open("b1", key).orElseThrow()) {
        assertThat(new String(in.readAllBytes(), StandardCharsets.UTF_8)).isEqualTo(key);
      }
    }
    assertThat(s.list("b1", "mc/", null, 10).objects())
        .extracting(ObjectStore.ObjectInfo::key)
        .containsExactly("mc/a", "mc/a.json", "mc/a.json/x", "mc/a/b");
    assertThat(emitted).hasSize(6).allMatch(e -> e.startsWith("Object Created b1/"));
    // and all of it is there again after a restart
    ObjectStore again =
        new ObjectStore(dir.resolve("objects"), 1 << 20, events, java.time.Clock.systemUTC());
    assertThat(again.list("b1", null, null, 100).objects()).hasSize(6);
    assertThat(again.head("b1", longSegment).orElseThrow().size())
        .isEqualTo(longSegment.getBytes(StandardCharsets.UTF_8).length);
  }

  @Test
  void aWriteWhoseEventCannotBeStoredIsUndone() throws Exception {
    java.util.concurrent.atomic.AtomicBoolean down =
        new java.util.concurrent.atomic.AtomicBoolean();
    ObjectStore s =
        new ObjectStore(
            dir.resolve("objects"),
            1 << 20,
            (type, detail) -> {
              if (down.get()) {
                throw new java.io.IOException("the bus is full");
              }
            },
            java.time.Clock.systemUTC());
    s.put("b1", "k", bytes("one"), "PutObject");
    down.set(true);
    assertThatThrownBy(() -> s.put("b1", "k", bytes("two"), "PutObject"))
        .isInstanceOf(io.sluice.core.TransientException.class)
        .hasMessage(
            "the object was not stored: its Object Created event could not be stored (the bus is"
                + " full); retry");
    assertThatThrownBy(() -> s.put("b1", "new", bytes("x"), "PutObject"))
        .isInstanceOf(io.sluice.core.TransientException.class);
    assertThatThrownBy(() -> s.delete("b1", "k"))
        .isInstanceOf(io.sluice.core.TransientException.class)
        .hasMessageStartingWith("the object was not deleted");
    try (var in = s.open("b1", "k").orElseThrow()) {
      assertThat(new String(in.readAllBytes(), StandardCharsets.UTF_8)).isEqualTo("one");
    }
    assertThat(s.head("b1", "new")).isEmpty();
    ObjectStore again =
        new ObjectStore(dir.resolve("objects"), 1 << 20, events, java.time.Clock.systemUTC());
    assertThat(again.list("b1", null, null, 10).objects())
        .extracting(ObjectStore.ObjectInfo::key)
        .containsExactly("k");
    try (Stream<Path> blobs = Files.walk(dir.resolve("objects/b1/blobs"))) {
      assertThat(blobs.filter(Files::isRegularFile).count()).as("no orphaned bytes").isEqualTo(1);
    }
  }

  @Test
  void aBucketOfTheEarlierLayoutIsMovedWhenFirstUsed() throws Exception {
    Path old = dir.resolve("objects/health");
    Files.createDirectories(old.resolve("data/raw"));
    Files.writeString(old.resolve("data/raw/a.csv"), "a,b\n");
    Files.createDirectories(old.resolve("meta/raw"));
    Files.writeString(
        old.resolve("meta/raw/a.csv.json"),
        "{\"size\":4,\"sha256\":\"x\",\"lastModified\":\"2026-11-30T10:00:00Z\"}");
    ObjectStore s =
        new ObjectStore(dir.resolve("objects"), 1 << 20, events, java.time.Clock.systemUTC());
    ObjectStore.ObjectInfo info = s.head("health", "raw/a.csv").orElseThrow();
    assertThat(info.size()).isEqualTo(4);
    assertThat(info.lastModified()).isEqualTo(java.time.Instant.parse("2026-11-30T10:00:00Z"));
    assertThat(info.sha256()).as("computed again, not trusted").isEqualTo(sha("a,b\n"));
    assertThat(old.resolve("data")).doesNotExist();
    assertThat(old.resolve("meta")).doesNotExist();
    assertThat(Files.readString(old.resolve("FORMAT"))).isEqualTo("sluice-objects 2\n");
  }

  /** SHA-256 of a string, hex. */
  static String sha(String s) throws Exception {
    return java.util.HexFormat.of()
        .formatHex(
            java.security.MessageDigest.getInstance("SHA-256")
                .digest(s.getBytes(StandardCharsets.UTF_8)));
  }

  @Test
  void cursorsAreOpaqueAndAForeignOneIsRefused() throws Exception {
    ObjectStore s =
        new ObjectStore(dir.resolve("objects"), 1 << 20, events, java.time.Clock.systemUTC());
    for (String k : List.of("a", "b", "c")) {
      s.put("b1", k, bytes(k), "PutObject");
    }
    var first = s.list("b1", null, null, 2);
    assertThat(first.next()).startsWith("k1.");
    assertThat(s.list("b1", null, first.next(), 2).objects())
        .extracting(ObjectStore.ObjectInfo::key)
        .containsExactly("c");
    for (String bad : List.of("zzz", "k1.!!", "k1." + "_w")) {
      assertThatThrownBy(() -> s.list("b1", null, bad, 2))
          .as(bad)
          .hasMessageStartingWith(
              "/cursor: expected a cursor returned as \"next\" by an earlier listing, got");
    }
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
    ObjectStore s =
        new ObjectStore(dir.resolve("objects"), 1 << 20, events, java.time.Clock.systemUTC());
    assertThatThrownBy(() -> s.put("b1", key, bytes("x"), "PutObject"))
        .isInstanceOf(InvalidInputException.class)
        .hasMessage(message);
    try (Stream<Path> all = Files.walk(dir)) {
      assertThat(all.filter(Files::isRegularFile).toList()).isEmpty();
    }
  }

  static Stream<Arguments> badEncodedKeys() {
    return Stream.of(
        Arguments.of(
            "a%2Fb", "/key: expected no percent-encoded slash (%2F) in a key, got \"a%2Fb\""),
        Arguments.of(
            "..%2f..%2fescape",
            "/key: expected no percent-encoded slash (%2f) in a key, got \"..%2f..%2fescape\""),
        Arguments.of(
            "a%5Cb", "/key: expected no percent-encoded backslash (%5C) in a key, got \"a%5Cb\""),
        Arguments.of(
            "a/%2e%2e/b",
            "/key: expected no percent-encoded . or .. segment in a key, got \"a/%2e%2e/b\""),
        Arguments.of(
            "a/.%2E/b",
            "/key: expected no percent-encoded . or .. segment in a key, got \"a/.%2E/b\""),
        Arguments.of(
            "%2e/b", "/key: expected no percent-encoded . or .. segment in a key, got \"%2e/b\""),
        Arguments.of(
            "a%00b",
            "/key: expected no control characters in a key, got %00 (U+0000) at 1 in \"a%00b\""),
        Arguments.of(
            "a%1fb",
            "/key: expected no control characters in a key, got %1f (U+001F) at 1 in \"a%1fb\""),
        Arguments.of(
            "a%7Fb",
            "/key: expected no control characters in a key, got %7F (U+007F) at 1 in \"a%7Fb\""),
        Arguments.of(
            "a%zzb", "/key: expected % and two hex digits in a key, got \"%zz\" at 1 in \"a%zzb\""),
        Arguments.of(
            "a%2", "/key: expected % and two hex digits in a key, got \"%2\" at 1 in \"a%2\""),
        Arguments.of(
            "a%\u0661\u0661",
            "/key: expected % and two hex digits in a key, got \"%\u0661\u0661\" at 1 in"
                + " \"a%\u0661\u0661\""),
        Arguments.of("a%FFb", "/key: expected percent-encoded UTF-8 in a key, got \"a%FFb\""),
        Arguments.of("a%C0%AF", "/key: expected percent-encoded UTF-8 in a key, got \"a%C0%AF\""),
        // decoded once: what decodes to a percent-encoding is refused as the decoded key
        Arguments.of(
            "a%252Fb",
            "/key: expected no percent-encoded dot, slash, backslash or NUL in a key, got"
                + " \"a%2Fb\""),
        Arguments.of(
            "dir%2F", "/key: expected no percent-encoded slash (%2F) in a key, got \"dir%2F\""),
        Arguments.of("dir/", "/key: expected a key that does not end with /, got \"dir/\""),
        Arguments.of("a/../b", "/key: expected no . or .. segment in a key, got \"a/../b\""));
  }

  @ParameterizedTest
  @MethodSource("badEncodedKeys")
  void aKeyFromAUriPathIsRefusedAsItCameWhenAnEncodingHidesAProblem(
      String encoded, String message) {
    assertThatThrownBy(() -> ObjectStore.decodeKey(encoded))
        .isInstanceOf(InvalidInputException.class)
        .hasMessage(message)
        .extracting(e -> ((InvalidInputException) e).code())
        .isEqualTo(InvalidInputException.INVALID_ARGUMENT);
  }

  @Test
  void aKeyFromAUriPathIsDecodedOnceByPathRules() {
    assertThat(ObjectStore.decodeKey("raw/a.csv")).isEqualTo("raw/a.csv");
    assertThat(ObjectStore.decodeKey("a%2eb")).isEqualTo("a.b");
    assertThat(ObjectStore.decodeKey("a%20b")).isEqualTo("a b");
    assertThat(ObjectStore.decodeKey("a+b")).as("a plus is a plus in a path").isEqualTo("a+b");
    assertThat(ObjectStore.decodeKey("%C3%A9t%C3%A9/%E2%82%AC")).isEqualTo("été/€");
    assertThat(ObjectStore.decodeKey("a%25b")).isEqualTo("a%b");
    assertThat(ObjectStore.decodeKey("%2e%2e.x/y")).as("not a dot segment").isEqualTo("...x/y");
  }

  @Test
  void badBucketsAndLimits() throws Exception {
    ObjectStore s =
        new ObjectStore(dir.resolve("objects"), 10, events, java.time.Clock.systemUTC());
    for (String b : List.of("..", "A", "a", "a/b", "a.b", "-x")) {
      assertThatThrownBy(() -> s.put(b, "k", bytes("x"), "PutObject"))
          .as(b)
          .hasMessageStartingWith("/bucket: expected a bucket name of 2-63 characters");
    }
    assertThatThrownBy(() -> s.put("b1", "big", bytes("01234567890"), "PutObject"))
        .isInstanceOf(InvalidInputException.class)
        .hasMessage(
            "/body: the object is larger than the limit of 10 bytes (objects.maxObjectBytes)")
        .extracting(e -> ((InvalidInputException) e).code())
        .isEqualTo(InvalidInputException.TOO_LARGE);
    assertThat(s.head("b1", "big")).isEmpty();
    try (Stream<Path> tmp = Files.list(dir.resolve("objects/b1/tmp"))) {
      assertThat(tmp.toList()).isEmpty();
    }
    assertThat(emitted).isEmpty();
  }
}
