package io.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.core.config.ConfigLoader;
import io.sluice.core.config.SluiceConfig;
import io.sluice.server.ApiKeys;
import io.sluice.server.SluiceKinds;
import io.sluice.server.SluiceServer;
import io.sluice.testkit.MutableClock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** sluice objects ls|rm|put|get (and sluice put|get) against a real server on a random port. */
class ObjectCommandsTest {

  @TempDir Path dir;
  SluiceServer server;
  String url;

  static final Instant T = Instant.parse("2026-11-30T10:15:30.123Z");

  void start(String yaml) {
    SluiceConfig c = ConfigLoader.parse(yaml, "t.yaml", dir, SluiceKinds.forReading());
    server =
        SluiceServer.start(
            c.withServer(c.server().withPort(0)).withDataDir(dir.resolve("data")),
            SluiceServer.Options.DEFAULTS.withClock(new MutableClock(T)));
    url = server.url().toString();
  }

  @AfterEach
  void stop() {
    if (server != null) {
      server.close();
    }
  }

  LogCommandTest.Run put(String content, String target) throws Exception {
    Path f = Files.writeString(dir.resolve("upload-" + Math.abs(target.hashCode())), content);
    return LogCommandTest.run("put", "--url", url, f.toString(), target);
  }

  @Test
  void lsFollowsTheListingToTheEndOrToTheLimit() throws Exception {
    start("buses: [{name: default}]");
    for (String k : new String[] {"raw/a.csv", "raw/b.csv", "raw/c d.csv", "x/1", "x/2"}) {
      assertThat(put("v:" + k, "health/" + k).exit()).isZero();
    }
    Path file = Files.writeString(dir.resolve("z.txt"), "zz");
    LogCommandTest.Run alias =
        LogCommandTest.run("objects", "put", "--url", url, file.toString(), "health/z/last.txt");
    assertThat(alias.exit()).as(alias.err()).isZero();
    assertThat(alias.out())
        .isEqualTo(
            "health/z/last.txt: 2 bytes, sha256"
                + " 4a60bf7d4bc1e485744cf7e8d0860524752fca1ce42331be7c439fd23043f151\n");

    // pages of 2: four requests, every object once, in key order
    LogCommandTest.Run all =
        LogCommandTest.run("objects", "ls", "--url", url, "health", "--page-size", "2");
    assertThat(all.exit()).as(all.err()).isZero();
    assertThat(all.out())
        .isEqualTo(
            "          11  2026-11-30T10:15:30Z  raw/a.csv\n"
                + "          11  2026-11-30T10:15:30Z  raw/b.csv\n"
                + "          13  2026-11-30T10:15:30Z  raw/c d.csv\n"
                + "           5  2026-11-30T10:15:30Z  x/1\n"
                + "           5  2026-11-30T10:15:30Z  x/2\n"
                + "           2  2026-11-30T10:15:30Z  z/last.txt\n"
                + "(6 objects)\n");

    LogCommandTest.Run limited =
        LogCommandTest.run(
            "objects", "ls", "--url", url, "health", "--limit", "3", "--page-size", "2");
    assertThat(limited.out())
        .isEqualTo(
            "          11  2026-11-30T10:15:30Z  raw/a.csv\n"
                + "          11  2026-11-30T10:15:30Z  raw/b.csv\n"
                + "          13  2026-11-30T10:15:30Z  raw/c d.csv\n"
                + "(3 objects; there are more: raise --limit)\n");

    LogCommandTest.Run prefixed =
        LogCommandTest.run("objects", "ls", "--url", url, "health", "--prefix", "x/");
    assertThat(prefixed.out())
        .isEqualTo(
            "           5  2026-11-30T10:15:30Z  x/1\n"
                + "           5  2026-11-30T10:15:30Z  x/2\n"
                + "(2 objects)\n");

    LogCommandTest.Run json =
        LogCommandTest.run(
            "objects", "ls", "--url", url, "health", "--prefix", "x/", "--format", "json");
    var objects = io.sluice.core.Json.MAPPER.readTree(json.out()).get("objects");
    assertThat(objects).hasSize(2);
    assertThat(objects.get(1).get("key").asText()).isEqualTo("x/2");
    assertThat(objects.get(1).get("size").asLong()).isEqualTo(5);

    LogCommandTest.Run none =
        LogCommandTest.run("objects", "ls", "--url", url, "health", "--prefix", "nothing/");
    assertThat(none.exit()).isZero();
    assertThat(none.out()).isEqualTo("(0 objects)\n");
  }

  @Test
  void rmDeletesAnObjectAndGetFindsItNoMore() throws Exception {
    start("buses: [{name: default}]");
    assertThat(put("a,b\n", "health/raw/c d.csv").exit()).isZero();
    LogCommandTest.Run get =
        LogCommandTest.run("objects", "get", "--url", url, "health/raw/c d.csv");
    assertThat(get.exit()).as(get.err()).isZero();

    LogCommandTest.Run rm = LogCommandTest.run("objects", "rm", "--url", url, "health/raw/c d.csv");
    assertThat(rm.exit()).as(rm.err()).isZero();
    assertThat(rm.out()).isEqualTo("deleted health/raw/c d.csv\n");

    LogCommandTest.Run again =
        LogCommandTest.run("objects", "rm", "--url", url, "health/raw/c d.csv");
    assertThat(again.exit()).isEqualTo(1);
    assertThat(again.err())
        .isEqualTo("sluice: NOT_FOUND: /key: no object \"raw/c d.csv\" in bucket health\n");
    LogCommandTest.Run gone = LogCommandTest.run("get", "--url", url, "health/raw/c d.csv");
    assertThat(gone.exit()).isEqualTo(1);
    assertThat(gone.err())
        .isEqualTo("sluice: NOT_FOUND: /key: no object \"raw/c d.csv\" in bucket health\n");
    assertThat(LogCommandTest.run("objects", "ls", "--url", url, "health").out())
        .isEqualTo("(0 objects)\n");
  }

