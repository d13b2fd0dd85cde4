// Append-only CSV + JSON-lines tables keyed by environment step, optionally
// mirrored as TensorBoard scalars.
#ifndef STRIDE_METRICS_LOG_H_
#define STRIDE_METRICS_LOG_H_

#include <cstdint>
#include <fstream>
#include <string>
#include <utility>
#include <vector>

namespace stride {

class TensorBoardWriter;

class MetricsLog {
 public:
  // path without extension: writes path.csv and path.jsonl; resume keeps the
  // rows already there that come before the first step logged after resuming.
  // With events, every row is also written there as scalars tagged
  // tag_prefix + column.
  MetricsLog(std::string path, bool resume, TensorBoardWriter* events = nullptr,
             std::string tag_prefix = "");

  // opens the files for rows from first_step on; rows at or after it belong to
  // the interrupted part of a resumed run and are dropped. Returns the step of
  // the last row kept (0 for none). Write() calls it if nobody did.
  int64_t Begin(int64_t first_step);
  // the values of column in the rows Begin() kept, NaN for empty cells; empty
  // without such a column
  std::vector<double> KeptColumn(const std::string& column) const;
  // one row; the columns are fixed by the first row written
  void Write(int64_t step, const std::vector<std::pair<std::string, double>>& values);

 private:
  std::string path_;
  bool resume_;
  TensorBoardWriter* events_;
  std::string tag_prefix_;
  bool open_ = false;
  std::vector<std::string> columns_;
  // the header and data lines kept from before a resume
  std::vector<std::string> kept_header_;
  std::vector<std::vector<std::string>> kept_rows_;
  std::ofstream csv_, jsonl_;
};

}  // namespace stride

#endif  // STRIDE_METRICS_LOG_H_
