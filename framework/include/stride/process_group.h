// The processes ("ranks") that train one run together, data-parallel. Every
// rank calls the same collectives in the same order; a collective that fails
// (a rank died, hung past the timeout or reported an error) throws
// RuntimeError naming the ranks responsible. One process alone is a group of
// one whose collectives return at once.
#ifndef STRIDE_PROCESS_GROUP_H_
#define STRIDE_PROCESS_GROUP_H_

#include <cstdint>
#include <string>
#include <vector>

namespace stride {

class ProcessGroup {
 public:
  virtual ~ProcessGroup();

  virtual int rank() const = 0;
  virtual int world_size() const = 0;
  // how the ranks were started: "none" (one process), "env" (RANK and
  // WORLD_SIZE), "slurm", "openmpi" or "pmi"
  virtual const std::string& launcher() const = 0;

  // element-wise sums over the ranks, in place; every rank gets the same bits
  virtual void Sum(float* values, int64_t n) = 0;
  virtual void Sum(double* values, int64_t n) = 0;
  // every rank's bytes, in rank order; the sizes may differ between ranks
  virtual std::vector<std::vector<uint8_t>> AllGather(const std::vector<uint8_t>& bytes) = 0;
  // rank 0's bytes, on every rank
  virtual void Broadcast(std::vector<uint8_t>& bytes) = 0;
  // this rank has reached the end of update (a liveness mark failures are
  // diagnosed with)
  virtual void MarkProgress(int64_t update) = 0;
  // this rank is about to end with error message: the others name it
  virtual void ReportFailure(const std::string& message) = 0;

  // true on every rank when value holds on any
  bool Any(bool value);
};

// the group of a process that trains alone
ProcessGroup& SingleProcess();

}  // namespace stride

#endif  // STRIDE_PROCESS_GROUP_H_