  @Test
  void badInputIsRefusedWithTheWholeMessageAndTheDocumentedExitCode() throws Exception {
    start("buses: [{name: default}]");
    assertThat(put("x", "health/raw/a.csv").exit()).isZero();

    LogCommandTest.Run unknown = LogCommandTest.run("objects", "ls", "--url", url, "nope");
    assertThat(unknown.exit()).isEqualTo(1);
    assertThat(unknown.err())
        .isEqualTo(
            "sluice: NOT_FOUND: /bucket: no bucket named \"nope\" (a bucket exists once an object"
                + " was put in it)\n");

    LogCommandTest.Run badBucket = LogCommandTest.run("objects", "ls", "--url", url, "Bad_Bucket");
    assertThat(badBucket.exit()).isEqualTo(1);
    assertThat(badBucket.err())
        .isEqualTo(
            "sluice: INVALID_ARGUMENT: /bucket: expected a bucket name of 2-63 characters a-z 0-9"
                + " -, starting with a letter or digit, got \"Bad_Bucket\"\n");

    LogCommandTest.Run badKey = LogCommandTest.run("objects", "rm", "--url", url, "health/a//b");
    assertThat(badKey.exit()).isEqualTo(1);
    assertThat(badKey.err())
        .isEqualTo(
            "sluice: INVALID_ARGUMENT: /key: expected no empty path segment (//) in a key, got"
                + " \"a//b\"\n");

    LogCommandTest.Run noKey = LogCommandTest.run("objects", "rm", "--url", url, "health");
    assertThat(noKey.exit()).isEqualTo(2);
    assertThat(noKey.err())
        .startsWith("expected BUCKET/KEY such as health/raw/a.csv, got \"health\"\n");

    LogCommandTest.Run zero =
        LogCommandTest.run("objects", "ls", "--url", url, "health", "--limit", "0");
    assertThat(zero.exit()).isEqualTo(2);
    assertThat(zero.err())
        .isEqualTo("sluice: --limit: expected a positive number of objects, got 0\n");

    LogCommandTest.Run format =
        LogCommandTest.run("objects", "ls", "--url", url, "health", "--format", "xml");
    assertThat(format.exit()).isEqualTo(2);
    assertThat(format.err()).isEqualTo("sluice: --format: expected table or json, got \"xml\"\n");

    LogCommandTest.Run noBucket = LogCommandTest.run("objects", "ls", "--url", url);
    assertThat(noBucket.exit()).isEqualTo(2);
    assertThat(noBucket.err()).startsWith("Missing required parameter: 'BUCKET'\n");
  }

  @Test
  void withApiKeysListingNeedsReadAndDeletingNeedsObjectsWrite() throws Exception {
    String read = ApiKeys.newKey();
    String write = ApiKeys.newKey();
    start(
        "buses: [{name: default}]\nauth:\n  keys:\n"
            + "    - {name: dash, sha256: "
            + ApiKeys.sha256Hex(read)
            + ", scopes: [read]}\n"
            + "    - {name: uploader, sha256: "
            + ApiKeys.sha256Hex(write)
            + ", scopes: [\"objects:write\"]}\n");
    Path f = Files.writeString(dir.resolve("a.csv"), "x");
    assertThat(
            LogCommandTest.run("put", "--url", url, "--api-key", write, f.toString(), "health/a")
                .exit())
        .isZero();

    LogCommandTest.Run rm =
        LogCommandTest.run("objects", "rm", "--url", url, "--api-key", read, "health/a");
    assertThat(rm.exit()).isEqualTo(1);
    assertThat(rm.err())
        .isEqualTo(
            "sluice: FORBIDDEN: /headers/Authorization: API key \"dash\" lacks the scope"
                + " objects:write\n");
    LogCommandTest.Run ls =
        LogCommandTest.run("objects", "ls", "--url", url, "--api-key", write, "health");
    assertThat(ls.exit()).isEqualTo(1);
    assertThat(ls.err())
        .isEqualTo(
            "sluice: FORBIDDEN: /headers/Authorization: API key \"uploader\" lacks the scope"
                + " read\n");
    LogCommandTest.Run anonymous = LogCommandTest.run("objects", "ls", "--url", url, "health");
    assertThat(anonymous.err())
        .isEqualTo(
            "sluice: UNAUTHORIZED: /headers/Authorization: missing API key: send Authorization:"
                + " Bearer <key>\n");

    assertThat(LogCommandTest.run("objects", "ls", "--url", url, "--api-key", read, "health").out())
        .isEqualTo("           1  2026-11-30T10:15:30Z  a\n(1 object)\n");
    assertThat(
            LogCommandTest.run("objects", "rm", "--url", url, "--api-key", write, "health/a").out())
        .isEqualTo("deleted health/a\n");
  }
}
