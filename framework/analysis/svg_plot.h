// Figures as standalone SVG: line plots with confidence bands and interval
// plots. Plain text, no dependency, identical bytes for identical data.
#ifndef STRIDE_ANALYSIS_SVG_PLOT_H_
#define STRIDE_ANALYSIS_SVG_PLOT_H_

#include <functional>
#include <string>
#include <vector>

namespace stride::analysis {

// one line; low/high (same length as x, or empty) shade a band around it
struct Series {
  std::string label;
  std::vector<double> x, y, low, high;
};

struct LinePlot {
  std::string title;
  std::string x_label;
  std::string y_label;
  std::vector<Series> series;
  // tick labels along x; plain numbers if unset
  std::function<std::string(double)> x_format;
};

std::string RenderLinePlot(const LinePlot& plot);

// one row of an interval plot: a point and its interval
struct IntervalRow {
  std::string label;
  double point = 0.0;
  double low = 0.0;
  double high = 0.0;
};

std::string RenderIntervalPlot(const std::string& title, const std::string& x_label,
                               const std::vector<IntervalRow>& rows);

// the data a figure draws, as CSV: series,x,y,low,high (one row per point;
// empty cells for a band it lacks) and label,point,low,high
std::string LinePlotCsv(const LinePlot& plot);
std::string IntervalPlotCsv(const std::vector<IntervalRow>& rows);

// "0", "250k", "1M", "1.5M"
std::string FormatSteps(double steps);
// about target round numbers (1, 2 or 5 times a power of ten) covering [low, high]
std::vector<double> NiceTicks(double low, double high, int target);

}  // namespace stride::analysis

#endif  // STRIDE_ANALYSIS_SVG_PLOT_H_
