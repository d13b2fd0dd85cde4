// The runs under result directories, read back: metrics.csv, eval.csv and
// config.toml of every seed_<k> directory, grouped by variant.
#ifndef STRIDE_ANALYSIS_RUN_DATA_H_
#define STRIDE_ANALYSIS_RUN_DATA_H_

#include <cstdint>
#include <string>
#include <vector>

namespace stride::analysis {

// a CSV file of numbers with a header row; empty or "nan" cells are NaN
struct Table {
  std::vector<std::string> columns;
  std::vector<std::vector<double>> rows;

  bool Has(const std::string& column) const;
  // the column's values, or a RuntimeError naming the table and column
  std::vector<double> Values(const std::string& column) const;
  std::string path;
};

Table ReadCsv(const std::string& path);

// text as one CSV field: quoted, quotes doubled, when it holds a comma, a quote
// or a line break (a swept variant's label does)
std::string CsvField(const std::string& text);

struct RunData {
  std::string dir;
  int64_t seed = 0;
  Table metrics;
  Table eval;
  // config.toml without its seeds line: equal for every seed of a variant
  std::string config;
};

struct Group {
  std::string label;
  std::vector<RunData> runs;
  // run directories left out because they have not finished (no policy.pt)
  std::vector<std::string> unfinished;
};

// every seed_<k> run directory under each of dirs, grouped by the directory
// holding it: labelled by its path below the dir (the dir's own name when it
// holds the seeds directly), prefixed by the dir's name when several are given
std::vector<Group> FindGroups(const std::vector<std::string>& dirs);

// the wall-clock seconds of each metrics row; a resumed run's clock goes on
// from the last row kept before the interruption
std::vector<double> WallClock(const Table& metrics);

}  // namespace stride::analysis

#endif  // STRIDE_ANALYSIS_RUN_DATA_H_
