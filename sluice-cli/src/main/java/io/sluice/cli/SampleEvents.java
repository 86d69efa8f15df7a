package io.sluice.cli;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.JsonNode;
import io.sluice.core.EventCodec;
import io.sluice.core.InvalidInputException;
import io.sluice.core.Problem;
import io.sluice.engine.Ingest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The sample events of {@code sluice test --events FILE}: NDJSON (one event per line, blank lines
 * skipped) or one JSON array of events, told apart by the first character that is not blank.
 *
 * <p>Each event is completed and checked exactly as ingest does it ({@link Ingest#prepare}, the bus
 * limits of the config), except that what ingest makes up is fixed so results can be compared from
 * run to run: an event without {@code id} gets {@code test-<n>} ({@code n} counting events from 1
 * in file order), one without {@code time} gets {@link #DEFAULT_TIME}.
 */
final class SampleEvents {

  private static final JsonFactory SCANNER =
      JsonFactory.builder()
          .streamReadConstraints(
              StreamReadConstraints.builder().maxNestingDepth(Integer.MAX_VALUE).build())
          .build();

  /** The time given to sample events without one. */
  static final Instant DEFAULT_TIME = Instant.EPOCH;

  /**
   * One event of the file.
   *
   * @param number its position among the file's events, from 1
   * @param line the line it starts on, from 1
   * @param entry the event as ingest would store it, or why ingest would refuse it
   */
  record Sample(int number, int line, Ingest.Entry entry) {}

  private SampleEvents() {}

  /**
   * Reads and prepares every event of {@code file}.
   *
   * @throws InvalidInputException when the file cannot be read, or is a JSON array that is not
   *     well-formed (the message says where)
   */
  static List<Sample> read(Path file, EventCodec codec) {
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      throw new InvalidInputException(
          InvalidInputException.INVALID_ARGUMENT,
          Problem.of("/events", "events file " + file + " does not exist"));
    } catch (IOException e) {
      throw new InvalidInputException(
          InvalidInputException.INVALID_ARGUMENT,
          Problem.of("/events", "cannot read events file " + file + ": " + e.getMessage()));
    }
    int first = 0;
    while (first < bytes.length && isBlank(bytes[first])) {
      first++;
    }
    if (first < bytes.length && bytes[first] == '[') {
      return array(file, bytes, codec);
    }
    return ndjson(bytes, codec);
  }

  private static List<Sample> ndjson(byte[] b, EventCodec codec) {
    List<Sample> out = new ArrayList<>();
    int start = 0;
    int line = 0;
    while (start < b.length) {
      line++;
      int end = start;
      while (end < b.length && b[end] != '\n') {
        end++;
      }
      int stop = end > start && b[end - 1] == '\r' ? end - 1 : end;
      if (!blank(b, start, stop)) {
        int n = out.size() + 1;
        Ingest.Entry entry;
        try {
          JsonNode node = codec.readTree(b, start, stop - start, 0);
          entry = prepare(codec, node, n);
        } catch (InvalidInputException e) {
          entry = Ingest.Invalid.of(e);
        }
        out.add(new Sample(n, line, entry));
      }
      start = end + 1;
    }
    return out;
  }

  private static List<Sample> array(Path file, byte[] bytes, EventCodec codec) {
    JsonNode arr;
    try {
      arr = codec.readTree(bytes, 0, bytes.length, 1);
    } catch (InvalidInputException e) {
      Problem p = e.problems().get(0);
      throw new InvalidInputException(
          e.code(),
          Problem.of(
              "/events",
              file
                  + " starts with [ but is not a JSON array of events: "
                  + (p.path().isEmpty() ? p.message() : p.toString())));
    }
    List<Integer> lines = elementLines(bytes);
    List<Sample> out = new ArrayList<>(arr.size());
    for (int i = 0; i < arr.size(); i++) {
      out.add(new Sample(i + 1, lines.get(i), prepare(codec, arr.get(i), i + 1)));
    }
    return out;
  }

  private static Ingest.Entry prepare(EventCodec codec, JsonNode node, int n) {
    return Ingest.prepare(codec, node, "", () -> "test-" + n, DEFAULT_TIME);
  }

  /** The line each element of a well-formed top-level array starts on. */
  private static List<Integer> elementLines(byte[] bytes) {
    List<Integer> lines = new ArrayList<>();
    try (JsonParser p = SCANNER.createParser(bytes)) {
      p.nextToken(); // [
      JsonToken t;
      while ((t = p.nextToken()) != JsonToken.END_ARRAY && t != null) {
        lines.add(p.currentTokenLocation().getLineNr());
        p.skipChildren();
      }
    } catch (IOException e) {
      throw new IllegalStateException("a parsed array did not scan: " + e.getMessage(), e);
    }
    return lines;
  }

  private static boolean blank(byte[] b, int from, int to) {
    for (int i = from; i < to; i++) {
      if (!isBlank(b[i])) {
        return false;
      }
    }
    return true;
  }

  private static boolean isBlank(byte c) {
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
  }
}
