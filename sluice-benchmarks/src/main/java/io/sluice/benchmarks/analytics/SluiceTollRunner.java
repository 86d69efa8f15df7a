package io.sluice.benchmarks.analytics;

import java.time.Instant;

/**
 * Sluice's {@link TollRunner}: {@link SluiceToll} with the toll query as a Sluice analysis, every
 * result row fed to the checksum. The measured stretch starts when the node starts (the events are
 * already on the bus) and ends when every event is read and every closed window's results are on
 * the results bus.
 */
final class SluiceTollRunner implements TollRunner {

  @Override
  public String name() {
    return "sluice";
  }

  @Override
  public TollResult run(TollEvents.Data data, TollQuery.Variant variant) throws Exception {
    TollChecksum sum = new TollChecksum();
    String having =
        variant == TollQuery.Variant.ALERTS
            ? "HAVING count(*) > 1.5 * any_value(r.expected_per_minute)"
            : "";
    SluiceToll.Result r =
        SluiceToll.run(
            data.events(),
            data.stations(),
            data.dir().resolve("sluice-work"),
            having,
            d ->
                sum.add(
                    Instant.parse(d.path("windowStart").asText()).toEpochMilli(),
                    d.path("station").asText(),
                    d.path("vehicles").asLong(),
                    d.path("revenue").asDouble()));
    return new TollResult(
        name(),
        variant,
        r.events(),
        sum.answer(),
        SluiceToll.lastUsage,
        Double.NaN,
        r.emitP99Ms(),
        "loading the events onto the bus left out; p99 is from the watermark passing windows' ends"
            + " to their results stored (max "
            + Math.round(r.emitMaxMs())
            + " ms)");
  }
}
