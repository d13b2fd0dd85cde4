// Append-only CSV + JSON-lines tables keyed by environment step.
#ifndef STRIDE_METRICS_LOG_H_
#define STRIDE_METRICS_LOG_H_

#include <cstdint>
#include <fstream>
#include <string>
#include <utility>
#include <vector>

namespace stride {

class MetricsLog {
 public:
  // path without extension: writes path.csv and path.jsonl; resume keeps the
  // rows already there that come before the first step logged after resuming
  MetricsLog(std::string path, bool resume);

  // opens the files for rows from first_step on; rows at or after it belong to
  // the interrupted part of a resumed run and are dropped. Returns the step of
  // the last row kept (0 for none). Write() calls it if nobody did.
  int64_t Begin(int64_t first_step);
  // one row; the columns are fixed by the first row written
  void Write(int64_t step, const std::vector<std::pair<std::string, double>>& values);

 private:
  std::string path_;
  bool resume_;
  bool open_ = false;
  std::vector<std::string> columns_;
  std::ofstream csv_, jsonl_;
};

}  // namespace stride

#endif  // STRIDE_METRICS_LOG_H_
