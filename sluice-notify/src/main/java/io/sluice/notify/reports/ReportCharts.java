package io.sluice.notify.reports;

import io.sluice.core.config.ReportConfig.Chart;
import java.awt.Color;
import java.awt.Rectangle;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.data.category.DefaultCategoryDataset;
import org.jfree.data.general.DefaultPieDataset;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;
import org.jfree.svg.SVGGraphics2D;

/**
 * A table section's chart with JFreeChart: bar, line and area over categories (the x column's
 * values, in row order), scatter over numbers, pie of the first y column. SVG (org.jfree.svg) for
 * the stored HTML, PNG for mail. Rendering needs no display: AWT runs headless.
 */
final class ReportCharts {

  static final int WIDTH = 720;
  static final int HEIGHT = 360;

  static {
    if (System.getProperty("java.awt.headless") == null) {
      System.setProperty("java.awt.headless", "true");
    }
  }

  private ReportCharts() {}

  /** The chart of {@code s}, a table section with a chart. */
  static JFreeChart chart(SectionResult s) {
    Chart c = s.section().chart();
    int xi = column(s, c.x());
    int[] ys = c.y().stream().mapToInt(y -> column(s, y)).toArray();
    String yLabel = String.join(", ", c.y());
    JFreeChart chart =
        switch (c.type()) {
          case "scatter" -> {
            XYSeriesCollection data = new XYSeriesCollection();
            for (int k = 0; k < ys.length; k++) {
              XYSeries series = new XYSeries(c.y().get(k), false, true);
              for (List<Object> row : s.rows()) {
                Double x = number(row.get(xi));
                Double y = number(row.get(ys[k]));
                if (x != null && y != null) {
                  series.add(x, y);
                }
              }
              data.addSeries(series);
            }
            yield ChartFactory.createScatterPlot(
                null, c.x(), yLabel, data, PlotOrientation.VERTICAL, ys.length > 1, false, false);
          }
          case "pie" -> {
            DefaultPieDataset<String> data = new DefaultPieDataset<>();
            for (List<Object> row : s.rows()) {
              Double y = number(row.get(ys[0]));
              if (y != null) {
                data.setValue(String.valueOf(row.get(xi)), y);
              }
            }
            yield ChartFactory.createPieChart(null, data, true, false, false);
          }
          default -> {
            DefaultCategoryDataset data = new DefaultCategoryDataset();
            for (List<Object> row : s.rows()) {
              for (int k = 0; k < ys.length; k++) {
                data.addValue(number(row.get(ys[k])), c.y().get(k), String.valueOf(row.get(xi)));
              }
            }
            boolean legend = ys.length > 1;
            yield switch (c.type()) {
              case "line" ->
                  ChartFactory.createLineChart(
                      null, c.x(), yLabel, data, PlotOrientation.VERTICAL, legend, false, false);
              case "area" ->
                  ChartFactory.createAreaChart(
                      null, c.x(), yLabel, data, PlotOrientation.VERTICAL, legend, false, false);
              default ->
                  ChartFactory.createBarChart(
                      null, c.x(), yLabel, data, PlotOrientation.VERTICAL, legend, false, false);
            };
          }
        };
    chart.setBackgroundPaint(Color.WHITE);
    return chart;
  }

  /**
   * The column index of {@code name}; a chart naming a column the result does not have cannot be
   * drawn (the section becomes an error).
   */
  static int column(SectionResult s, String name) {
    int i = s.columns().indexOf(name);
    if (i < 0) {
      throw new IllegalArgumentException(
          "the chart names column "
              + name
              + ", which the result does not have (columns: "
              + String.join(", ", s.columns())
              + ")");
    }
    return i;
  }

  /** The chart as one SVG element, to put in the HTML as it is. */
  static String svg(JFreeChart chart) {
    SVGGraphics2D g = new SVGGraphics2D(WIDTH, HEIGHT);
    chart.draw(g, new Rectangle(WIDTH, HEIGHT));
    return g.getSVGElement();
  }

  /** The chart as PNG bytes. */
  static byte[] png(JFreeChart chart) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      ChartUtils.writeChartAsPNG(out, chart, WIDTH, HEIGHT);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  private static Double number(Object v) {
    if (v instanceof Number n) {
      return n.doubleValue();
    }
    if (v instanceof String s) {
      try {
        return Double.parseDouble(s);
      } catch (NumberFormatException e) {
        return null;
      }
    }
    return null;
  }
}
