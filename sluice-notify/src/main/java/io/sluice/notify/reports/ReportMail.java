package io.sluice.notify.reports;

import io.sluice.core.Json;
import io.sluice.core.config.ReportConfig;
import io.sluice.notify.MailMessage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.jfree.chart.JFreeChart;

/**
 * The mail of a report run: subject the title, a text/plain summary, the HTML with each chart as an
 * inline PNG ({@code <img src="cid:chart-N">}, N the section's position from 1: mail clients show
 * no SVG), and the formats of {@code email.attach} as attachments ({@code csv}: one file per table
 * section, {@code html}: the stored page with its SVG charts, {@code json}: the whole report).
 */
final class ReportMail {

  private ReportMail() {}

  static String cid(int section) {
    return "chart-" + (section + 1);
  }

  static MailMessage message(ReportConfig c, ReportRun run, Map<Integer, JFreeChart> charts) {
    List<MailMessage.Part> inline = new ArrayList<>();
    for (Map.Entry<Integer, JFreeChart> e : charts.entrySet()) {
      inline.add(
          new MailMessage.Part(cid(e.getKey()), "image/png", ReportCharts.png(e.getValue())));
    }
    String html =
        ReportRenderer.html(
            run,
            i ->
                "<img src=\"cid:"
                    + cid(i)
                    + "\" alt=\""
                    + ReportRenderer.escape(run.sections().get(i).title())
                    + "\" width=\""
                    + ReportCharts.WIDTH
                    + "\" height=\""
                    + ReportCharts.HEIGHT
                    + "\">");
    List<MailMessage.Part> attachments = new ArrayList<>();
    for (String f : c.email().attach()) {
      switch (f) {
        case "csv" -> {
          for (int i = 0; i < run.sections().size(); i++) {
            SectionResult s = run.sections().get(i);
            if (s.isTable()) {
              attachments.add(
                  new MailMessage.Part(
                      ReportRenderer.csvName(i, s),
                      "text/csv",
                      ReportRenderer.csv(s).getBytes(StandardCharsets.UTF_8)));
            }
          }
        }
        case "html" ->
            attachments.add(
                new MailMessage.Part(
                    "report.html",
                    "text/html",
                    ReportRenderer.html(run, i -> ReportCharts.svg(charts.get(i)))
                        .getBytes(StandardCharsets.UTF_8)));
        default -> {
          try {
            attachments.add(
                new MailMessage.Part(
                    "report.json",
                    "application/json",
                    Json.MAPPER.writeValueAsBytes(ReportRenderer.json(run))));
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
        }
      }
    }
    return new MailMessage(
        null,
        c.email().to(),
        c.email().cc(),
        run.title(),
        ReportRenderer.text(run),
        html,
        inline,
        attachments);
  }
}
