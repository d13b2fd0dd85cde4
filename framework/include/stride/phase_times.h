// Wall-clock seconds a training process spends in named phases (environment
// stepping, policy inference, the update, ...), summed over the process, so
// `stride bench train` can say where the time goes. Recorded from the thread
// that runs training; the cost is two clock reads per scope.
#ifndef STRIDE_PHASE_TIMES_H_
#define STRIDE_PHASE_TIMES_H_

#include <chrono>
#include <string>
#include <utility>
#include <vector>

namespace stride {

// adds seconds to phase
void AddPhaseTime(const std::string& phase, double seconds);
// every phase with its seconds, in the order phases were first recorded
std::vector<std::pair<std::string, double>> PhaseTimes();
void ResetPhaseTimes();

// adds the seconds from its construction to its destruction to phase, less
// the seconds of timers nested inside it on the same thread, so phases never
// count a second twice
class PhaseTimer {
 public:
  explicit PhaseTimer(const char* phase);
  ~PhaseTimer();
  PhaseTimer(const PhaseTimer&) = delete;
  PhaseTimer& operator=(const PhaseTimer&) = delete;

 private:
  const char* phase_;
  std::chrono::steady_clock::time_point start_;
  PhaseTimer* outer_;
  double nested_seconds_ = 0.0;
};

}  // namespace stride

#endif  // STRIDE_PHASE_TIMES_H_
