package io.sluice.objects;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sluice.core.CorruptDataException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A bucket written by this version (layout {@code sluice-objects 2}, key files of format 1) is read
 * by every later one; a damaged key file or an unknown layout stops with the file and the fix.
 */
class GoldenObjectFilesTest {

  static final String KEY_HASH = "4f9c87b2c0489cae4df8f61a43e631d5fe1087d2250ea2b2e55132c40fc93120";

  @TempDir Path dir;

  Path bucket() throws Exception {
    Path b = dir.resolve("objects/uploads");
    Files.createDirectories(b.resolve("keys/4f"));
    Files.createDirectories(b.resolve("blobs/4f"));
    Files.writeString(b.resolve("FORMAT"), "sluice-objects 2\n");
    try (InputStream in = getClass().getResourceAsStream("/golden/golden-object-key-v1.json")) {
      Files.copy(in, b.resolve("keys/4f/" + KEY_HASH + ".json"));
    }
    Files.writeString(b.resolve("blobs/4f/" + KEY_HASH + "-golden"), "hello");
    return b;
  }

  ObjectStore store() throws Exception {
    return new ObjectStore(dir.resolve("objects"), 1 << 20, ObjectEvents.NONE, Clock.systemUTC());
  }

  @Test
  void aFormatOneKeyFileIsReadWithItsObject() throws Exception {
    bucket();
    ObjectStore store = store();
    var info = store.head("uploads", "raw/hello.txt").orElseThrow();
    assertThat(info.size()).isEqualTo(5);
    assertThat(info.lastModified()).isEqualTo(Instant.parse("2026-11-30T10:00:00Z"));
    try (InputStream in = store.open("uploads", "raw/hello.txt").orElseThrow()) {
      assertThat(new String(in.readAllBytes(), StandardCharsets.UTF_8)).isEqualTo("hello");
    }
    assertThat(store.list("uploads", "", null, 10).objects()).hasSize(1);
  }

  @Test
  void aDamagedKeyFileNamesItselfAndTheFix() throws Exception {
    Path key = bucket().resolve("keys/4f/" + KEY_HASH + ".json");
    Files.writeString(key, "{\"format\":1,\"key\":\"raw/hello.txt\"}");
    assertThatThrownBy(() -> store().head("uploads", "raw/hello.txt"))
        .isInstanceOf(CorruptDataException.class)
        .hasMessageStartingWith(key.toString())
        .hasMessageContaining(
            "the entry of an object in bucket uploads is damaged (it has no size)")
        .hasMessageEndingWith("remove the file to forget that object");
    Files.writeString(key, "{\"format\":2}");
    assertThatThrownBy(() -> store().head("uploads", "raw/hello.txt"))
        .hasMessageContaining(
            "the entry of an object in bucket uploads has format 2, and this Sluice reads formats"
                + " 1 to 1");
  }

  @Test
  void aBucketOfAnotherLayoutIsRefusedNamingItsFormatFile() throws Exception {
    Path format = bucket().resolve("FORMAT");
    Files.writeString(format, "sluice-objects 3\n");
    assertThatThrownBy(() -> store().head("uploads", "raw/hello.txt"))
        .isInstanceOf(CorruptDataException.class)
        .hasMessageStartingWith(format.toString())
        .hasMessageContaining(
            "bucket uploads has format \"sluice-objects 3\", and this Sluice reads \"sluice-objects"
                + " 2\"");
  }
}
