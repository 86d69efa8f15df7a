package io.sluice.notify.reports;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.sluice.core.InvalidInputException;
import io.sluice.core.Problem;
import io.sluice.core.config.ConfigLoader;
import io.sluice.core.config.RuleConfig;
import io.sluice.core.config.SluiceConfig;
import io.sluice.core.kinds.Kinds;
import io.sluice.notify.Templates;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The reports section: every problem with its path, the implicit rule, the report target. */
class ReportConfigTest {

  static final Kinds KINDS = Kinds.of(ReportTargets.kinds(null)).withTemplates(Templates::problem);

  static SluiceConfig parse(String yaml) {
    return ConfigLoader.parse(yaml, "test.yaml", Path.of("."), KINDS);
  }

  @Test
  void aReportWithAScheduleHasItsImplicitRuleAndARuleMayTargetIt() {
    SluiceConfig c =
        parse(
            """
            smtp: {host: localhost, from: sluice@localhost}
            schedules:
              - {name: daily-health, cron: "0 7 * * *"}
            reports:
              - name: daily-health
                on: {schedule: daily-health}
                title: "Health report {{date}}"
                sections:
                  - {title: Summary, sql: "SELECT 1 AS one"}
                  - {title: By ward, sql: "SELECT 'a' AS ward, 1 AS hr", chart: {type: bar, x: ward, y: [hr]}}
                formats: [html, csv, json]
                email: {to: ["oncall@example.com"], attach: [csv]}
            rules:
              - name: on-demand
                pattern: {source: [ops]}
                targets: [{id: r, report: {name: daily-health}}]
            """);
    assertThat(c.reports()).hasSize(1);
    assertThat(c.reports().get(0).bucket()).isEqualTo("reports");
    assertThat(c.reports().get(0).bus()).isEqualTo("default");
    assertThat(c.rules())
        .extracting(RuleConfig::name)
        .containsExactly("on-demand", "report-daily-health");
    RuleConfig implicit = c.rules().get(1);
    assertThat(implicit.bus()).isEqualTo("default");
    assertThat(implicit.pattern().toString())
        .isEqualTo(
            "{\"source\":[\"sluice.scheduler\"],\"detail\":{\"schedule\":[\"daily-health\"]}}");
    assertThat(implicit.targets().get(0).spec()).isEqualTo(new ReportTarget("daily-health"));
  }

  @Test
  void everyProblemHasItsPath() {
    InvalidInputException e =
        catchThrowableOfType(
            InvalidInputException.class,
            () ->
                parse(
                    """
                    reports:
                      - name: r
                        on: {schedule: nightly}
                        title: "{{#open}}"
                        sections:
                          - {title: a, sql: "SELECT 1", chart: {type: radar, x: a, y: b}}
                          - {title: b, sql: "SELECT 1", chart: {type: bar}}
                          - {title: c, function: nope, input: {sql: "SELECT 1"}}
                          - {title: d}
                        formats: [html, pdf]
                        bus: nowhere
                        email: {cc: ["not-an-address"]}
                    rules:
                      - name: x
                        pattern: {source: [a]}
                        targets: [{id: t, report: {name: missing}}]
                    """));
    assertThat(e).isNotNull();
    assertThat(e.problems())
        .extracting(Problem::path)
        .containsExactlyInAnyOrder(
            "/reports/0/title",
            "/reports/0/sections/0/chart/type",
            "/reports/0/sections/1/chart/x",
            "/reports/0/sections/1/chart/y",
            "/reports/0/sections/2/function",
            "/reports/0/sections/3/sql",
            "/reports/0/formats/1",
            "/reports/0/bus",
            "/reports/0/email/to",
            "/reports/0/email/cc/0",
            "/rules/0/targets/0/report/name",
            "/reports/0/on/schedule",
            "/reports/0/email");
    assertThat(e.problems())
        .filteredOn(p -> p.path().equals("/reports/0/on/schedule"))
        .singleElement()
        .extracting(Problem::message)
        .asString()
        .contains(
            "names schedule \"nightly\", which is not declared (there is no schedules section)");
    assertThat(e.problems())
        .filteredOn(p -> p.path().equals("/reports/0/email"))
        .singleElement()
        .extracting(Problem::message)
        .asString()
        .contains("a mailed report needs the smtp: section");
    assertThat(e.problems())
        .filteredOn(p -> p.path().equals("/reports/0/sections/0/chart/type"))
        .singleElement()
        .extracting(Problem::message)
        .asString()
        .contains("expected one of bar, line, area, scatter, pie, got \"radar\"");
    assertThat(e.problems())
        .filteredOn(p -> p.path().equals("/reports/0/sections/2/function"))
        .singleElement()
        .extracting(Problem::message)
        .asString()
        .contains("names function \"nope\", which is not declared");
    assertThat(e.problems())
        .filteredOn(p -> p.path().equals("/rules/0/targets/0/report/name"))
        .singleElement()
        .extracting(Problem::message)
        .asString()
        .contains("names report \"missing\", which is not declared");
  }

  /** An smtp: key without a value is refused: a config never looks as if it had a mail server. */
  @Test
  void anEmptySmtpKeyIsNoMailServer() {
    Kinds kinds =
        Kinds.of(ReportTargets.kinds(null), io.sluice.notify.NotifyTargets.kinds(null))
            .withTemplates(Templates::problem);
    InvalidInputException e =
        catchThrowableOfType(
            InvalidInputException.class,
            () ->
                ConfigLoader.parse(
                    """
                    smtp:
                    reports:
                      - {name: r, sections: [{title: a, sql: "SELECT 1"}], email: {to: [a@b.c]}}
                    rules:
                      - name: x
                        pattern: {source: [a]}
                        targets: [{id: t, email: {to: a@b.c}}]
                    """,
                    "test.yaml",
                    Path.of("."),
                    kinds));
    assertThat(e).isNotNull();
    // the key without a value is refused itself; nothing is taken as configured
    assertThat(e.problems()).extracting(Problem::path).contains("/smtp");
  }
}
