package io.sluice.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.testkit.ConfigProblems;
import org.junit.jupiter.api.Test;

/** Every problem of the alarms section at once, each with its path and the value. */
class AlarmConfigTest {

  @Test
  void everyProblemOfTheAlarmsSectionIsReportedWithItsPath() {
    String yaml =
        """
        buses: [{name: default}]
        alarms:
          - {name: a, metric: sluice_x_total, statistic: median, period: 1m, threshold: {">": 0}}
          - {name: b, metric: sluice_x_total, statistic: increase, period: 1m, threshold: {">": "x"}}
          - {name: c, metric: sluice_x_total, statistic: increase, period: 1m, threshold: {">": 1, "<": 2}}
          - {name: d, metric: sluice_x_total, statistic: increase, period: soon, threshold: {">": 0}}
          - {name: e, metric: sluice_x_total, statistic: increase, period: 5s, threshold: {">": 0}}
          - {name: f, metric: sluice_x_total, statistic: increase, period: 1m, threshold: {">": 0}, bus: nope}
          - {name: g, metric: sluice_x_total, statistic: increase, period: 1m, threshold: {">": 0}}
          - {name: g, metric: sluice_x_total, statistic: increase, period: 1m, threshold: {">": 0}}
          - {name: h, metric: sluice-x.total, statistic: increase, period: 1m, threshold: {">": 0}}
          - {name: i, metric: sluice_x_total, labels: {rule: 3}, statistic: increase, period: 1m, threshold: {">": 0}}
          - {name: j, metric: sluice_x_total, labels: [rule], statistic: increase, period: 1m, threshold: {"=>": 0}}
          - {name: k, metric: sluice_x_total, statistic: increase, period: 1m, threshold: {">": 0}, evaluationPeriods: 2, datapointsToAlarm: 3, treatMissing: ok}
        """;
    assertThat(ConfigProblems.of(yaml, SluiceKinds.forReading()))
        .containsExactly(
            "/alarms/0/statistic: expected one of increase, rate, value, avg, max, got \"median\"",
            "/alarms/1/threshold/>: expected a number, got string \"x\"",
            "/alarms/2/threshold: expected exactly one of > >= < <= == with a number, such as {\">\": 0}, got 2 operators",
            "/alarms/3/period: expected a duration like 7d or 12h, got \"soon\"",
            "/alarms/4/period: expected a period from 10s to 1d, got 5s",
            "/alarms/5/bus: names bus \"nope\", which is not configured (buses: default)",
            "/alarms/7/name: duplicate alarm name \"g\" (first at /alarms/6)",
            "/alarms/8/metric: expected a Prometheus metric name ([a-zA-Z_:][a-zA-Z0-9_:]*), such as sluice_target_dead_lettered_total, got \"sluice-x.total\"",
            "/alarms/9/labels/rule: expected a string, got number 3",
            "/alarms/10/labels: expected a mapping of label names to strings, such as {rule: orders}, got array [\"rule\"]",
            "/alarms/10/threshold/=>: unknown operator \"=>\"; expected one of > >= < <= ==",
            "/alarms/11/treatMissing: unknown field; expected one of name, description, metric, labels, statistic, period, threshold, evaluationPeriods, datapointsToAlarm, bus",
            "/alarms/11/datapointsToAlarm: expected at most evaluationPeriods (2) datapoints, got 3");
  }

  /** The README's Alarms example, as written, is a valid config. */
  @Test
  void theReadmeExampleIsValid() throws Exception {
    String readme = java.nio.file.Files.readString(java.nio.file.Path.of("..", "README.md"));
    int section = readme.indexOf("### Alarms");
    int start = readme.indexOf("```yaml\n", section) + "```yaml\n".length();
    String yaml = readme.substring(start, readme.indexOf("```", start));
    assertThat(yaml).startsWith("alarms:");
    assertThat(ConfigProblems.of("buses: [{name: default}]\n" + yaml, SluiceKinds.forReading()))
        .isEmpty();
  }

  @Test
  void aValidAlarmHasNoProblemAndAMissingMetricIsNoProblem() {
    assertThat(
            ConfigProblems.of(
                """
                buses: [{name: default}]
                alarms:
                  - {name: later, metric: sluice_not_created_yet_total, statistic: rate, period: 10s, threshold: {"<=": 0.5}}
                """,
                SluiceKinds.forReading()))
        .isEmpty();
  }
}
