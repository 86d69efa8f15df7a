package io.sluice.functions.llm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sluice.core.Json;
import io.sluice.log.AtomicFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;

/**
 * The tokens one {@code llm} function may use per UTC day, and what it used today, kept on disk so
 * that a restart does not reset the day. The count is what the server reported ({@code
 * usage.total_tokens}) for each answer it gave; answers from the cache cost nothing.
 *
 * <p>A call is refused once the day's count has reached the budget. A call is checked before it is
 * sent and charged when its answer comes, so calls running at once may together pass the budget by
 * up to one answer each; the next call is refused. The day is the UTC date of the node's clock.
 *
 * <p>Layout: {@code <work>/llm-budget.json}, {@code {"day":"2026-11-23","tokens":1234}}, rewritten
 * with {@link AtomicFiles} (temp file, fsync, rename, fsync of the directory) after each charge.
 *
 * <p>Thread-safe.
 */
final class TokenBudget {

  static final String FILE = "llm-budget.json";

  private final Path file;
  private final long tokensPerDay;
  private final Clock clock;
  private LocalDate day;
  private long tokens;

  /**
   * Opens the budget kept in {@code workDir} (none yet is a day with nothing used).
   *
   * @throws IOException when the file is there but cannot be read or is not what this class wrote
   */
  TokenBudget(Path workDir, long tokensPerDay, Clock clock) throws IOException {
    this.file = workDir.resolve(FILE);
    this.tokensPerDay = tokensPerDay;
    this.clock = clock;
    this.day = today();
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      return;
    }
    JsonNode n = Json.MAPPER.readTree(bytes);
    if (n == null || !n.path("day").isTextual() || !n.path("tokens").canConvertToLong()) {
      throw new IOException(file + " is not {\"day\": \"yyyy-mm-dd\", \"tokens\": n}");
    }
    try {
      this.day = LocalDate.parse(n.get("day").asText());
    } catch (DateTimeParseException e) {
      throw new IOException(file + " has a day that is not yyyy-mm-dd: " + n.get("day"), e);
    }
    this.tokens = n.get("tokens").asLong();
  }

  private LocalDate today() {
    return LocalDate.ofInstant(clock.instant(), ZoneOffset.UTC);
  }

  /** Starts a new count when the day changed since the last call. */
  private void roll() {
    LocalDate now = today();
    if (!now.equals(day)) {
      day = now;
      tokens = 0;
    }
  }

  /**
   * Why a call must not be sent now, naming the budget and the day, or {@code null} when it may.
   */
  synchronized String refusal() {
    roll();
    if (tokens < tokensPerDay) {
      return null;
    }
    return "the budget of "
        + tokensPerDay
        + " tokens per day is spent for "
        + day
        + " (UTC): "
        + tokens
        + " tokens used; calls are refused until "
        + day.plusDays(1)
        + "T00:00:00Z (answers already in the cache are still given)";
  }

  /** Adds {@code used} tokens to today's count, durably, before it returns. */
  synchronized void charge(long used) throws IOException {
    roll();
    tokens += used;
    ObjectNode n = Json.MAPPER.createObjectNode();
    n.put("day", day.toString());
    n.put("tokens", tokens);
    AtomicFiles.write(file, Json.MAPPER.writeValueAsBytes(n));
  }

  /** Tokens used today. */
  synchronized long usedToday() {
    roll();
    return tokens;
  }

  /** Tokens left today (0 when spent, never negative). */
  synchronized long remaining() {
    roll();
    return Math.max(0, tokensPerDay - tokens);
  }

  long tokensPerDay() {
    return tokensPerDay;
  }
}
