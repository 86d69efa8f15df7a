package io.sluice.core.config;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.time.ZoneId;

/**
 * A declared schedule (config section {@code schedules}): it puts one event on {@code bus} for
 * every slot of its expression, as EventBridge Scheduler does.
 *
 * <pre>{@code
 * schedules:
 *   - name: daily-health
 *     cron: "0 7 * * *"            # or cron(0 7 * * ? *), or rate: 15m / rate(15 minutes),
 *                                  # or at: 2026-12-24T18:00:00 (local time in the timezone)
 *     timezone: Europe/Berlin      # default UTC
 *     bus: default                 # default "default"
 *     detail-type: Scheduled Event # the default
 *     detail: {report: daily}      # merged into the event's detail
 *     flexibleWindow: 0s           # fire at a random point within [slot, slot + window)
 *     catchUp: latest              # after downtime: none | latest | all
 *     maxCatchUp: 100              # catchUp all: the most slots fired after downtime
 *     enabled: true
 * }</pre>
 *
 * @param detail extra fields of the event's detail (never {@code schedule} or {@code
 *     scheduledTime}, which Sluice sets)
 */
public record ScheduleConfig(
    String name,
    ScheduleExpression expression,
    ZoneId zone,
    String bus,
    String detailType,
    ObjectNode detail,
    Duration flexibleWindow,
    CatchUp catchUp,
    int maxCatchUp,
    boolean enabled) {

  public static final String DEFAULT_DETAIL_TYPE = "Scheduled Event";
  public static final int DEFAULT_MAX_CATCH_UP = 100;
  public static final Duration MAX_FLEXIBLE_WINDOW = Duration.ofHours(24);

  /** What a schedule does with the slots that passed while the server was down. */
  public enum CatchUp {
    /** Skip them (each counted as missed). */
    NONE,
    /** Fire only the most recent one (the others counted as missed): the default. */
    LATEST,
    /** Fire the most recent {@code maxCatchUp} of them, oldest first (older ones missed). */
    ALL;

    public String text() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }
}
