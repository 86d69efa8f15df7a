package io.sluice.log;

import static io.sluice.log.LogFiles.bytes;
import static io.sluice.log.LogFiles.text;
import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.log.RecoveryReport.Truncation;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RecoveryTest {

  @TempDir Path tmp;
  private EmbeddedEventLog log;
  private EmbeddedEventLog recovered;

  @AfterEach
  void close() {
    if (log != null) {
      log.close();
    }
    if (recovered != null) {
      recovered.close();
    }
  }

  /** A running log "r" with 100 single-record batches in one segment, and a crash image of it. */
  private Path crashedWith100Batches(long segmentBytes) {
    log = EmbeddedEventLog.open(tmp.resolve("live"), Clock.systemUTC());
    log.create("r", LogSpec.defaults(1).withSegmentBytes(segmentBytes));
    for (int i = 0; i < 100; i++) {
      assertThat(
              log.append("r", List.of(LogRecord.of(bytes(String.format("record-%03d", i)))))
                  .join()
                  .get(0)
                  .isOk())
          .isTrue();
    }
    Path image = tmp.resolve("crash");
    LogFiles.crashImage(tmp.resolve("live"), image);
    return image;
  }

  private static Path onlySegment(Path root) throws IOException {
    return LogFiles.segments(root.resolve("r/0")).get(0);
  }

  private List<String> values(EventLog l) {
    return LogFiles.readAll(l, "r", 0).stream().map(e -> text(e.value())).toList();
  }

  @Test
  void intactCrashImageRecoversEverythingWithoutTruncation() {
    Path image = crashedWith100Batches(LogSpec.DEFAULT_SEGMENT_BYTES);

    recovered = EmbeddedEventLog.open(image, Clock.systemUTC());

    assertThat(values(recovered)).hasSize(100).startsWith("record-000").endsWith("record-099");
    assertThat(recovered.recoveryReport().truncations()).isEmpty();
    assertThat(recovered.recoveryReport().partitions().get(0).segmentsValidated()).isEqualTo(1);
  }

  @Test
  void flippedByteTruncatesAtTheDamagedBatchAndKeepsEverythingBefore() throws IOException {
    Path image = crashedWith100Batches(LogSpec.DEFAULT_SEGMENT_BYTES);
    Path seg = onlySegment(image);
    List<Long> batches = LogFiles.batchPositions(seg);
    long size = Files.size(seg);
    LogFiles.flipByte(seg, batches.get(50) + RecordBatch.HEADER_BYTES + 9);

    recovered = EmbeddedEventLog.open(image, Clock.systemUTC());

    assertThat(values(recovered)).hasSize(50).endsWith("record-049");
    Truncation t = recovered.recoveryReport().truncations().get(0);
    assertThat(t.file()).isEqualTo(seg.toString());
    assertThat(t.position()).isEqualTo(batches.get(50));
    assertThat(t.bytesRemoved()).isEqualTo(size - batches.get(50));
    assertThat(t.reason()).startsWith("CRC32C mismatch: stored ");
    assertThat(Files.size(seg)).isEqualTo(batches.get(50));
    assertThat(recovered.recoveryReport().quarantined()).isEmpty();
  }

  @Test
  void truncatedFileCutsTheTornBatchOnly() throws IOException {
    Path image = crashedWith100Batches(LogSpec.DEFAULT_SEGMENT_BYTES);
    Path seg = onlySegment(image);
    List<Long> batches = LogFiles.batchPositions(seg);
    LogFiles.truncate(seg, batches.get(70) + 20);

    recovered = EmbeddedEventLog.open(image, Clock.systemUTC());

    assertThat(values(recovered)).hasSize(70).endsWith("record-069");
    Truncation t = recovered.recoveryReport().truncations().get(0);
    assertThat(t.position()).isEqualTo(batches.get(70));
    assertThat(t.bytesRemoved()).isEqualTo(20);
    assertThat(t.reason()).isEqualTo("incomplete batch header: 20 bytes left, a header is 30");
  }

  @Test
  void tornBatchBodyIsReportedWithItsLength() throws IOException {
    Path image = crashedWith100Batches(LogSpec.DEFAULT_SEGMENT_BYTES);
    Path seg = onlySegment(image);
    List<Long> batches = LogFiles.batchPositions(seg);
    LogFiles.truncate(seg, batches.get(99) + 35);

    recovered = EmbeddedEventLog.open(image, Clock.systemUTC());

    assertThat(values(recovered)).hasSize(99);
    assertThat(recovered.recoveryReport().truncations().get(0).reason())
        .isEqualTo("batch of 48 bytes runs past the end of the file (35 bytes left)");
    assertThat(recovered.recoveryReport().bytesTruncated()).isEqualTo(35);
  }

  @Test
  void garbageAppendedIsCutAndAppendsContinueAtTheNextOffset() throws IOException {
    Path image = crashedWith100Batches(LogSpec.DEFAULT_SEGMENT_BYTES);
    Path seg = onlySegment(image);
    long size = Files.size(seg);
    LogFiles.appendBytes(seg, bytes("\u0000\u0000\u0000\u0040garbage-after-the-last-batch-00"));

    recovered = EmbeddedEventLog.open(image, Clock.systemUTC());

    assertThat(recovered.recoveryReport().truncations())
        .singleElement()
        .satisfies(
            t -> {
              assertThat(t.position()).isEqualTo(size);
              assertThat(t.bytesRemoved()).isEqualTo(35);
            });
    List<AppendResult> next = recovered.append("r", List.of(LogRecord.of(bytes("after")))).join();
    assertThat(next.get(0).offset()).isEqualTo(100);
    assertThat(values(recovered)).hasSize(101).endsWith("after");
  }

  @Test
  void missingOrDamagedIndexIsRebuiltAndLookupsStillWork() throws IOException {
    log = EmbeddedEventLog.open(tmp.resolve("idx"), Clock.systemUTC());
    log.create("r", LogSpec.defaults(1).withSegmentBytes(8 * 1024));
    for (int i = 0; i < 600; i++) {
      log.append(
              "r", List.of(LogRecord.of(bytes(String.format("value-%04d-%s", i, "x".repeat(40))))))
          .join();
    }
    log.close();
    log = null;
    List<Path> segs = LogFiles.segments(tmp.resolve("idx/r/0"));
    assertThat(segs.size()).isGreaterThan(3);
    Path second = segs.get(1);
    String base = second.getFileName().toString().replace(".log", "");
    Files.delete(second.resolveSibling(base + ".idx"));
    Files.write(
        segs.get(2).resolveSibling(segs.get(2).getFileName().toString().replace(".log", ".tix")),
        bytes("junk"));

    recovered = EmbeddedEventLog.open(tmp.resolve("idx"), Clock.systemUTC());

    assertThat(recovered.recoveryReport().partitions().get(0).indexesRebuilt()).isEqualTo(2);
    assertThat(recovered.recoveryReport().truncations()).isEmpty();
    assertThat(Files.exists(second.resolveSibling(base + ".idx"))).isTrue();
    long mid = Long.parseLong(base) + 5;
    try (LogReader r = recovered.reader("r", 0, mid)) {
      assertThat(text(r.poll(1, Duration.ZERO).get(0).value()))
          .startsWith(String.format("value-%04d", mid));
    }
    assertThat(LogFiles.readAll(recovered, "r", 0)).hasSize(600);
  }

  @Test
  void damageInAnEarlierSegmentTruncatesThereAndSetsLaterSegmentsAside() throws IOException {
    log = EmbeddedEventLog.open(tmp.resolve("multi"), Clock.systemUTC());
    log.create("r", LogSpec.defaults(1).withSegmentBytes(4 * 1024));
    for (int i = 0; i < 300; i++) {
      log.append("r", List.of(LogRecord.of(bytes(String.format("m-%04d-%s", i, "y".repeat(30))))))
          .join();
    }
    log.close();
    log = null;
    Path part = tmp.resolve("multi/r/0");
    List<Path> segs = LogFiles.segments(part);
    assertThat(segs.size()).isGreaterThanOrEqualTo(4);
    Path damaged = segs.get(1);
    List<Long> batches = LogFiles.batchPositions(damaged);
    long firstOffsetOfDamaged =
        Long.parseLong(damaged.getFileName().toString().replace(".log", ""));
    LogFiles.flipByte(damaged, batches.get(3) + RecordBatch.HEADER_BYTES + 2);
    Files.write(part.resolve("recovery-point"), bytes("not a checkpoint"));

    recovered = EmbeddedEventLog.open(tmp.resolve("multi"), Clock.systemUTC());

    RecoveryReport report = recovered.recoveryReport();
    assertThat(report.truncations())
        .singleElement()
        .satisfies(
            t -> {
              assertThat(t.file()).isEqualTo(damaged.toString());
              assertThat(t.position()).isEqualTo(batches.get(3));
            });
    assertThat(report.quarantined()).hasSize(segs.size() - 2);
    assertThat(report.quarantined()).allSatisfy(f -> assertThat(f).endsWith(".log.corrupt"));
    for (String q : report.quarantined()) {
      assertThat(Files.exists(Path.of(q))).isTrue();
    }
    List<LogEntry> all = LogFiles.readAll(recovered, "r", 0);
    assertThat(all).hasSize((int) firstOffsetOfDamaged + 3);
    assertThat(all)
        .extracting(LogEntry::offset)
        .containsExactlyElementsOf(
            java.util.stream.LongStream.range(0, firstOffsetOfDamaged + 3).boxed().toList());
    assertThat(recovered.append("r", List.of(LogRecord.of(bytes("next")))).join().get(0).offset())
        .isEqualTo(firstOffsetOfDamaged + 3);
  }

  @Test
  void damageInATrustedSegmentIsReadAroundReportedOnceAndFoundByVerify() throws IOException {
    log = EmbeddedEventLog.open(tmp.resolve("rot"), Clock.systemUTC());
    log.create("r", LogSpec.defaults(1));
    for (int i = 0; i < 10; i++) {
      log.append("r", List.of(LogRecord.of(bytes("rot-" + i)))).join();
    }
    log.close();
    log = null;
    Path seg = onlySegment(tmp.resolve("rot"));
    List<Long> batches = LogFiles.batchPositions(seg);
    LogFiles.flipByte(seg, batches.get(4) + RecordBatch.HEADER_BYTES + 6); // a record of batch 4
    LogFiles.flipByte(seg, batches.get(7) + 1); // the length field of batch 7

    recovered = EmbeddedEventLog.open(tmp.resolve("rot"), Clock.systemUTC());

    assertThat(recovered.recoveryReport().partitions().get(0).segmentsTrusted()).isEqualTo(1);
    try (LogReader r = recovered.reader("r", 0, 0)) {
      assertThat(r.poll(4, Duration.ZERO)).hasSize(4);
      List<LogEntry> rest = r.poll(10, Duration.ZERO);
      assertThat(rest.stream().map(e -> text(e.value())).toList())
          .containsExactly("rot-5", "rot-6", "rot-8", "rot-9");
      List<CorruptRange> skipped = r.takeSkippedCorrupt();
      assertThat(skipped)
          .extracting(CorruptRange::fromOffset, CorruptRange::toOffset, CorruptRange::position)
          .containsExactly(
              org.assertj.core.groups.Tuple.tuple(4L, 5L, batches.get(4)),
              org.assertj.core.groups.Tuple.tuple(7L, 8L, batches.get(7)));
      assertThat(skipped.get(0).describe())
          .isEqualTo(
              "log r partition 0: offsets 4..4 (1 record) in a damaged batch at byte "
                  + batches.get(4)
                  + " of "
                  + seg
                  + ": "
                  + skipped.get(0).reason());
      assertThat(skipped.get(0).reason()).startsWith("CRC32C mismatch");
      assertThat(skipped.get(1).reason())
          .startsWith("batch of ")
          .endsWith("runs past the end of the file (129 bytes left)");
      assertThat(r.takeSkippedCorrupt()).isEmpty();
    }
    assertThat(LogFiles.readAll(recovered, "r", 0)).hasSize(8); // read again: same damage
    assertThat(recovered.corruptBatches()).isEqualTo(2);
    assertThat(recovered.incidents())
        .hasSize(2)
        .allMatch(i -> i.kind().equals("corrupt-batch") && i.log().equals("r"));
    assertThat(recovered.verify())
        .extracting(CorruptRange::fromOffset, CorruptRange::toOffset)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(4L, 5L),
            org.assertj.core.groups.Tuple.tuple(7L, 8L));
    assertThat(recovered.incidents()).as("each damage once").hasSize(2);
  }

  @Test
  void aReaderStartingAfterADamagedHeaderAndATimeLookupGoAroundIt() throws IOException {
    log = EmbeddedEventLog.open(tmp.resolve("hdr"), Clock.systemUTC());
    log.create("r", LogSpec.defaults(1));
    for (int i = 0; i < 10; i++) {
      log.append("r", List.of(LogRecord.of(bytes("h-" + i)))).join();
    }
    log.close();
    log = null;
    Path seg = onlySegment(tmp.resolve("hdr"));
    List<Long> batches = LogFiles.batchPositions(seg);
    LogFiles.flipByte(seg, batches.get(4) + 1); // batch 4's length field

    recovered = EmbeddedEventLog.open(tmp.resolve("hdr"), Clock.systemUTC());
    try (LogReader r = recovered.reader("r", 0, 6)) {
      assertThat(r.poll(10, Duration.ZERO).stream().map(e -> text(e.value())).toList())
          .containsExactly("h-6", "h-7", "h-8", "h-9");
    }
    try (LogReader r = recovered.reader("r", 0, 4)) {
      List<LogEntry> got = r.poll(10, Duration.ZERO);
      assertThat(got.get(0).offset()).isEqualTo(5);
      assertThat(r.takeSkippedCorrupt())
          .singleElement()
          .satisfies(c -> assertThat(c.toOffset()).isEqualTo(5));
    }
    assertThat(recovered.offsetForTime("r", 0, java.time.Instant.EPOCH)).isZero();
    assertThat(recovered.offsetForTime("r", 0, java.time.Instant.now().plus(Duration.ofDays(1))))
        .isEqualTo(10);
  }

  @Test
  void aDamagedBaseOffsetIsToldByTheSequenceAndNeverSpinsTheReader() throws IOException {
    log = EmbeddedEventLog.open(tmp.resolve("base"), Clock.systemUTC());
    log.create("r", LogSpec.defaults(1));
    for (int i = 0; i < 6; i++) {
      log.append("r", List.of(LogRecord.of(bytes("b-" + i)))).join();
    }
    log.close();
    log = null;
    Path seg = onlySegment(tmp.resolve("base"));
    List<Long> batches = LogFiles.batchPositions(seg);
    LogFiles.flipByte(seg, batches.get(2) + 4 + 7); // the low byte of batch 2's base offset

    recovered = EmbeddedEventLog.open(tmp.resolve("base"), Clock.systemUTC());
    List<LogEntry> all = LogFiles.readAll(recovered, "r", 0);
    assertThat(all.stream().map(e -> text(e.value())).toList())
        .containsExactly("b-0", "b-1", "b-2", "b-3", "b-4", "b-5");
    assertThat(all.stream().map(LogEntry::offset).toList()).containsExactly(0L, 1L, 2L, 3L, 4L, 5L);
  }

  @Test
  void verifyFindsDamageBeforeAnyReaderAndChangesNothing() throws IOException {
    log = EmbeddedEventLog.open(tmp.resolve("scrub"), Clock.systemUTC());
    log.create("r", LogSpec.defaults(1));
    for (int i = 0; i < 5; i++) {
      log.append("r", List.of(LogRecord.of(bytes("s-" + i)), LogRecord.of(bytes("t-" + i)))).join();
    }
    log.close();
    log = null;
    Path seg = onlySegment(tmp.resolve("scrub"));
    List<Long> batches = LogFiles.batchPositions(seg);
    LogFiles.flipByte(seg, batches.get(4) + RecordBatch.HEADER_BYTES + 3); // the last batch
    byte[] before = Files.readAllBytes(seg);

    recovered = EmbeddedEventLog.openReadOnly(tmp.resolve("scrub"), Clock.systemUTC());
    assertThat(recovered.verify())
        .singleElement()
        .satisfies(
            c -> {
              assertThat(c.fromOffset()).isEqualTo(8);
              assertThat(c.toOffset()).isEqualTo(10);
            });
    assertThat(Files.readAllBytes(seg)).isEqualTo(before);
  }

  @Test
  void segmentFileOutOfSequenceIsSetAside() throws IOException {
    log = EmbeddedEventLog.open(tmp.resolve("gap"), Clock.systemUTC());
    log.create("r", LogSpec.defaults(1));
    log.append("r", List.of(LogRecord.of(bytes("a")), LogRecord.of(bytes("b")))).join();
    log.close();
    log = null;
    Path part = tmp.resolve("gap/r/0");
    Files.copy(part.resolve("00000000000000000000.log"), part.resolve("00000000000000000009.log"));

    recovered = EmbeddedEventLog.open(tmp.resolve("gap"), Clock.systemUTC());

    assertThat(recovered.recoveryReport().quarantined())
        .containsExactly(part.resolve("00000000000000000009.log.corrupt").toString());
    assertThat(LogFiles.readAll(recovered, "r", 0)).hasSize(2);
  }
}
