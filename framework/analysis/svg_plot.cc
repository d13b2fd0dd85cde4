#include "svg_plot.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include <fmt/format.h>

#include "run_data.h"

namespace stride::analysis {
namespace {

constexpr const char* kColors[] = {"#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd",
                                   "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"};
constexpr double kWidth = 720, kHeight = 440;
constexpr double kLeft = 80, kRight = 20, kTop = 40, kBottom = 56;

const char* Color(size_t i) { return kColors[i % (sizeof(kColors) / sizeof(kColors[0]))]; }

std::string Escape(const std::string& text) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string Number(double v) {
  if (v == 0.0) return "0";
  const double magnitude = std::fabs(v);
  if (magnitude >= 1e5 || magnitude < 1e-3) return fmt::format("{:.3g}", v);
  return fmt::format("{}", std::round(v * 1000.0) / 1000.0);
}

// maps data coordinates to the plot area
struct Frame {
  double x0, x1, y0, y1;
  double left, right, top, bottom;
  double X(double x) const { return left + (x - x0) / (x1 - x0) * (right - left); }
  double Y(double y) const { return bottom - (y - y0) / (y1 - y0) * (bottom - top); }
};

std::string Header(const std::string& title) {
  return fmt::format(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{0}\" height=\"{1}\" viewBox=\"0 0 {0} "
      "{1}\" font-family=\"Helvetica, Arial, sans-serif\" font-size=\"12\">\n"
      "<rect width=\"{0}\" height=\"{1}\" fill=\"white\"/>\n"
      "<text x=\"{2}\" y=\"24\" text-anchor=\"middle\" font-size=\"15\">{3}</text>\n",
      kWidth, kHeight, kWidth / 2, Escape(title));
}

// grid lines and tick labels on both axes, then the axis titles
std::string Axes(const Frame& f, const std::vector<double>& x_ticks,
                 const std::vector<double>& y_ticks,
                 const std::function<std::string(double)>& x_format, const std::string& x_label,
                 const std::string& y_label) {
  std::string out;
  for (double t : x_ticks) {
    out += fmt::format(
        "<line x1=\"{0:.1f}\" y1=\"{1:.1f}\" x2=\"{0:.1f}\" y2=\"{2:.1f}\" stroke=\"#e5e5e5\"/>\n"
        "<text x=\"{0:.1f}\" y=\"{3:.1f}\" text-anchor=\"middle\">{4}</text>\n",
        f.X(t), f.top, f.bottom, f.bottom + 16, Escape(x_format ? x_format(t) : Number(t)));
  }
  for (double t : y_ticks) {
    out += fmt::format(
        "<line x1=\"{0:.1f}\" y1=\"{1:.1f}\" x2=\"{2:.1f}\" y2=\"{1:.1f}\" stroke=\"#e5e5e5\"/>\n"
        "<text x=\"{3:.1f}\" y=\"{4:.1f}\" text-anchor=\"end\">{5}</text>\n",
        f.left, f.Y(t), f.right, f.left - 6, f.Y(t) + 4, Escape(Number(t)));
  }
  out += fmt::format(
      "<rect x=\"{:.1f}\" y=\"{:.1f}\" width=\"{:.1f}\" height=\"{:.1f}\" fill=\"none\" "
      "stroke=\"#444\"/>\n",
      f.left, f.top, f.right - f.left, f.bottom - f.top);
  out += fmt::format("<text x=\"{:.1f}\" y=\"{:.1f}\" text-anchor=\"middle\">{}</text>\n",
                     (f.left + f.right) / 2, kHeight - 14, Escape(x_label));
  out += fmt::format(
      "<text transform=\"translate(18 {:.1f}) rotate(-90)\" text-anchor=\"middle\">{}</text>\n",
      (f.top + f.bottom) / 2, Escape(y_label));
  return out;
}

void Extend(double v, double& low, double& high) {
  if (!std::isfinite(v)) return;
  low = std::min(low, v);
  high = std::max(high, v);
}

}  // namespace

std::string LinePlotCsv(const LinePlot& plot) {
  const auto cell = [](const std::vector<double>& values, size_t i) {
    return i < values.size() && std::isfinite(values[i]) ? fmt::format("{}", values[i])
                                                         : std::string();
  };
  std::string out = "series,x,y,low,high\n";
  for (const Series& series : plot.series) {
    for (size_t i = 0; i < series.x.size(); ++i) {
      out += fmt::format("{},{},{},{},{}\n", CsvField(series.label), cell(series.x, i),
                         cell(series.y, i), cell(series.low, i), cell(series.high, i));
    }
  }
  return out;
}

std::string IntervalPlotCsv(const std::vector<IntervalRow>& rows) {
  const auto cell = [](double value) {
    return std::isfinite(value) ? fmt::format("{}", value) : std::string();
  };
  std::string out = "label,point,low,high\n";
  for (const IntervalRow& row : rows) {
    out += fmt::format("{},{},{},{}\n", CsvField(row.label), cell(row.point), cell(row.low),
                       cell(row.high));
  }
  return out;
}

std::string FormatSteps(double steps) {
  const double magnitude = std::fabs(steps);
  if (magnitude >= 1e6) return fmt::format("{}M", std::round(steps / 1e5) / 10);
  if (magnitude >= 1e3) return fmt::format("{}k", std::round(steps / 1e2) / 10);
  return fmt::format("{}", steps);
}

std::vector<double> NiceTicks(double low, double high, int target) {
  if (!(high > low)) return {low};
  const double raw = (high - low) / std::max(target, 1);
  const double power = std::pow(10.0, std::floor(std::log10(raw)));
  double step = power;
  for (double m : {1.0, 2.0, 5.0, 10.0}) {
    step = m * power;
    if (step >= raw) break;
  }
  std::vector<double> ticks;
  for (double t = std::ceil(low / step - 1e-9) * step; t <= high + step * 1e-9; t += step) {
    ticks.push_back(std::fabs(t) < step * 1e-9 ? 0.0 : t);
  }
  return ticks;
}

std::string RenderLinePlot(const LinePlot& plot) {
  double x0 = std::numeric_limits<double>::infinity(), x1 = -x0, y0 = x0, y1 = -x0;
  for (const Series& s : plot.series) {
    for (size_t i = 0; i < s.x.size(); ++i) {
      Extend(s.x[i], x0, x1);
      Extend(s.y[i], y0, y1);
      if (!s.low.empty()) Extend(s.low[i], y0, y1);
      if (!s.high.empty()) Extend(s.high[i], y0, y1);
    }
  }
  if (!std::isfinite(x0)) x0 = 0, x1 = 1, y0 = 0, y1 = 1;
  // steps and time start at zero
  x0 = std::min(x0, 0.0);
  if (x1 <= x0) x1 = x0 + 1;
  if (y1 <= y0) y1 = y0 + 1;
  const double y_pad = 0.05 * (y1 - y0);
  y0 -= y_pad;
  y1 += y_pad;
  const std::vector<double> y_ticks = NiceTicks(y0, y1, 6);
  const Frame f{x0, x1, y0, y1, kLeft, kWidth - kRight, kTop, kHeight - kBottom};

  std::string out = Header(plot.title);
  out += Axes(f, NiceTicks(x0, x1, 6), y_ticks, plot.x_format, plot.x_label, plot.y_label);
  for (size_t k = 0; k < plot.series.size(); ++k) {
    const Series& s = plot.series[k];
    // the band: upper edge forward, lower edge back
    if (!s.low.empty()) {
      std::string points;
      for (size_t i = 0; i < s.x.size(); ++i) {
        if (std::isfinite(s.high[i]))
          points += fmt::format("{:.1f},{:.1f} ", f.X(s.x[i]), f.Y(s.high[i]));
      }
      for (size_t i = s.x.size(); i-- > 0;) {
        if (std::isfinite(s.low[i]))
          points += fmt::format("{:.1f},{:.1f} ", f.X(s.x[i]), f.Y(s.low[i]));
      }
      out +=
          fmt::format("<polygon points=\"{}\" fill=\"{}\" fill-opacity=\"0.2\" stroke=\"none\"/>\n",
                      points, Color(k));
    }
    std::string points;
    for (size_t i = 0; i < s.x.size(); ++i) {
      if (std::isfinite(s.y[i])) points += fmt::format("{:.1f},{:.1f} ", f.X(s.x[i]), f.Y(s.y[i]));
    }
    out += fmt::format("<polyline points=\"{}\" fill=\"none\" stroke=\"{}\" stroke-width=\"2\"/>\n",
                       points, Color(k));
  }
  // the legend, top left inside the frame
  for (size_t k = 0; k < plot.series.size(); ++k) {
    const double y = f.top + 16 + 18 * static_cast<double>(k);
    out += fmt::format(
        "<line x1=\"{0:.1f}\" y1=\"{1:.1f}\" x2=\"{2:.1f}\" y2=\"{1:.1f}\" stroke=\"{3}\" "
        "stroke-width=\"3\"/>\n<text x=\"{4:.1f}\" y=\"{5:.1f}\">{6}</text>\n",
        f.left + 10, y, f.left + 30, Color(k), f.left + 36, y + 4, Escape(plot.series[k].label));
  }
  return out + "</svg>\n";
}

std::string RenderIntervalPlot(const std::string& title, const std::string& x_label,
                               const std::vector<IntervalRow>& rows) {
  double x0 = std::numeric_limits<double>::infinity(), x1 = -x0;
  for (const IntervalRow& row : rows) {
    Extend(row.low, x0, x1);
    Extend(row.high, x0, x1);
    Extend(row.point, x0, x1);
  }
  if (!std::isfinite(x0)) x0 = 0, x1 = 1;
  if (x1 <= x0) x1 = x0 + 1;
  const double x_pad = 0.05 * (x1 - x0);
  x0 -= x_pad;
  x1 += x_pad;
  const std::vector<double> x_ticks = NiceTicks(x0, x1, 6);
  const double left = 200;
  const Frame f{
      x0, x1, 0, static_cast<double>(rows.size()), left, kWidth - kRight, kTop, kHeight - kBottom};

  std::string out = Header(title);
  out += Axes(f, x_ticks, {}, nullptr, x_label, "");
  for (size_t k = 0; k < rows.size(); ++k) {
    const IntervalRow& row = rows[k];
    const double y = f.Y(static_cast<double>(rows.size() - k) - 0.5);
    out += fmt::format(
        "<text x=\"{0:.1f}\" y=\"{1:.1f}\" text-anchor=\"end\">{2}</text>\n"
        "<line x1=\"{3:.1f}\" y1=\"{4:.1f}\" x2=\"{5:.1f}\" y2=\"{4:.1f}\" stroke=\"{6}\" "
        "stroke-width=\"14\" stroke-opacity=\"0.35\"/>\n"
        "<line x1=\"{7:.1f}\" y1=\"{8:.1f}\" x2=\"{7:.1f}\" y2=\"{9:.1f}\" stroke=\"{6}\" "
        "stroke-width=\"3\"/>\n",
        left - 8, y + 4, Escape(row.label), f.X(row.low), y, f.X(row.high), Color(k),
        f.X(row.point), y - 9, y + 9);
  }
  return out + "</svg>\n";
}

}  // namespace stride::analysis
